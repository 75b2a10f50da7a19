-- +goose Up
-- Inline search, second shape: what 00060 measured at 1M memes (p95 36 ms)
-- went to two places. A middling AND query matched ~3,000 memes, and each
-- match cost a random table page just to read its like rate for the sort;
-- and a last word typed as a prefix of a common word ("vihe:*") made the
-- text index gather every meme of every word it starts (250k) before the
-- AND could narrow them.
--
-- 1. Tiers. Memes are cut into rank tiers that grow fourfold (the best
--    1,500, the next 6,000, 24,000, ...; six tiers at 1M memes), and the text
--    index covers (doc, tier), so one index scan answers "these words AND
--    this tier". A search walks the tiers best first and stops once a page is
--    full. A tier is only reached when the ones above it, a quarter of its
--    size, had less than a page of matches, so a search reads at most about
--    four table pages per result, whatever the words. (Tiers that double
--    read fewer pages but scan the index twice as often; fourfold measured
--    better.) The search_ranks job keeps the tiers; a new meme
--    joins the tier its rank falls in (search_tiers holds each tier's first
--    meme).
-- 2. Words. search_words lists every word the index knows; a prefix is
--    expanded to the words it starts (the shortest 32) before searching, so
--    the index only ever looks up whole words.
--
-- The document also loses its word positions (strip): nothing searches by
-- phrase, and it shrinks the table 319 -> 133 MB at 1M memes. Its text is
-- capped so that one meme with a wall of OCR text cannot outgrow an index row.
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION meme_search_doc(ocr TEXT, caption TEXT, descr JSONB) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT strip(to_tsvector('russian'::regconfig, left(coalesce(ocr, '') || ' ' || coalesce(caption, ''), 2000) || ' ' ||
           left(coalesce(descr ->> 'text', '') || ' ' || coalesce(descr ->> 'description', '') || ' ' ||
                coalesce(descr ->> 'tags', ''), 2000)))
$$;
-- +goose StatementEnd

-- No btree on rank any more: with one, a search planned without its words
-- could choose to walk a whole tier in rank order instead of asking the
-- text index; the tier refresh sorts the ranks itself.
DROP INDEX meme_search_doc_idx;
DROP INDEX meme_search_rank_idx;
ALTER TABLE meme_search ADD COLUMN tier SMALLINT NOT NULL DEFAULT 0;
UPDATE meme_search SET doc = strip(doc);

CREATE TABLE search_tiers (
    tier       SMALLINT PRIMARY KEY,
    first_rank REAL NOT NULL,
    first_meme BIGINT NOT NULL
);

-- +goose StatementBegin
-- refresh_search_tiers records where each tier starts in the ranking (rank,
-- then newest first) and moves the memes whose tier changed; returns how
-- many moved. One sort of (rank, meme_id) in memory, one pass over the
-- table, and writes only for memes that moved: about a second at 1M memes.
CREATE FUNCTION refresh_search_tiers() RETURNS BIGINT LANGUAGE plpgsql SET work_mem = '128MB' AS $$
DECLARE moved BIGINT;
BEGIN
    DELETE FROM search_tiers;
    INSERT INTO search_tiers (tier, first_rank, first_meme)
    SELECT round(log(4, pos / 500.0 + 1))::SMALLINT, rank, meme_id
    FROM (SELECT rank, meme_id, row_number() OVER (ORDER BY rank DESC, meme_id DESC) - 1 AS pos FROM meme_search) ranked
    WHERE pos IN (SELECT 500 * (4::BIGINT ^ t - 1) FROM generate_series(0, 15) t);
    UPDATE meme_search s SET tier = b.tier
    FROM (SELECT tier, first_rank, first_meme,
                 lead(first_rank) OVER (ORDER BY tier) AS next_rank, lead(first_meme) OVER (ORDER BY tier) AS next_meme
          FROM search_tiers) b
    WHERE (s.rank, s.meme_id) <= (b.first_rank, b.first_meme)
      AND (b.next_rank IS NULL OR (s.rank, s.meme_id) > (b.next_rank, b.next_meme))
      AND s.tier <> b.tier;
    GET DIAGNOSTICS moved = ROW_COUNT;
    RETURN moved;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- meme_search_tier is the tier a meme of this rank joins until the next
