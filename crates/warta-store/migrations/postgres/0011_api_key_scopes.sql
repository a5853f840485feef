-- What each API key may do: scope names separated by spaces, from
-- translate, articles, glossary, webhooks, stats (warta-store's `Scope`).
-- Keys made before scopes existed could do everything, and keep that: the
-- upgrade gives them every scope. A row written without scopes (by an older
-- node during a rolling upgrade) gets none, and is refused everywhere.
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT '';
UPDATE api_keys SET scopes = 'translate articles glossary webhooks stats';
