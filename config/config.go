// Package config loads the service's configuration from DSB_* environment variables, each with
// a working default so that `go run .` serves on a fresh machine.
package config

import (
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dianshubao/dianshubao/blob"
	"github.com/dianshubao/dianshubao/datakey"
	"github.com/dianshubao/dianshubao/internal/keyring"
)

// DefaultScreeningWords is the word list shipped with the service: it seeds the operated
// screening list on the database's first start when DSB_SCREENING_WORDS_FILE is not set.
//
//go:embed screening_words.txt
var DefaultScreeningWords string

// Config is every setting of the service.
type Config struct {
	HTTPAddr string
	Env      string

	DBDriver string
	DBDSN    string
	RedisURL string

	JWTSecret          []byte
	JWTSecretGenerated bool
	// JWTSecretPrevious is the secret before a rotation (DSB_JWT_SECRET_PREVIOUS): tokens and
	// idempotency records made under it stay readable; nothing new is made with it.
	JWTSecretPrevious []byte

	// DataKey seals personal information at rest (DSB_DATA_KEY); DataKeyPrevious keeps the
	// values sealed before a rotation readable (DSB_DATA_KEY_PREVIOUS). Without DataKey outside
	// production the public development key is used (DataKeyDevelopment), which main warns of.
	DataKey            []byte
	DataKeyPrevious    []byte
	DataKeyDevelopment bool

	AdminEmail    string
	AdminPassword string

	EvidenceDir      string
	EvidenceMaxBytes int64
	// EvidenceS3 is the bucket evidence goes to (DSB_EVIDENCE_S3_URL, DSB_S3_*); nil keeps it
	// in EvidenceDir, which then also spools uploads to S3 while they are hashed.
	EvidenceS3 *blob.S3Config

	WebhookRetrySchedule []time.Duration
	WebhookTimeout       time.Duration
	WebhookAllowPrivate  bool
	WebhookAllowInsecure bool

	RatingFreezeDelay time.Duration
	AutoCompleteAfter time.Duration

	RateLimitPerMinute     int
	AuthRateLimitPerMinute int

	// PprofAddr, when set, serves Go's profiler (net/http/pprof) on its own listener, meant for
	// 127.0.0.1 or the operators' network only; empty (the default) serves none.
	PprofAddr string
	// TrustedProxies lists proxy addresses or CIDRs whose X-Forwarded-For is believed.
	TrustedProxies []string
	// ScreeningWordsFile, when set, seeds the screening list instead of the shipped word list.
	ScreeningWordsFile string
	// BcryptCost is the password hashing cost (tests lower it).
	BcryptCost int
	// SMS is the text-message provider (DSB_SMS_*).
	SMS SMS

	// The limits per complaint and per platform (API.md section 1).
	MaxSupplementsPerComplaint     int
	MaxRepliesPerComplaint         int
	MaxWebhookEndpointsPerPlatform int
	MaxAPIKeysPerPlatform          int
	// The lawyer team's consultations: open ones per complaint, messages per thread.
	MaxOpenConsultationsPerComplaint int
	MaxMessagesPerConsultation       int

	// Retention, in days (DSB_RETAIN_*): event payloads after their last delivery attempt,
	// delivery-log rows, text messages and finished work-queue jobs after they were written or
	// finished; RetainBatch rows per statement.
	RetainEventPayloadDays int
	RetainAttemptsDays     int
	RetainSMSDays          int
	RetainJobsDays         int
	RetainBatch            int
}

// LocalEvidenceShared reports whether evidence stays on this instance's disk while the
// database is one that several instances share: a file uploaded through one instance cannot
// then be downloaded through another.
func (c *Config) LocalEvidenceShared() bool { return c.EvidenceS3 == nil && c.DBDriver == "mysql" }

// TokenKeys are the keys that sign and verify access tokens, derived from DSB_JWT_SECRET and
// DSB_JWT_SECRET_PREVIOUS.
func (c *Config) TokenKeys() *keyring.Ring {
	return keyring.New(keyring.PurposeJWT, c.JWTSecret, c.JWTSecretPrevious)
}

// IdempotencyKeys are the keys that name and seal idempotency records, derived from the same
// secrets as TokenKeys but never equal to them.
func (c *Config) IdempotencyKeys() *keyring.Ring {
	return keyring.New(keyring.PurposeIdempotency, c.JWTSecret, c.JWTSecretPrevious)
}

// Retention is the retention policy as durations.
func (c *Config) Retention() (eventPayloads, attempts, sms, jobs time.Duration) {
	day := 24 * time.Hour
	return time.Duration(c.RetainEventPayloadDays) * day, time.Duration(c.RetainAttemptsDays) * day,
		time.Duration(c.RetainSMSDays) * day, time.Duration(c.RetainJobsDays) * day
}

// Production reports whether the service runs in production mode.
func (c *Config) Production() bool { return c.Env == "production" }

// Load reads the environment. It fails on values that do not parse.
func Load() (*Config, error) { return LoadFrom(os.Getenv) }

