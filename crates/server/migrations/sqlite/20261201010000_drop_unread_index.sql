-- Measured under load (cargo xtask bench load), the index of the previous migration cost the
-- writer one more page per stored message (a WAL frame at every commit), more than it saved the
-- unread counts, which are read only once per coalesced announcement. Dropped again.
DROP INDEX IF EXISTS messages_unread;
