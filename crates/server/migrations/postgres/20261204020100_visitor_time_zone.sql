-- The visitor's time zone as their browser reports it (an IANA name such as
-- `Europe/Berlin`), so the console can show their local time.
ALTER TABLE visitors ADD COLUMN time_zone TEXT;
