-- Private notes: agent-only messages in a conversation. They are rows of `messages` (so they
-- take a seq and the console resumes them like any message) stored with sender 'agent' and
-- `is_note` = 1; every path a visitor reads leaves them out. A column rather than a fourth
-- sender value, because widening the sender CHECK would mean rebuilding the table.
ALTER TABLE messages ADD COLUMN is_note INTEGER NOT NULL DEFAULT 0;