// LoadFrom reads the configuration through getenv, so tests need not touch the process
// environment.
func LoadFrom(getenv func(string) string) (*Config, error) {
	var errs []error
	str := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	dur := func(name, def string) time.Duration {
		v := str(name, def)
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a non-negative Go duration such as 168h", name, v))
		}
		return d
	}
	boolean := func(name string) bool {
		v := str(name, "false")
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want true or false", name, v))
		}
		return b
	}
	integer := func(name string, def int64, minimum int64) int64 {
		v := str(name, strconv.FormatInt(def, 10))
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < minimum {
			errs = append(errs, fmt.Errorf("%s=%q: want an integer ≥ %d", name, v, minimum))
		}
		return n
	}

	c := &Config{
		HTTPAddr:               str("DSB_HTTP_ADDR", ":8080"),
		PprofAddr:              getenv("DSB_PPROF_ADDR"),
		Env:                    str("DSB_ENV", "development"),
		DBDriver:               str("DSB_DB_DRIVER", "sqlite"),
		DBDSN:                  getenv("DSB_DB_DSN"),
		RedisURL:               getenv("DSB_REDIS_URL"),
		AdminEmail:             getenv("DSB_ADMIN_EMAIL"),
		AdminPassword:          getenv("DSB_ADMIN_PASSWORD"),
		EvidenceDir:            str("DSB_EVIDENCE_DIR", "data/evidence"),
		EvidenceMaxBytes:       integer("DSB_EVIDENCE_MAX_BYTES", 20971520, 1),
		WebhookTimeout:         dur("DSB_WEBHOOK_TIMEOUT", "15s"),
		WebhookAllowPrivate:    boolean("DSB_WEBHOOK_ALLOW_PRIVATE"),
		WebhookAllowInsecure:   boolean("DSB_WEBHOOK_ALLOW_INSECURE"),
		RatingFreezeDelay:      dur("DSB_RATING_FREEZE_DELAY", "168h"),
		AutoCompleteAfter:      dur("DSB_AUTO_COMPLETE_AFTER", "360h"),
		RateLimitPerMinute:     int(integer("DSB_RATE_LIMIT_PER_MINUTE", 1000, 1)),
		AuthRateLimitPerMinute: int(integer("DSB_AUTH_RATE_LIMIT_PER_MINUTE", 10, 1)),
		ScreeningWordsFile:     getenv("DSB_SCREENING_WORDS_FILE"),
		BcryptCost:             int(integer("DSB_BCRYPT_COST", 12, 4)),
		SMS:                    loadSMS(getenv),

		MaxSupplementsPerComplaint:       int(integer("DSB_MAX_SUPPLEMENTS_PER_COMPLAINT", 20, 1)),
		MaxRepliesPerComplaint:           int(integer("DSB_MAX_REPLIES_PER_COMPLAINT", 50, 1)),
		MaxWebhookEndpointsPerPlatform:   int(integer("DSB_MAX_WEBHOOK_ENDPOINTS_PER_PLATFORM", 20, 1)),
		MaxAPIKeysPerPlatform:            int(integer("DSB_MAX_API_KEYS_PER_PLATFORM", 5, 1)),
		MaxOpenConsultationsPerComplaint: int(integer("DSB_MAX_OPEN_CONSULTATIONS_PER_COMPLAINT", 3, 1)),
		MaxMessagesPerConsultation:       int(integer("DSB_MAX_MESSAGES_PER_CONSULTATION", 50, 1)),

		RetainEventPayloadDays: int(integer("DSB_RETAIN_EVENT_PAYLOAD_DAYS", 30, 1)),
		RetainAttemptsDays:     int(integer("DSB_RETAIN_ATTEMPTS_DAYS", 180, 1)),
		RetainSMSDays:          int(integer("DSB_RETAIN_SMS_DAYS", 180, 1)),
		RetainJobsDays:         int(integer("DSB_RETAIN_JOBS_DAYS", 7, 1)),
		RetainBatch:            int(integer("DSB_RETAIN_BATCH", 1000, 1)),
	}
	for _, p := range strings.Split(getenv("DSB_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	if c.DBDSN == "" && c.DBDriver == "sqlite" {
		c.DBDSN = "data/dianshubao.db"
	}
	sched := str("DSB_WEBHOOK_RETRY_SCHEDULE", "0s,5s,5m,30m,2h,5h,10h,10h")
	for _, part := range strings.Split(sched, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("DSB_WEBHOOK_RETRY_SCHEDULE=%q: want comma-separated durations", sched))
			break
		}
		c.WebhookRetrySchedule = append(c.WebhookRetrySchedule, d)
	}
	if s := getenv("DSB_JWT_SECRET"); s != "" {
		c.JWTSecret = []byte(s)
	}
	if s := getenv("DSB_JWT_SECRET_PREVIOUS"); s != "" {
		c.JWTSecretPrevious = []byte(s)
	}
	if s := getenv("DSB_DATA_KEY"); s != "" {
		c.DataKey = []byte(s)
	}
	if s := getenv("DSB_DATA_KEY_PREVIOUS"); s != "" {
		c.DataKeyPrevious = []byte(s)
	}
	s3, err := loadS3(getenv, c.EvidenceDir)
	if err != nil {
		errs = append(errs, err)
	}
	c.EvidenceS3 = s3
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.JWTSecret == nil {
		// Development only (Validate refuses production without a secret): tokens die with the
		// process, which main logs as a warning.
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		c.JWTSecret = []byte(hex.EncodeToString(b))
		c.JWTSecretGenerated = true
	}
	if c.DataKey == nil {
		// Development only (Validate refuses production without a key).
		c.DataKey = []byte(datakey.DevelopmentSecret)
		c.DataKeyDevelopment = true
	}
	return c, nil
}

