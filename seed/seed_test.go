package seed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"regexp"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

func month(t *testing.T, s string) models.Period {
	t.Helper()
	p, err := models.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var numberRe = regexp.MustCompile(`^DSB(\d{8})(\d{6})$`)

// TestRunSeedsConsistentData seeds 20 platforms and 3000 complaints on a real database and
// checks that the rows obey the service's rules and feed the rating lists.
func TestRunSeedsConsistentData(t *testing.T) {
	ctx := context.Background()
	st := testkit.Store(t)
	db := st.DB()
	asOf := time.Date(2026, 6, 20, 12, 0, 0, 0, models.ChinaTime)
	opts := Options{Platforms: 20, Complaints: 3000, Consumers: 50, Seed: 3, From: month(t, "2026-01"), To: month(t, "2026-06"),
		AsOf: asOf, BcryptCost: bcrypt.MinCost, Cases: 3}
	sum, err := Run(ctx, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkSeededCases(t, st.DB(), 3, asOf)
	if sum.Cases != 3 {
		t.Errorf("summary: %d cases", sum.Cases)
	}

	var platforms, users, complaints int64
	db.Model(&models.Platform{}).Count(&platforms)
	db.Model(&models.User{}).Count(&users)
	db.Model(&models.Complaint{}).Count(&complaints)
	if platforms != 20 || users != 55+6 || complaints != 3000 || sum.Complaints != 3000 || sum.NewPlatforms != 20 {
		t.Fatalf("seeded %d platforms, %d users, %d complaints (summary %+v); want 20, 61 (6 lawyers), 3000", platforms, users, complaints, sum)
	}
	checkSeededLawyers(t, st, sum)

	var cs []models.Complaint
	if err := db.Find(&cs).Error; err != nil {
		t.Fatal(err)
	}
	byStatus := map[models.Status]int{}
	byChannel := map[models.Channel]int{}
	numbers := map[string]bool{}
	lastOfDay := map[string]int64{}
	rated, replied, onTime := 0, 0, 0
	for i := range cs {
		c := &cs[i]
		byStatus[c.Status]++
		byChannel[c.Channel]++
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("complaint %s (%s, %s): %s", c.Number, c.Status, c.Channel, fmt.Sprintf(format, args...))
		}
		m := numberRe.FindStringSubmatch(c.Number)
		if m == nil || numbers[c.Number] {
			fail("number malformed or repeated")
		}
		numbers[c.Number] = true
		if day := c.CreatedAt.In(models.ChinaTime).Format("20060102"); m[1] != day {
			fail("number day %s, filed on %s", m[1], day)
		}
		var seq int64
		fmt.Sscan(m[2], &seq)
		lastOfDay[m[1]] = max(lastOfDay[m[1]], seq)

		switch c.Status {
		case models.StatusRejected, models.StatusPendingReview, models.StatusAwaitingContact:
			if c.DeliveredAt != nil || c.FirstRepliedAt != nil || c.CompletedAt != nil {
				fail("has delivery, reply or completion times")
			}
		case models.StatusDelivered, models.StatusReplied, models.StatusCompleted:
			if c.DeliveredAt == nil || c.DeliveredAt.Before(c.CreatedAt) {
				fail("delivered_at %v, created %v", c.DeliveredAt, c.CreatedAt)
			}
		}
		if (c.Status == models.StatusRejected) != (c.RejectionReason != nil) {
			fail("rejection reason %v", c.RejectionReason)
		}
		if (c.Status == models.StatusReplied || c.Status == models.StatusCompleted) && c.FirstRepliedAt == nil {
			fail("no first reply")
		}
		if (c.FirstRepliedAt == nil) != (c.ReplySeconds == nil) {
			fail("first_replied_at %v but reply_seconds %v", c.FirstRepliedAt, c.ReplySeconds)
		}
		if c.FirstRepliedAt != nil {
			if c.DeliveredAt == nil {
				fail("replied but never delivered")
			}
			if want := int64(c.FirstRepliedAt.Sub(*c.DeliveredAt) / time.Second); *c.ReplySeconds != want || want < 0 {
				fail("reply_seconds %d, timestamps say %d", *c.ReplySeconds, want)
			}
			replied++
			if *c.ReplySeconds < int64(models.ReplyWindow/time.Second) {
				onTime++
			}
		}
		if (c.Status == models.StatusCompleted) != (c.CompletedAt != nil) {
			fail("completed_at %v", c.CompletedAt)
		}
		if c.RatingScore != nil {
			if c.Status != models.StatusCompleted || *c.RatingScore < 1 || *c.RatingScore > 10 || c.RatedAt == nil {
				fail("rating %d at %v", *c.RatingScore, c.RatedAt)
			}
			rated++
		}
		if c.Channel == models.ChannelRefundOnly && (c.ComplainantType != models.RoleMerchant || c.RefundAmountFen == nil) {
			fail("refund-only complaint from %s without refund amount", c.ComplainantType)
		}
		for _, at := range []*time.Time{&c.CreatedAt, c.DeliveredAt, c.FirstRepliedAt, c.CompletedAt} {
			if at != nil && (!at.Before(asOf) || at.After(c.UpdatedAt)) {
				fail("time %v after the as-of time or after updated_at %v", at, c.UpdatedAt)
			}
		}
		if c.Version < 1 || len(c.ContentHash) != 64 {
			fail("version %d, content hash %q", c.Version, c.ContentHash)
		}
	}

	t.Logf("statuses %v, channels %v, rated %d, replied %d (%d on time)", byStatus, byChannel, rated, replied, onTime)
	share := func(n int) float64 { return float64(n) / float64(len(cs)) }
	population := byStatus[models.StatusDelivered] + byStatus[models.StatusReplied] + byStatus[models.StatusCompleted]
	checks := []struct {
		what   string
		got    float64
		lo, hi float64
	}{
		{"delivered, replied or completed", share(population), 0.75, 0.97},
		{"completed", share(byStatus[models.StatusCompleted]), 0.5, 0.9},
		{"withdrawn", share(byStatus[models.StatusWithdrawn]), 0.005, 0.1},
		{"rejected", share(byStatus[models.StatusRejected]), 0.02, 0.12},
		{"pending or awaiting", share(byStatus[models.StatusPendingReview] + byStatus[models.StatusAwaitingContact]), 0, 0.12},
		{"refund-only", share(byChannel[models.ChannelRefundOnly]), 0.05, 0.15},
		{"rated of completed", float64(rated) / float64(byStatus[models.StatusCompleted]), 0.3, 0.55},
		{"replied on time of replied", float64(onTime) / float64(replied), 0.5, 0.95},
		{"never replied of delivered", 1 - float64(replied)/float64(population), 0.05, 0.3},
	}
	for _, c := range checks {
		if c.got < c.lo || c.got > c.hi {
			t.Errorf("%s: %.3f, want %.2f–%.2f (statuses %v)", c.what, c.got, c.lo, c.hi, byStatus)
		}
	}

	var seqs []models.ComplaintSequence
	db.Find(&seqs)
	stored := map[string]int64{}
	for _, s := range seqs {
		stored[s.Day] = s.Last
	}
	for day, last := range lastOfDay {
		if stored[day] < last {
			t.Errorf("complaint_sequences %s is %d, below seeded number %d", day, stored[day], last)
		}
	}

	// The lists: a frozen month and the live one, on the same formula as real data. Seed 3
	// gives platforms that are not onboarded (their complaints wait) and platforms reachable
	// only by API key (listed unrated).
	if byStatus[models.StatusAwaitingContact] == 0 {
		t.Error("no complaint awaits a platform that is not onboarded")
	}
	var pls []models.Platform
	db.Find(&pls)
	rateable := map[string]bool{}
	for _, p := range pls {
		rateable[p.ID] = p.Rateable()
	}
	unrated := 0
	clock := testkit.NewClock(asOf)
	svc := service.New(st, kv.NewMemory(clock.Now), service.Options{Clock: clock, BcryptCost: bcrypt.MinCost,
		Logger: slog.New(slog.DiscardHandler)})
	for _, period := range []string{"2026-04", "2026-06"} {
		l, err := svc.Ratings.List(ctx, service.RatingQuery{Period: period})
		if err != nil {
			t.Fatal(err)
		}
		p := month(t, period)
		want := 0
		for i := range cs {
			c := &cs[i]
			if c.Channel != models.ChannelConsumer {
				continue
			}
			if !rateable[c.PlatformID] {
				// An unrated platform's line counts what was accepted in the period (API.md 7.7).
				if c.AcceptedAt != nil && p.Contains(*c.AcceptedAt) && c.Status != models.StatusWithdrawn && c.Status != models.StatusRejected {
					want++
				}
				continue
			}
			if c.DeliveredAt != nil && p.Contains(*c.DeliveredAt) &&
				(c.Status == models.StatusDelivered || c.Status == models.StatusReplied || c.Status == models.StatusCompleted) &&
				// A live list waits out an unreplied complaint's 120 h reply window (API.md 7.1).
				(c.FirstRepliedAt != nil || !c.DeliveredAt.After(asOf.Add(-120*time.Hour))) {
				want++
			}
		}
		got := int64(0)
		for _, it := range l.Items {
			got += it.ComplaintCount
		}
		if len(l.Items) == 0 || got != int64(want) {
			t.Errorf("%s: %d items over %d complaints, want a non-empty list over %d", period, len(l.Items), got, want)
		}
		grades := map[string]int{}
		for _, it := range l.Items {
			grades[it.Grade]++
			if (it.Grade == models.GradeUnrated) == rateable[it.Platform.ID] {
				t.Errorf("%s: %s graded %s", period, it.Platform.Name, it.Grade)
			}
		}
		unrated += grades[models.GradeUnrated]
		t.Logf("%s: %d platforms listed, grades %v", period, len(l.Items), grades)
		if l.Frozen != (period == "2026-04") {
			t.Errorf("%s: frozen %v", period, l.Frozen)
		}
	}

	if unrated == 0 {
		t.Error("no platform is listed unrated")
	}
	checkRankings(t, svc, cs, pls)

	// The periodic reports of a seeded month have figures: filings and deliveries, every
	// sector that has platforms, issue types, demands and grades.
	for _, kind := range []string{"consumer", "merchant"} {
		r, err := svc.Reports.Get(ctx, "2026-05", kind)
		if err != nil {
			t.Fatal(err)
		}
		filed := 0
		ch := models.ReportKind(kind).Channel()
		for i := range cs {
			if cs[i].Channel == ch && month(t, "2026-05").Contains(cs[i].CreatedAt) {
				filed++
			}
		}
		if r.Received != int64(filed) || r.Delivered == 0 || r.Replied == 0 || len(r.ByDemand) == 0 || len(r.TopPlatforms) == 0 ||
			r.Previous.Received == 0 || (kind == "consumer" && (len(r.ByIssueType) < 3 || r.Rejected == 0)) {
			t.Errorf("%s report of 2026-05: received %d (filed %d), delivered %d, replied %d, %d issue types, %d demands, %d platforms, previous %+v",
				kind, r.Received, filed, r.Delivered, r.Replied, len(r.ByIssueType), len(r.ByDemand), len(r.TopPlatforms), r.Previous)
		}
		t.Logf("%s report of 2026-05: received %d, accepted %d, delivered %d, reply rate %.4f, grades %v", kind, r.Received, r.Accepted,
			r.Delivered, r.ReplyRate, r.Grades)
	}

	// A second run refuses; --append adds, with new numbers and the same platforms.
	if _, err := Run(ctx, st, opts); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("second run: %v, want ErrNotEmpty", err)
	}
	opts.Append, opts.Complaints = true, 500
	if _, err := Run(ctx, st, opts); err != nil {
		t.Fatalf("append: %v", err)
	}
	var distinct int64
	db.Model(&models.Complaint{}).Distinct("number").Count(&distinct)
	db.Model(&models.Platform{}).Count(&platforms)
	if distinct != 3500 || platforms != 20 {
		t.Errorf("after append: %d distinct numbers, %d platforms; want 3500 and 20", distinct, platforms)
	}
	checkSeededCases(t, db, 6, asOf)
}

