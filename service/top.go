package service

import (
	"cmp"
	"slices"
)

// topByCount orders lines by their count, most first, then by their code, and keeps the first
// n: the top issue types of a ranking's and of a campaign report's platform.
func topByCount[T any](lines []T, key func(*T) (int64, string), n int) []T {
	slices.SortFunc(lines, func(a, b T) int {
		ca, ka := key(&a)
		cb, kb := key(&b)
		return cmp.Or(cmp.Compare(cb, ca), cmp.Compare(ka, kb))
	})
	return lines[:min(n, len(lines))]
}
