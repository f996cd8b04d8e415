package sms_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/tencentfake"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
	"github.com/dianshubao/dianshubao/sms"
)

const secretID, secretKey = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"

func tencent(t *testing.T, srv *tencentfake.Server, key string) *sms.Tencent {
	t.Helper()
	s, err := sms.NewTencent(sms.TencentConfig{SecretID: secretID, SecretKey: key, SDKAppID: "1400006666",
		SignName: "电诉宝", Region: "ap-guangzhou", Endpoint: srv.URL,
		Templates: map[string]string{models.NotifyRejected: "2001", models.NotifyDelivered: "2002", models.NotifyReplied: "2003"}},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var delivered = service.SMSMessage{NotificationID: "n1", Phone: "13800138000", Kind: models.NotifyDelivered,
	Text: "【电诉宝】您的投诉（编号DSB20261126000001）已递交至淘宝，请耐心等待商家与您联系和回复。", Params: []string{"DSB20261126000001", "淘宝"}}

// TestTencentSendsTheSignedTemplate: the SDK's request carries a TC3-HMAC-SHA256 signature
// that the server verifies independently, and the kind's template id, the sign, the number in
// E.164 and the parameters in order; the provider's serial number is the receipt.
func TestTencentSendsTheSignedTemplate(t *testing.T) {
	srv := tencentfake.New(t, secretID, secretKey)
	receipt, err := tencent(t, srv, secretKey).SendSMS(context.Background(), delivered)
	if err != nil {
		t.Fatalf("send: %v (refused: %v)", err, srv.Refused())
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if !slices.Equal(r.PhoneNumberSet, []string{"+8613800138000"}) || r.SmsSdkAppId != "1400006666" || r.TemplateId != "2002" ||
		r.SignName != "电诉宝" || !slices.Equal(r.TemplateParamSet, delivered.Params) || r.SessionContext != "n1" || r.Region != "ap-guangzhou" {
		t.Fatalf("request: %+v", r)
	}
	if receipt.Logged || receipt.Ref != "2433:1" {
		t.Fatalf("receipt: %+v", receipt)
	}
}

// TestTencentFakeChecksTheSignature: the same request signed with another key is refused as
// AuthFailure.SignatureFailure, and so is a body changed after signing, so the server's check
// is a real one.
func TestTencentFakeChecksTheSignature(t *testing.T) {
	srv := tencentfake.New(t, secretID, secretKey)
	_, err := tencent(t, srv, "another-key").SendSMS(context.Background(), delivered)
	if err == nil || !strings.Contains(err.Error(), "AuthFailure.SignatureFailure") || errors.Is(err, service.ErrSMSUndeliverable) {
		t.Fatalf("a request signed with another key: %v", err)
	}
	if len(srv.Requests()) != 0 || len(srv.Refused()) != 1 {
		t.Fatalf("accepted %d, refused %v", len(srv.Requests()), srv.Refused())
	}

	// Capture a correctly signed request, then change one byte of its body.
	var captured *http.Request
	var body []byte
	capture := tencentfake.New(t, secretID, secretKey)
	capture.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		captured = r.Clone(context.Background())
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"Response":{"SendStatusSet":[{"Code":"Ok","SerialNo":"1"}],"RequestId":"x"}}`)
	})
	if _, err := tencent(t, capture, secretKey).SendSMS(context.Background(), delivered); err != nil {
		t.Fatal(err)
	}
	if err := tencentfake.Verify(captured, body, secretID, secretKey, time.Now()); err != nil {
		t.Fatalf("the SDK's own request does not verify: %v", err)
	}
	tampered := bytes.Replace(body, []byte("13800138000"), []byte("13900139000"), 1)
	if err := tencentfake.Verify(captured, tampered, secretID, secretKey, time.Now()); err == nil {
		t.Fatal("a changed body verified")
	}
	if err := tencentfake.Verify(captured, body, secretID, secretKey, time.Now().Add(10*time.Minute)); err == nil {
		t.Fatal("a ten-minute-old signature verified")
	}
}

// TestTencentRefusals: a number's SendStatus other than Ok is a failed attempt; a 5xx and a
// request-wide error are attempts to try again; a malformed or blocked number, and a message
// without template parameters, are undeliverable (no retry can change them).
func TestTencentRefusals(t *testing.T) {
	cases := []struct {
		answer        tencentfake.Answer
		undeliverable bool
		says          string
	}{
		{tencentfake.Answer{Code: "LimitExceeded.PhoneNumberDailyLimit"}, false, "LimitExceeded.PhoneNumberDailyLimit"},
		{tencentfake.Answer{Code: "InvalidParameterValue.IncorrectPhoneNumber"}, true, "IncorrectPhoneNumber"},
		{tencentfake.Answer{Code: "FailedOperation.PhoneNumberInBlacklist"}, true, "PhoneNumberInBlacklist"},
		{tencentfake.Answer{Status: http.StatusBadGateway, Body: "<html>502 Bad Gateway</html>"}, false, "HTTP 502"},
		{tencentfake.Answer{Status: http.StatusServiceUnavailable, Body: `{"Response":{}}`}, false, "HTTP 503"},
		{tencentfake.Answer{Error: "InternalError.Timeout"}, false, "InternalError.Timeout"},
		{tencentfake.Answer{Error: "FailedOperation.TemplateIncorrectOrUnapproved"}, false, "TemplateIncorrectOrUnapproved"},
		{tencentfake.Answer{Error: "InvalidParameterValue.IncorrectPhoneNumber"}, true, "IncorrectPhoneNumber"},
	}
	for _, c := range cases {
		srv := tencentfake.New(t, secretID, secretKey)
		srv.Script(c.answer)
		_, err := tencent(t, srv, secretKey).SendSMS(context.Background(), delivered)
		if err == nil || errors.Is(err, service.ErrSMSUndeliverable) != c.undeliverable || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: %v (undeliverable %v)", c.answer, err, errors.Is(err, service.ErrSMSUndeliverable))
		}
		if strings.Contains(err.Error(), "13800138000") {
			t.Errorf("the error names the whole number: %v", err)
		}
	}
	srv := tencentfake.New(t, secretID, secretKey)
	old := delivered
	old.Params = nil
	if _, err := tencent(t, srv, secretKey).SendSMS(context.Background(), old); !errors.Is(err, service.ErrSMSUndeliverable) || len(srv.Requests()) != 0 {
		t.Fatalf("a message without parameters: %v", err)
	}
}

func TestTencentEndpoint(t *testing.T) {
	for _, bad := range []string{"ftp://x", "http://", "http://host/path", "://x"} {
		if _, err := sms.NewTencent(sms.TencentConfig{Endpoint: bad}, slog.Default()); err == nil {
			t.Errorf("endpoint %q accepted", bad)
		}
	}
	for _, good := range []string{"sms.internal.example", "https://sms.tencentcloudapi.com", "http://127.0.0.1:8080/"} {
		if _, err := sms.NewTencent(sms.TencentConfig{Endpoint: good}, slog.Default()); err != nil {
			t.Errorf("endpoint %q: %v", good, err)
		}
	}
}
