package storage

// The kinds of media a meme or a submission is (Meme.Type,
// Submission.MediaType), as Telegram names them.
const (
	MediaPhoto     = "photo"
	MediaVideo     = "video"
	MediaAnimation = "animation"
)
