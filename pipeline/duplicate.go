package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"memebot/i18n"
	"memebot/media"
	"memebot/moderation"
	"memebot/review"
	"memebot/storage"
)

// CheckDuplicate names the result a suspected duplicate carries in its
// report when its uploader asked for a second look.
const CheckDuplicate = "duplicate"

// SecondLookButton is the callback "unique" of the button under a duplicate
// notice; its data is the submission id (handlers.SecondLook answers it).
const SecondLookButton = "dup2"

// claimMeme claims the meme a job becomes. When the picture matches a
// stored meme, only the texts can tell a repost from a new joke on the same
// picture: the checks (OCR among them) then run before the claim instead of
// after it, outside the dedup lock, and their report is returned so that
// nothing is read twice.
func (p *Pipeline) claimMeme(ctx context.Context, c claim, fp media.Fingerprint, sub storage.Submission, d decoded) (storage.Meme, *duplicate, *moderation.Report, error) {
	meme, dup, err := p.dedup.Claim(ctx, c, fp)
	if !errors.Is(err, errNeedText) {
		return meme, dup, nil, err
	}
	report, err := p.runChecks(ctx, sub, fp.SHA256[:], d)
	if err != nil {
		return storage.Meme{}, nil, nil, err
	}
	c.text = &report.OCRText
	meme, dup, err = p.dedup.Claim(ctx, c, fp)
	return meme, dup, &report, err
}

// markDuplicate closes a submission that repeats a stored meme, keeps why,
// and tells the uploader which meme it repeats: one still in review, one
// refused earlier (with its reason: this upload is refused for it too), or
// one in the feed. The notice offers a second look, once.
func (p *Pipeline) markDuplicate(ctx context.Context, sub storage.Submission, dup *duplicate) error {
	verdict, err := json.Marshal(dup.Verdict)
	if err != nil {
		return err
	}
	of := dup.Of.ID
	err = p.store.ChangeSubmission(ctx, sub.ID, storage.SubmissionChange{
		Status: storage.SubmissionDuplicate, Reason: fmt.Sprintf("duplicate of meme #%d: %s", of, dup.Verdict.Reason),
		DuplicateOf: &of, Verdict: verdict,
	})
	if err != nil {
		return err
	}
	return p.reviews.TellUploader(ctx, sub, func(lang string) (string, review.Buttons) {
		if sub.SecondLookAt != nil {
			return duplicateNotice(lang, sub.ID, dup.Of), nil
		}
		button := review.InlineButton{Label: i18n.T(lang, "dup_second_look_button"), Unique: SecondLookButton, Data: fmt.Sprint(sub.ID)}
		return duplicateNotice(lang, sub.ID, dup.Of), review.Buttons{{button}}
	})
}

// duplicateNotice says which meme an upload repeats, in what state.
func duplicateNotice(lang string, subID int64, of storage.DedupCandidate) string {
	switch of.Status {
	case storage.MemeProcessing, storage.MemeWaitingReview:
		return i18n.T(lang, "upload_duplicate_in_review", subID, of.ID)
	case storage.MemeRejected, storage.MemeAd:
		return i18n.T(lang, "upload_duplicate_rejected", subID, of.ID, rejectionReason(lang, of.StatusReason))
	}
	return i18n.T(lang, "upload_duplicate", subID, of.ID)
}

// rejectionReason is a stored rejection reason as the uploader reads it.
func rejectionReason(lang, code string) string {
	if code == "" {
		code = "none"
	}
	if text := i18n.T(lang, "reason_"+code); text != "reason_"+code {
		return text
	}
	return code
}

// suspicion is the result a second look adds to a meme's report: which
// meme it resembles and the figures that said so (stored with the
// moderators' decision on it).
func suspicion(sub storage.Submission) moderation.Result {
	var v media.Verdict
	_ = json.Unmarshal(sub.DuplicateVerdict, &v)
	details := map[string]any{
		"resembles": sub.DuplicateOf, "reason": v.Reason, "phash_distance": v.PHashDistance,
		"tone_mismatch": v.ToneMismatch, "edge_mismatch": v.EdgeMismatch,
	}
	if v.TextCompared {
		details["text_similarity"] = v.TextSimilarity
	}
	return moderation.Result{Check: CheckDuplicate, Verdict: moderation.VerdictFlag, Reason: "suspected_duplicate", Details: details}
}

// withSuspicion marks a second-look upload's report: a suspected duplicate
// always goes to the moderators, never straight into the feed.
func withSuspicion(report moderation.Report, sub storage.Submission) moderation.Report {
	for _, r := range report.Results {
		if r.Check == CheckDuplicate {
			return report
		}
	}
	report.Results = append(report.Results, suspicion(sub))
	if report.Decision.Action == moderation.ActionApprove {
		report.Decision.Action = moderation.ActionReview
	}
	report.Decision.Flags = append(report.Decision.Flags, "suspected duplicate")
	return report
}
