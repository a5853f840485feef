-- Admin login attempts, counted before the password is checked, so that a
-- burst of guesses is throttled even when it is spread over several nodes
-- sharing this database. One row per (scope, key): scope 'user' is the
-- username tried, 'addr' the client address; `attempts` counts the attempts
-- since `window_start` (a fixed window, restarted by the first attempt after
-- it ends). Counting is one atomic upsert per key, so concurrent attempts
-- get distinct, increasing counts.
CREATE TABLE login_attempts (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX login_attempts_window ON login_attempts (window_start);
