package service

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
)

// TestMissingAccountCostsAPasswordComparison: a login for an account that does not exist (or
// a phone or e-mail that cannot be one) makes one comparison against a hash of the configured
// cost, as a wrong password for a real account does, so that the time tells nothing. The
// comparisons are counted, not timed: a clock on a loaded machine proves nothing either way.
func TestMissingAccountCostsAPasswordComparison(t *testing.T) {
	const cost = 8
	clock := testkit.NewClock(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	svc := New(testkit.Store(t), nil, Options{BcryptCost: cost,
		Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	if _, err := svc.Accounts.Register(ctx, RegisterRequest{Role: "consumer", Phone: "13800138077", Password: "password-123", RealName: "张三"}); err != nil {
		t.Fatal(err)
	}
	var costs []int
	compare := comparePassword
	comparePassword = func(hash, pw []byte) error {
		c, err := bcrypt.Cost(hash)
		if err != nil {
			t.Errorf("compared against something that is not a bcrypt hash: %v", err)
		}
		costs = append(costs, c)
		return compare(hash, pw)
	}
	t.Cleanup(func() { comparePassword = compare })
	for name, req := range map[string]LoginRequest{
		"wrong password":  {Phone: "13800138077", Password: "not-the-password"},
		"missing phone":   {Phone: "13800138078", Password: "not-the-password"},
		"missing e-mail":  {Email: "nobody@example.com", Password: "not-the-password"},
		"malformed phone": {Phone: "abc", Password: "not-the-password"},
	} {
		costs = nil
		if _, err := svc.Accounts.Login(ctx, req); !errors.Is(err, models.ErrInvalidCredentials) {
			t.Fatalf("%s: %v, want invalid credentials", name, err)
		}
		if len(costs) != 1 || costs[0] != cost {
			t.Errorf("%s: comparisons at costs %v, want one at cost %d", name, costs, cost)
		}
	}
}
