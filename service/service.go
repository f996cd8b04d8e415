// Package service holds the use cases of 电诉宝, one file per capability. Services own the
// transaction boundaries and declare the small interfaces they need (clock, notifier, blob
// storage); they never import gin.
package service

import (
	"crypto/rand"
	"log/slog"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/dianshubao/dianshubao/internal/keyring"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/store"
	"github.com/dianshubao/dianshubao/webhooks"
)

// Clock tells the time; tests inject one they can move.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now implements Clock.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// Options configures the services.
type Options struct {
	// TokenKeys sign and verify access tokens (config.Config.TokenKeys); nil is a random
	// secret's, so that tokens die with the process.
	TokenKeys  *keyring.Ring
	BcryptCost int
	Clock      Clock
	Logger     *slog.Logger
	// SMS sends notifications; nil logs them.
	SMS SMSSender
	// AutoCompleteAfter completes replied complaints nobody rated (default 360 h).
	AutoCompleteAfter time.Duration
	// WebhookPolicy guards endpoint URLs; WebhookResolver resolves their hosts (nil: the
	// system's); WebhookSchedule is the delay before each delivery attempt.
	WebhookPolicy   webhooks.URLPolicy
	WebhookResolver *net.Resolver
	WebhookSchedule []time.Duration
	// RatingFreezeDelay is how long a closed period stays live (default 168 h).
	RatingFreezeDelay time.Duration
	// Waker is told when jobs were committed (the work-queue runner).
	Waker Waker
	// ScreeningNotifier announces a change of the screening list to the other instances
	// (a Redis publish); nil: they notice within ScreeningReloadInterval.
	ScreeningNotifier Waker
	// AwaitingBatch is how many waiting complaints one deliver_awaiting attempt delivers
	// (default 100).
	AwaitingBatch int
	// EvidenceDir is where evidence files are stored; EvidenceMaxBytes the per-file limit.
	EvidenceDir      string
	EvidenceMaxBytes int64
	// Limits are the ceilings per complaint and per platform; zero fields take DefaultLimits.
	Limits Limits
	// Blobs is where evidence bytes live; nil keeps them on the local disk under EvidenceDir.
	Blobs BlobStore
	// Retention says how long rows no longer needed are kept; zero fields take the defaults.
	Retention RetentionPolicy
	// ViewAnnouncer tells the other instances of a committed change to what platforms read
	// (PlatformViews); nil when there are none to tell (no Redis).
	ViewAnnouncer func(store.ViewChange)
	// Registry receives the services' metrics (retention's); nil keeps them unregistered.
	Registry prometheus.Registerer
	// CacheTTL is how long an instance trusts what it remembers of a platform and of an API
	// key: how stale they can be on an instance that did not make the change (default 1 s).
	CacheTTL time.Duration
}

// Services is every use case, wired once by main (and by tests, the same way).
type Services struct {
	Accounts      *Accounts
	Platforms     *Platforms
	Evidence      *Evidence
	Complaints    *Complaints
	Notifications *Notifications
	Webhooks      *Webhooks
	Ratings       *Ratings
	Rankings      *Rankings
	Reports       *Reports
	Erasures      *Erasures
	// Cases are the typical cases (典型案例) published from completed complaints.
	Cases *Cases
	// Screening is the operated screening list; it matches nothing until Start loads it.
	Screening *ScreeningList
	// Retention empties and deletes what is kept no longer (periodic tasks).
	Retention *Retention
	// Campaigns are the investigation campaigns (调查行动); Questionnaires their questionnaires.
	Campaigns      *Campaigns
	Questionnaires *Questionnaires
	// Lawyers are the lawyer team's profiles; Consultations the complainants' requests to them.
	Lawyers       *Lawyers
	Consultations *Consultations
	// WebSessions are the website's browser sessions.
	WebSessions *WebSessions
	// PlatformViews keeps platforms' complaint reads rendered until what they show changes.
	PlatformViews *PlatformViews

	st    *store.Store
	clock Clock
	log   *slog.Logger
}

