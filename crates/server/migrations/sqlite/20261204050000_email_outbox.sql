-- Emails to send (reply by email, transcripts, waiting-chat alerts), one row each. The
-- unique key (kind, conversation, message, recipient) makes enqueueing idempotent: a retried
-- request or a second node enqueueing the same email inserts nothing. A node sends a row
-- only after claiming it (an UPDATE that sets `claimed_until` only where it is unclaimed or
-- its claim has lapsed), so two nodes never send the same row at once. `message_id` is ''
-- when the email is about no single message. Times are milliseconds since the Unix epoch.
CREATE TABLE email_outbox (
    id              TEXT PRIMARY KEY NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('reply', 'transcript', 'waiting')),
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    message_id      TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    due_at          INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    claimed_until   INTEGER,
    done_at         INTEGER,
    outcome         TEXT,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    UNIQUE (kind, conversation_id, message_id, recipient)
);
CREATE INDEX email_outbox_due ON email_outbox(done_at, due_at);
