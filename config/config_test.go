package config

import (
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/datakey"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := LoadFrom(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.DBDriver != "sqlite" || c.DBDSN != "data/dianshubao.db" || c.EvidenceDir != "data/evidence" ||
		c.EvidenceMaxBytes != 20971520 || c.WebhookTimeout != 15*time.Second || c.RatingFreezeDelay != 168*time.Hour ||
		c.AutoCompleteAfter != 360*time.Hour || c.RateLimitPerMinute != 1000 || c.AuthRateLimitPerMinute != 10 ||
		c.WebhookAllowPrivate || c.WebhookAllowInsecure || c.RedisURL != "" || c.Env != "development" {
		t.Fatalf("defaults: %+v", c)
	}
	want := []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
	if len(c.WebhookRetrySchedule) != len(want) {
		t.Fatalf("retry schedule %v", c.WebhookRetrySchedule)
	}
	for i := range want {
		if c.WebhookRetrySchedule[i] != want[i] {
			t.Fatalf("retry schedule %v", c.WebhookRetrySchedule)
		}
	}
	if !c.JWTSecretGenerated || len(c.JWTSecret) < 32 {
		t.Fatal("development should get a random secret")
	}
	c2, _ := LoadFrom(env(nil))
	if string(c2.JWTSecret) == string(c.JWTSecret) {
		t.Fatal("the random secret is not random")
	}
	if !strings.Contains(DefaultScreeningWords, "他妈的") {
		t.Fatal("the shipped word list is not embedded")
	}
}

func TestProductionRefusesUnsafeDefaults(t *testing.T) {
	_, err := LoadFrom(env(map[string]string{"DSB_ENV": "production"}))
	if err == nil || !strings.Contains(err.Error(), "DSB_JWT_SECRET is required") {
		t.Fatalf("production without a secret: %v", err)
	}
	_, err = LoadFrom(env(map[string]string{"DSB_ENV": "production", "DSB_JWT_SECRET": "short"}))
	if err == nil || !strings.Contains(err.Error(), "at least 32 bytes") {
		t.Fatalf("production with a short secret: %v", err)
	}
	_, err = LoadFrom(env(map[string]string{"DSB_ENV": "production", "DSB_JWT_SECRET": strings.Repeat("s", 32), "DSB_WEBHOOK_ALLOW_PRIVATE": "true"}))
	if err == nil {
		t.Fatal("production allowed private webhook destinations")
	}
	c, err := LoadFrom(env(map[string]string{"DSB_ENV": "production", "DSB_JWT_SECRET": strings.Repeat("s", 32), "DSB_DATA_KEY": strings.Repeat("d", 32)}))
	if err != nil || c.JWTSecretGenerated || !c.Production() || c.DataKeyDevelopment {
		t.Fatalf("production with a secret: %v", err)
	}
	_, err = LoadFrom(env(map[string]string{"DSB_ENV": "production", "DSB_JWT_SECRET": strings.Repeat("s", 32), "DSB_JWT_SECRET_PREVIOUS": "short"}))
	if err == nil || !strings.Contains(err.Error(), "DSB_JWT_SECRET_PREVIOUS must be at least 32 bytes") {
		t.Fatalf("production with a short previous secret: %v", err)
	}
}

// A rotation keeps the previous secret's keys beside the new ones; the token and idempotency
// keys are derived apart from each other.
func TestPreviousJWTSecret(t *testing.T) {
	old, cur := strings.Repeat("o", 32), strings.Repeat("n", 32)
	c, err := LoadFrom(env(map[string]string{"DSB_ENV": "production", "DSB_JWT_SECRET": cur, "DSB_JWT_SECRET_PREVIOUS": old, "DSB_DATA_KEY": strings.Repeat("d", 32)}))
	if err != nil {
		t.Fatal(err)
	}
	if string(c.JWTSecretPrevious) != old || len(c.TokenKeys().Keys()) != 2 || len(c.IdempotencyKeys().Keys()) != 2 {
		t.Fatalf("previous secret not kept: %q", c.JWTSecretPrevious)
	}
	if c.TokenKeys().Current().ID == c.IdempotencyKeys().Current().ID {
		t.Fatal("tokens and idempotency records share a key")
	}
	if _, err := LoadFrom(env(map[string]string{"DSB_JWT_SECRET_PREVIOUS": old})); err == nil || !strings.Contains(err.Error(), "without DSB_JWT_SECRET") {
		t.Fatalf("a previous secret without a current one: %v", err)
	}
	dev, err := LoadFrom(env(nil))
	if err != nil || len(dev.TokenKeys().Keys()) != 1 {
		t.Fatalf("development without a previous secret: %v", err)
	}
}

