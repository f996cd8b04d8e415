package config

import (
	"errors"
	"fmt"
	"strings"
)

// SMS providers.
const (
	SMSProviderLog     = "log"
	SMSProviderTencent = "tencent"
)

// SMS configures the provider that sends the complainants' text messages.
type SMS struct {
	// Provider is log (the default: messages are logged and their rows say logged) or tencent.
	Provider string
	Tencent  TencentSMS
}

// TencentSMS is Tencent Cloud SMS's settings (DSB_SMS_TENCENT_*).
type TencentSMS struct {
	SecretID, SecretKey string
	SDKAppID, SignName  string
	Region              string
	// Endpoint replaces sms.tencentcloudapi.com (a private endpoint, a test's server).
	Endpoint string
	// Templates are the approved template ids by notification kind.
	Templates map[string]string
}

// smsTemplateVars are the template id variables by notification kind.
var smsTemplateVars = map[string]string{
	"rejected":  "DSB_SMS_TENCENT_TEMPLATE_REJECTED",
	"delivered": "DSB_SMS_TENCENT_TEMPLATE_DELIVERED",
	"replied":   "DSB_SMS_TENCENT_TEMPLATE_REPLIED",
	// The lawyer team's consultations.
	"consultation_assigned": "DSB_SMS_TENCENT_TEMPLATE_CONSULTATION_ASSIGNED",
	"consultation_answered": "DSB_SMS_TENCENT_TEMPLATE_CONSULTATION_ANSWERED",
}

func loadSMS(getenv func(string) string) SMS {
	s := SMS{Provider: strings.TrimSpace(getenv("DSB_SMS_PROVIDER")), Tencent: TencentSMS{
		SecretID: getenv("DSB_SMS_TENCENT_SECRET_ID"), SecretKey: getenv("DSB_SMS_TENCENT_SECRET_KEY"),
		SDKAppID: getenv("DSB_SMS_TENCENT_SDK_APP_ID"), SignName: getenv("DSB_SMS_TENCENT_SIGN_NAME"),
		Region: getenv("DSB_SMS_TENCENT_REGION"), Endpoint: getenv("DSB_SMS_TENCENT_ENDPOINT"),
		Templates: map[string]string{},
	}}
	if s.Provider == "" {
		s.Provider = SMSProviderLog
	}
	for kind, name := range smsTemplateVars {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			s.Tencent.Templates[kind] = v
		}
	}
	return s
}

// validate refuses a provider that cannot send: tencent needs every setting but the endpoint,
// in any environment, so that a missing template id is found at start-up rather than by the
// first complainant who should have had a message.
func (s SMS) validate() error {
	switch s.Provider {
	case SMSProviderLog:
		return nil
	case SMSProviderTencent:
	default:
		return fmt.Errorf("DSB_SMS_PROVIDER=%q: want log or tencent", s.Provider)
	}
	var missing []string
	for _, v := range []struct{ name, value string }{
		{"DSB_SMS_TENCENT_SECRET_ID", s.Tencent.SecretID}, {"DSB_SMS_TENCENT_SECRET_KEY", s.Tencent.SecretKey},
		{"DSB_SMS_TENCENT_SDK_APP_ID", s.Tencent.SDKAppID}, {"DSB_SMS_TENCENT_SIGN_NAME", s.Tencent.SignName},
		{"DSB_SMS_TENCENT_REGION", s.Tencent.Region},
	} {
		if strings.TrimSpace(v.value) == "" {
			missing = append(missing, v.name)
		}
	}
	for _, kind := range []string{"rejected", "delivered", "replied", "consultation_assigned", "consultation_answered"} {
		if s.Tencent.Templates[kind] == "" {
			missing = append(missing, smsTemplateVars[kind])
		}
	}
	if len(missing) > 0 {
		return errors.New("DSB_SMS_PROVIDER=tencent needs " + strings.Join(missing, ", "))
	}
	return nil
}
