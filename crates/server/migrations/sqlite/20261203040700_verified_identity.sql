-- Verified identity (`Tidings('identify', {user_id, user_hash})`).
-- `user_id`: the site's id for the person, set only when its HMAC was valid; at most one
-- visitor holds each (the canonical visitor, the first to verify it). A visitor with a
-- `user_id` is verified.
-- `merged_into`: an anonymous visitor whose browser then verified as a `user_id` someone
-- already holds: its conversations moved to that canonical visitor, and its token now opens
-- that visitor (the token lookup reads `COALESCE(merged_into, id)`).
ALTER TABLE visitors ADD COLUMN user_id TEXT;
ALTER TABLE visitors ADD COLUMN merged_into TEXT REFERENCES visitors(id);
CREATE UNIQUE INDEX visitors_user_id ON visitors(user_id);
