package storage

import "fmt"

// ranked describes an engine that walks one meme_stats index per language.
type ranked struct {
	score string // column the index orders by
	desc  bool
	where string // extra condition on ms (matching the index predicate)
	tie   string // order among equal scores (default ms.meme_id)
}

var (
	bestUploadedSQL  = rankedSQL(ranked{score: "like_ratio", desc: true, where: "AND ms.uploaded"})
	bestSQL          = rankedSQL(ranked{score: "lr_smoothed", desc: true})
	likeSpreadSQL    = rankedSQL(ranked{score: "like_spread", desc: true})
	recentlyLikedSQL = rankedSQL(ranked{score: "last_liked_at", desc: true, where: "AND ms.last_liked_at IS NOT NULL"})
	// The memes short of FreshImpressions, newest first among the least
	// sent: the fresh engine's index.
	leastSentSQL = rankedSQL(ranked{score: "sent", desc: false, where: fmt.Sprintf("AND ms.sent < %d", FreshImpressions), tie: "ms.meme_id DESC"})
)

// servable is the filter every engine shares; $1 user, $3 excluded ids.
const servable = `
      AND ms.meme_id <> ALL($3::bigint[])
      AND NOT EXISTS (SELECT 1 FROM reactions r WHERE r.user_id = $1 AND r.meme_id = ms.meme_id)`

func rankedSQL(r ranked) string {
	dir := "ASC"
	if r.desc {
		dir = "DESC"
	}
	if r.tie == "" {
		r.tie = "ms.meme_id"
	}
	return fmt.Sprintf(`
SELECT c.meme_id, c.type, c.storage_file_id, c.caption
FROM unnest($2::text[]) AS l(lang)
CROSS JOIN LATERAL (
    SELECT ms.meme_id, ms.%[1]s AS score, m.type, m.storage_file_id, m.caption
    FROM meme_stats ms
    JOIN memes m ON m.id = ms.meme_id AND m.status = 'ok' AND m.language = l.lang
    WHERE ms.serving AND ms.language = l.lang %[3]s %[4]s
    ORDER BY ms.%[1]s %[2]s, %[5]s
    LIMIT $4
) c
ORDER BY c.score %[2]s, c.meme_id
LIMIT $4`, r.score, dir, r.where, servable, r.tie)
}

// bestMemes ends an engine whose query ranks its pool in a CTE named best
// (meme_id and the columns `order` names): memes is read only for the memes
// the engine returns, not for every candidate it ranked.
func bestMemes(order string) string {
	return `
SELECT b.meme_id, m.type, m.storage_file_id, m.caption
FROM best b
JOIN memes m ON m.id = b.meme_id AND m.status = 'ok' AND m.language = ANY($2::text[])
ORDER BY ` + order
}

// newestSQL is last_resort: the newest servable memes.
var newestSQL = `
SELECT c.meme_id, c.type, c.storage_file_id, c.caption
FROM unnest($2::text[]) AS l(lang)
CROSS JOIN LATERAL (
    SELECT ms.meme_id, m.type, m.storage_file_id, m.caption
    FROM meme_stats ms
    JOIN memes m ON m.id = ms.meme_id AND m.status = 'ok' AND m.language = l.lang
    WHERE ms.serving AND ms.language = l.lang ` + servable + `
    ORDER BY ms.meme_id DESC
    LIMIT $4
) c
ORDER BY c.meme_id DESC
LIMIT $4`

