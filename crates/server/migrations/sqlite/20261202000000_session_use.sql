-- Agent sessions end: when a session was last used (idle timeout), next to when it was created
-- (absolute lifetime). Sessions created before this migration count as used at creation.
ALTER TABLE agent_sessions ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
UPDATE agent_sessions SET last_used_at = created_at;
