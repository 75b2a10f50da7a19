package simulate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"memebot/recommend"
	"memebot/stats"
	"memebot/storage"
)

// Policy is the feed under test: the recommend configuration and the jobs
// that keep its figures and models fresh.
type Policy struct {
	Name string
	Feed recommend.Config
}

// Env says where the run's database and Redis are, and how it reports.
type Env struct {
	DatabaseURL, RedisURL string
	Database              string // the simulation's own database (Database)
	Workers               int    // users pressing at once, per run (default 4)
	// Parallel runs (a world with a policy) go at once, each in a database
	// of its own: Database with _0, _1, ... appended (default 1: Database).
	Parallel int
	Log      *slog.Logger
	Progress func(world, policy string, done float64, presses int)
	OnWorld  func(WorldReport) // called as each world is done
}

// userState is where one simulated person is.
type userState struct {
	ref      *reference
	rng      *rand.Rand
	got      map[int]bool // memes served to them
	seen     int          // memes served to them
	current  recommend.Item
	showing  bool // a meme is in front of them, waiting for a press
	left     int  // presses left in this session
	lastSeen time.Duration
	done     bool
}

// run is one policy driven through one world.
type run struct {
	w      *World
	policy Policy
	env    Env
	store  *storage.Store
	feed   *recommend.Feed
	stats  *stats.Job
	colike *recommend.CoLikes
	model  *recommend.Factors
	users  []userState
	byID   map[int64]int // memes.id -> index in w.Memes
	tally  *tally
	mu     sync.Mutex
	imprs  []int           // impressions per meme index
	to20   []time.Duration // when a meme got its 20th impression
	served []bool
	now    time.Duration
	clock  atomic.Int64 // now, for the feed's background refills
	// memes stored so far (initial ones and arrivals in order)
	stored     int
	presses    int
	statsTimes []time.Duration
	vacuums    bool                     // the server's autovacuum is off: the run does its work
	phases     map[string]time.Duration // real time spent per part of the run
}

// timed runs fn and adds its real time to the phase.
func (r *run) timed(phase string, fn func() error) error {
	began := time.Now()
	err := fn()
	r.phases[phase] += time.Since(began)
	return err
}

func (env Env) database() string {
	if env.Database == "" {
		return Database
	}
	return env.Database
}

// Run drives the policy through the world and returns what it did.
func Run(ctx context.Context, w *World, policy Policy, env Env) (Outcome, error) {
	began := time.Now()
	if env.Workers <= 0 {
		env.Workers = 4
	}
	env.Database = env.database()
	store, err := freshStore(ctx, env.DatabaseURL, env.Database, env.Log)
	if err != nil {
		return Outcome{}, err
	}
	defer store.Close()
	rdb, err := freshRedis(ctx, env.RedisURL, redisPrefix(env.Database))
	if err != nil {
		return Outcome{}, err
	}
	defer rdb.Close()
	w = w.clone() // ids are written into the memes and sources
	if err := storeWorld(ctx, store, w); err != nil {
		return Outcome{}, err
	}
	// A real database has planner statistics; a just-loaded one has none.
	if err := store.Analyze(ctx); err != nil {
		return Outcome{}, fmt.Errorf("simulate: %w", err)
	}
	opts := stats.DefaultOptions()
	opts.Lag = 0 // the virtual clock runs the job after every press it should see
	opts.Stage = recommend.StageOf
	r := &run{w: w, policy: policy, env: env, store: store,
		feed:  recommend.NewFeed(store, rdb, policy.Feed, env.Log),
		stats: stats.New(store, opts, env.Log), colike: recommend.NewCoLikes(store, env.Log), model: recommend.NewFactors(store, env.Log),
		byID: make(map[int64]int, len(w.Memes)), tally: newTally(w.P.MaxSeen),
		imprs: make([]int, len(w.Memes)), to20: make([]time.Duration, len(w.Memes)), served: make([]bool, len(w.Memes)),
		stored: w.Initial, phases: map[string]time.Duration{},
	}
	autovacuum, err := store.Autovacuum(ctx)
	if err != nil {
		return Outcome{}, fmt.Errorf("simulate: %w", err)
	}
	r.vacuums = !autovacuum
	r.phases["setup"] = time.Since(began)
	r.colike.Lag, r.model.Lag = 0, 0
	r.feed.Engines().Now = func() time.Time { return epoch.Add(time.Duration(r.clock.Load())) }
	defer r.feed.Close()
	for i := range w.Initial {
		r.byID[w.Memes[i].ID] = i
	}
	for i := range w.Users {
		r.users = append(r.users, userState{ref: newReference(w, i),
			rng: rand.New(rand.NewPCG(w.P.Seed, uint64(i)+1)), lastSeen: -1, got: map[int]bool{}})
	}
	if err := r.runStats(ctx); err != nil { // the approval likes
		return Outcome{}, err
	}
	if err := r.loop(ctx); err != nil {
		return Outcome{}, err
	}
	return r.outcome(time.Since(began)), nil
}