// adaptSQL is cold_start_adapt. The user's last 15 reactions give each source
// an affinity (likes+1)/(likes+dislikes+1); a source the user has not reacted
// to counts as 0.5, so liked sources rise above unknown ones and disliked
// sources sink. The pool is the best memes by lr_smoothed overall plus the
// best of every source the user reacted to, ranked by (lr_smoothed+2) x affinity.
var adaptSQL = `
WITH recent AS (
    SELECT m.source_id, r.reaction
    FROM (SELECT meme_id, reaction FROM reactions
          WHERE user_id = $1 AND reaction IS NOT NULL
          ORDER BY reacted_at DESC
          LIMIT 15) r
    JOIN memes m ON m.id = r.meme_id
), affinity AS MATERIALIZED (
    SELECT source_id, (count(*) FILTER (WHERE reaction = 1) + 1)::float8 / (count(*) + 1) AS w
    FROM recent WHERE source_id IS NOT NULL
    GROUP BY source_id
), pool AS (
    SELECT c.meme_id, c.lr_smoothed, c.source_id
    FROM unnest($2::text[]) AS l(lang)
    CROSS JOIN LATERAL (
        SELECT ms.meme_id, ms.lr_smoothed, ms.source_id
        FROM meme_stats ms
        WHERE ms.serving AND ms.language = l.lang ` + servable + `
        ORDER BY ms.lr_smoothed DESC, ms.meme_id
        LIMIT $4 * 4
    ) c
    UNION
    SELECT c.meme_id, c.lr_smoothed, c.source_id
    FROM affinity a
    CROSS JOIN LATERAL (
        SELECT ms.meme_id, ms.lr_smoothed, ms.source_id
        FROM meme_stats ms
        WHERE ms.serving AND ms.source_id = a.source_id AND ms.language = ANY($2::text[]) ` + servable + `
        ORDER BY ms.lr_smoothed DESC
        LIMIT $4
    ) c
), best AS (
    SELECT p.meme_id, (p.lr_smoothed + 2) * COALESCE(a.w, 0.5) AS score
    FROM pool p LEFT JOIN affinity a ON a.source_id = p.source_id
    ORDER BY 2 DESC, p.meme_id
    LIMIT $4
)
` + bestMemes("b.score DESC, b.meme_id")

// recentAffinitySQL gives each source the user reacted to among their last
// 200 reactions an affinity: their like rate on its memes, shrunk toward
// their overall like rate by two reactions' worth (one like on one meme is
// weak evidence). Read live, it knows the user's taste from their first
// presses, with no job in between. The latest reactions are taken before
// their memes are joined (from the index by person and time): joined first,
// a veteran's every reaction was, and the planner hashed the whole memes
// table for it.
const recentAffinitySQL = `
recent AS (
    SELECT m.source_id, r.reaction
    FROM (SELECT meme_id, reaction FROM reactions
          WHERE user_id = $1 AND reaction IS NOT NULL
          ORDER BY reacted_at DESC
          LIMIT 200) r
    JOIN memes m ON m.id = r.meme_id
), overall AS (
    SELECT (count(*) FILTER (WHERE reaction = 1) + 1)::float8 / (count(*) + 2) AS rate FROM recent
), affinity AS MATERIALIZED (
    SELECT source_id, (count(*) FILTER (WHERE reaction = 1) + 2 * o.rate) / (count(*) + 2) AS w
    FROM recent, overall o
    WHERE source_id IS NOT NULL
    GROUP BY source_id, o.rate
)`

// sourceAffinitySQL is source_affinity: the best memes (by lr_smoothed) of
// the eight sources the user likes most, ranked by the user's affinity, the
// meme's standing breaking near-ties.
var sourceAffinitySQL = `
WITH ` + recentAffinitySQL + `, top AS (
    SELECT source_id, w FROM affinity ORDER BY w DESC LIMIT 8
), best AS (
    SELECT c.meme_id, a.w + 0.1 * c.lr_smoothed AS score
    FROM top a
    CROSS JOIN LATERAL (
        SELECT ms.meme_id, ms.lr_smoothed
        FROM meme_stats ms
        WHERE ms.serving AND ms.source_id = a.source_id AND ms.language = ANY($2::text[]) ` + servable + `
        ORDER BY ms.lr_smoothed DESC
        LIMIT $4
    ) c
    ORDER BY 2 DESC, c.meme_id DESC
    LIMIT $4
)
` + bestMemes("b.score DESC, b.meme_id DESC")

// shownSQL counts the impressions of the meme whose id is memeID live, up to
// FreshImpressions index entries (an approval's likes were shown to nobody),
// as the fresh engine and its lane count them.
func shownSQL(memeID string) string {
	return fmt.Sprintf(`(SELECT count(*) FROM (
        SELECT 1 FROM reactions r WHERE r.meme_id = %s AND r.engine <> '%s' LIMIT %d) s)`,
		memeID, EngineApprovalLike, FreshImpressions)
}

