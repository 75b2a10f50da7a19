package pipeline

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"memebot/moderation"
	"memebot/storage"
)

// Analyzer runs the automatic checks (moderation.Analyzer).
type Analyzer interface {
	Analyze(ctx context.Context, in moderation.Input) (moderation.Report, error)
}

// analyze runs the checks once per meme: a retried job reuses the report the
// first attempt stored with the meme, a report read before the meme existed
// (pre, for the duplicate check's text) is used as it is, and the analyzer
// itself reuses reports by file hash across memes. A suspected duplicate
// the uploader asked a second look at carries the figures of the suspicion
// as one more result. The report is stored whole with the meme, so every
// decision can be explained later.
func (p *Pipeline) analyze(ctx context.Context, sub storage.Submission, meme storage.Meme, d decoded, pre *moderation.Report) (moderation.Report, error) {
	var report moderation.Report
	if len(meme.Checks) > 2 && json.Unmarshal(meme.Checks, &report) == nil && len(report.Results) > 0 {
		return report, nil
	}
	if pre != nil {
		report = *pre
	} else {
		var err error
		if report, err = p.runChecks(ctx, sub, meme.SHA256, d); err != nil {
			return report, err
		}
	}
	if sub.SecondLookAt != nil {
		report = withSuspicion(report, secondLookSuspicion(sub))
	}
	return report, p.storeReport(ctx, meme.ID, sub.Language, report)
}

// runChecks runs the automatic checks (OCR among them) on an upload.
func (p *Pipeline) runChecks(ctx context.Context, sub storage.Submission, sha256 []byte, d decoded) (moderation.Report, error) {
	images := d.frames
	if len(images) == 0 {
		images = append(images, d.img)
	}
	report, err := p.analyzer.Analyze(ctx, moderation.Input{
		Images: images, Caption: sub.Caption, SHA256: hex.EncodeToString(sha256), Language: sub.Language,
	})
	if err != nil {
		return report, fmt.Errorf("analyze: %w", err)
	}
	return report, nil
}

// storeReport keeps a meme's report with it.
func (p *Pipeline) storeReport(ctx context.Context, memeID int64, language string, report moderation.Report) error {
	data, err := json.Marshal(report)
	if err != nil {
		return fmt.Errorf("analyze: encode report: %w", err)
	}
	return p.store.SetMemeAnalysis(ctx, memeID, storage.Analysis{
		Checks: data, OCRText: report.OCRText, Language: memeLanguage(report, language), Caption: &report.CleanCaption,
	})
}

// memeLanguage is the language of the meme's text when OCR read enough of
// it, else the uploader's.
func memeLanguage(r moderation.Report, fallback string) string {
	if r.Language != "" && len([]rune(strings.TrimSpace(r.OCRText))) >= 8 {
		return r.Language
	}
	return fallback
}

// ReportCache keeps analysis reports in PostgreSQL by file hash (moderation.Cache).
type ReportCache struct {
	Store interface {
		AnalysisByHash(ctx context.Context, shaHex string) (json.RawMessage, error)
		PutAnalysis(ctx context.Context, shaHex string, report json.RawMessage) error
	}
}

// Get returns the stored report for a hash.
func (c ReportCache) Get(ctx context.Context, sha string) (moderation.Report, bool, error) {
	raw, err := c.Store.AnalysisByHash(ctx, sha)
	if errors.Is(err, storage.ErrNotFound) {
		return moderation.Report{}, false, nil
	}
	if err != nil {
		return moderation.Report{}, false, err
	}
	var r moderation.Report
	if err := json.Unmarshal(raw, &r); err != nil {
		return moderation.Report{}, false, nil // an unreadable old report is recomputed
	}
	return r, true, nil
}

// Put stores a report for a hash.
func (c ReportCache) Put(ctx context.Context, sha string, r moderation.Report) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return c.Store.PutAnalysis(ctx, sha, data)
}