// loop advances the virtual clock a press interval at a time: memes that
// arrived are stored, the jobs whose time came run, then every person due
// presses (several at once), and the refills their presses started finish.
func (r *run) loop(ctx context.Context) error {
	p := r.w.P
	tick := p.PressEvery
	horizon := r.w.Horizon()
	due := make(map[int64][]int) // tick number -> users
	for i, u := range r.w.Users {
		k := int64(u.Join / tick)
		due[k] = append(due[k], i)
	}
	lastStats, lastModel, lastRefill := time.Duration(0), time.Duration(0), time.Duration(0)
	lastReport := time.Now()
	for k := int64(0); time.Duration(k)*tick <= horizon; k++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		r.now = time.Duration(k) * tick
		r.clock.Store(int64(r.now))
		if err := r.timed("arrivals", func() error { return r.arrive(ctx) }); err != nil {
			return err
		}
		if p.StatsEvery > 0 && r.now-lastStats >= p.StatsEvery {
			lastStats = r.now
			if err := r.timed("stats", func() error { return r.runStats(ctx) }); err != nil {
				return err
			}
		}
		if p.ModelEvery > 0 && r.now-lastModel >= p.ModelEvery {
			lastModel = r.now
			err := r.timed("model", func() error {
				if _, err := r.colike.Run(ctx); err != nil {
					return err
				}
				_, err := r.model.Run(ctx)
				return err
			})
			if err != nil {
				return err
			}
			r.feed.Engines().ForgetMemes() // the models a minute of production time would see
			if err := r.timed("vacuum", func() error { return r.vacuum(ctx) }); err != nil {
				return err
			}
		}
		if p.RefillEvery > 0 && r.now-lastRefill >= p.RefillEvery {
			lastRefill = r.now
			if err := r.timed("refill_job", func() error { return r.refillJob(ctx) }); err != nil {
				return err
			}
		}
		users := due[k]
		delete(due, k)
		if len(users) == 0 {
			continue
		}
		var next map[int]time.Duration
		err := r.timed("presses", func() (err error) {
			next, err = r.press(ctx, users)
			return err
		})
		if err != nil {
			return err
		}
		for i, at := range next {
			if at >= 0 {
				kk := int64(at / tick)
				if kk <= k {
					kk = k + 1
				}
				due[kk] = append(due[kk], i)
			}
		}
		if r.env.Progress != nil && time.Since(lastReport) > time.Second {
			lastReport = time.Now()
			r.env.Progress(r.w.P.Name, r.policy.Name, float64(r.now)/float64(horizon), r.presses)
		}
		if len(due) == 0 {
			break
		}
	}
	if r.env.Progress != nil {
		r.env.Progress(r.w.P.Name, r.policy.Name, 1, r.presses)
	}
	return nil
}