func TestBadValues(t *testing.T) {
	for k, v := range map[string]string{
		"DSB_DB_DRIVER":                  "postgres",
		"DSB_WEBHOOK_RETRY_SCHEDULE":     "0s,soon",
		"DSB_WEBHOOK_TIMEOUT":            "fast",
		"DSB_RATE_LIMIT_PER_MINUTE":      "0",
		"DSB_AUTH_RATE_LIMIT_PER_MINUTE": "ten",
		"DSB_WEBHOOK_ALLOW_PRIVATE":      "maybe",
		"DSB_ENV":                        "staging",
		"DSB_ADMIN_EMAIL":                "admin@example.com",
		"DSB_EVIDENCE_MAX_BYTES":         "-1",
	} {
		if _, err := LoadFrom(env(map[string]string{k: v})); err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(k, "")) && k != "DSB_ADMIN_EMAIL" {
			t.Errorf("%s=%s accepted: %v", k, v, err)
		}
	}
	if _, err := LoadFrom(env(map[string]string{"DSB_DB_DRIVER": "mysql"})); err == nil {
		t.Error("mysql without a DSN accepted")
	}
}

// TestSMSProvider: log is the default; tencent refuses to start (in production as anywhere)
// until every setting but the endpoint is there, naming what is missing.
func TestSMSProvider(t *testing.T) {
	c, err := LoadFrom(env(nil))
	if err != nil || c.SMS.Provider != SMSProviderLog {
		t.Fatalf("default provider: %+v, %v", c.SMS, err)
	}
	full := map[string]string{"DSB_ENV": "production", "DSB_JWT_SECRET": strings.Repeat("s", 32), "DSB_DATA_KEY": strings.Repeat("d", 32),
		"DSB_SMS_PROVIDER": "tencent", "DSB_SMS_TENCENT_SECRET_ID": "AKID", "DSB_SMS_TENCENT_SECRET_KEY": "key",
		"DSB_SMS_TENCENT_SDK_APP_ID": "1400006666", "DSB_SMS_TENCENT_SIGN_NAME": "电诉宝", "DSB_SMS_TENCENT_REGION": "ap-guangzhou",
		"DSB_SMS_TENCENT_TEMPLATE_REJECTED": "1", "DSB_SMS_TENCENT_TEMPLATE_DELIVERED": "2", "DSB_SMS_TENCENT_TEMPLATE_REPLIED": "3",
		"DSB_SMS_TENCENT_TEMPLATE_CONSULTATION_ASSIGNED": "4", "DSB_SMS_TENCENT_TEMPLATE_CONSULTATION_ANSWERED": "5"}
	c, err = LoadFrom(env(full))
	if err != nil || c.SMS.Provider != SMSProviderTencent || c.SMS.Tencent.Templates["replied"] != "3" || c.SMS.Tencent.SignName != "电诉宝" {
		t.Fatalf("tencent: %+v, %v", c.SMS, err)
	}
	for name := range full {
		if !strings.HasPrefix(name, "DSB_SMS_TENCENT_") {
			continue
		}
		m := map[string]string{}
		for k, v := range full {
			if k != name {
				m[k] = v
			}
		}
		if _, err := LoadFrom(env(m)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("tencent without %s: %v", name, err)
		}
	}
	if _, err := LoadFrom(env(map[string]string{"DSB_SMS_PROVIDER": "aliyun"})); err == nil {
		t.Error("an unknown provider was accepted")
	}
}

