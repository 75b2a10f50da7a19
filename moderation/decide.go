package moderation

import "strings"

// Action is what happens to an upload after the automatic checks.
type Action string

// Actions Decide can take.
const (
	ActionReject  Action = "reject"
	ActionReview  Action = "review"
	ActionApprove Action = "approve"
)

// Decision reasons besides the check reasons (blurry, unsafe, ad).
const (
	ReasonFlagged     = "flagged"      // review: some check flagged the upload
	ReasonCheckFailed = "check_failed" // review: a check could not run
	ReasonLowRisk     = "low_risk"     // review or approve: nothing found
)

// Policy turns check results into a decision.
type Policy struct {
	// Risk splits the unsafe-content score; defaults 0.3 / 0.7.
	Risk RiskThresholds `json:"risk"`
	// AutoApproveLowRisk approves uploads nothing was found in, instead of
	// sending them to review. Off by default. Never applies when a check
	// failed or the unsafe check ran on its fallback heuristic.
	AutoApproveLowRisk bool `json:"auto_approve_low_risk"`
}

// Decision is the outcome of Decide. Flags name what a reviewer should look
// at: reasons ("unsafe", "ad"), "error:<check>" and "fallback:<check>".
type Decision struct {
	Action Action   `json:"action"`
	Reason string   `json:"reason"`
	Flags  []string `json:"flags,omitempty"`
}

// rejectPriority orders reasons when several checks reject at once.
var rejectPriority = []string{ReasonUnsafe, ReasonBlurry}

// Decide applies the policy to the results of the checks. It is pure.
//
//   - risk above the reject threshold, or a blurry image: reject;
//   - any flag (risk in the review band, ad, unknown check flags) or any
//     failed check: review, with the flags listed;
//   - otherwise review, or approve when AutoApproveLowRisk is on and the
//     unsafe-content model itself (not its fallback) said the upload is safe.
func Decide(results []Result, p Policy) Decision {
	var rejects, flags []string
	modelSaidSafe, degraded := false, false
	for _, r := range results {
		if r.Verdict == VerdictError {
			flags = appendOnce(flags, "error:"+r.Check)
			degraded = true
			continue
		}
		verdict := r.Verdict
		if r.Check == CheckUnsafe && verdict != VerdictSkip {
			verdict = p.Risk.Classify(r.Score)
			if r.Fallback {
				// A service that is down deserves a reviewer's eye; one that was
				// never configured is the operator's choice, not news on every post.
				if !notConfigured(r) {
					flags = appendOnce(flags, "fallback:"+r.Check)
				}
				degraded = true
			} else if verdict == VerdictPass {
				modelSaidSafe = true
			}
		}
		switch verdict {
		case VerdictReject:
			rejects = appendOnce(rejects, reasonOf(r))
		case VerdictFlag:
			flags = appendOnce(flags, reasonOf(r))
		}
	}
	if len(rejects) > 0 {
		return Decision{Action: ActionReject, Reason: firstByPriority(rejects), Flags: append(rejects, flags...)}
	}
	if len(flags) > 0 {
		reason := ReasonFlagged
		if onlyDegraded(flags) {
			reason = ReasonCheckFailed
		}
		return Decision{Action: ActionReview, Reason: reason, Flags: flags}
	}
	if p.AutoApproveLowRisk && modelSaidSafe && !degraded {
		return Decision{Action: ActionApprove, Reason: ReasonLowRisk}
	}
	return Decision{Action: ActionReview, Reason: ReasonLowRisk}
}

func reasonOf(r Result) string {
	if r.Reason != "" {
		return r.Reason
	}
	return r.Check
}

func firstByPriority(reasons []string) string {
	for _, p := range rejectPriority {
		for _, r := range reasons {
			if r == p {
				return r
			}
		}
	}
	return reasons[0]
}

func onlyDegraded(flags []string) bool {
	for _, f := range flags {
		if !strings.HasPrefix(f, "error:") && !strings.HasPrefix(f, "fallback:") {
			return false
		}
	}
	return true
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// notConfigured reports a fallback result caused by MODERATION_API_URL being unset.
func notConfigured(r Result) bool {
	msg, _ := r.Details["error"].(string)
	return msg == ErrModerationNotConfigured.Error()
}
