// Package sms holds the SMS providers that implement service.SMSSender beside the default
// logging one.
package sms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	tc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"

	"github.com/dianshubao/dianshubao/service"
)

// TencentEndpoint is Tencent Cloud SMS's API host.
const TencentEndpoint = "sms.tencentcloudapi.com"

// The SendSms API, version 2021-01-11.
const (
	tencentService = "sms"
	tencentVersion = "2021-01-11"
	tencentAction  = "SendSms"
)

// TencentConfig configures Tencent Cloud SMS.
type TencentConfig struct {
	SecretID, SecretKey string
	// SDKAppID is the SMS application (SmsSdkAppId); SignName the approved sign (电诉宝, which
	// the provider shows as 【电诉宝】).
	SDKAppID, SignName string
	// Region is the API region (ap-guangzhou, ap-beijing, ap-nanjing).
	Region string
	// Endpoint replaces TencentEndpoint: a host, or a URL whose scheme may be http (a private
	// endpoint, or a test's server).
	Endpoint string
	// Templates are the approved template ids, one per notification kind; each template's
	// body is service.SMSTemplates' for the kind.
	Templates map[string]string
	// Timeout bounds one request (default 15 s).
	Timeout time.Duration
}

// Tencent sends text messages through Tencent Cloud SMS's SendSms, signed TC3-HMAC-SHA256 by
// the official SDK's common client.
type Tencent struct {
	client *tc.Client
	cfg    TencentConfig
	log    *slog.Logger
}

// NewTencent builds the provider; it makes no request.
func NewTencent(cfg TencentConfig, log *slog.Logger) (*Tencent, error) {
	if cfg.Timeout == 0 {
		cfg.Timeout = 15 * time.Second
	}
	prof := profile.NewClientProfile()
	prof.HttpProfile.ReqMethod = "POST"
	prof.HttpProfile.ReqTimeout = max(int(cfg.Timeout/time.Second), 1)
	prof.HttpProfile.Endpoint = TencentEndpoint
	if cfg.Endpoint != "" {
		host, scheme, err := endpoint(cfg.Endpoint)
		if err != nil {
			return nil, err
		}
		prof.HttpProfile.Endpoint, prof.HttpProfile.Scheme = host, scheme
	}
	client := &tc.Client{}
	client.Init(cfg.Region).WithCredential(tc.NewCredential(cfg.SecretID, cfg.SecretKey)).WithProfile(prof).
		WithHttpTransport(serverErrors{http.DefaultTransport})
	return &Tencent{client: client, cfg: cfg, log: log}, nil
}

// endpoint splits "http://host:port" into the SDK's host and scheme; a bare host is https.
func endpoint(e string) (host, scheme string, err error) {
	if !strings.Contains(e, "://") {
		return e, "HTTPS", nil
	}
	u, err := url.Parse(e)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || (u.Path != "" && u.Path != "/") {
		return "", "", fmt.Errorf("sms endpoint %q: want a host or an http(s)://host[:port] URL", e)
	}
	return u.Host, strings.ToUpper(u.Scheme), nil
}

// serverErrors turns a 5xx answer into an error that names its status (the SDK would report
// a gateway's HTML page as unparsable JSON); the sms job tries the message again later.
type serverErrors struct{ next http.RoundTripper }

func (t serverErrors) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err == nil && resp.StatusCode >= 500 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		return nil, fmt.Errorf("server error: HTTP %d", resp.StatusCode)
	}
	return resp, err
}

// sendSmsRequest is SendSms's request (API version 2021-01-11), as the SDK's sms package
// declares it.
type sendSmsRequest struct {
	*tchttp.BaseRequest
	PhoneNumberSet   []string `json:"PhoneNumberSet"`
	SmsSdkAppId      string   `json:"SmsSdkAppId"`
	TemplateId       string   `json:"TemplateId"`
	SignName         string   `json:"SignName,omitempty"`
	TemplateParamSet []string `json:"TemplateParamSet,omitempty"`
	SessionContext   string   `json:"SessionContext,omitempty"`
}

