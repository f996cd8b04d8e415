package main

import (
	"log/slog"

	"github.com/dianshubao/dianshubao/config"
	"github.com/dianshubao/dianshubao/service"
	"github.com/dianshubao/dianshubao/sms"
)

// smsSender builds the configured SMS provider: Tencent Cloud SMS, or nil for the default
// that only logs (and says so, since nobody receives those messages).
func smsSender(cfg *config.Config, log *slog.Logger) (service.SMSSender, error) {
	if cfg.SMS.Provider != config.SMSProviderTencent {
		if cfg.Production() {
			log.Warn("DSB_SMS_PROVIDER is log: complainants' text messages are only logged, not sent")
		}
		return nil, nil
	}
	t := cfg.SMS.Tencent
	log.Info("sms provider", "provider", "tencent", "region", t.Region, "sdk_app_id", t.SDKAppID)
	return sms.NewTencent(sms.TencentConfig{SecretID: t.SecretID, SecretKey: t.SecretKey, SDKAppID: t.SDKAppID,
		SignName: t.SignName, Region: t.Region, Endpoint: t.Endpoint, Templates: t.Templates}, log)
}
