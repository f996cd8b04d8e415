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
// a phone or e-mail that cannot be one) is compared against a hash of the configured cost, so
// that it takes as long as a wrong password for a real account and the time tells nothing.
func TestMissingAccountCostsAPasswordComparison(t *testing.T) {
	const cost = 8 // over ten milliseconds a comparison: far above a lookup's time
	clock := testkit.NewClock(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	svc := New(testkit.Store(t), nil, Options{JWTSecret: []byte("test-secret-test-secret-test-secret!"), BcryptCost: cost,
		Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	if got, err := bcrypt.Cost(svc.Accounts.dummyHash); err != nil || got != cost {
		t.Fatalf("the comparison hash has cost %d (%v), want %d", got, err, cost)
	}
	ctx := context.Background()
	if _, err := svc.Accounts.Register(ctx, RegisterRequest{Role: "consumer", Phone: "13800138077", Password: "password-123", RealName: "张三"}); err != nil {
		t.Fatal(err)
	}
	fastest := func(req LoginRequest) time.Duration {
		best := time.Hour
		for range 3 {
			start := time.Now()
			_, err := svc.Accounts.Login(ctx, req)
			if !errors.Is(err, models.ErrInvalidCredentials) {
				t.Fatalf("%+v: %v, want invalid credentials", req, err)
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	wrong := fastest(LoginRequest{Phone: "13800138077", Password: "not-the-password"})
	for name, req := range map[string]LoginRequest{
		"missing phone":   {Phone: "13800138078", Password: "not-the-password"},
		"missing e-mail":  {Email: "nobody@example.com", Password: "not-the-password"},
		"malformed phone": {Phone: "abc", Password: "not-the-password"},
	} {
		if took := fastest(req); took < wrong/2 {
			t.Errorf("%s answered in %v, a wrong password in %v: the time tells the account is missing", name, took, wrong)
		}
	}
}
