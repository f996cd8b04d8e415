package models

import (
	"math/big"
	"time"
)

// RankingSnapshot is a frozen complaint ranking (投诉榜) of a closed period: the counts of
// complaints filed in it by platform, issue type and channel, with each platform as it was
// described when the period froze. Every list of the period (any sector, tag, issue type or
// channel) is cut from it, so that a frozen list never changes: nothing writes it but freezing.
type RankingSnapshot struct {
	Period     string    `gorm:"primaryKey;size:16"`
	ComputedAt time.Time `gorm:"not null"`
	// Counts is the JSON of the period's counts and platforms, as the service computed them.
	Counts []byte `gorm:"not null"`
}

// RankingExcluded are the statuses whose complaints a ranking leaves out: refused and
// withdrawn ones. A ranking counts by each complaint's status when it is computed.
var RankingExcluded = []Status{StatusRejected, StatusWithdrawn}

// RankingShare is n ÷ total rounded exactly to 4 decimals, half away from zero (a platform's
// share of its sector's complaints in a ranking); 0 when total is 0.
func RankingShare(n, total int64) float64 {
	if total <= 0 {
		return 0
	}
	return ratFloat(roundRat(big.NewRat(n, total), 4))
}
