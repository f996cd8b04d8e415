package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
)

// Budgets of failed authentication. A failure is counted where it cannot be turned against
// somebody else: failed logins per (account, client address) and per address, so that wrong
// passwords sent from one address never refuse the owner's right one from another. The
// account's failures from every address only slow its logins down: past a ceiling, each
// address waits between two attempts on that account, the wait doubling with every further
// failure up to loginMaxDelay — never longer, whoever fails.
const (
	// loginFailureWindow is how long a failed login counts.
	loginFailureWindow = 15 * time.Minute
	// loginMaxDelay bounds the wait between two attempts of one address on an account under
	// attack: the owner is never kept out longer.
	loginMaxDelay = time.Minute
	// authFailureWindow is how long a failed API key or bearer token counts against its address.
	authFailureWindow = time.Minute
)

// authBudgets spends the failure budgets in the kv store (Redis when configured, so that
// every instance sees the same counts). A store that cannot be reached lets requests through:
// a down cache must not stop logins.
type authBudgets struct {
	kv kv.Store
	// limit is DSB_AUTH_RATE_LIMIT_PER_MINUTE; the budgets are multiples of it.
	limit int
	// key makes the counters' names keyed hashes: a phone number's counter, shared in Redis,
	// cannot be found by hashing every number.
	key []byte
	now func() time.Time
	// clean remembers, until the time it holds, the addresses last found with their
	// bad-credential budget unspent (cleanFor).
	cleanMu sync.Mutex
	clean   map[string]time.Time
}

// cleanFor is how long an address found with its bad-credential budget unspent presents
// credentials without the shared counter being read again: one read a second instead of one
// per request. A bad credential from the address forgets it at once, so this instance counts
// its own failures exactly; failures on other instances are heard within cleanFor.
const cleanFor = time.Second

// maxClean bounds the addresses remembered; past it they are forgotten all at once.
const maxClean = 10_000

func (b *authBudgets) knownClean(key string) bool {
	b.cleanMu.Lock()
	defer b.cleanMu.Unlock()
	until, ok := b.clean[key]
	return ok && b.now().Before(until)
}

func (b *authBudgets) setClean(key string, clean bool) {
	b.cleanMu.Lock()
	defer b.cleanMu.Unlock()
	if !clean {
		delete(b.clean, key)
		return
	}
	if b.clean == nil || len(b.clean) >= maxClean {
		b.clean = map[string]time.Time{}
	}
	b.clean[key] = b.now().Add(cleanFor)
}

// name is the keyed hash that names a counter of s.
func (b *authBudgets) name(s string) string {
	m := hmac.New(sha256.New, b.key)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))
}

// pairBudget is how many failed logins one address may make on one account per window.
func (b *authBudgets) pairBudget() int { return b.limit }

// addressBudget is how many failed logins one address may make on all accounts per window.
func (b *authBudgets) addressBudget() int { return 5 * b.limit }

// accountCeiling is how many failed logins an account takes from all addresses per window
// before its logins are slowed down.
func (b *authBudgets) accountCeiling() int { return 5 * b.limit }

// authFailureBudget is how many bad API keys and tokens one address may present per minute.
func (b *authBudgets) authFailureBudget() int { return 5 * b.limit }

// loginDelay is the wait between two attempts of one address on an account that failed n
// times in the window: none up to the ceiling, then 1 s doubling with each failure past it,
// at most loginMaxDelay.
func (b *authBudgets) loginDelay(n int64) time.Duration {
	excess := n - int64(b.accountCeiling())
	switch {
	case excess <= 0:
		return 0
	case excess > 6:
		return loginMaxDelay
	}
	return min(time.Second<<(excess-1), loginMaxDelay)
}

// loginAttempt is one login being guarded: the keys of its counters.
type loginAttempt struct {
	pair, address, account, slot string
}

// loginAttemptOf keys the counters of a login by the account's identifier as the service
// reads it (however the client spells a phone or e-mail) and the client's address. Nothing
// here asks whether the account exists: a missing one is counted the same.
func (b *authBudgets) loginAttemptOf(c *gin.Context, phone, email string) loginAttempt {
	id := "e:" + strings.ToLower(strings.TrimSpace(email))
	if e, ok := models.NormalizeEmail(email); ok {
		id = "e:" + e
	}
	if phone != "" {
		id = "p:" + strings.TrimSpace(phone)
		if p, ok := models.NormalizePhone(phone); ok {
			id = "p:" + p
		}
	}
	acct, addr := b.name(id), b.name(clientNetwork(c))
	return loginAttempt{
		pair:    "lf:pair:" + acct + ":" + addr,
		address: "lf:addr:" + addr,
		account: "lf:acct:" + acct,
		slot:    "lf:slot:" + acct + ":" + addr,
	}
}

// admitLogin refuses a login before any lookup when its address spent a failure budget, or
// when the account is under attack and this address tried it less than the delay ago. It
// reports whether the login may go on; when not, it has answered 429.
func (b *authBudgets) admitLogin(c *gin.Context, at loginAttempt) bool {
	if r := b.checkLogin(c, at); r != nil {
		refuse(c, r.limit, r.ttl, r.detail)
		return false
	}
	return true
}

