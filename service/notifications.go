package service

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/dianshubao/dianshubao/internal/batch"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
	"github.com/dianshubao/dianshubao/store"
)

// SMSMessage is one text message: the rendered text the complainant reads, and the same
// message as a provider's registered template takes it (SMSTemplates).
type SMSMessage struct {
	// NotificationID identifies the message in logs and at the provider (its session context).
	NotificationID string
	Phone          string
	// Kind is the notification kind, which picks the template.
	Kind string
	// Text is the rendered message, sign included; Params fill Kind's template in order.
	Text   string
	Params []string
}

// SMSReceipt is what a provider says of a message it accepted.
type SMSReceipt struct {
	// Logged is true when nothing was sent and the message was only written to the log.
	Logged bool
	// Ref is the provider's id for the message (Tencent's SerialNo), for its delivery reports.
	Ref string
}

// SMSSender sends a text message through an SMS provider. An error is a failed attempt, which
// the sms job tries again later; an error wrapping ErrSMSUndeliverable fails the message at
// once.
type SMSSender interface {
	SendSMS(ctx context.Context, m SMSMessage) (SMSReceipt, error)
}

// ErrSMSUndeliverable marks a refusal that trying again cannot change: the number is not a
// valid one or is on the provider's blocklist, or the message breaks the template's rules.
var ErrSMSUndeliverable = errors.New("sms undeliverable")

// LogSMSSender is the default provider: it sends nothing and logs the message, which the
// notifications table records with the status logged.
type LogSMSSender struct{ Log *slog.Logger }

// SendSMS implements SMSSender.
func (s LogSMSSender) SendSMS(ctx context.Context, m SMSMessage) (SMSReceipt, error) {
	s.Log.InfoContext(ctx, "sms logged, not sent", "notification_id", m.NotificationID, "phone", MaskPhone(m.Phone),
		"kind", m.Kind, "text", m.Text)
	return SMSReceipt{Logged: true}, nil
}

// MaskPhone keeps logs free of whole phone numbers.
func MaskPhone(p string) string {
	if len(p) != 11 {
		return "***"
	}
	return p[:3] + "****" + p[7:]
}

// Notifications sends the complainants' text messages written by complaint changes, each
// through its sms job.
type Notifications struct {
	st     *store.Store
	clock  Clock
	log    *slog.Logger
	sender SMSSender
	// notes reads the messages of concurrent jobs together.
	notes *batch.Loader[string, models.Notification]
}

func newNotifications(st *store.Store, clock Clock, log *slog.Logger, sender SMSSender) *Notifications {
	return &Notifications{st: st, clock: clock, log: log, sender: sender, notes: &batch.Loader[string, models.Notification]{
		Timeout: 10 * time.Second,
		Fetch: func(ctx context.Context, ids []string) (map[string]models.Notification, error) {
			ns, err := st.NotificationsByIDs(ctx, ids)
			out := make(map[string]models.Notification, len(ns))
			for _, n := range ns {
				out[n.ID] = n
			}
			return out, err
		}}}
}

// NotificationView is one notification (API.md section 8).
type NotificationView struct {
	ID          string `json:"id"`
	ComplaintID string `json:"complaint_id"`
	Phone       string `json:"phone" example:"13800138000"`
	Kind        string `json:"kind" example:"delivered" enums:"rejected,delivered,replied,consultation_assigned,consultation_answered"`
	Text        string `json:"text" example:"【电诉宝】您的投诉（编号DSB20261126000123）已递交至淘宝，请耐心等待商家与您联系和回复。"`
	// pending: not sent yet, or waiting for another attempt; sent: the SMS provider accepted
	// it; logged: the default provider only logged it, nobody received it; failed: refused
	// for good.
	Status    string  `json:"status" example:"sent" enums:"pending,sent,logged,failed"`
	CreatedAt string  `json:"created_at" format:"date-time"`
	SentAt    *string `json:"sent_at" extensions:"x-nullable" format:"date-time"`
}

// maxSMSAttempts bounds the attempts at a message that the provider keeps refusing.
const maxSMSAttempts = 5

// smsRetryAfter is the wait after a refused attempt (the first, second, …): 30 s doubling.
func smsRetryAfter(attempt int) time.Duration {
	return 30 * time.Second << min(attempt-1, 10)
}

// sendJob is the handler of sms jobs: it sends the notification the job refers to, outside
// any transaction, and marks it in the transaction that records the attempt. A message that
// is no longer pending (sent by an earlier run of the job whose record came late) is not sent
// again. The attempts are counted on the notification, so the limit holds however often the
// job itself was claimed.
func (ns *Notifications) sendJob(ctx context.Context, job *models.Job) queue.Result {
	n, found, err := ns.notes.Load(ctx, job.Ref)
	if err == nil && !found {
		if res, ok := queue.Unseen(job, now(ns.clock), "notification "+job.Ref); ok {
			return res
		}
		return queue.Result{State: models.JobDiscarded, Error: "notification " + job.Ref + " does not exist"}
	}
	if err != nil {
		return queue.Result{State: models.JobAvailable, DueAt: now(ns.clock).Add(smsRetryAfter(1)), Error: err.Error()}
	}
	if n.Status != models.NotificationPending {
		return queue.Result{State: models.JobCompleted}
	}
	receipt, err := ns.sender.SendSMS(ctx, SMSMessage{NotificationID: n.ID, Phone: n.Phone, Kind: n.Kind, Text: n.Text,
		Params: n.Params})
	t := now(ns.clock)
	if err != nil {
		attempt, msg := n.Attempts+1, err.Error()
		ns.log.WarnContext(ctx, "sms failed", "notification_id", n.ID, "attempt", attempt, "error", err)
		status, state := models.NotificationPending, models.JobAvailable
		if attempt >= maxSMSAttempts || errors.Is(err, ErrSMSUndeliverable) {
			status, state = models.NotificationFailed, models.JobDiscarded
		}
		return queue.Result{State: state, DueAt: t.Add(smsRetryAfter(attempt)), Error: msg, Failure: true,
			Apply: func(ctx context.Context, tx *store.Store) error {
				return tx.RecordNotificationFailure(ctx, n.ID, status, msg)
			}}
	}
	status := models.NotificationSent
	if receipt.Logged {
		status = models.NotificationLogged
	} else {
		ns.log.InfoContext(ctx, "sms sent", "notification_id", n.ID, "attempt", n.Attempts+1, "ref", receipt.Ref)
	}
	// The messages recorded together are marked in one statement per status.
	return queue.Result{State: models.JobCompleted, Grouped: &queue.Grouped{Key: "sms_sent:" + status,
		Arg: store.SentNotification{ID: n.ID, At: t}, Write: func(ctx context.Context, tx *store.Store, args []any) error {
			sent := make([]store.SentNotification, len(args))
			for i, a := range args {
				sent[i] = a.(store.SentNotification)
			}
			return tx.MarkNotificationsSent(ctx, status, sent)
		}}}
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
