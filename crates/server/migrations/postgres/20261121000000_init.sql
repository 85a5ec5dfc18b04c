-- Tidings schema for PostgreSQL: the same tables, columns and meaning as the SQLite schema
-- (migrations/sqlite). Ids are UUID text; times are milliseconds since the Unix epoch; flags
-- and small numbers are BIGINT so both backends read them as 64-bit integers.

CREATE TABLE agents (
    id            TEXT PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin      BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);
-- Emails are unique regardless of case (SQLite: COLLATE NOCASE); queries compare lower().
CREATE UNIQUE INDEX agents_email ON agents (lower(email));

-- Tokens are never stored: only their SHA-256 (hex), so a leaked database opens nothing.
CREATE TABLE agent_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    agent_id   TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX agent_sessions_agent ON agent_sessions(agent_id);

CREATE TABLE visitors (
    id           TEXT PRIMARY KEY NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    name         TEXT,
    email        TEXT,
    page_url     TEXT,
    user_agent   TEXT,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

CREATE TABLE conversations (
    id                   TEXT PRIMARY KEY NOT NULL,
    visitor_id           TEXT NOT NULL REFERENCES visitors(id) ON DELETE CASCADE,
    status               TEXT NOT NULL CHECK (status IN ('waiting', 'active', 'ended')),
    assigned_agent_id    TEXT REFERENCES agents(id) ON DELETE SET NULL,
    started_at           BIGINT NOT NULL,
    assigned_at          BIGINT,
    ended_at             BIGINT,
    rating               BIGINT CHECK (rating BETWEEN 1 AND 5),
    feedback             TEXT,
    page_url             TEXT,
    user_agent           TEXT,
    last_seq             BIGINT NOT NULL DEFAULT 0,
    last_activity_at     BIGINT NOT NULL,
    last_message_preview TEXT
);
CREATE INDEX conversations_visitor ON conversations(visitor_id, last_activity_at);
CREATE INDEX conversations_status ON conversations(status, last_activity_at);
CREATE INDEX conversations_agent ON conversations(assigned_agent_id, last_activity_at);

-- The id is the client's UUID: inserting it twice is impossible, which makes sends idempotent
-- on every node.
CREATE TABLE messages (
    id              TEXT PRIMARY KEY NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    sender          TEXT NOT NULL CHECK (sender IN ('visitor', 'agent', 'system')),
    agent_id        TEXT,
    author_name     TEXT,
    body            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (conversation_id, seq)
);

-- Read and delivery state of each side of a conversation ('visitor' or 'agent').
CREATE TABLE read_states (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    side            TEXT NOT NULL CHECK (side IN ('visitor', 'agent')),
    read_seq        BIGINT NOT NULL DEFAULT 0,
    delivered_seq   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, side)
);

-- The cluster (PostgreSQL only): the nodes alive, and who is connected to each. A node
-- renews its row every heartbeat; a row past `expires_at` is a dead node (killed, cut off),
-- and what it held (agents online, visitors connected) no longer counts anywhere.
CREATE TABLE nodes (
    id         TEXT PRIMARY KEY NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE node_presence (
    node_id TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    kind    TEXT NOT NULL CHECK (kind IN ('agent', 'visitor')),
    peer_id TEXT NOT NULL,
    name    TEXT,
    status  TEXT NOT NULL CHECK (status IN ('online', 'away')),
    PRIMARY KEY (node_id, kind, peer_id)
);
