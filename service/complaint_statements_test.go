package service

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestCommandStatements counts what each complaint command sends to the database: exactly one
// commit, and no more statements than its budget (with one webhook endpoint subscribed), with
// and without an Idempotency-Key.
func TestCommandStatements(t *testing.T) {
	f := newFixture(t)
	cs := f.svc.Complaints
	n := 0
	orderNo := func() string { n++; return fmt.Sprintf("TB%d", n) }
	// Warm the platform cache, as a running instance has it, and keep it warm on a slow machine.
	cs.platforms.ttl = time.Hour
	warm := f.file(f.consumer, orderNo())
	if _, err := cs.Accept(context.Background(), f.moderator, warm.ID); err != nil {
		t.Fatal(err)
	}
	c := countStatements(t, f.st)
	type step struct {
		name   string
		budget int
		status int
		aud    Audience
		// setup, when set, prepares the complaint to act on, uncounted.
		setup func() string
		run   func(ctx context.Context, id string) (*ComplaintView, error)
	}
	steps := []step{
		{"create", 4, http.StatusCreated, AudienceOwner, nil, func(ctx context.Context, _ string) (*ComplaintView, error) {
			return cs.Create(ctx, f.consumer, f.complaintRequest(orderNo()))
		}},
		{"accept", 12, http.StatusOK, AudienceStaff, nil, func(ctx context.Context, id string) (*ComplaintView, error) {
			return cs.Accept(ctx, f.moderator, id)
		}},
		{"reply", 9, http.StatusCreated, AudiencePlatform, nil, func(ctx context.Context, id string) (*ComplaintView, error) {
			return cs.Reply(ctx, f.platform, id, ReplyRequest{Content: "您好，已为您办理退款。"})
		}},
		{"supplement", 12, http.StatusOK, AudienceOwner, nil, func(ctx context.Context, id string) (*ComplaintView, error) {
			return cs.Supplement(ctx, f.consumer, id, SupplementRequest{Text: "补充：客服电话无人接听。"})
		}},
		{"rate", 15, http.StatusOK, AudienceOwner, nil, func(ctx context.Context, id string) (*ComplaintView, error) {
			return cs.Rate(ctx, f.consumer, id, RatingRequest{Score: 8})
		}},
		{"withdraw", 7, http.StatusOK, AudienceOwner, func() string { return f.file(f.consumer, orderNo()).ID }, func(ctx context.Context, id string) (*ComplaintView, error) {
			return cs.Withdraw(ctx, f.consumer, id, WithdrawRequest{Reason: "已解决"})
		}},
		{"refund-only filing", 11, http.StatusCreated, AudienceOwner, nil, func(ctx context.Context, _ string) (*ComplaintView, error) {
			return cs.CreateRefundOnly(ctx, f.merchant, CreateRefundOnlyRequest{PlatformID: f.platformID, OrderNo: orderNo(),
				ProductName: "有机草莓 500g", RefundAmount: "59.90", Demands: []string{"refund"}, DeclarationAccepted: true,
				Description: "买家签收后以坏果为由申请仅退款，未提供任何照片，平台直接同意退款，商品未退回。"})
		}},
	}
	for _, keyed := range []bool{false, true} {
		id := ""
		for _, s := range steps {
			name := s.name
			if keyed {
				name += " with Idempotency-Key"
			}
			t.Run(name, func(t *testing.T) {
				ctx := context.Background()
				extra := 0
				if keyed {
					ctx, extra = idempotent(s.status), 1
				}
				target := id
				if s.setup != nil {
					target = s.setup()
				}
				c.reset()
				got, err := s.run(ctx, target)
				if err != nil {
					t.Fatal(err)
				}
				if s.name == "create" {
					id = got.ID
				}
				if keyed && IdempotentOf(ctx).Body == nil {
					t.Error("no idempotency record was written with the change")
				}
				statements, commits := c.snapshot()
				t.Logf("%s: %d statements, %d commits:%s", name, len(statements), commits, short(statements))
				if commits != 1 {
					t.Errorf("%d commits, want 1:%s", commits, short(statements))
				}
				if len(statements) > s.budget+extra {
					t.Errorf("%d statements, budget %d:%s", len(statements), s.budget+extra, short(statements))
				}
				for _, q := range statements {
					// The row is written by its changed columns, checked against the version read.
					if strings.HasPrefix(q, "UPDATE `complaints`") && (strings.Contains(q, "`description`") || !strings.Contains(q, "version = ?")) {
						t.Errorf("not a targeted update: %s", q)
					}
				}
				// The answer, built in memory, is what a read of the committed complaint shows.
				want, err := cs.View(context.Background(), got.ID, s.aud)
				if err != nil {
					t.Fatal(err)
				}
				if a, b := mustJSON(t, got), mustJSON(t, want); a != b {
					t.Errorf("answer differs from the stored complaint:\n%s\n%s", a, b)
				}
			})
		}
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
