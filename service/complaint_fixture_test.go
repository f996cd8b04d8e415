package service

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
	"github.com/dianshubao/dianshubao/webhooks"
)

// fixture is the services over a real database with a reachable platform that has one webhook
// endpoint subscribed to every event, a consumer and a merchant.
type fixture struct {
	t          testing.TB
	st         *store.Store
	svc        *Services
	clock      *testkit.Clock
	platformID string
	consumer   *models.Principal
	merchant   *models.Principal
	moderator  *models.Principal
	platform   *models.Principal
}

var fixturePhones atomic.Int64

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureOn(t, testkit.Store(t))
}

func newFixtureOn(t testing.TB, st *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	clock := testkit.NewClock(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	svc := New(st, nil, Options{BcryptCost: 4, Clock: clock,
		Logger: slog.New(slog.DiscardHandler), WebhookPolicy: webhooks.URLPolicy{AllowPrivate: true, AllowInsecure: true}})
	f := &fixture{t: t, st: st, svc: svc, clock: clock,
		moderator: &models.Principal{Kind: models.PrincipalPerson, UserID: "moderator", Role: models.RoleModerator}}
	p, err := svc.Platforms.Create(ctx, CreatePlatformRequest{Name: "淘宝", Slug: fmt.Sprintf("tb%d", fixturePhones.Add(1)),
		Sector: "digital_retail", Tags: []string{"综合电商"}, Onboarded: true, AfterSalesContact: &AfterSalesContact{Phone: "95188"}})
	if err != nil {
		t.Fatalf("create platform: %v", err)
	}
	f.platformID = p.ID
	f.platform = &models.Principal{Kind: models.PrincipalPlatform, PlatformID: p.ID, APIKeyID: "key"}
	if _, err := svc.Webhooks.CreateEndpoint(ctx, f.platform, CreateEndpointRequest{URL: "http://127.0.0.1:9/hook", EventTypes: EventTypes}); err != nil {
		t.Fatalf("create endpoint: %v", err)
	}
	f.consumer = f.person(models.RoleConsumer)
	f.merchant = f.person(models.RoleMerchant)
	return f
}

func (f *fixture) person(role models.Role) *models.Principal {
	f.t.Helper()
	req := RegisterRequest{Role: string(role), Phone: fmt.Sprintf("137%08d", fixturePhones.Add(1)), Password: "password-123", RealName: "张三"}
	if role == models.RoleMerchant {
		shop := "张三的小店"
		req.ShopName = &shop
	}
	sess, err := f.svc.Accounts.Register(context.Background(), req)
	if err != nil {
		f.t.Fatalf("register: %v", err)
	}
	return &models.Principal{Kind: models.PrincipalPerson, UserID: sess.User.ID, Role: role}
}

func (f *fixture) complaintRequest(orderNo string) CreateComplaintRequest {
	req := CreateComplaintRequest{PlatformID: f.platformID, IssueType: "refund", Title: "商品未发货且拒绝退款",
		Description: "11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝，客服不予回复。", Demands: []string{"refund"},
		ContactName: "张三", ContactPhone: "13800138000", DeclarationAccepted: true}
	if orderNo != "" {
		req.OrderNo = &orderNo
	}
	return req
}

func (f *fixture) file(p *models.Principal, orderNo string) *ComplaintView {
	f.t.Helper()
	v, err := f.svc.Complaints.Create(context.Background(), p, f.complaintRequest(orderNo))
	if err != nil {
		f.t.Fatalf("file: %v", err)
	}
	return v
}

// idempotent is the context the API layer builds for a request with an Idempotency-Key.
func idempotent(status int) context.Context {
	return WithIdempotent(context.Background(), &Idempotent{RecordID: models.NewID(), Fingerprint: "fp", Status: status,
		Render: func(v any) ([]byte, error) { return json.Marshal(v) }, Seal: func(b []byte) []byte { return b },
		Expires: time.Now().Add(time.Hour)})
}

// counter counts what reaches the database: every statement and every BEGIN and COMMIT.
type counter struct {
	mu              sync.Mutex
	statements      []string
	begins, commits int
	on              bool
}

func (c *counter) record(q string) {
	c.mu.Lock()
	if c.on {
		c.statements = append(c.statements, q)
	}
	c.mu.Unlock()
}

func (c *counter) reset() {
	c.mu.Lock()
	c.statements, c.begins, c.commits, c.on = nil, 0, 0, true
	c.mu.Unlock()
}

func (c *counter) snapshot() (statements []string, commits int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.statements...), c.commits
}

// countStatements puts a counting connection pool under the store for the rest of the test.
func countStatements(t testing.TB, st *store.Store) *counter {
	db := st.DB()
	inner := db.ConnPool
	c := &counter{}
	pool := &countingPool{inner: inner, c: c}
	db.ConnPool, db.Statement.ConnPool = pool, pool
	t.Cleanup(func() { db.ConnPool, db.Statement.ConnPool = inner, inner })
	return c
}

type countingPool struct {
	inner gorm.ConnPool
	c     *counter
}

func (p *countingPool) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return p.inner.PrepareContext(ctx, q)
}

func (p *countingPool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	p.c.record(q)
	return p.inner.ExecContext(ctx, q, args...)
}

func (p *countingPool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	p.c.record(q)
	return p.inner.QueryContext(ctx, q, args...)
}

func (p *countingPool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	p.c.record(q)
	return p.inner.QueryRowContext(ctx, q, args...)
}

func (p *countingPool) GetDBConn() (*sql.DB, error) {
	if db, ok := p.inner.(*sql.DB); ok {
		return db, nil
	}
	return nil, gorm.ErrInvalidDB
}

func (p *countingPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	var (
		tx  *sql.Tx
		err error
	)
	switch b := p.inner.(type) {
	case gorm.TxBeginner:
		tx, err = b.BeginTx(ctx, opts)
	default:
		return nil, gorm.ErrInvalidTransaction
	}
	if err != nil {
		return nil, err
	}
	p.c.mu.Lock()
	p.c.begins++
	p.c.mu.Unlock()
	return &countingTx{Tx: tx, c: p.c}, nil
}

type countingTx struct {
	*sql.Tx
	c *counter
}

func (t *countingTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	t.c.record(q)
	return t.Tx.ExecContext(ctx, q, args...)
}

func (t *countingTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	t.c.record(q)
	return t.Tx.QueryContext(ctx, q, args...)
}

func (t *countingTx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	t.c.record(q)
	return t.Tx.QueryRowContext(ctx, q, args...)
}

func (t *countingTx) Commit() error {
	t.c.mu.Lock()
	if t.c.on {
		t.c.commits++
	}
	t.c.mu.Unlock()
	return t.Tx.Commit()
}

func short(statements []string) string {
	var b strings.Builder
	for _, s := range statements {
		if len(s) > 90 {
			s = s[:90]
		}
		b.WriteString("\n  " + s)
	}
	return b.String()
}
