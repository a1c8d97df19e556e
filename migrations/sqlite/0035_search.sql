-- Search (issue 17): demands and threads found by their words in Chinese. The words are the
-- segmenter's keys stored beside each text (`tokens`, space-separated: jieba's words, their
-- synonym heads, pinyin), indexed by FTS5 with its plain unicode61 tokenizer (it splits on the
-- spaces and keeps each Chinese word whole, so 低保 is one term). `place` holds the scope
-- tokens c<community> s<subdistrict> d<district>: a search narrows to its scope inside the
-- index instead of joining every match in the district. Kept by triggers in the writing
-- transaction itself.
ALTER TABLE threads ADD COLUMN tokens TEXT NOT NULL DEFAULT '';

CREATE VIRTUAL TABLE demand_words USING fts5(words, place, tokenize = 'unicode61');
INSERT INTO demand_words (rowid, words, place)
    SELECT d.id, d.tokens, 'c' || c.id || ' s' || s.id || ' d' || s.parent_id
    FROM demands d JOIN regions c ON c.id = d.community_id JOIN regions s ON s.id = c.parent_id;
CREATE TRIGGER demand_words_filed AFTER INSERT ON demands BEGIN
    INSERT INTO demand_words (rowid, words, place)
        SELECT NEW.id, NEW.tokens, 'c' || c.id || ' s' || s.id || ' d' || s.parent_id
        FROM regions c JOIN regions s ON s.id = c.parent_id WHERE c.id = NEW.community_id;
END;
CREATE TRIGGER demand_words_rewritten AFTER UPDATE OF tokens ON demands BEGIN
    UPDATE demand_words SET words = NEW.tokens WHERE rowid = NEW.id;
END;
CREATE TRIGGER demand_words_gone AFTER DELETE ON demands BEGIN
    DELETE FROM demand_words WHERE rowid = OLD.id;
END;

CREATE VIRTUAL TABLE thread_words USING fts5(words, place, tokenize = 'unicode61');
INSERT INTO thread_words (rowid, words, place)
    SELECT t.id, t.tokens, 'c' || c.id || ' s' || s.id || ' d' || s.parent_id
    FROM threads t JOIN regions c ON c.id = t.community_id JOIN regions s ON s.id = c.parent_id;
CREATE TRIGGER thread_words_opened AFTER INSERT ON threads BEGIN
    INSERT INTO thread_words (rowid, words, place)
        SELECT NEW.id, NEW.tokens, 'c' || c.id || ' s' || s.id || ' d' || s.parent_id
        FROM regions c JOIN regions s ON s.id = c.parent_id WHERE c.id = NEW.community_id;
END;
CREATE TRIGGER thread_words_rewritten AFTER UPDATE OF tokens ON threads BEGIN
    UPDATE thread_words SET words = NEW.tokens WHERE rowid = NEW.id;
END;
CREATE TRIGGER thread_words_gone AFTER DELETE ON threads BEGIN
    DELETE FROM thread_words WHERE rowid = OLD.id;
END;
