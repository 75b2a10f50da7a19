// Package median is the median of a list of integers, shared by the ETL of
// ingested posts (views) and the stats job (session lengths).
package median

import "slices"

// Of is the median of xs (the mean of the middle two for an even count);
// 0 for none. xs is left as it was.
func Of[T ~int | ~int32 | ~int64](xs []T) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return (float64(s[n/2-1]) + float64(s[n/2])) / 2
}
