-- Search (issue 17): demands and threads found by their words in Chinese. The words are the
-- segmenter's keys stored beside each text (`tokens`, space-separated: jieba's words, their
-- synonym heads, pinyin); the 'simple' configuration reads each space-separated key as one
-- lexeme (Chinese words stay whole, so 低保 is one term) and the GIN index over that
-- expression is kept by PostgreSQL in the writing transaction itself. Queries use the same
-- expression so the planner can use the index.
ALTER TABLE threads ADD COLUMN tokens TEXT NOT NULL DEFAULT '';
CREATE INDEX demands_words ON demands USING gin (to_tsvector('simple', tokens));
CREATE INDEX threads_words ON threads USING gin (to_tsvector('simple', tokens));
