// Package recommend chooses which memes each user sees next: engines that
// propose candidates (storage's queries, and models scored here), a blender
// that mixes them by the user's maturity, and a per-user queue in Redis that
// serves them, each meme at most once per user.
package recommend

import (
	"context"
	"fmt"
	"time"

	"memebot/media"
	"memebot/storage"
)

// Engine names, stored with every sent meme (reactions.engine).
const (
	BestUploaded     = "best_uploaded"
	LRSmoothed       = "lr_smoothed"
	LikeSpread       = "like_spread"
	RecentlyLiked    = "recently_liked"
	ColdStartExplore = "cold_start_explore"
	ColdStartAdapt   = "cold_start_adapt"
	LowSentPool      = "low_sent_pool"
	LastResort       = "last_resort"
	SourceAffinity   = "source_affinity"
	Fresh            = "fresh"
	CoLiked          = "co_liked"
	Collab           = "collab"
	Content          = "content"
	Topics           = "topics"
)

// EngineNames lists every engine.
var EngineNames = []string{
	BestUploaded, LRSmoothed, LikeSpread, RecentlyLiked,
	ColdStartExplore, ColdStartAdapt, LowSentPool, LastResort,
	SourceAffinity, CoLiked, Fresh, Collab, Content, Topics,
}

// Item is a meme ready to be sent: what the queue holds and the engines return.
type Item struct {
	MemeID  int64      `json:"id"`
	Type    media.Kind `json:"type"`
	FileID  string     `json:"file_id"`
	Caption string     `json:"caption,omitempty"`
	Engine  string     `json:"engine"`
	// Refresh marks the item whose serving rebuilds the rest of the queue:
	// a person's queue is re-ranked every few memes (see Config.Refresh).
	Refresh bool `json:"refresh,omitempty"`
}

// Query is what every engine is asked: memes for this user, in these
// languages, none of the excluded ids, at most Limit.
type Query struct {
	UserID    int64
	Languages []string
	Exclude   []int64
	Limit     int
	// history, when set, is read once for every engine of one refill.
	history *sharedHistory
}

// Engines runs the candidate queries (storage's feed candidates, and the
// memes the collab, content and topics engines score).
type Engines struct {
	store *storage.Store
	// ExploreMinReactions and ExploreMinLR define a well-tested meme for
	// cold_start_explore.
	ExploreMinReactions int
	ExploreMinLR        float64
	// Now is the clock the fresh engine measures a meme's first hour by
	// (nil: time.Now; the simulation's virtual clock).
	Now    func() time.Time
	memes  memeCache
	topics topicCache
}

// NewEngines returns the engines with the reference thresholds (50 reactions,
// lr_smoothed >= 0.40 for explore).
func NewEngines(store *storage.Store) *Engines {
	return &Engines{store: store, ExploreMinReactions: 50, ExploreMinLR: 0.40}
}

// storedEngines are the engines that are one query of storage's.
var storedEngines = map[string]func(*storage.Store, context.Context, storage.FeedQuery) ([]storage.FeedMeme, error){
	BestUploaded:   (*storage.Store).BestUploadedMemes,
	LRSmoothed:     (*storage.Store).BestMemes,
	LikeSpread:     (*storage.Store).WidelyLikedMemes,
	RecentlyLiked:  (*storage.Store).RecentlyLikedMemes,
	LowSentPool:    (*storage.Store).LeastSentMemes,
	LastResort:     (*storage.Store).NewestMemes,
	ColdStartAdapt: (*storage.Store).SourceAdaptedMemes,
	SourceAffinity: (*storage.Store).FavouriteSourceMemes,
	CoLiked:        (*storage.Store).CoLikedMemes,
}

// Candidates returns up to q.Limit memes proposed by the named engine, best first.
func (e *Engines) Candidates(ctx context.Context, engine string, q Query) ([]Item, error) {
	if q.Limit <= 0 || len(q.Languages) == 0 {
		return nil, nil
	}
	var items []Item
	var err error
	switch engine {
	case Collab, Content:
		items, err = e.scoredCandidates(ctx, engine, q)
	case Fresh:
		return e.freshCandidates(ctx, q)
	case Topics:
		items, err = e.topicCandidates(ctx, q)
	case ColdStartExplore:
		items, err = asItems(engine)(e.store.WellTestedMemes(ctx, q.stored(), e.ExploreMinReactions, e.ExploreMinLR))
	default:
		run, ok := storedEngines[engine]
		if !ok {
			return nil, fmt.Errorf("recommend: unknown engine %q", engine)
		}
		items, err = asItems(engine)(run(e.store, ctx, q.stored()))
	}
	if err != nil {
		return nil, fmt.Errorf("recommend: engine %s for user %d: %w", engine, q.UserID, err)
	}
	return items, nil
}

// stored is the query as storage takes it.
func (q Query) stored() storage.FeedQuery {
	return storage.FeedQuery{UserID: q.UserID, Languages: q.Languages, Exclude: q.Exclude, Limit: q.Limit}
}

// asItems turns the memes an engine chose into items.
func asItems(engine string) func(memes []storage.FeedMeme, err error) ([]Item, error) {
	return func(memes []storage.FeedMeme, err error) ([]Item, error) {
		if err != nil || memes == nil {
			return nil, err
		}
		items := make([]Item, len(memes))
		for i, m := range memes {
			items[i] = Item{MemeID: m.ID, Type: m.Type, FileID: m.FileID, Caption: m.Caption, Engine: engine}
		}
		return items, nil
	}
}

// FreshImpressions is how many impressions a meme gets before it leaves the
// fresh engine's pool.
const FreshImpressions = storage.FreshImpressions
