-- Reports pick the conversations started in a range of days: an index on the start time
-- keeps that a range scan however long the history grows (`conversations_started` leads
-- with the status, which a report does not filter on).
CREATE INDEX conversations_started_at ON conversations (started_at);