// DataKeys is the keyring of DSB_DATA_KEY and DSB_DATA_KEY_PREVIOUS.
func (c *Config) DataKeys() (*datakey.Keyring, error) {
	return datakey.New(c.DataKey, c.DataKeyPrevious)
}

// Validate refuses settings that cannot work, and unsafe defaults in production.
func (c *Config) Validate() error {
	var errs []error
	switch c.Env {
	case "development", "production", "test":
	default:
		errs = append(errs, fmt.Errorf("DSB_ENV=%q: want development or production", c.Env))
	}
	switch c.DBDriver {
	case "sqlite":
	case "mysql":
		if c.DBDSN == "" {
			errs = append(errs, errors.New("DSB_DB_DSN is required with DSB_DB_DRIVER=mysql"))
		}
	default:
		errs = append(errs, fmt.Errorf("DSB_DB_DRIVER=%q: want sqlite or mysql", c.DBDriver))
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		errs = append(errs, errors.New("DSB_ADMIN_EMAIL and DSB_ADMIN_PASSWORD go together: set both or neither"))
	}
	if c.AdminPassword != "" && (len(c.AdminPassword) < 8 || len(c.AdminPassword) > 72) {
		errs = append(errs, errors.New("DSB_ADMIN_PASSWORD must be 8 to 72 bytes long"))
	}
	if len(c.WebhookRetrySchedule) == 0 {
		errs = append(errs, errors.New("DSB_WEBHOOK_RETRY_SCHEDULE needs at least one attempt"))
	}
	if c.RetainAttemptsDays < c.RetainEventPayloadDays {
		// A redelivery finds the endpoints an event went to in its attempts once its jobs are
		// gone, and an event's last attempt must be known until its payload is emptied.
		errs = append(errs, fmt.Errorf("DSB_RETAIN_ATTEMPTS_DAYS=%d must be at least DSB_RETAIN_EVENT_PAYLOAD_DAYS=%d: the delivery log must outlive the payloads it dates",
			c.RetainAttemptsDays, c.RetainEventPayloadDays))
	}
	if c.RetainBatch > 10000 {
		errs = append(errs, fmt.Errorf("DSB_RETAIN_BATCH=%d: at most 10000 rows per statement, so that no purge holds long locks", c.RetainBatch))
	}
	if len(c.DataKeyPrevious) > 0 && len(c.DataKey) == 0 {
		errs = append(errs, errors.New("DSB_DATA_KEY_PREVIOUS needs DSB_DATA_KEY: the previous key only opens values, new ones are sealed with the current key"))
	}
	if err := c.SMS.validate(); err != nil {
		errs = append(errs, err)
	}
	if len(c.JWTSecretPrevious) > 0 && len(c.JWTSecret) == 0 {
		errs = append(errs, errors.New("DSB_JWT_SECRET_PREVIOUS is set without DSB_JWT_SECRET: a rotation sets the new secret in DSB_JWT_SECRET and the old one in DSB_JWT_SECRET_PREVIOUS"))
	}
	if c.Production() {
		if len(c.JWTSecretPrevious) > 0 && len(c.JWTSecretPrevious) < 32 {
			errs = append(errs, errors.New("DSB_JWT_SECRET_PREVIOUS must be at least 32 bytes in production"))
		}
		if len(c.JWTSecret) == 0 {
			errs = append(errs, errors.New("DSB_JWT_SECRET is required in production: without it every restart would log everybody out and instances could not verify each other's tokens"))
		} else if len(c.JWTSecret) < 32 {
			errs = append(errs, errors.New("DSB_JWT_SECRET must be at least 32 bytes in production"))
		}
		switch {
		case len(c.DataKey) == 0:
			errs = append(errs, errors.New("DSB_DATA_KEY is required in production: phone numbers and real names are sealed with it, and a lost key loses them"))
		case len(c.DataKey) < 32:
			errs = append(errs, errors.New("DSB_DATA_KEY must be at least 32 bytes in production"))
		case string(c.DataKey) == datakey.DevelopmentSecret:
			errs = append(errs, errors.New("DSB_DATA_KEY is the public development key, refused in production"))
		}
		if c.WebhookAllowPrivate || c.WebhookAllowInsecure {
			errs = append(errs, errors.New("DSB_WEBHOOK_ALLOW_PRIVATE and DSB_WEBHOOK_ALLOW_INSECURE are for development only and refused in production"))
		}
	}
	return errors.Join(errs...)
}
