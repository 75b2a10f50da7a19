// Package ingest brings memes in from outside: public Telegram channels (their
// t.me/s preview pages), VK communities (the wall.get API) and Instagram
// accounts (a third-party media API). It knows no Bot API types.
//
// The flow of one run for one platform (Ingester.ParseDue): pick the sources
// due for parsing, fetch their recent posts through one polite, size-limited
// HTTP client that refuses internal addresses, upsert them as raw posts,
// select the posts that look like memes (Select, a pure function: one media,
// not an ad, enough views), hand the candidates to the caller's Handoff (which
// turns them into media-pipeline jobs), and only then mark the posts processed
// with their verdicts, in the same transaction: a crash in between leaves the
// posts to the next run, and the pipeline makes at most one meme per post.
// A candidate's post keeps its job until the job records an outcome; one the
// queue lost after the mark is handed off again
// (storage.Store.RequeueLostCandidates). The SQL of all this is storage's;
// ingest declares the part it needs (Store).
// Sources that keep coming back empty, or whose memes users dislike, are
// snoozed; a platform whose runs keep failing is reported so that its job can
// be paused.
package ingest
