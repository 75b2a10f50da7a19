package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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
// nothing is read twice. A suspect (the picture matches, the lettering
// differs where OCR read too little, or the other meme's text is still not
// read) becomes a meme whose report carries the suspicion: it goes to the
// moderators beside the meme it resembles, never straight into the feed.
func (p *Pipeline) claimMeme(ctx context.Context, c claim, fp media.Fingerprint, sub storage.Submission, d decoded) (storage.Meme, *duplicate, *moderation.Report, error) {
	meme, dup, err := p.dedup.Claim(ctx, c, fp)
	var report *moderation.Report
	if errors.Is(err, errNeedText) {
		r, checkErr := p.runChecks(ctx, sub, fp.SHA256[:], d)
		if checkErr != nil {
			return storage.Meme{}, nil, nil, checkErr
		}
		report, c.text = &r, &r.OCRText
		meme, dup, err = p.claimWhenRead(ctx, c, fp)
	}
	if err != nil || dup == nil || !dup.Verdict.Suspect {
		return meme, dup, report, err
	}
	if report == nil {
		r, err := p.runChecks(ctx, sub, fp.SHA256[:], d)
		if err != nil {
			return storage.Meme{}, nil, nil, err
		}
		report = &r
	}
	suspected := withSuspicion(*report, suspicion(dup.Of.ID, dup.Verdict, false))
	return meme, nil, &suspected, nil
}

// pendingTextWait is how long an upload waits for the text of a matching
// meme processed at the same moment (its OCR takes a second or two); past
// it, the upload is a suspect and moderators decide.
var pendingTextWait = 20 * time.Second

// claimWhenRead claims, waiting while a matching meme's text is being
// read (errTextPending): two uploads of one picture with different texts
// sent at once are both judged by their texts.
func (p *Pipeline) claimWhenRead(ctx context.Context, c claim, fp media.Fingerprint) (storage.Meme, *duplicate, error) {
	deadline := time.Now().Add(pendingTextWait)
	for {
		meme, dup, err := p.dedup.Claim(ctx, c, fp)
		if !errors.Is(err, errTextPending) {
			return meme, dup, err
		}
		if time.Now().After(deadline) {
			c.pendingAsSuspect = true
			continue
		}
		select {
		case <-ctx.Done():
			return storage.Meme{}, nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
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

// suspicion is the result a suspected duplicate adds to its meme's
// report: which meme it resembles, the figures that said so, and whether
// the uploader asked for the look (a second look) or the check could not
// tell (stored with the moderators' decision on it).
func suspicion(of int64, v media.Verdict, asked bool) moderation.Result {
	details := map[string]any{
		"resembles": of, "reason": v.Reason, "phash_distance": v.PHashDistance,
		"tone_mismatch": v.ToneMismatch, "edge_mismatch": v.EdgeMismatch, "asked": asked,
	}
	if v.TextCompared {
		details["text_similarity"] = v.TextSimilarity
		details["reading_coverage"] = v.ReadingCoverage
	} else {
		details["lettering_change"] = v.LetteringChange
	}
	return moderation.Result{Check: CheckDuplicate, Verdict: moderation.VerdictFlag, Reason: "suspected_duplicate", Details: details}
}

// secondLookSuspicion is the suspicion of an upload whose uploader asked
// for a second look at the duplicate verdict stored with it.
func secondLookSuspicion(sub storage.Submission) moderation.Result {
	var v media.Verdict
	_ = json.Unmarshal(sub.DuplicateVerdict, &v)
	var of int64
	if sub.DuplicateOf != nil {
		of = *sub.DuplicateOf
	}
	return suspicion(of, v, true)
}

// withSuspicion marks a suspected duplicate's report: it always goes to
// the moderators, never straight into the feed.
func withSuspicion(report moderation.Report, r moderation.Result) moderation.Report {
	for _, old := range report.Results {
		if old.Check == CheckDuplicate {
			return report
		}
	}
	report.Results = append(report.Results, r)
	if report.Decision.Action == moderation.ActionApprove {
		report.Decision.Action = moderation.ActionReview
	}
	report.Decision.Flags = append(report.Decision.Flags, "suspected duplicate")
	return report
}
