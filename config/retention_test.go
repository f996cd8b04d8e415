package config

import (
	"strings"
	"testing"
	"time"
)

func TestRetention(t *testing.T) {
	c, err := LoadFrom(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	events, attempts, sms, jobs := c.Retention()
	if events != 30*24*time.Hour || attempts != 180*24*time.Hour || sms != 180*24*time.Hour || jobs != 7*24*time.Hour || c.RetainBatch != 1000 {
		t.Fatalf("default retention: %v %v %v %v, batch %d", events, attempts, sms, jobs, c.RetainBatch)
	}
	c, err = LoadFrom(env(map[string]string{"DSB_RETAIN_EVENT_PAYLOAD_DAYS": "10", "DSB_RETAIN_ATTEMPTS_DAYS": "20",
		"DSB_RETAIN_SMS_DAYS": "30", "DSB_RETAIN_JOBS_DAYS": "1", "DSB_RETAIN_BATCH": "500"}))
	if err != nil {
		t.Fatal(err)
	}
	events, attempts, sms, jobs = c.Retention()
	if events != 10*24*time.Hour || attempts != 20*24*time.Hour || sms != 30*24*time.Hour || jobs != 24*time.Hour || c.RetainBatch != 500 {
		t.Fatalf("set retention: %v %v %v %v, batch %d", events, attempts, sms, jobs, c.RetainBatch)
	}
	for _, name := range []string{"DSB_RETAIN_EVENT_PAYLOAD_DAYS", "DSB_RETAIN_ATTEMPTS_DAYS", "DSB_RETAIN_SMS_DAYS", "DSB_RETAIN_JOBS_DAYS", "DSB_RETAIN_BATCH"} {
		for _, v := range []string{"0", "-1", "x"} {
			if _, err := LoadFrom(env(map[string]string{name: v})); err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%s=%s: %v, want refused", name, v, err)
			}
		}
	}
	// The delivery log dates the payloads, and a redelivery finds its endpoints there.
	if _, err := LoadFrom(env(map[string]string{"DSB_RETAIN_EVENT_PAYLOAD_DAYS": "60", "DSB_RETAIN_ATTEMPTS_DAYS": "30"})); err == nil ||
		!strings.Contains(err.Error(), "DSB_RETAIN_ATTEMPTS_DAYS") {
		t.Errorf("attempts kept shorter than payloads: %v, want refused", err)
	}
	if _, err := LoadFrom(env(map[string]string{"DSB_RETAIN_BATCH": "100000"})); err == nil || !strings.Contains(err.Error(), "DSB_RETAIN_BATCH") {
		t.Errorf("huge batch: %v, want refused", err)
	}
}
