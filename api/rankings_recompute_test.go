package api_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// rankRow is a complaint as a ranking test inserts it straight into the database: what a
// ranking reads, at any moment of the past.
type rankRow struct {
	platform  string
	created   time.Time
	status    models.Status
	issueType string // "" for none
	channel   models.Channel
}

// insertRanked stores complaints as rows (filing thousands through the API would take
// minutes); the ranking reads only the columns set here.
func (w *world) insertRanked(rows []rankRow) {
	w.t.Helper()
	ctx := context.Background()
	cs := make([]models.Complaint, 0, len(rows))
	for _, r := range rows {
		c := models.Complaint{ID: models.NewID(), Number: "R" + models.NewID()[:20], Channel: r.channel,
			ComplainantType: models.RoleConsumer, ComplainantID: w.consumerID, PlatformID: r.platform, Status: r.status,
			Description: "排名测试", ContactName: "张三", ContactPhone: "13800138000", ContentHash: models.NewID(),
			CreatedAt: r.created.UTC(), UpdatedAt: r.created.UTC(), Version: 1}
		if r.issueType != "" {
			it := r.issueType
			c.IssueType = &it
		}
		cs = append(cs, c)
	}
	if err := w.st.DB().WithContext(w.st.Keyed(ctx)).CreateInBatches(cs, 25).Error; err != nil {
		w.t.Fatal(err)
	}
}

// cst is China Standard Time written out here, independently of models.ChinaTime.
var cst = time.FixedZone("UTC+8", 8*3600)

// expectedLine is one line of a ranking as the test computes it from its own rows.
type expectedLine struct {
	platform, name, sector string
	count                  int64
	share                  string
	top                    string
	prevRank, rankChange   string
	prevCount, countChange int64
}

type rankFilter struct{ sector, tag, issueType, channel string }

// recompute ranks the rows by the rule of the documentation, with code of its own: count the
// rows filed in [from, to) not rejected nor withdrawn that pass the filter, order by count
// descending then name then id, shares per sector to 4 decimals by integer arithmetic.
func recompute(rows []rankRow, platforms map[string]rankPlatform, f rankFilter, from, to time.Time) []expectedLine {
	counts := map[string]int64{}
	issues := map[string]map[string]int64{}
	for _, r := range rows {
		if r.created.Before(from) || !r.created.Before(to) || r.status == "rejected" || r.status == "withdrawn" {
			continue
		}
		p := platforms[r.platform]
		if (f.sector != "" && p.sector != f.sector) || (f.tag != "" && !slices.Contains(p.tags, f.tag)) ||
			(f.issueType != "" && r.issueType != f.issueType) || (f.channel != "" && string(r.channel) != f.channel) {
			continue
		}
		counts[r.platform]++
		if issues[r.platform] == nil {
			issues[r.platform] = map[string]int64{}
		}
		if r.issueType != "" {
			issues[r.platform][r.issueType]++
		}
	}
	bySector := map[string]int64{}
	var out []expectedLine
	for id, n := range counts {
		p := platforms[id]
		bySector[p.sector] += n
		type kv struct {
			k string
			n int64
		}
		var top []kv
		for k, c := range issues[id] {
			top = append(top, kv{k, c})
		}
		slices.SortFunc(top, func(a, b kv) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.k, b.k)) })
		s := ""
		for i, t := range top {
			if i < 3 {
				s += fmt.Sprintf("%s:%d ", t.k, t.n)
			}
		}
		out = append(out, expectedLine{platform: id, name: p.name, sector: p.sector, count: n, top: s})
	}
	slices.SortFunc(out, func(a, b expectedLine) int {
		if a.count != b.count {
			return cmp.Compare(b.count, a.count)
		}
		if a.name != b.name {
			return cmp.Compare(a.name, b.name)
		}
		return cmp.Compare(a.platform, b.platform)
	})
	for i := range out {
		total := bySector[out[i].sector]
		// Half up to 4 decimals: floor((2·10⁴·n / total + 1) / 2) ten-thousandths.
		tenThousandths := (20000*out[i].count/total + 1) / 2
		out[i].share = fmt.Sprintf("%.4f", float64(tenThousandths)/10000)
	}
	return out
}

