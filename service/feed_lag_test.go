package service

import (
	"testing"

	"github.com/dianshubao/dianshubao/store"
)

// The feed is complete only while every transaction ends within the lag of its stamp.
func TestTxTimeoutBelowFeedLag(t *testing.T) {
	if store.TxTimeout >= FeedLag {
		t.Fatalf("store.TxTimeout %v must stay below FeedLag %v", store.TxTimeout, FeedLag)
	}
}
