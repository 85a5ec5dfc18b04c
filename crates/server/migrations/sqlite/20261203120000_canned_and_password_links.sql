-- Canned responses (saved replies admins manage and every agent inserts) and one-time
-- set-password links for agents added or reset from the console.
CREATE TABLE canned_responses (
    id         TEXT PRIMARY KEY NOT NULL,
    title      TEXT NOT NULL,
    shortcut   TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
-- Shortcuts are unique regardless of case; queries compare lower().
CREATE UNIQUE INDEX canned_responses_shortcut ON canned_responses (lower(shortcut));

-- Only the token's SHA-256 (hex) is stored, as for sessions. A link works once, until
-- `expires_at` (milliseconds since the Unix epoch), and goes with its agent.
CREATE TABLE agent_password_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    agent_id   TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
);
CREATE INDEX agent_password_links_agent ON agent_password_links (agent_id);