type rankPlatform struct {
	name, sector string
	tags         []string
}

// withPrevious sets each line's comparison with the previous period's lines.
func withPrevious(cur, prev []expectedLine) []expectedLine {
	for i := range cur {
		cur[i].prevRank, cur[i].rankChange, cur[i].countChange = "null", "null", cur[i].count
		for j, p := range prev {
			if p.platform == cur[i].platform {
				cur[i].prevRank, cur[i].rankChange = fmt.Sprint(j+1), fmt.Sprint(j+1-(i+1))
				cur[i].prevCount, cur[i].countChange = p.count, cur[i].count-p.count
			}
		}
	}
	return cur
}

// served reads a served ranking's lines into the same shape.
func served(t *testing.T, list map[string]any) []expectedLine {
	t.Helper()
	var out []expectedLine
	for i, raw := range list["items"].([]any) {
		it := raw.(map[string]any)
		if it["rank"] != float64(i+1) {
			t.Fatalf("line %d has rank %v", i+1, it["rank"])
		}
		pl := it["platform"].(map[string]any)
		top := ""
		for _, x := range it["top_issue_types"].([]any) {
			m := x.(map[string]any)
			if m["label"] != models.IssueTypeLabels[m["issue_type"].(string)] {
				t.Fatalf("issue type label: %v", m)
			}
			top += fmt.Sprintf("%s:%v ", m["issue_type"], m["count"])
		}
		num := func(v any) string {
			if v == nil {
				return "null"
			}
			return fmt.Sprint(v)
		}
		out = append(out, expectedLine{platform: pl["id"].(string), name: pl["name"].(string), sector: pl["sector"].(string),
			count: int64(it["complaint_count"].(float64)), share: fmt.Sprintf("%.4f", it["share"].(float64)), top: top,
			prevRank: num(it["previous_rank"]), rankChange: num(it["rank_change"]),
			prevCount: int64(it["previous_count"].(float64)), countChange: int64(it["count_change"].(float64))})
	}
	return out
}

