-- Conversations left active without an agent (their agent was removed, possibly by
-- `agent remove` in another process) are returned to the queue by the running nodes, which
-- look for them every heartbeat interval; this index holds only those rows.
CREATE INDEX conversations_orphaned ON conversations(id)
    WHERE status = 'active' AND assigned_agent_id IS NULL;
