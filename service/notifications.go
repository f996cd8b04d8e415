package service

import (
	"context"
	"log/slog"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// SMSSender sends a text message through an SMS provider.
type SMSSender interface {
	SendSMS(ctx context.Context, phone, text string) error
}

// LogSMSSender is the default provider: it sends nothing and logs the message, which the
// notifications table records too.
type LogSMSSender struct{ Log *slog.Logger }

// SendSMS implements SMSSender.
func (s LogSMSSender) SendSMS(ctx context.Context, phone, text string) error {
	s.Log.InfoContext(ctx, "sms", "phone", maskPhone(phone), "text", text)
	return nil
}

// maskPhone keeps logs free of whole phone numbers.
func maskPhone(p string) string {
	if len(p) != 11 {
		return "***"
	}
	return p[:3] + "****" + p[7:]
}

// Notifications sends the complainants' text messages written by complaint changes.
type Notifications struct {
	st     *store.Store
	clock  Clock
	log    *slog.Logger
	sender SMSSender
}

// NotificationView is one notification (API.md section 8).
type NotificationView struct {
	ID          string  `json:"id"`
	ComplaintID string  `json:"complaint_id"`
	Phone       string  `json:"phone" example:"13800138000"`
	Kind        string  `json:"kind" example:"delivered" enums:"rejected,delivered,replied"`
	Text        string  `json:"text" example:"【电诉宝】您的投诉（编号DSB20261126000123）已递交至淘宝，请耐心等待商家与您联系和回复。"`
	Status      string  `json:"status" example:"sent" enums:"pending,sending,sent,failed"`
	CreatedAt   string  `json:"created_at"`
	SentAt      *string `json:"sent_at"`
}

// maxSMSAttempts bounds the retries of a message that the provider keeps refusing.
const maxSMSAttempts = 5

// Send sends the given pending notifications now. Each is claimed first, so a sweep on
// another instance cannot send it a second time.
func (ns *Notifications) Send(ctx context.Context, ids []string) {
	for _, id := range ids {
		n, ok, err := ns.st.ClaimNotification(ctx, id, now(ns.clock))
		if err != nil {
			ns.log.WarnContext(ctx, "notification claim failed", "notification_id", id, "error", err)
			continue
		}
		if !ok {
			continue
		}
		status, lastErr := models.NotificationSent, (*string)(nil)
		if err := ns.sender.SendSMS(ctx, n.Phone, n.Text); err != nil {
			msg := err.Error()
			lastErr = &msg
			status = models.NotificationPending
			if n.Attempts >= maxSMSAttempts {
				status = models.NotificationFailed
			}
			ns.log.WarnContext(ctx, "sms failed", "notification_id", id, "attempt", n.Attempts, "error", err)
		}
		if err := ns.st.FinishNotification(ctx, id, status, lastErr, now(ns.clock)); err != nil {
			ns.log.WarnContext(ctx, "notification update failed", "notification_id", id, "error", err)
		}
	}
}

// Sweep sends what a crash or a provider failure left pending for over a minute.
func (ns *Notifications) Sweep(ctx context.Context) (int, error) {
	ids, err := ns.st.StaleNotificationIDs(ctx, now(ns.clock).Add(-time.Minute), 500)
	if err != nil {
		return 0, err
	}
	ns.Send(ctx, ids)
	return len(ids), nil
}

// List is the admin listing of notifications, newest first, optionally for one phone.
func (ns *Notifications) List(ctx context.Context, phone string, page models.Page) ([]NotificationView, string, error) {
	if phone != "" {
		p, ok := models.NormalizePhone(phone)
		if !ok {
			return nil, "", models.Invalid("phone", "must be a mainland mobile number")
		}
		phone = p
	}
	items, next, err := pageByID(page, func(n *models.Notification) string { return n.ID },
		func(before string, limit int) ([]models.Notification, error) {
			return ns.st.ListNotifications(ctx, phone, before, limit)
		})
	if err != nil {
		return nil, "", err
	}
	out := make([]NotificationView, len(items))
	for i, n := range items {
		out[i] = NotificationView{ID: n.ID, ComplaintID: n.ComplaintID, Phone: n.Phone, Kind: n.Kind, Text: n.Text,
			Status: n.Status, CreatedAt: Ts(n.CreatedAt), SentAt: TsPtr(n.SentAt)}
	}
	return out, next, nil
}

// smsJob is the work-queue row that sends notification n, written in n's transaction.
func smsJob(n *models.Notification) models.Job {
	return models.Job{ID: models.NewID(), Kind: models.JobSMS, State: models.JobAvailable, DueAt: n.CreatedAt,
		Ref: n.ID, Destination: models.DestinationSMS, CreatedAt: n.CreatedAt, UpdatedAt: n.CreatedAt}
}