// TestRankingMatchesIndependentRecomputation ranks 2,400 complaints of seven platforms, filed
// from 2025-06 to 2026-12 with every status, channel and issue type (and none), some on the
// very edges of periods in China time, and compares each served line — rank, count, share,
// top issue types, previous rank and count — with the test's own recomputation from the rows,
// for every period type (live and frozen ones), without filters and with a sector, a tag, an
// issue type, a channel, and all of them at once.
func TestRankingMatchesIndependentRecomputation(t *testing.T) {
	w := newWorld(t)
	platforms := map[string]rankPlatform{w.platformID: {"淘宝", "digital_retail", []string{}}}
	for i, p := range []rankPlatform{
		{"闲鱼", "digital_retail", []string{"二手电商"}}, {"转转", "digital_retail", []string{"二手电商", "综合电商"}},
		{"叮咚买菜", "digital_retail", []string{"生鲜电商"}}, {"滴滴出行", "digital_life", []string{"移动出行"}},
		{"猫眼", "digital_life", []string{"在线票务", "移动出行"}}, {"顺丰", "logistics", []string{"物流科技"}},
	} {
		id := w.createPlatform(w.admin, fmt.Sprintf("rank-%d", i), map[string]any{"name": p.name, "sector": p.sector, "tags": p.tags})["id"].(string)
		platforms[id] = p
	}
	ids := make([]string, 0, len(platforms))
	for id := range platforms {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	r := rand.New(rand.NewPCG(7, 11))
	issueCodes := []string{"", "refund", "quality", "false_advertising", "unfair_terms", "delivery", "after_sales", "privacy", "fraud", "other"}
	first := time.Date(2025, 6, 1, 0, 0, 0, 0, cst)
	span := time.Date(2026, 12, 15, 0, 0, 0, 0, cst).Sub(first)
	var rows []rankRow
	for i := range 2400 {
		// Skewed volumes, so that the order is mostly clear and ties still happen.
		pid := ids[min(r.IntN(len(ids)), r.IntN(len(ids)))]
		at := first.Add(time.Duration(r.Int64N(int64(span))))
		if i%97 == 0 {
			// The first and the last second of a month in China time.
			m := time.Date(2026, time.Month(1+i%12), 1, 0, 0, 0, 0, cst)
			at = m.Add(-time.Duration(i%2) * time.Second)
		}
		ch := models.ChannelConsumer
		if r.IntN(5) == 0 {
			ch = models.ChannelRefundOnly
		}
		rows = append(rows, rankRow{platform: pid, created: at, status: models.AllStatuses[r.IntN(len(models.AllStatuses))],
			issueType: issueCodes[r.IntN(len(issueCodes))], channel: ch})
	}
	w.insertRanked(rows)
	w.clock.Set(time.Date(2026, 12, 20, 12, 0, 0, 0, time.UTC))

	month := func(y, m int) time.Time { return time.Date(y, time.Month(m), 1, 0, 0, 0, 0, cst) }
	periods := []struct {
		period, typ, prev          string
		from, to, prevFrom, prevTo time.Time
		frozen                     bool
	}{
		{"2026-05", "month", "2026-04", month(2026, 5), month(2026, 6), month(2026, 4), month(2026, 5), true},
		{"2026-01", "month", "2025-12", month(2026, 1), month(2026, 2), month(2025, 12), month(2026, 1), true},
		{"2026-12", "month", "2026-11", month(2026, 12), month(2027, 1), month(2026, 11), month(2026, 12), false},
		{"2026-Q2", "quarter", "2026-Q1", month(2026, 4), month(2026, 7), month(2026, 1), month(2026, 4), true},
		{"2026-H1", "half", "2025-H2", month(2026, 1), month(2026, 7), month(2025, 7), month(2026, 1), true},
		{"2026", "year", "2025", month(2026, 1), month(2027, 1), month(2025, 1), month(2026, 1), false},
	}
	filters := []rankFilter{{}, {sector: "digital_retail"}, {tag: "二手电商"}, {tag: "移动出行"}, {issueType: "refund"},
		{channel: "refund_only"}, {sector: "digital_life", tag: "移动出行", issueType: "delivery", channel: "consumer"}}
	ties := 0
	for _, p := range periods {
		for _, f := range filters {
			q := url.Values{"period": {p.period}}
			for k, v := range map[string]string{"sector": f.sector, "tag": f.tag, "issue_type": f.issueType, "channel": f.channel} {
				if v != "" {
					q.Set(k, v)
				}
			}
			list := expect(t, w.do(req{method: "GET", path: "/api/v1/rankings?" + q.Encode()}), http.StatusOK)
			if list["period"] != p.period || list["period_type"] != p.typ || list["previous_period"] != p.prev ||
				list["period_start"] != p.from.UTC().Format(time.RFC3339) || list["period_end"] != p.to.UTC().Format(time.RFC3339) ||
				list["frozen"] != p.frozen {
				t.Fatalf("%s: header %v", q.Encode(), list)
			}
			want := withPrevious(recompute(rows, platforms, f, p.from, p.to), recompute(rows, platforms, f, p.prevFrom, p.prevTo))
			got := served(t, list)
			if len(want) == 0 {
				t.Fatalf("%s: the test data leave the list empty", q.Encode())
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s:\n got %v\nwant %v", q.Encode(), got, want)
			}
			var total int64
			for i, l := range want {
				if i > 0 && want[i-1].count == l.count {
					ties++
				}
				total += l.count
			}
			if list["total"] != float64(total) {
				t.Errorf("%s: total %v, want %d", q.Encode(), list["total"], total)
			}
		}
	}
	if ties == 0 {
		t.Fatal("no list has two platforms with the same count: the order of ties went untested")
	}
	t.Logf("%d tied neighbours ordered by name", ties)
}
