package stats

import "memebot/storage"

// engineArms counts, per maturity stage and engine, the likes and dislikes
// of a run's reactions: the evidence the learned blend draws from. The stage
// is the user's count of earlier reactions, the closest the replay has to
// the memes sent that chose the stage when the meme was queued.
type engineArms map[[2]string]*[2]float64

func (a engineArms) add(stage, engine string, like bool) {
	if stage == "" || engine == "" || engine == storage.EngineApprovalLike {
		return // no stages kept, or a like no engine chose
	}
	k := [2]string{stage, engine}
	c := a[k]
	if c == nil {
		c = &[2]float64{}
		a[k] = c
	}
	if like {
		c[0]++
	} else {
		c[1]++
	}
}

// counts lists the run's counts for the store.
func (a engineArms) counts() []storage.EngineCounts {
	out := make([]storage.EngineCounts, 0, len(a))
	for k, c := range a {
		out = append(out, storage.EngineCounts{Stage: k[0], Engine: k[1], Likes: c[0], Dislikes: c[1]})
	}
	return out
}
