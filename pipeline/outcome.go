package pipeline

import "memebot/storage"

// OutcomeKind is what became of a candidate meme.
type OutcomeKind string

// The outcomes of a candidate; their names are the metrics' labels and the
// raw posts' recorded outcomes.
const (
	OutcomeReview       OutcomeKind = "review"        // posted to the moderators
	OutcomeAutoApproved OutcomeKind = "auto_approved" // an upload into the feed without a moderator
	OutcomePublished    OutcomeKind = "ok"            // an ingested meme into the feed without a moderator
	OutcomeRejected     OutcomeKind = "rejected"      // refused by a check (Reason says which)
	OutcomeDuplicate    OutcomeKind = "duplicate"     // repeats a stored meme (Reason "rejected": a refused one)
	OutcomeDoneBefore   OutcomeKind = "done_before"   // an earlier attempt did the work
	// OutcomeFailed: an ingested candidate given up on, its job failing or
	// lost too often.
	OutcomeFailed OutcomeKind = storage.IngestOutcomeFailed
)

// Outcome is what became of a candidate and, for some kinds, why.
type Outcome struct {
	Kind   OutcomeKind
	Reason string
}

// String is the outcome as metrics and raw posts record it: the kind, then
// ":" and the reason when there is one ("rejected:blurry").
func (o Outcome) String() string {
	if o.Reason == "" {
		return string(o.Kind)
	}
	return string(o.Kind) + ":" + o.Reason
}