// checkSeededCases: the seeded cases are published, one per complaint, made of completed
// complaints that got a reply, and their texts hold no personal information.
func checkSeededCases(t *testing.T, db *gorm.DB, want int, asOf time.Time) {
	t.Helper()
	var cases []models.Case
	if err := db.Order("id").Find(&cases).Error; err != nil {
		t.Fatal(err)
	}
	if len(cases) != want {
		t.Fatalf("%d cases, want %d", len(cases), want)
	}
	complaints := map[string]bool{}
	for _, k := range cases {
		var c models.Complaint
		if err := db.Where("id = ?", k.ComplaintID).Take(&c).Error; err != nil {
			t.Fatal(err)
		}
		var replies int64
		db.Model(&models.Reply{}).Where("complaint_id = ?", c.ID).Count(&replies)
		if k.Status != models.CasePublished || k.PublishedAt == nil || !k.PublishedAt.Before(asOf) || complaints[c.ID] ||
			c.Status != models.StatusCompleted || replies != 1 || k.PlatformReply == "" || k.Sector == "" {
			t.Errorf("case %+v of complaint %s (%s, %d replies)", k, c.Number, c.Status, replies)
		}
		complaints[c.ID] = true
		if pii := k.PersonalInfo(models.KnownValues(&c, nil)); len(pii) != 0 {
			t.Errorf("case %s holds %v", k.ID, pii)
		}
	}
}

