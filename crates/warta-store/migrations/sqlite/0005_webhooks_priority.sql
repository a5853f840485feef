-- Webhook deliveries: an outbox leased like translation jobs (owner, expiry,
-- attempts, backoff), so an event queued with the version it announces is
-- delivered even across crashes, exactly by one node at a time.
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    url              TEXT    NOT NULL,
    event            TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    run_after        INTEGER NOT NULL,
    lease_owner      TEXT,
    lease_expires_at INTEGER,
    last_status      INTEGER,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (id) WHERE state IN ('queued', 'running');

-- Jobs an editor is waiting for (an approved fix) are leased before the
-- backlog: higher priority first, then oldest.
ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