// loginRefusal is why a login is refused unchecked: the budget and when it comes back.
type loginRefusal struct {
	limit  int
	ttl    time.Duration
	detail string
}

// checkLogin is admitLogin's decision, answering nothing: nil when the login may go on.
func (b *authBudgets) checkLogin(c *gin.Context, at loginAttempt) *loginRefusal {
	ctx := c.Request.Context()
	for _, budget := range []struct {
		name, key string
		limit     int
	}{{"account_and_address", at.pair, b.pairBudget()}, {"address", at.address, b.addressBudget()}} {
		n, ttl, err := b.kv.Count(ctx, budget.key)
		if err != nil {
			b.unavailable(c, err)
			return nil
		}
		if n >= int64(budget.limit) {
			loggerOf(c).LogAttrs(ctx, slog.LevelWarn, "login refused: failure budget spent", slog.String("budget", budget.name))
			return &loginRefusal{budget.limit, ttl, fmt.Sprintf("too many failed logins from this address; retry after %d s", retrySeconds(ttl))}
		}
	}
	n, _, err := b.kv.Count(ctx, at.account)
	if err != nil {
		b.unavailable(c, err)
		return nil
	}
	delay := b.loginDelay(n)
	if delay == 0 {
		return nil
	}
	// Each address gets one attempt on the account per delay: the owner's waits at most that
	// long, however many addresses keep failing.
	taken, ttl, err := b.kv.Incr(ctx, at.slot, delay)
	if err != nil {
		b.unavailable(c, err)
		return nil
	}
	if taken > 1 {
		loggerOf(c).LogAttrs(ctx, slog.LevelInfo, "login slowed down: account under attack", slog.Int64("failures", n), slog.Duration("delay", delay))
		return &loginRefusal{1, ttl, fmt.Sprintf("logins to this account are slowed down after many failures; retry after %d s", retrySeconds(ttl))}
	}
	return nil
}

// loginDone counts a failed login against its pair, address and account, or clears the
// pair's failures after a success.
func (b *authBudgets) loginDone(c *gin.Context, at loginAttempt, err error) {
	ctx := c.Request.Context()
	if err == nil {
		if derr := b.kv.Del(ctx, at.pair); derr != nil {
			b.unavailable(c, derr)
		}
		return
	}
	if !errors.Is(err, models.ErrInvalidCredentials) {
		return
	}
	for _, key := range []string{at.pair, at.address, at.account} {
		if _, _, ierr := b.kv.Incr(ctx, key, loginFailureWindow); ierr != nil {
			b.unavailable(c, ierr)
			return
		}
	}
}

func (b *authBudgets) authFailureKey(c *gin.Context) string { return "af:" + b.name(clientNetwork(c)) }

// clientNetwork is the client's address as the failure budgets count it: an IPv4 address, or
// the /64 of an IPv6 one — a single host is usually given a whole /64, and must not buy a
// fresh budget with every address in it.
func clientNetwork(c *gin.Context) string {
	ip := c.ClientIP()
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap()
	if addr.Is4() {
		return addr.String()
	}
	p, err := addr.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// admitCredential refuses a presented API key or token, before it is looked up, from an
// address that presented too many bad ones this minute.
func (b *authBudgets) admitCredential(c *gin.Context) bool {
	key := b.authFailureKey(c)
	if b.knownClean(key) {
		return true
	}
	n, ttl, err := b.kv.Count(c.Request.Context(), key)
	if err != nil {
		b.unavailable(c, err)
		return true
	}
	b.setClean(key, n < int64(b.authFailureBudget()))
	if n >= int64(b.authFailureBudget()) {
		loggerOf(c).WarnContext(c.Request.Context(), "credential refused unchecked: bad-credential budget spent")
		refuse(c, b.authFailureBudget(), ttl, fmt.Sprintf("too many invalid credentials from this address; retry after %d s", retrySeconds(ttl)))
		return false
	}
	return true
}

// credentialFailed counts a bad API key or token against the client's address.
func (b *authBudgets) credentialFailed(c *gin.Context) {
	key := b.authFailureKey(c)
	b.setClean(key, false)
	if _, _, err := b.kv.Incr(c.Request.Context(), key, authFailureWindow); err != nil {
		b.unavailable(c, err)
	}
}

func (b *authBudgets) unavailable(c *gin.Context, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	loggerOf(c).WarnContext(c.Request.Context(), "authentication budgets unavailable", "error", err)
}

// refuse answers 429 rate_limited for a spent failure budget, with its RateLimit-* headers.
func refuse(c *gin.Context, limit int, ttl time.Duration, detail string) {
	reset := strconv.Itoa(retrySeconds(ttl))
	c.Header("RateLimit-Limit", strconv.Itoa(limit))
	c.Header("RateLimit-Remaining", "0")
	c.Header("RateLimit-Reset", reset)
	c.Header("Retry-After", reset)
	writeProblem(c, &models.Error{Kind: models.KindRateLimited, Code: "rate_limited", Detail: detail})
}

// retrySeconds rounds a time left up to whole seconds, at least one.
func retrySeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}
