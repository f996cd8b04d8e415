package service

import "github.com/dianshubao/dianshubao/models"

// ComplaintEvent is the body of every complaint.* webhook (API.md section 6): the complaint as
// the platform's API shows it, at the moment of the event.
type ComplaintEvent struct {
	// ID is the event's id, also sent as webhook-id, the same on every retry.
	ID        string             `json:"id" example:"evt_0193a1b2c3d4e5f60718293a4b5c6d7e"`
	Type      string             `json:"type" example:"complaint.delivered" enums:"complaint.delivered,complaint.supplemented,complaint.rated,complaint.withdrawn,complaint.completed"`
	CreatedAt string             `json:"created_at" format:"date-time" example:"2026-11-26T08:00:00Z"`
	Data      ComplaintEventData `json:"data"`
}

// ComplaintEventData holds the complaint an event is about, bounded whatever its history
// (complaintEventBody), and where to read it whole.
type ComplaintEventData struct {
	// Complaint is the platform's view, bounded: `supplements` and `replies` hold only the latest 20 of each (oldest first), fewer if the whole body would pass 512 KiB (the oldest are left out first); `supplement_count` and `reply_count` are the totals.
	Complaint ComplaintView `json:"complaint"`
	// URL is the path, on this API, of the whole complaint (GET with the platform's API key).
	URL string `json:"url" example:"/api/v1/platform/complaints/0193a1b2c3d4e5f60718293a4b5c6d7f"`
}

// TestEvent is the body of a webhook.test event.
type TestEvent struct {
	ID        string        `json:"id" example:"evt_0193a1b2c3d4e5f60718293a4b5c6d7e"`
	Type      string        `json:"type" example:"webhook.test" enums:"webhook.test"`
	CreatedAt string        `json:"created_at" format:"date-time" example:"2026-11-26T08:00:00Z"`
	Data      TestEventData `json:"data"`
}

// TestEventData is a test event's fixed message.
type TestEventData struct {
	Message string `json:"message" example:"这是一条测试事件 (a test event from 电诉宝)"`
}

const testEventMessage = "这是一条测试事件 (a test event from 电诉宝)"

// EventTypeInfo says when an event type is sent, and which body it has.
type EventTypeInfo struct {
	Type string
	// Body is the definition of the body in the API document.
	Body        string
	Description string
}

// EventTypeCatalogue is every webhook event type, in the order of the README's table.
var EventTypeCatalogue = []EventTypeInfo{
	{models.EventComplaintDelivered, "service.ComplaintEvent", "the complaint reached the platform: a moderator accepted it while the platform was reachable, it waited in `awaiting_contact` and the platform became reachable, or a refund-only complaint passed screening; `delivered_at` starts the reply clock"},
	{models.EventComplaintSupplemented, "service.ComplaintEvent", "the complainant added a supplement to a delivered or replied complaint; it is the last of `supplements`"},
	{models.EventComplaintRated, "service.ComplaintEvent", "the complainant rated the platform's reply (1–10, in `rating`); `complaint.completed` follows"},
	{models.EventComplaintWithdrawn, "service.ComplaintEvent", "the complainant withdrew a complaint the platform had received"},
	{models.EventComplaintCompleted, "service.ComplaintEvent", "the complaint is closed: rated, or not rated within DSB_AUTO_COMPLETE_AFTER (15 days) of the first reply"},
	{models.EventWebhookTest, "service.TestEvent", "sent on request by `POST /api/v1/platform/webhook-endpoints/{id}/test`, to that endpoint only; it carries a fixed message and no complaint"},
}

// ExampleComplaintEvent is a complaint.delivered body as a platform receives it.
func ExampleComplaintEvent() ComplaintEvent {
	str := func(s string) *string { return &s }
	return ComplaintEvent{ID: "evt_0193a1b2c3d4e5f60718293a4b5c6d7e", Type: models.EventComplaintDelivered, CreatedAt: "2026-11-26T09:30:00Z",
		Data: ComplaintEventData{Complaint: ComplaintView{
			ID: "0193a1b2c3d4e5f60718293a4b5c6d7f", Number: "DSB20261126000123", Channel: string(models.ChannelConsumer),
			ComplainantType: "consumer", Status: string(models.StatusDelivered), StatusLabel: models.StatusLabels[models.StatusDelivered],
			Platform:  PlatformRef{ID: "0193a1b2c3d4e5f60718293a4b5c6d80", Name: "淘宝", Slug: "taobao"},
			IssueType: str("refund"), Title: str("商品未发货且拒绝退款"),
			Description: "11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝，客服不予回复。",
			OrderNo:     str("TB2026112612345"), Amount: str("199.00"), Demands: []string{"refund"},
			ContactName: "张三", ContactPhone: "13800138000",
			Evidence: []EvidenceView{{ID: "0193a5c2e4f87a01b2c3d4e5f6a7b8c9", Filename: "订单截图.png", ContentType: "image/png",
				Size: 48213, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}},
			Supplements: []SupplementView{}, Replies: []ReplyView{},
			CreatedAt: "2026-11-26T08:00:00Z", DeliveredAt: str("2026-11-26T09:30:00Z"), ReplyDueAt: str("2026-12-03T09:30:00Z"),
			UpdatedAt: "2026-11-26T09:30:00Z", Version: 3,
		}, URL: PlatformComplaintPath("0193a1b2c3d4e5f60718293a4b5c6d7f")}}
}

// ExampleTestEvent is a webhook.test body.
func ExampleTestEvent() TestEvent {
	return TestEvent{ID: "evt_0193a1b2c3d4e5f60718293a4b5c6d81", Type: models.EventWebhookTest, CreatedAt: "2026-11-26T08:00:00Z",
		Data: TestEventData{Message: testEventMessage}}
}