// freshSQL is fresh: memes that have not had FreshImpressions impressions
// yet, newest first by when they went live, so every new meme gets its
// chance before the backlog. The pool walks the $4 newest memes per language
// (skipping those the stats job last counted at FreshImpressions or more;
// the fresh engine asks for four refills' worth); their impressions are then
// counted live (at most FreshImpressions each; an approval's likes are no
// impressions), because between two stats runs every user would otherwise
// be handed the same few.
// A meme leaves the pool at its FreshImpressions-th impression, so the
// newest are always its head: ordered by fewest impressions first (until
// 2026-12), the pool spread its impressions over older memes stuck under
// FreshImpressions, and a new meme waited behind them (in the simulation,
// 600 people, new memes reached 20 impressions in a median 5 h against 1 h
// 34 min newest first). Newest by id (until 2026-12) put an upload a
// moderator approved late behind what was ingested meanwhile. The fresh
// engine ranks the pool for the person. The pool is materialized: a planner
// misled by stale estimates must not rerun it for every meme it joins.
var freshSQL = fmt.Sprintf(`
WITH pool AS MATERIALIZED (
    SELECT c.meme_id, c.published_at,
           %[3]s AS shown
    FROM unnest($2::text[]) AS l(lang)
    CROSS JOIN LATERAL (
        SELECT ms.meme_id, ms.published_at
        FROM meme_stats ms
        WHERE ms.serving AND ms.sent < %[1]d AND ms.language = l.lang %[2]s
        ORDER BY ms.published_at DESC, ms.meme_id DESC
        LIMIT $4
    ) c
)
SELECT p.meme_id, m.type, m.storage_file_id, m.caption, p.published_at, p.shown
FROM pool p
JOIN memes m ON m.id = p.meme_id AND m.status = 'ok' AND m.language = ANY($2::text[])
WHERE p.shown < %[1]d
ORDER BY p.published_at DESC, p.meme_id DESC
LIMIT $4
`, FreshImpressions, servable, shownSQL("c.meme_id"))

// freshLaneSQL is FreshLane: the memes short of FreshImpressions that went
// live since $1, in every language. The fresh index leads with the
// language, and can hold most memes (715,000 of the seeded 1M were short of
// 20): the languages are found by skipping from one to the next in an index
// of those memes, then each language's range since $1 is read (at 1M, 1.5 ms
// where a pass over the whole index with the counts took 120 ms).
var freshLaneSQL = fmt.Sprintf(`
WITH RECURSIVE langs AS (
    (SELECT ms.language FROM meme_stats ms WHERE ms.serving AND ms.sent < %[1]d ORDER BY ms.language LIMIT 1)
    UNION ALL
    SELECT (SELECT ms.language FROM meme_stats ms
            WHERE ms.serving AND ms.sent < %[1]d AND ms.language > l.language
            ORDER BY ms.language LIMIT 1)
    FROM langs l WHERE l.language IS NOT NULL
)
SELECT ms.meme_id, ms.published_at,
       %[2]s
FROM langs l
JOIN meme_stats ms ON ms.language = l.language AND ms.serving AND ms.sent < %[1]d AND ms.published_at > $1`,
	FreshImpressions, shownSQL("ms.meme_id"))

// coLikedSQL is co_liked: the memes most often liked together with the
// user's last 20 likes (each liked meme's 50 strongest neighbours), a
// neighbour's count divided by the square root of its likes so that what
// everybody likes does not crowd out what people like this user like.
var coLikedSQL = `
WITH liked AS (
    SELECT r.meme_id FROM reactions r
    WHERE r.user_id = $1 AND r.reaction = 1
    ORDER BY r.reacted_at DESC
    LIMIT 20
), near AS MATERIALIZED (
    SELECT c.other_id, sum(c.n) AS n
    FROM liked l
    CROSS JOIN LATERAL (
        SELECT other_id, n FROM meme_colikes WHERE meme_id = l.meme_id ORDER BY n DESC LIMIT 50
    ) c
    GROUP BY c.other_id
), best AS (
    SELECT ms.meme_id, near.n / sqrt(ms.likes + 1) AS score
    FROM near
    JOIN meme_stats ms ON ms.meme_id = near.other_id AND ms.serving AND ms.language = ANY($2::text[])
    WHERE true ` + servable + `
    ORDER BY 2 DESC, ms.meme_id
    LIMIT $4
)
` + bestMemes("b.score DESC, b.meme_id")

// servableOfSQL keeps, in the given order, the memes still servable
// to the person.
const servableOfSQL = `
SELECT c.id, m.type, m.storage_file_id, m.caption
FROM unnest($4::bigint[]) WITH ORDINALITY AS c(id, k)
JOIN memes m ON m.id = c.id AND m.status = 'ok' AND m.language = ANY($2::text[])
WHERE c.id <> ALL($3::bigint[])
  AND NOT EXISTS (SELECT 1 FROM reactions r WHERE r.user_id = $1 AND r.meme_id = c.id)
ORDER BY c.k
LIMIT $5`
