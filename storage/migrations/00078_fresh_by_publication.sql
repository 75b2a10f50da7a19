-- +goose Up
-- The fresh engine walks the memes short of 20 impressions newest first. By
-- id, an upload a moderator approved hours after it arrived sat behind every
-- channel meme ingested meanwhile and could miss its first hour entirely; by
-- the time it went live it does not. meme_stats keeps when its meme went live
-- (memes.published_at, set on approval; created_at for a meme stored as
-- approved), and a small index holds only the memes still short of their 20
-- impressions (an update that leaves a meme past 20 writes nothing to it).
ALTER TABLE meme_stats ADD COLUMN published_at TIMESTAMPTZ NOT NULL DEFAULT now();
UPDATE meme_stats ms SET published_at = coalesce(m.published_at, m.created_at)
FROM memes m WHERE m.id = ms.meme_id;
CREATE INDEX meme_stats_fresh_live_idx ON meme_stats (language, published_at DESC, meme_id DESC)
    WHERE serving AND sent < 20;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION meme_stats_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO meme_stats (meme_id, serving, language, source_id, uploaded, published_at)
    VALUES (NEW.id, NEW.status = 'ok', NEW.language, NEW.source_id, NEW.uploader_id IS NOT NULL,
            coalesce(NEW.published_at, NEW.created_at))
    ON CONFLICT (meme_id) DO UPDATE
    SET serving = EXCLUDED.serving, language = EXCLUDED.language,
        source_id = EXCLUDED.source_id, uploaded = EXCLUDED.uploaded, published_at = EXCLUDED.published_at;
    RETURN NULL;
END $$;
-- +goose StatementEnd

DROP TRIGGER memes_stats_update ON memes;
CREATE TRIGGER memes_stats_update AFTER UPDATE OF status, language, source_id, uploader_id, published_at ON memes
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.language IS DISTINCT FROM NEW.language
          OR OLD.source_id IS DISTINCT FROM NEW.source_id OR OLD.uploader_id IS DISTINCT FROM NEW.uploader_id
          OR OLD.published_at IS DISTINCT FROM NEW.published_at)
    EXECUTE FUNCTION meme_stats_sync();

-- +goose Down
DROP TRIGGER memes_stats_update ON memes;
CREATE TRIGGER memes_stats_update AFTER UPDATE OF status, language, source_id, uploader_id ON memes
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.language IS DISTINCT FROM NEW.language
          OR OLD.source_id IS DISTINCT FROM NEW.source_id OR OLD.uploader_id IS DISTINCT FROM NEW.uploader_id)
    EXECUTE FUNCTION meme_stats_sync();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION meme_stats_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO meme_stats (meme_id, serving, language, source_id, uploaded)
    VALUES (NEW.id, NEW.status = 'ok', NEW.language, NEW.source_id, NEW.uploader_id IS NOT NULL)
    ON CONFLICT (meme_id) DO UPDATE
    SET serving = EXCLUDED.serving, language = EXCLUDED.language,
        source_id = EXCLUDED.source_id, uploaded = EXCLUDED.uploaded;
    RETURN NULL;
END $$;
-- +goose StatementEnd
DROP INDEX meme_stats_fresh_live_idx;
ALTER TABLE meme_stats DROP COLUMN published_at;
