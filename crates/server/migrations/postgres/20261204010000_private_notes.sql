-- Private notes: agent-only messages in a conversation. They are rows of `messages` (so they
-- take a seq and the console resumes them like any message) stored with sender 'agent' and
-- `is_note` = 1; every path a visitor reads leaves them out. The same column as on SQLite.
ALTER TABLE messages ADD COLUMN is_note BIGINT NOT NULL DEFAULT 0;
