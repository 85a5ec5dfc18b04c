-- Files sent in conversations (a file message's file), and the key that signs their links.
-- `id` is the id of the message that carries the file (the client chooses it, so a retried
-- upload stores nothing new). `uploader` is `visitor:<uuid>` or `agent:<uuid>`: only the one
-- who uploaded a file may send it. `content_type` is what the server read from the content,
-- never the client's claim. The bytes live here, in the database every node shares, so
-- every node of a cluster can serve every file (see docs/operations.md).
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY NOT NULL,
    uploader     TEXT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    data         BYTEA NOT NULL,
    created_at   BIGINT NOT NULL
);

-- One row: the HMAC key of the attachments' signed links, created by the first node that
-- needs it (an insert that does nothing when the row exists) and read by all.
CREATE TABLE attachment_key (
    id     INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    secret TEXT NOT NULL
);