// New wires the services over one store.
func New(st *store.Store, cache kv.Store, opts Options) *Services {
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.EvidenceDir == "" {
		opts.EvidenceDir = "data/evidence"
	}
	if opts.EvidenceMaxBytes == 0 {
		opts.EvidenceMaxBytes = 20 << 20
	}
	if opts.SMS == nil {
		opts.SMS = LogSMSSender{Log: opts.Logger}
	}
	if opts.AutoCompleteAfter == 0 {
		opts.AutoCompleteAfter = 360 * time.Hour
	}
	if opts.BcryptCost == 0 {
		opts.BcryptCost = 12
	}
	if opts.TokenKeys == nil {
		secret := make([]byte, keyring.KeySize)
		_, _ = rand.Read(secret)
		opts.TokenKeys = keyring.New(keyring.PurposeJWT, secret)
	}
	opts.Limits = opts.Limits.withDefaults()
	dummy, _ := bcrypt.GenerateFromPassword([]byte("not-a-real-password"), opts.BcryptCost)
	s := &Services{
		Accounts: &Accounts{st: st, clock: opts.Clock, keys: opts.TokenKeys, cost: opts.BcryptCost,
			log: opts.Logger, dummyHash: dummy, states: newAccountStates(st, opts.Clock)},
		Platforms: &Platforms{st: st, clock: opts.Clock, log: opts.Logger, limits: opts.Limits},
		Evidence: &Evidence{st: st, clock: opts.Clock, log: opts.Logger, dir: opts.EvidenceDir,
			maxBytes: opts.EvidenceMaxBytes, blobs: opts.Blobs},
		st: st, clock: opts.Clock, log: opts.Logger,
	}
	s.Screening = &ScreeningList{st: st, clock: opts.Clock, log: opts.Logger, notify: opts.ScreeningNotifier,
		wake: make(chan struct{}, 1)}
	s.Accounts.screen, s.Evidence.screen = s.Screening, s.Screening
	s.WebSessions = &WebSessions{st: st, clock: opts.Clock, accounts: s.Accounts}
	if opts.CacheTTL <= 0 {
		opts.CacheTTL = defaultCacheTTL
	}
	platforms := newPlatformCache(st, opts.CacheTTL)
	s.Platforms.cache = platforms
	s.Platforms.keys.ttl = opts.CacheTTL
	s.PlatformViews = newPlatformViews(opts.Clock, opts.CacheTTL, opts.ViewAnnouncer, opts.Registry)
	s.PlatformViews.down = st.Unreachable
	// A change that cannot be tied to platforms may be a platform's own (its name is in every
	// view): the platform cache forgets it before the views are dropped, so that a read rendered
	// after the drop does not take the old name from the cache.
	st.WatchViews(func(v store.ViewChange) {
		if v.All {
			platforms.ForgetAll()
		}
	})
	st.WatchViews(s.PlatformViews.committed)
	s.Notifications = newNotifications(st, opts.Clock, opts.Logger, opts.SMS)
	s.Webhooks = &Webhooks{st: st, clock: opts.Clock, log: opts.Logger, policy: opts.WebhookPolicy,
		resolver: opts.WebhookResolver, schedule: opts.WebhookSchedule, waker: opts.Waker, cache: platforms,
		limits: opts.Limits}
	s.Complaints = &Complaints{st: st, clock: opts.Clock, log: opts.Logger, screen: s.Screening, evidence: s.Evidence,
		webhooks: s.Webhooks, autoCompleteAfter: opts.AutoCompleteAfter, platforms: platforms, limits: opts.Limits}
	s.Platforms.waker = opts.Waker
	s.Lawyers = &Lawyers{st: st, clock: opts.Clock, log: opts.Logger}
	s.Consultations = &Consultations{st: st, clock: opts.Clock, log: opts.Logger, complaints: s.Complaints,
		limits: opts.Limits, waker: opts.Waker}
	s.Erasures = &Erasures{st: st, clock: opts.Clock, log: opts.Logger, accounts: s.Accounts, complaints: s.Complaints,
		evidence: s.Evidence, consultations: s.Consultations}
	s.Cases = &Cases{st: st, clock: opts.Clock, log: opts.Logger, complaints: s.Complaints, platforms: platforms}
	s.Screening.withdraw, s.Cases.screening = s.Cases.withdrawListed, s.Screening
	s.Complaints.awaitingBatch = opts.AwaitingBatch
	if s.Complaints.awaitingBatch <= 0 {
		s.Complaints.awaitingBatch = defaultAwaitingBatch
	}
	if cache == nil {
		cache = kv.NewMemory(opts.Clock.Now)
	}
	if opts.RatingFreezeDelay == 0 {
		opts.RatingFreezeDelay = 168 * time.Hour
	}
	s.Retention = newRetention(st, opts.Clock, opts.Logger, opts.Retention, opts.Registry)
	s.Campaigns, s.Questionnaires = &Campaigns{st: st, clock: opts.Clock, log: opts.Logger}, &Questionnaires{st: st, clock: opts.Clock}
	s.Ratings = &Ratings{st: st, clock: opts.Clock, log: opts.Logger, cache: cache, freezeDelay: opts.RatingFreezeDelay}
	s.Rankings = &Rankings{st: st, clock: opts.Clock, log: opts.Logger, cache: cache, freezeDelay: opts.RatingFreezeDelay}
	s.Reports = &Reports{st: st, clock: opts.Clock, log: opts.Logger, cache: cache, ratings: s.Ratings, freezeDelay: opts.RatingFreezeDelay}
	return s
}

// now is the current time at the precision every database keeps (milliseconds), so that a
// value read back compares equal to the value written.
func now(c Clock) time.Time { return c.Now().UTC().Truncate(time.Millisecond) }
