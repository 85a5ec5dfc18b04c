-- Blocked visitors and the waiting queue's order.
-- `blocked_at`: when an agent blocked the visitor (milliseconds since the Unix epoch); NULL
-- while they are not blocked. A blocked visitor's sends are refused.
ALTER TABLE visitors ADD COLUMN blocked_at INTEGER;
-- The waiting list is read oldest first, in pages after a (started_at, id) cursor.
CREATE INDEX conversations_started ON conversations(status, started_at, id);