// TestGenerateIsReproducible: the same seed and options give the same complaints.
func TestGenerateIsReproducible(t *testing.T) {
	asOf := time.Date(2026, 3, 1, 0, 0, 0, 0, models.ChinaTime)
	gen := func(seed uint64) []models.Complaint {
		from := month(t, "2026-01").Start()
		platforms, cum, order := planPlatforms(seed, 30, from)
		users := func(role models.Role, n int) []models.User {
			out := make([]models.User, n)
			for i := range out {
				phone := fmt.Sprintf("199%08d", i)
				out[i] = models.User{ID: fmt.Sprint(role, i), Role: role, Phone: &phone, RealName: "张三"}
			}
			return out
		}
		g := &complaintGen{r: newRand(seed, streamComplaints), platforms: platforms, cum: cum, order: order,
			consumers: users(models.RoleConsumer, 10), merchants: users(models.RoleMerchant, 2), asOf: asOf, autoComplete: 360 * time.Hour}
		var out []models.Complaint
		if err := generate(g, planDays(from, asOf, 2000), func(b []models.Complaint) error {
			out = append(out, b...)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b, c := gen(1), gen(1), gen(2)
	if len(a) != 2000 || !reflect.DeepEqual(a, b) {
		t.Fatalf("the same seed gave different data (%d and %d complaints)", len(a), len(b))
	}
	if reflect.DeepEqual(a, c) {
		t.Fatal("another seed gave the same data")
	}
	for i := 1; i < len(a); i++ {
		if a[i].CreatedAt.Before(a[i-1].CreatedAt) || a[i].ID <= a[i-1].ID {
			t.Fatalf("complaints %d and %d are out of filing order", i-1, i)
		}
	}
}
