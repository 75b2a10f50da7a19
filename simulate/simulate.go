package simulate

import (
	"context"
	"fmt"

	"memebot/recommend"
)

// Compare runs every policy through every world; the last policy is the
// feed under test, the one before it (if any) its baseline.
func Compare(ctx context.Context, worlds []Params, policies []Policy, env Env) (Report, error) {
	var rep Report
	for _, p := range worlds {
		if err := p.Validate(); err != nil {
			return rep, fmt.Errorf("world %s: %w", p.Name, err)
		}
		w := NewWorld(p)
		wr := WorldReport{Name: p.Name, Params: p}
		for i, pol := range policies {
			o, err := Run(ctx, w, pol, env)
			if err != nil {
				return rep, fmt.Errorf("simulate: world %s, %s: %w", p.Name, pol, err)
			}
			if i == len(policies)-1 {
				wr.Outcome = o
				wr.Bands = o.Bands
			} else {
				wr.Baseline = &o
			}
		}
		rep.Worlds = append(rep.Worlds, wr)
		if env.OnWorld != nil {
			env.OnWorld(wr)
		}
	}
	return rep, nil
}

// Policies are the feeds every world is run with: the baseline first, then
// the feed under test.
func Policies() []Policy {
	return []Policy{
		{Name: "baseline", Feed: recommend.Config{FixedBlend: true}},
		{Name: "learned"},
	}
}
