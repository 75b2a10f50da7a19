package pipeline

import (
	"bytes"
	"context"
	"fmt"

	"memebot/media"
	"memebot/storage"
	"memebot/watermark"
)

// storeMedia puts the meme in the storage chat: a watermarked JPEG for
// pictures, the original file for videos and animations. The storage copy's
// file_id is what reviewers and users are shown.
// Videos already on Telegram (uploads) are sent by their file_id, others as bytes.
func (p *Pipeline) storeMedia(ctx context.Context, meme storage.Meme, d decoded, telegramFileID string) (storage.Meme, error) {
	m := Media{Kind: meme.Type, FileID: telegramFileID}
	if telegramFileID == "" {
		m.Data = d.data
	}
	if meme.Type == media.Photo {
		var buf bytes.Buffer
		marked := watermark.Apply(d.img, p.cfg.WatermarkText, watermark.Options{})
		if err := media.EncodeJPEG(&buf, marked, 88); err != nil {
			return meme, fmt.Errorf("encode watermarked image: %w", err)
		}
		m = Media{Kind: media.Photo, Data: buf.Bytes()}
	}
	sent, err := p.tg.SendMedia(ctx, p.cfg.StorageChatID, m, "")
	if err != nil {
		return meme, fmt.Errorf("store in storage chat: %w", err)
	}
	meme.StorageFileID = sent.FileID
	if err := p.store.SetMemeStorage(ctx, meme.ID, meme.StorageFileID, sent.MessageID); err != nil {
		return meme, err
	}
	return meme, nil
}