// press lets the given users act once, concurrently, and returns when each
// acts next (-1: never).
func (r *run) press(ctx context.Context, users []int) (map[int]time.Duration, error) {
	next := make(map[int]time.Duration, len(users))
	var mu sync.Mutex
	var errs []error
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(r.env.Workers, len(users)) {
		wg.Go(func() {
			for u := range work {
				at, err := r.act(ctx, u)
				mu.Lock()
				next[u] = at
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		})
	}
	for _, u := range users {
		work <- u
	}
	close(work)
	wg.Wait()
	// The background refills and newcomers' refreshes the presses started
	// take milliseconds in real time, far less than the seconds a person
	// spends on a meme: the next press must find them done, as it would.
	r.feed.Close()
	return next, errors.Join(errs...)
}

// act is one step of one person: start a session (the first meme), react to
// the meme in front of them (and get the next), or leave.
func (r *run) act(ctx context.Context, u int) (time.Duration, error) {
	s := &r.users[u]
	user := r.w.Users[u]
	p := r.w.P
	if !s.showing {
		if s.lastSeen >= 0 && r.now-s.lastSeen > p.QueueTTL {
			if err := r.feed.Reset(ctx, user.ID); err != nil { // the queue expired meanwhile
				return -1, err
			}
		}
		it, err := r.feed.Next(ctx, user.ID, false)
		if errors.Is(err, recommend.ErrNoMemes) {
			return -1, nil
		}
		if err != nil {
			return -1, err
		}
		s.left = min(1+int(s.rng.ExpFloat64()*float64(p.SessionMean-1)), user.Planned-s.seen)
		r.show(u, it)
		return r.now + p.PressEvery, nil
	}
	if s.rng.Float64() < user.Skip { // leaves without pressing
		s.showing = false
		return r.nextSession(u), nil
	}
	memeIdx := r.byID[s.current.MemeID]
	like := s.rng.Float64() < r.w.LikeProb(u, memeIdx)
	reaction := storage.Dislike
	if like {
		reaction = storage.Like
	}
	r.mu.Lock()
	r.tally.reaction(s.seen, like)
	r.presses++
	r.mu.Unlock()
	s.left--
	if s.left <= 0 || s.seen >= user.Planned {
		s.showing = false
		if _, _, err := r.feed.ReactEngine(ctx, user.ID, s.current.MemeID, reaction); err != nil {
			return -1, err
		}
		return r.nextSession(u), nil
	}
	press, err := r.feed.ReactNext(ctx, user.ID, s.current.MemeID, reaction, false)
	if errors.Is(err, recommend.ErrNoMemes) {
		s.showing = false
		return -1, nil
	}
	if err != nil {
		return -1, err
	}
	r.show(u, press.Next)
	return r.now + p.PressEvery, nil
}

// nextSession is when the person comes back (-1: they have seen their fill).
func (r *run) nextSession(u int) time.Duration {
	s := &r.users[u]
	if s.seen >= r.w.Users[u].Planned {
		s.done = true
		return -1
	}
	return r.now + time.Duration(s.rng.ExpFloat64()*float64(r.w.P.SessionGap))
}

// show records a meme served to a person, with what random and the oracle
// would have served at that moment.
func (r *run) show(u int, it recommend.Item) {
	s := &r.users[u]
	s.current, s.showing, s.lastSeen = it, true, r.now
	s.seen++
	random, oracle, ceiling := s.ref.serve(r.now)
	memeIdx, ok := r.byID[it.MemeID]
	if !ok {
		return
	}
	feedP := r.w.LikeProb(u, memeIdx)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tally.add(s.seen, feedP, random, oracle, ceiling, it.Engine, r.w.Memes[memeIdx].Uploader >= 0)
	if s.got[memeIdx] {
		r.tally.repeats++
	}
	s.got[memeIdx] = true
	if !r.w.Reads(u, memeIdx) {
		r.tally.foreign++
	}
	r.served[memeIdx] = true
	r.imprs[memeIdx]++
	if r.imprs[memeIdx] == 20 {
		r.to20[memeIdx] = r.now
	}
}

// arrive stores the memes whose arrival time has come.
func (r *run) arrive(ctx context.Context) error {
	to := r.stored
	for to < len(r.w.Memes) && r.w.Memes[to].Arrival <= r.now {
		to++
	}
	if to == r.stored {
		return nil
	}
	err := r.store.RunLoadTx(ctx, func(ctx context.Context, load *storage.BulkLoad) error {
		return insertMemes(ctx, load, r.w, r.stored, to)
	})
	if err != nil {
		return err
	}
	for i := r.stored; i < to; i++ {
		r.byID[r.w.Memes[i].ID] = i
	}
	r.stored = to
	return nil
}

func (r *run) runStats(ctx context.Context) error {
	began := time.Now()
	if _, err := r.stats.Run(ctx); err != nil {
		return err
	}
	r.statsTimes = append(r.statsTimes, time.Since(began))
	return nil
}

// vacuum does what autovacuum would have done by now, when the server has
// it off (as on a test machine): without it the simulation's tables were
// never analyzed after the first minute of a run (the planner kept
// estimating every meme at no reactions) and the colikes job's updated
// counts piled up as dead rows that every co_liked read visited. The
// thresholds are autovacuum's defaults.
func (r *run) vacuum(ctx context.Context) error {
	if !r.vacuums {
		return nil
	}
	if err := r.store.VacuumDue(ctx); err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	return nil
}

// refillJob is the scheduled refill: the queues of people active within the
// last 30 virtual minutes.
func (r *run) refillJob(ctx context.Context) error {
	var owners []recommend.QueueOwner
	for i, s := range r.users {
		if s.lastSeen >= 0 && !s.done && r.now-s.lastSeen <= 30*time.Minute && r.now-s.lastSeen <= r.w.P.QueueTTL {
			owners = append(owners, recommend.QueueOwner{ID: r.w.Users[i].ID})
		}
	}
	_, err := r.feed.RefillLow(ctx, owners)
	return err
}

func (r *run) outcome(took time.Duration) Outcome {
	o := Outcome{Policy: r.policy.Name, Bands: r.tally.bands(), Presses: r.presses, Served: r.tally.served,
		Engines: r.tally.engineRows(), TookSec: took.Seconds(), StatsRuns: len(r.statsTimes),
		Repeats: r.tally.repeats, Foreign: r.tally.foreign, PhasesSec: map[string]float64{}}
	for name, d := range r.phases {
		o.PhasesSec[name] = math.Round(d.Seconds()*10) / 10
	}
	o.CurveLabels, o.Curve, o.RandomCurve, o.OracleCurve = r.tally.curves()
	servedCount := 0
	for i := 0; i < r.stored; i++ {
		if r.served[i] {
			servedCount++
		}
	}
	o.Coverage = float64(servedCount) / float64(max(1, r.stored))
	var arrivals, to20 []time.Duration
	var reached []bool
	for i := r.w.Initial; i < r.stored; i++ {
		// Only memes that arrived while people kept joining, with an hour of
		// that steady traffic ahead of them, count.
		if at := r.w.Memes[i].Arrival; at < r.w.P.JoinOver/4 || at+time.Hour > r.w.P.JoinOver {
			continue
		}
		arrivals = append(arrivals, r.w.Memes[i].Arrival)
		to20 = append(to20, r.to20[i])
		reached = append(reached, r.imprs[i] >= 20)
	}
	o.MedianTo20Sec, o.Within1h = freshness(arrivals, to20, reached)
	if r.tally.served > 0 {
		o.UploadShare = float64(r.tally.uploads) / float64(r.tally.served)
	}
	if len(r.statsTimes) > 0 {
		t := slices.Clone(r.statsTimes)
		slices.Sort(t)
		o.MedianStatsMsec = float64(t[len(t)/2].Microseconds()) / 1000
	}
	if math.IsNaN(o.Coverage) {
		o.Coverage = 0
	}
	return o
}

func (w *World) clone() *World {
	c := *w
	c.Memes = slices.Clone(w.Memes)
	c.Sources = slices.Clone(w.Sources)
	return &c
}

// String names a run in logs.
func (p Policy) String() string { return fmt.Sprintf("policy %s", p.Name) }
