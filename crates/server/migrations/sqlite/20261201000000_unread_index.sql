-- Unread counts (`conversation` frames after every message) count one sender's messages past
-- a seq: with this index that is a range of the index alone, without reading each message.
CREATE INDEX messages_unread ON messages(conversation_id, sender, seq);
