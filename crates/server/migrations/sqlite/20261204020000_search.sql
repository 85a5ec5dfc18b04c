-- Full-text search for the console's search box (the same meaning as the PostgreSQL
-- migration): FTS5 indexes over message text and over visitors' names and emails. Both are
-- external-content tables (the text lives once, in `messages` and `visitors`; the index
-- holds only tokens), keyed by the source row's rowid and kept in step by the triggers
-- below, so every write path updates the index inside its own transaction. Neither table
-- is ever VACUUMed by the server, so the rowids the index points at stay put.
CREATE VIRTUAL TABLE message_search USING fts5(
    body,
    content = 'messages',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER message_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO message_search (rowid, body) VALUES (new.rowid, new.body);
END;

CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN
    INSERT INTO message_search (message_search, rowid, body) VALUES ('delete', old.rowid, old.body);
END;

CREATE TRIGGER message_search_update AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO message_search (message_search, rowid, body) VALUES ('delete', old.rowid, old.body);
    INSERT INTO message_search (rowid, body) VALUES (new.rowid, new.body);
END;

CREATE VIRTUAL TABLE visitor_search USING fts5(
    name,
    email,
    content = 'visitors',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER visitor_search_insert AFTER INSERT ON visitors BEGIN
    INSERT INTO visitor_search (rowid, name, email) VALUES (new.rowid, new.name, new.email);
END;

CREATE TRIGGER visitor_search_delete AFTER DELETE ON visitors BEGIN
    INSERT INTO visitor_search (visitor_search, rowid, name, email)
        VALUES ('delete', old.rowid, old.name, old.email);
END;

CREATE TRIGGER visitor_search_update AFTER UPDATE OF name, email ON visitors BEGIN
    INSERT INTO visitor_search (visitor_search, rowid, name, email)
        VALUES ('delete', old.rowid, old.name, old.email);
    INSERT INTO visitor_search (rowid, name, email) VALUES (new.rowid, new.name, new.email);
END;

-- The history stored before this migration.
INSERT INTO message_search (message_search) VALUES ('rebuild');
INSERT INTO visitor_search (visitor_search) VALUES ('rebuild');
