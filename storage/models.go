package storage

import (
	"encoding/json"
	"time"

	"memebot/media"
)

// Roles a user can hold. Admins come from configuration, never from the database.
const (
	RoleUser      = "user"
	RoleModerator = "moderator"
	RoleAdmin     = "admin"
)

// Meme statuses. Only StatusOK memes are served.
const (
	MemeProcessing    = "processing"
	MemeWaitingReview = "waiting_review"
	MemeOK            = "ok"
	MemeRejected      = "rejected"
	MemeDuplicate     = "duplicate"
	MemeAd            = "ad"
	MemeBroken        = "broken"
)

// Submission statuses, from intake to outcome.
const (
	SubmissionQueued     = "queued"
	SubmissionProcessing = "processing"
	SubmissionInReview   = "in_review"
	SubmissionApproved   = "approved"
	SubmissionRejected   = "rejected"
	SubmissionDuplicate  = "duplicate"
	SubmissionFailed     = "failed"
)

// Reaction values stored in reactions.reaction.
const (
	Like    = 1
	Dislike = 2
)

// User is a Telegram user of the bot.
type User struct {
	ID           int64 `gorm:"primaryKey;autoIncrement:false"`
	Username     string
	FirstName    string
	LanguageCode string
	Languages    StringArray `gorm:"type:text[]"`
	Role         string
	BlockedBotAt *time.Time
	LastActiveAt time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Source is where memes come from.
type Source struct {
	ID              int64 `gorm:"primaryKey"`
	Platform        string
	Handle          string
	URL             string
	Language        string
	Status          string
	StatusReason    string
	StatusChangedAt time.Time
	StatusChangedBy *int64
	NeedsReview     bool
	AddedBy         *int64
	ParsedAt        *time.Time
	EmptyParses     int
	CreatedAt       time.Time
}

// Meme is one unique piece of media that can be served.
type Meme struct {
	ID               int64 `gorm:"primaryKey"`
	SourceID         *int64
	RawPostID        *int64
	UploaderID       *int64
	Type             media.Kind
	Status           string
	StatusReason     string
	Language         string
	Caption          string
	StorageFileID    string
	StorageMessageID *int64
	SHA256           []byte `gorm:"column:sha256"`
	PHash            *int64 `gorm:"column:phash"`
	Fingerprint      []byte
	DuplicateOf      *int64
	Width            int
	Height           int
	DurationSec      int
	OCRText          string          `gorm:"column:ocr_text"`
	Checks           json.RawMessage `gorm:"type:jsonb;default:'[]'"`
	Description      json.RawMessage `gorm:"type:jsonb"`
	DescribeFailures int
	ReviewMessageID  *int64
	PublishedAt      *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Submission is an upload tracked from intake to its outcome.
type Submission struct {
	ID                 int64 `gorm:"primaryKey"`
	UploaderID         int64
	ChatID             int64
	MessageID          int64
	MediaType          media.Kind
	FileID             string
	FileUniqueID       string
	FileSize           int64
	MimeType           string
	Caption            string
	Language           string
	Status             string
	StatusReason       string
	MemeID             *int64
	DuplicateOf        *int64
	Attempts           int
	LastError          string
	ReviewMessageID    *int64
	UploaderNotifiedAt *time.Time
	// DuplicateVerdict is why the upload was called a duplicate (JSON of a
	// media.Verdict), kept after a second look too.
	DuplicateVerdict json.RawMessage `gorm:"type:jsonb"`
	// SecondLookAt is when the uploader asked moderators to look at an
	// upload called a duplicate (once per upload).
	SecondLookAt *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ReviewDecision is a moderator's verdict on a meme; the first one wins.
type ReviewDecision struct {
	ID           int64 `gorm:"primaryKey"`
	MemeID       int64
	SubmissionID *int64
	ModeratorID  int64
	Decision     string
	Reason       string
	CreatedAt    time.Time
}

// StatusEvent records one status change: who (nil = the system), when, why.
type StatusEvent struct {
	ID           int64 `gorm:"primaryKey"`
	MemeID       *int64
	SubmissionID *int64
	FromStatus   string
	ToStatus     string
	ActorID      *int64
	Reason       string
	CreatedAt    time.Time
}

// Reaction is one meme sent to one user, and what they pressed.
type Reaction struct {
	UserID    int64 `gorm:"primaryKey;autoIncrement:false"`
	MemeID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Engine    string
	SentAt    time.Time
	Reaction  *int16
	ReactedAt *time.Time
}

// CoinEntry is one line of the coin ledger.
type CoinEntry struct {
	ID        int64 `gorm:"primaryKey"`
	UserID    int64
	Amount    int
	Kind      string
	MemeID    *int64
	CreatedAt time.Time
}

// TableName maps CoinEntry to coin_ledger.
func (CoinEntry) TableName() string { return "coin_ledger" }

// JobState is the shared pause state of a background job.
type JobState struct {
	Name      string `gorm:"primaryKey"`
	Paused    bool
	ChangedBy *int64
	Reason    string
	ChangedAt time.Time
}