// sendSmsResponse is its answer: one SendStatus per number.
type sendSmsResponse struct {
	*tchttp.BaseResponse
	Response *struct {
		SendStatusSet []struct {
			SerialNo    string `json:"SerialNo"`
			PhoneNumber string `json:"PhoneNumber"`
			Fee         uint64 `json:"Fee"`
			Code        string `json:"Code"`
			Message     string `json:"Message"`
		} `json:"SendStatusSet"`
		RequestId string `json:"RequestId"`
	} `json:"Response"`
}

// undeliverable are the codes (of the whole request, or of the number's SendStatus) that no
// retry can change: the number is malformed or on the do-not-disturb list, or the message
// itself breaks the rules (sensitive words, parameters the template refuses, too long). A
// message refused with one of them fails at once; every other refusal (limits, unapproved
// sign or template, credentials, 5xx, network) is an attempt the queue tries again.
var undeliverable = map[string]bool{
	"InvalidParameterValue.IncorrectPhoneNumber":                      true,
	"FailedOperation.PhoneNumberInBlacklist":                          true,
	"FailedOperation.PhoneNumberParseFail":                            true,
	"FailedOperation.ContainSensitiveWord":                            true,
	"InvalidParameterValue.ContentLengthLimit":                        true,
	"InvalidParameterValue.TemplateParameterFormatError":              true,
	"InvalidParameterValue.TemplateParameterLengthLimit":              true,
	"InvalidParameterValue.ProhibitedUseUrlInTemplateParameter":       true,
	"UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber": true,
}

// SendSMS implements service.SMSSender: the kind's template with the message's parameters,
// to the number in E.164.
func (t *Tencent) SendSMS(ctx context.Context, m service.SMSMessage) (service.SMSReceipt, error) {
	tpl := t.cfg.Templates[m.Kind]
	if tpl == "" {
		return service.SMSReceipt{}, fmt.Errorf("tencent sms: no template id for kind %q", m.Kind)
	}
	if m.Params == nil {
		return service.SMSReceipt{}, fmt.Errorf("%w: the notification was written without template parameters", service.ErrSMSUndeliverable)
	}
	req := &sendSmsRequest{BaseRequest: &tchttp.BaseRequest{}, PhoneNumberSet: []string{"+86" + m.Phone},
		SmsSdkAppId: t.cfg.SDKAppID, TemplateId: tpl, SignName: t.cfg.SignName, TemplateParamSet: m.Params,
		SessionContext: m.NotificationID}
	req.Init().WithApiInfo(tencentService, tencentVersion, tencentAction)
	req.SetContext(ctx)
	resp := &sendSmsResponse{BaseResponse: &tchttp.BaseResponse{}}
	if err := t.client.Send(req, resp); err != nil {
		var sdkErr *tcerr.TencentCloudSDKError
		if errors.As(err, &sdkErr) && undeliverable[sdkErr.Code] {
			return service.SMSReceipt{}, fmt.Errorf("%w: tencent sms %s: %s", service.ErrSMSUndeliverable, sdkErr.Code, sdkErr.Message)
		}
		return service.SMSReceipt{}, fmt.Errorf("tencent sms: %w", err)
	}
	if resp.Response == nil || len(resp.Response.SendStatusSet) != 1 {
		return service.SMSReceipt{}, errors.New("tencent sms: the answer has no send status for the number")
	}
	st := resp.Response.SendStatusSet[0]
	if st.Code != "Ok" {
		err := fmt.Errorf("tencent sms refused %s (request %s): %s: %s", service.MaskPhone(m.Phone), resp.Response.RequestId, st.Code, st.Message)
		if undeliverable[st.Code] {
			err = fmt.Errorf("%w: %w", service.ErrSMSUndeliverable, err)
		}
		return service.SMSReceipt{}, err
	}
	t.log.DebugContext(ctx, "tencent sms accepted", "notification_id", m.NotificationID, "serial_no", st.SerialNo,
		"request_id", resp.Response.RequestId, "fee", st.Fee)
	return service.SMSReceipt{Ref: st.SerialNo}, nil
}
