package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// TestReachabilityChangesCommitWithTheirRecords: each change that may make a platform
// reachable writes its deliver_awaiting job and its idempotency record in its own
// transaction, so a change whose record cannot be written leaves neither the change nor the
// job behind.
func TestReachabilityChangesCommitWithTheirRecords(t *testing.T) {
	w := newWorld(t)
	pid := w.createPlatform(w.admin, "xianyu", map[string]any{"onboarded": true})["id"].(string)
	rc := newReceiver(t)
	platform := &models.Principal{Kind: models.PrincipalPlatform, PlatformID: pid}
	ep, err := w.svc.Webhooks.CreateEndpoint(context.Background(), platform, service.CreateEndpointRequest{URL: rc.URL, EventTypes: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	name := "新名字"
	enabled := true
	commands := map[string]func(ctx context.Context) (any, error){
		"api key": func(ctx context.Context) (any, error) {
			k, _, err := w.svc.Platforms.CreateAPIKey(ctx, pid, service.CreateAPIKeyRequest{Name: "production"})
			return k, err
		},
		"platform": func(ctx context.Context) (any, error) {
			return w.svc.Platforms.Update(ctx, pid, service.UpdatePlatformRequest{Name: &name})
		},
		"new endpoint": func(ctx context.Context) (any, error) {
			return w.svc.Webhooks.CreateEndpoint(ctx, platform, service.CreateEndpointRequest{URL: rc.URL + "/2", EventTypes: []string{}})
		},
		"endpoint": func(ctx context.Context) (any, error) {
			return w.svc.Webhooks.UpdateEndpoint(ctx, platform, ep.ID, service.UpdateEndpointRequest{Enabled: &enabled})
		},
	}
	seen := map[string]any{}
	intent := func(id string) *service.Idempotent {
		return &service.Idempotent{RecordID: id, Fingerprint: "fp", Status: http.StatusOK,
			Render: func(v any) ([]byte, error) { seen[id] = v; return json.Marshal(map[string]string{"ok": id}) },
			Seal:   func(b []byte) []byte { return b }, Expires: w.clock.Now().Add(24 * time.Hour)}
	}
	counts := func() (jobs, keys, endpoints int64) {
		w.st.DB().Model(&models.Job{}).Where("kind = ? AND ref = ?", models.JobDeliverAwaiting, pid).Count(&jobs)
		w.st.DB().Model(&models.APIKey{}).Where("platform_id = ?", pid).Count(&keys)
		w.st.DB().Model(&models.WebhookEndpoint{}).Where("platform_id = ?", pid).Count(&endpoints)
		return
	}
	for name, run := range commands {
		t.Run(name, func(t *testing.T) {
			taken := intent("taken-" + name)
			if _, err := run(service.WithIdempotent(context.Background(), taken)); err != nil {
				t.Fatal(err)
			}
			var rec models.IdempotencyRecord
			if err := w.st.DB().Where("id = ?", taken.RecordID).Take(&rec).Error; err != nil || string(taken.Body) != `{"ok":"taken-`+name+`"}` {
				t.Fatalf("record of the command: %v, body %s", err, taken.Body)
			}
			jobs, keys, endpoints := counts()
			// The same record again: the transaction, job and change included, rolls back.
			_, err := run(service.WithIdempotent(context.Background(), intent(taken.RecordID)))
			if !errors.Is(err, service.ErrIdempotencyKeyInUse) {
				t.Fatalf("a second command with the record taken: %v", err)
			}
			if j, k, e := counts(); j != jobs || k != keys || e != endpoints {
				t.Fatalf("a rolled-back command left jobs %d→%d, keys %d→%d, endpoints %d→%d", jobs, j, keys, k, endpoints, e)
			}
		})
	}
	if _, ok := seen["taken-api key"].(service.IssuedAPIKey); !ok {
		t.Fatalf("an API key's response renders from %T, want service.IssuedAPIKey", seen["taken-api key"])
	}
	if jobs, _, _ := counts(); jobs < 5 {
		t.Fatalf("%d deliver_awaiting jobs, want one per committed change", jobs)
	}
}
