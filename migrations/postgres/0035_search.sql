-- Search (issue 17): demands and threads found by their words in Chinese. The words are the
-- segmenter's keys stored beside each text (`tokens`, space-separated: jieba's words, their
-- synonym heads, pinyin); the 'simple' configuration reads each space-separated key as one
-- lexeme (Chinese words stay whole, so 低保 is one term).
-- The tsvector is stored (`words`, generated from `tokens` in the writing transaction) and
-- GIN-indexed: a row checked against a query costs no parsing, and ANALYZE keeps each
-- word's frequency so the planner can choose between the index and a walk by id. (An
-- expression index measured 44 s p99 at district scale: the planner recomputed the
-- expression on every row.) SQLite keeps the same words in FTS5 tables instead.
ALTER TABLE threads ADD COLUMN tokens TEXT NOT NULL DEFAULT '';
ALTER TABLE demands ADD COLUMN words tsvector GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED;
ALTER TABLE threads ADD COLUMN words tsvector GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED;
-- fastupdate off: each write updates the index at once (a few words a post), so a search
-- never reads through a pending list (4 ms a query at district scale until a vacuum).
CREATE INDEX demands_words ON demands USING gin (words) WITH (fastupdate = off);
CREATE INDEX threads_words ON threads USING gin (words) WITH (fastupdate = off);
