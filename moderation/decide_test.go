package moderation

import (
	"reflect"
	"testing"
)

func TestDecide(t *testing.T) {
	pass := func(check string) Result { return Result{Check: check, Verdict: VerdictPass} }
	unsafe := func(score float64) Result { return Result{Check: CheckUnsafe, Verdict: VerdictPass, Score: score} }
	blurry := Result{Check: CheckBlur, Verdict: VerdictReject, Reason: ReasonBlurry, Score: 20}
	ad := Result{Check: CheckAds, Verdict: VerdictFlag, Reason: ReasonAd}
	fallback := Result{Check: CheckUnsafe, Verdict: VerdictPass, Fallback: true}
	fallbackHit := Result{Check: CheckUnsafe, Verdict: VerdictFlag, Score: 0.5, Fallback: true}
	unsafeErr := Result{Check: CheckUnsafe, Verdict: VerdictError, Error: "timeout"}
	auto := Policy{AutoApproveLowRisk: true}

	cases := []struct {
		name    string
		results []Result
		policy  Policy
		want    Decision
	}{
		{"all clear goes to review by default", []Result{pass(CheckOCR), pass(CheckBlur), unsafe(0.05), pass(CheckAds)}, Policy{},
			Decision{Action: ActionReview, Reason: ReasonLowRisk}},
		{"all clear approved with auto-approve", []Result{pass(CheckBlur), unsafe(0.05), pass(CheckAds)}, auto,
			Decision{Action: ActionApprove, Reason: ReasonLowRisk}},
		{"unsafe above reject threshold", []Result{pass(CheckBlur), unsafe(0.71)}, auto,
			Decision{Action: ActionReject, Reason: ReasonUnsafe, Flags: []string{ReasonUnsafe}}},
		{"exactly 0.7 is review", []Result{unsafe(0.7)}, auto,
			Decision{Action: ActionReview, Reason: ReasonFlagged, Flags: []string{ReasonUnsafe}}},
		{"0.3 is review", []Result{unsafe(0.3)}, auto,
			Decision{Action: ActionReview, Reason: ReasonFlagged, Flags: []string{ReasonUnsafe}}},
		{"policy thresholds win over the check's verdict", []Result{{Check: CheckUnsafe, Verdict: VerdictPass, Score: 0.5}}, Policy{Risk: RiskThresholds{Review: 0.2, Reject: 0.4}},
			Decision{Action: ActionReject, Reason: ReasonUnsafe, Flags: []string{ReasonUnsafe}}},
		{"blurry rejects", []Result{blurry, unsafe(0.01), pass(CheckAds)}, auto,
			Decision{Action: ActionReject, Reason: ReasonBlurry, Flags: []string{ReasonBlurry}}},
		{"unsafe outranks blurry, ad still listed", []Result{blurry, unsafe(0.95), ad}, Policy{},
			Decision{Action: ActionReject, Reason: ReasonUnsafe, Flags: []string{ReasonBlurry, ReasonUnsafe, ReasonAd}}},
		{"ad goes to review even with auto-approve", []Result{pass(CheckBlur), unsafe(0.01), ad}, auto,
			Decision{Action: ActionReview, Reason: ReasonFlagged, Flags: []string{ReasonAd}}},
		{"remote error never approves", []Result{pass(CheckBlur), unsafeErr, pass(CheckAds)}, auto,
			Decision{Action: ActionReview, Reason: ReasonCheckFailed, Flags: []string{"error:unsafe"}}},
		{"fallback pass never approves", []Result{pass(CheckBlur), fallback, pass(CheckAds)}, auto,
			Decision{Action: ActionReview, Reason: ReasonCheckFailed, Flags: []string{"fallback:unsafe"}}},
		{"fallback keyword hit flags unsafe", []Result{fallbackHit}, auto,
			Decision{Action: ActionReview, Reason: ReasonFlagged, Flags: []string{"fallback:unsafe", ReasonUnsafe}}},
		{"failed blur check is review, not pass", []Result{{Check: CheckBlur, Verdict: VerdictError}, unsafe(0.01)}, auto,
			Decision{Action: ActionReview, Reason: ReasonCheckFailed, Flags: []string{"error:blur"}}},
		{"no unsafe result never approves", []Result{pass(CheckBlur), pass(CheckAds)}, auto,
			Decision{Action: ActionReview, Reason: ReasonLowRisk}},
		{"skipped unsafe (nothing to check) never approves", []Result{{Check: CheckUnsafe, Verdict: VerdictSkip}}, auto,
			Decision{Action: ActionReview, Reason: ReasonLowRisk}},
		{"error plus reject still rejects", []Result{blurry, unsafeErr}, Policy{},
			Decision{Action: ActionReject, Reason: ReasonBlurry, Flags: []string{ReasonBlurry, "error:unsafe"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Decide(tc.results, tc.policy)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Decide = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestUnconfiguredServiceIsNoFlagButNeverAutoApproves(t *testing.T) {
	unconfigured := Result{Check: CheckUnsafe, Verdict: VerdictPass, Fallback: true,
		Details: map[string]any{"error": ErrModerationNotConfigured.Error()}}
	down := Result{Check: CheckUnsafe, Verdict: VerdictPass, Fallback: true,
		Details: map[string]any{"error": "moderation: HTTP 503"}}
	p := Policy{AutoApproveLowRisk: true}
	if d := Decide([]Result{unconfigured}, p); d.Action != ActionReview || len(d.Flags) != 0 {
		t.Fatalf("unconfigured service: %+v, want a plain review without flags", d)
	}
	if d := Decide([]Result{down}, p); d.Action != ActionReview || len(d.Flags) != 1 || d.Flags[0] != "fallback:unsafe" {
		t.Fatalf("service down: %+v, want review flagged fallback:unsafe", d)
	}
}