func TestLimits(t *testing.T) {
	c, err := LoadFrom(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxSupplementsPerComplaint != 20 || c.MaxRepliesPerComplaint != 50 || c.MaxWebhookEndpointsPerPlatform != 20 || c.MaxAPIKeysPerPlatform != 5 ||
		c.MaxOpenConsultationsPerComplaint != 3 || c.MaxMessagesPerConsultation != 50 {
		t.Fatalf("default limits: %+v", c)
	}
	c, err = LoadFrom(env(map[string]string{"DSB_MAX_SUPPLEMENTS_PER_COMPLAINT": "3", "DSB_MAX_REPLIES_PER_COMPLAINT": "4",
		"DSB_MAX_WEBHOOK_ENDPOINTS_PER_PLATFORM": "5", "DSB_MAX_API_KEYS_PER_PLATFORM": "6",
		"DSB_MAX_OPEN_CONSULTATIONS_PER_COMPLAINT": "7", "DSB_MAX_MESSAGES_PER_CONSULTATION": "8"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxSupplementsPerComplaint != 3 || c.MaxRepliesPerComplaint != 4 || c.MaxWebhookEndpointsPerPlatform != 5 || c.MaxAPIKeysPerPlatform != 6 ||
		c.MaxOpenConsultationsPerComplaint != 7 || c.MaxMessagesPerConsultation != 8 {
		t.Fatalf("set limits: %+v", c)
	}
	for _, name := range []string{"DSB_MAX_SUPPLEMENTS_PER_COMPLAINT", "DSB_MAX_REPLIES_PER_COMPLAINT", "DSB_MAX_WEBHOOK_ENDPOINTS_PER_PLATFORM", "DSB_MAX_API_KEYS_PER_PLATFORM",
		"DSB_MAX_OPEN_CONSULTATIONS_PER_COMPLAINT", "DSB_MAX_MESSAGES_PER_CONSULTATION"} {
		if _, err := LoadFrom(env(map[string]string{name: "0"})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=0: %v, want refused", name, err)
		}
	}
}

// TestDataKey: production refuses to start without DSB_DATA_KEY, with a short one or with the
// public development key; development falls back to the development key and says so.
func TestDataKey(t *testing.T) {
	prod := func(extra map[string]string) error {
		m := map[string]string{"DSB_ENV": "production", "DSB_JWT_SECRET": strings.Repeat("s", 32)}
		for k, v := range extra {
			m[k] = v
		}
		_, err := LoadFrom(env(m))
		return err
	}
	if err := prod(nil); err == nil || !strings.Contains(err.Error(), "DSB_DATA_KEY is required") {
		t.Fatalf("production without DSB_DATA_KEY: %v", err)
	}
	if err := prod(map[string]string{"DSB_DATA_KEY": "short"}); err == nil {
		t.Fatal("production took a short DSB_DATA_KEY")
	}
	if err := prod(map[string]string{"DSB_DATA_KEY": datakey.DevelopmentSecret}); err == nil {
		t.Fatal("production took the development data key")
	}
	if err := prod(map[string]string{"DSB_DATA_KEY": strings.Repeat("d", 32), "DSB_DATA_KEY_PREVIOUS": strings.Repeat("o", 32)}); err != nil {
		t.Fatalf("production with a key and a previous one: %v", err)
	}
	if _, err := LoadFrom(env(map[string]string{"DSB_DATA_KEY_PREVIOUS": "old"})); err == nil {
		t.Fatal("DSB_DATA_KEY_PREVIOUS without DSB_DATA_KEY was taken")
	}
	c, err := LoadFrom(env(nil))
	if err != nil || !c.DataKeyDevelopment || string(c.DataKey) != datakey.DevelopmentSecret {
		t.Fatalf("development default: %v %v", c, err)
	}
	k, err := c.DataKeys()
	if err != nil || k.KeyID() != datakey.Development().KeyID() {
		t.Fatalf("development keyring: %v", err)
	}
}
