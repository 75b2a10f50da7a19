-- +goose Up
-- Inline search (@bot words): what each approved meme says, as one text
-- search document in the 'russian' configuration, which stems Cyrillic words
-- with the Russian stemmer and Latin ones with the English stemmer, so
-- "cats"/"коты" find "cat"/"кот" in either language. The meme's own words
-- (OCR text and caption) weigh A, the vision description B.
--
-- Only approved memes (with their storage-chat copy) have a row: the table is
-- the search index, kept by a trigger on memes, so a meme is searchable the
-- moment it is approved and gone the moment it is not.
--
-- rank is the meme's like rate (meme_stats.like_ratio), copied here by the
-- search_ranks job, so that one table answers "matches, best liked first"
-- and PostgreSQL picks the plan by how common the words are: a rare word
-- reads its few matches from the GIN index and sorts them; a word on a
-- large share of memes walks the rank index until a page is full. (With the
-- like rate only in meme_stats, a common word sorted 1M rows: 1.8 s.)
-- +goose StatementBegin
CREATE FUNCTION meme_search_doc(ocr TEXT, caption TEXT, descr JSONB) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('russian'::regconfig, coalesce(ocr, '') || ' ' || coalesce(caption, '')), 'A') ||
           setweight(to_tsvector('russian'::regconfig,
               coalesce(descr ->> 'text', '') || ' ' || coalesce(descr ->> 'description', '') || ' ' ||
               coalesce(descr ->> 'tags', '')), 'B')
$$;
-- +goose StatementEnd

CREATE TABLE meme_search (
    meme_id BIGINT PRIMARY KEY REFERENCES memes (id) ON DELETE CASCADE,
    doc     tsvector NOT NULL,
    rank    REAL NOT NULL DEFAULT 0.5
);
CREATE INDEX meme_search_doc_idx ON meme_search USING gin (doc);
-- The planner's choice rests on how common it thinks the words are: keep
-- ten times the default number of word frequencies.
ALTER TABLE meme_search ALTER COLUMN doc SET STATISTICS 1000;
-- The words ride along in the rank index, so walking it tests each meme's
-- words without visiting the table (index-only: 7,300 rows in 850 buffers
-- instead of 7,300 random table pages).
CREATE INDEX meme_search_rank_idx ON meme_search (rank DESC, meme_id DESC) INCLUDE (doc);

-- +goose StatementBegin
CREATE FUNCTION meme_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'ok' AND NEW.storage_file_id <> '' THEN
        INSERT INTO meme_search (meme_id, doc, rank)
        VALUES (NEW.id, meme_search_doc(NEW.ocr_text, NEW.caption, NEW.description),
                coalesce((SELECT like_ratio FROM meme_stats WHERE meme_id = NEW.id), 0.5))
        ON CONFLICT (meme_id) DO UPDATE SET doc = EXCLUDED.doc;
    ELSE
        DELETE FROM meme_search WHERE meme_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER memes_search_insert AFTER INSERT ON memes
    FOR EACH ROW WHEN (NEW.status = 'ok') EXECUTE FUNCTION meme_search_sync();
CREATE TRIGGER memes_search_update AFTER UPDATE OF status, storage_file_id, ocr_text, caption, description ON memes
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.storage_file_id IS DISTINCT FROM NEW.storage_file_id
          OR OLD.ocr_text IS DISTINCT FROM NEW.ocr_text
          OR OLD.caption IS DISTINCT FROM NEW.caption OR OLD.description IS DISTINCT FROM NEW.description)
    EXECUTE FUNCTION meme_search_sync();

INSERT INTO meme_search (meme_id, doc, rank)
SELECT m.id, meme_search_doc(m.ocr_text, m.caption, m.description), coalesce(st.like_ratio, 0.5)
FROM memes m LEFT JOIN meme_stats st ON st.meme_id = m.id
WHERE m.status = 'ok' AND m.storage_file_id <> '';

-- What people searched for and which meme they sent from the results: the
-- picks count in /stats and in each meme's shares.
CREATE TABLE inline_picks (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    meme_id    BIGINT NOT NULL REFERENCES memes (id) ON DELETE CASCADE,
    query      TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX inline_picks_meme_idx ON inline_picks (meme_id);
CREATE INDEX inline_picks_created_idx ON inline_picks (created_at);

CREATE TABLE inline_searches (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    query      TEXT NOT NULL,
    results    INT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX inline_searches_created_idx ON inline_searches (created_at);

-- +goose Down
DROP TABLE inline_searches;
DROP TABLE inline_picks;
DROP TRIGGER memes_search_update ON memes;
DROP TRIGGER memes_search_insert ON memes;
DROP FUNCTION meme_search_sync();
DROP TABLE meme_search;
DROP FUNCTION meme_search_doc(TEXT, TEXT, JSONB);