-- refresh: the last tier that starts at or above it.
CREATE FUNCTION meme_search_tier(r REAL, id BIGINT) RETURNS SMALLINT LANGUAGE sql STABLE AS $$
    SELECT coalesce(max(tier), 0)::SMALLINT FROM search_tiers WHERE (first_rank, first_meme) >= (r, id)
$$;
-- +goose StatementEnd

SELECT refresh_search_tiers();
CREATE INDEX meme_search_doc_idx ON meme_search USING gin (doc, tier);

CREATE TABLE search_words (word TEXT COLLATE "C" PRIMARY KEY);
INSERT INTO search_words SELECT DISTINCT unnest(tsvector_to_array(doc)) FROM meme_search;

-- +goose StatementBegin
CREATE FUNCTION meme_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_words SELECT unnest(tsvector_to_array(NEW.doc)) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER meme_search_words AFTER INSERT OR UPDATE OF doc ON meme_search
    FOR EACH ROW EXECUTE FUNCTION meme_search_words();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION meme_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r REAL;
BEGIN
    IF NEW.status = 'ok' AND NEW.storage_file_id <> '' THEN
        r := coalesce((SELECT like_ratio FROM meme_stats WHERE meme_id = NEW.id), 0.5);
        INSERT INTO meme_search (meme_id, doc, rank, tier)
        VALUES (NEW.id, meme_search_doc(NEW.ocr_text, NEW.caption, NEW.description), r, meme_search_tier(r, NEW.id))
        ON CONFLICT (meme_id) DO UPDATE SET doc = EXCLUDED.doc;
    ELSE
        DELETE FROM meme_search WHERE meme_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- A query typed letter by letter is one search (RecordInlineSearch finds the
-- person's last one).
CREATE INDEX inline_searches_user_idx ON inline_searches (user_id, id DESC);

-- +goose StatementBegin
-- search_meme_ids returns the best `want` memes matching q, walking the
-- tiers best first and stopping once it has them. Its plans are made once
-- per connection (generic): the tiers bound the work whatever the words,
-- so planning each search for its words (2-8 ms) buys nothing. The tier is
-- cast to SMALLINT because btree_gin compares a smallint column only with a
-- smallint: with an INT, the tier became a filter after reading every match.
CREATE FUNCTION search_meme_ids(q tsquery, want INT) RETURNS TABLE (meme_id BIGINT, pos BIGINT)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    t INT;
    got BIGINT := 0;
    n BIGINT;
BEGIN
    FOR t IN 0 .. coalesce((SELECT max(st.tier) FROM search_tiers st), 0) LOOP
        RETURN QUERY
        SELECT hit.meme_id, got + row_number() OVER (ORDER BY hit.rank DESC, hit.meme_id DESC)
        FROM (SELECT s.meme_id, s.rank FROM meme_search s WHERE s.doc @@ q AND s.tier = t::SMALLINT
              ORDER BY s.rank DESC, s.meme_id DESC LIMIT want - got) hit;
        GET DIAGNOSTICS n = ROW_COUNT;
        got := got + n;
        EXIT WHEN got >= want;
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX inline_searches_user_idx;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION meme_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
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
DROP FUNCTION search_meme_ids(tsquery, INT);
DROP TRIGGER meme_search_words ON meme_search;
DROP FUNCTION meme_search_words();
DROP TABLE search_words;
DROP INDEX meme_search_doc_idx;
DROP FUNCTION meme_search_tier(REAL, BIGINT);
DROP FUNCTION refresh_search_tiers();
DROP TABLE search_tiers;
ALTER TABLE meme_search DROP COLUMN tier;
CREATE INDEX meme_search_doc_idx ON meme_search USING gin (doc);
CREATE INDEX meme_search_rank_idx ON meme_search (rank DESC, meme_id DESC) INCLUDE (doc);
