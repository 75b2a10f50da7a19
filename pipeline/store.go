package pipeline

import (
	"bytes"
	"context"
	"fmt"

	"memebot/bot"
	"memebot/media"
	"memebot/storage"
	"memebot/watermark"
)

// storeMedia puts the meme in the storage chat: a watermarked JPEG for
// pictures, the original file for videos and animations. The storage copy's
// file_id is what reviewers and users are shown.
func (p *Pipeline) storeMedia(ctx context.Context, sub storage.Submission, meme storage.Meme, d decoded) (storage.Meme, error) {
	m := bot.Media{Kind: sub.MediaType, FileID: sub.FileID}
	if sub.MediaType == "photo" {
		var buf bytes.Buffer
		marked := watermark.Apply(d.img, p.cfg.WatermarkText, watermark.Options{})
		if err := media.EncodeJPEG(&buf, marked, 88); err != nil {
			return meme, fmt.Errorf("encode watermarked image: %w", err)
		}
		m = bot.Media{Kind: "photo", Data: buf.Bytes()}
	}
	msg, err := p.tg.SendMedia(ctx, p.cfg.StorageChatID, m, "", nil)
	if err != nil {
		return meme, fmt.Errorf("store in storage chat: %w", err)
	}
	meme.StorageFileID = bot.FileID(msg)
	if err := p.store.SetMemeStorage(ctx, meme.ID, meme.StorageFileID, int64(msg.ID)); err != nil {
		return meme, err
	}
	return meme, nil
}
