package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// results holds what the scenarios measured; a nil member did not run.
type results struct {
	idle                  *idleResult
	raw                   *loopResult
	floor                 *floorResult // the complaint floor: a complaint's rows written raw
	intake                *intakeResult
	gin, list, get        *loopResult
	burst                 *burstResult
	steady                *openResult
	steadyLat             *latencyResult
	steadyRate            float64
	hang                  *openResult
	hangLat               *latencyResult
	hangRateA, hangRateB  float64
	hangSeen              int64
	receiverReq, repeated int64
	notes                 []string // what went wrong in a run, printed under the table
}

func (r *results) note(format string, a ...any) { r.notes = append(r.notes, fmt.Sprintf(format, a...)) }

// sms is a signed duration in milliseconds.
func sms(d time.Duration) string {
	if d < 0 {
		return "−" + ms(-d)
	}
	return ms(d)
}

func pct(a, b float64) string {
	if b <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f %%", 100*a/b)
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

func num(f float64) string {
	s := fmt.Sprintf("%.0f", f)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	b.WriteString(s[:pre])
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// table writes the Markdown table of the issue: what, measured, yardstick, target, and whether
// the target is met.
func (r *results) table(w io.Writer) {
	fmt.Fprintln(w, "| what | measured | bare gin / raw insert, same run | target | |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	row := func(what, measured, yard, target, verdict string) {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", what, measured, yard, target, verdict)
	}
	notRun := func(what, target string) { row(what, "not run", "—", target, "") }

	if r.idle != nil {
		alloc := "allocation not measured"
		if r.idle.allocBps >= 0 {
			alloc = fmt.Sprintf("%.2f MB/s allocated", r.idle.allocBps/1e6)
		}
		row("idle server after one webhook event", fmt.Sprintf("%.1f %% of a core over %.0f s, %s", 100*r.idle.cpu, r.idle.over.Seconds(), alloc),
			"—", "≈ 0 %", met(r.idle.cpu < 0.02))
	} else {
		notRun("idle server after one webhook event", "≈ 0 %")
	}

	if r.intake != nil {
		i := r.intake
		yard, ok := "—", i.rate() >= 1000
		if r.raw != nil {
			yard = fmt.Sprintf("raw INSERT+COMMIT %s/s (intake is %s of it)", num(r.raw.rate()), pct(i.rate(), r.raw.rate()))
			ok = ok && i.rate() >= 0.3*r.raw.rate()
		}
		if r.floor != nil {
			yard += fmt.Sprintf("; the %d rows of one complaint's two commands written raw, nothing read: %s complaints/s on %d connections (intake is %s of it)",
				r.floor.rows, num(r.floor.whole.rate()), r.floor.conns, pct(i.rate(), r.floor.whole.rate()))
		}
		row("intake: consumer create + moderator accept", fmt.Sprintf("%s complaints/s (%d of %d delivered); create p50 %s p99 %s, accept p50 %s p99 %s",
			num(i.rate()), i.delivered, i.n, ms(i.create.pct(50)), ms(i.create.pct(99)), ms(i.accept.pct(50)), ms(i.accept.pct(99))),
			yard, "≥ 1,000/s, and ≥ 30 % of the raw loop", met(ok))
	} else {
		notRun("intake: consumer create + moderator accept", "≥ 1,000/s, and ≥ 30 % of the raw loop")
	}

	if r.intake != nil || r.burst != nil {
		var parts []string
		var bad int64
		count := func(name string, st *statuses, of string) {
			part := fmt.Sprintf("%s: %d 5xx of %d %s", name, st.server.Load(), st.total(), of)
			if n := st.failed.Load(); n > 0 {
				part += fmt.Sprintf(", %d without an answer within 30 s (transport error or client timeout)", n)
			}
			bad += st.server.Load() + st.failed.Load()
			parts = append(parts, part)
		}
		if r.intake != nil {
			count("intake", r.intake.st, "answers")
		}
		if r.burst != nil {
			count("burst", r.burst.st, "accepts")
		}
		row("accepts while the dispatcher delivers", strings.Join(parts, "; "), "—", "0 × 5xx", met(bad == 0))
	} else {
		notRun("accepts while the dispatcher delivers", "0 × 5xx")
	}

	read := func(what string, l *loopResult, share float64) {
		target := fmt.Sprintf("≥ %.0f %% of bare gin", 100*share)
		if l == nil {
			notRun(what, target)
			return
		}
		yard, verdict := "—", ""
		if r.gin != nil {
			yard = fmt.Sprintf("%s req/s, p99 %s (reads are %s of it)", num(r.gin.rate()), ms(r.gin.lat.pct(99)), pct(l.rate(), r.gin.rate()))
			verdict = met(l.rate() >= share*r.gin.rate() && l.st.server.Load() == 0)
		}
		row(what, fmt.Sprintf("%s req/s, p99 %s", num(l.rate()), ms(l.lat.pct(99))), yard, target, verdict)
	}
	read("`GET /api/v1/platform/complaints?limit=20`", r.list, 0.25)
	read("`GET /api/v1/platform/complaints/{id}`", r.get, 0.35)

	// The acceptance floor: what the rows of acceptances alone allow, for the rows of accepts.
	acceptFloor := "—"
	if r.floor != nil {
		acceptFloor = fmt.Sprintf("an acceptance's rows written raw, nothing read or sent: %s/s", num(r.floor.accepts.rate()))
	}
	if b := r.burst; b != nil {
		row(fmt.Sprintf("webhook burst (%s accepted at once)", num(float64(b.n))),
			fmt.Sprintf("%s deliveries/s end to end (%d of %d received, last %s after the first accept; accepts took %s)",
				num(b.rate()), b.received, b.accepted, ms(b.endToEnd), ms(b.acceptFor)),
			acceptFloor, "≥ 2,000/s", met(b.rate() >= 2000 && b.received == b.n))
	} else {
		notRun("webhook burst", "≥ 2,000/s")
	}

	if s, l := r.steady, r.steadyLat; s != nil && l != nil {
		keeps := s.accepted == s.scheduled && s.rate() >= 0.95*r.steadyRate
		row(fmt.Sprintf("steady %s accepts/s, accept answer → receipt", num(r.steadyRate)),
			fmt.Sprintf("%s accepts/s achieved (%d of %d accepted, %d not sent within the time limit); p50 %s, p99 %s (%d not received)",
				num(s.rate()), s.accepted, s.scheduled, s.unsent+s.cut, l.at(50), l.at(99), l.missing),
			acceptFloor, "keeps up, p99 < 250 ms", met(keeps && l.missing == 0 && l.lat.pct(99) < 250*time.Millisecond))
	} else {
		notRun("steady accepts/s, accept answer → receipt", "keeps up, p99 < 250 ms")
	}

	if h, l := r.hang, r.hangLat; h != nil && l != nil {
		base := ""
		if r.steadyLat != nil {
			base = fmt.Sprintf(" (steady run without a hang: p50 %s, p99 %s)", r.steadyLat.at(50), r.steadyLat.at(99))
		}
		row("one platform's endpoint hangs",
			fmt.Sprintf("healthy platform at %s/s while the other (%s/s) hangs: p50 %s, p99 %s%s; %d of %d not received",
				num(r.hangRateA), num(r.hangRateB), l.at(50), l.at(99), base, l.missing, l.received+l.missing),
			"—", "other platforms' p99 < 250 ms", met(l.missing == 0 && l.lat.pct(99) < 250*time.Millisecond))
	} else {
		notRun("one platform's endpoint hangs", "other platforms' p99 < 250 ms")
	}
	if len(r.notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range r.notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
}

// raw writes every figure measured, one per line.
func (r *results) figures(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	lat := func(l *latencies) string {
		return fmt.Sprintf("n=%d p50=%s p90=%s p99=%s max=%s", l.count(), ms(l.pct(50)), ms(l.pct(90)), ms(l.pct(99)), ms(l.pct(100)))
	}
	loop := func(name string, l *loopResult) {
		if l != nil {
			p("%s: %d in %.2f s = %.1f/s; latency %s; %s", name, l.n, l.elapsed.Seconds(), l.rate(), lat(l.lat), l.st)
		}
	}
	if r.idle != nil {
		p("idle: cpu=%.4f of a core over %.2f s; alloc=%.0f B/s", r.idle.cpu, r.idle.over.Seconds(), r.idle.allocBps)
	}
	loop("raw INSERT+COMMIT", r.raw)
	if i := r.intake; i != nil {
		p("intake: %d delivered of %d in %.2f s = %.1f/s; create %s; accept %s; answers: %s",
			i.delivered, i.n, i.elapsed.Seconds(), i.rate(), lat(i.create), lat(i.accept), i.st)
	}
	if f := r.floor; f != nil {
		loop(fmt.Sprintf("complaint floor (%d rows in 2 commits, the best of %v connections: %d)", f.rows, floorConns, f.conns), &f.whole)
		loop(fmt.Sprintf("complaint floor, acceptances alone (%d connections)", f.conns), &f.accepts)
	}
	loop("bare gin GET /", r.gin)
	loop("GET /api/v1/platform/complaints?limit=20", r.list)
	loop("GET /api/v1/platform/complaints/{id}", r.get)
	if b := r.burst; b != nil {
		p("burst: %d filed, %d accepted in %.2f s, %d received, first accept → last receipt %.3f s = %.1f/s; accepts: %s",
			b.n, b.accepted, b.acceptFor.Seconds(), b.received, b.endToEnd.Seconds(), b.rate(), b.st)
	}
	signed := func(l *latencies) string {
		return fmt.Sprintf("signed (receipt − answer) p1=%s p50=%s p99=%s", sms(l.pct(1)), sms(l.pct(50)), sms(l.pct(99)))
	}
	if s := r.steady; s != nil {
		p("steady: scheduled %d at %.0f/s, accepted %d in %.2f s = %.1f/s; not sent by the time limit %d, cut off in flight %d; accepts: %s",
			s.scheduled, r.steadyRate, s.accepted, s.elapsed.Seconds(), s.rate(), s.unsent, s.cut, s.st)
	}
	if l := r.steadyLat; l != nil {
		p("steady answer → receipt: %s; %d missing; %d arrived before the answer (counted 0); %s", lat(l.lat), l.missing, l.early, signed(l.signed))
	}
	if h := r.hang; h != nil {
		p("hang: scheduled %d (healthy %.0f/s + hanging %.0f/s), accepted %d in %.2f s; not sent by the time limit %d, cut off in flight %d; accepts: %s; requests held by the hanging endpoint: %d",
			h.scheduled, r.hangRateA, r.hangRateB, h.accepted, h.elapsed.Seconds(), h.unsent, h.cut, h.st, r.hangSeen)
	}
	if l := r.hangLat; l != nil {
		p("hang, healthy platform answer → receipt: %s (missing ones counted with the time awaited); %d missing; %d arrived before the answer (counted 0); %s",
			lat(l.lat), l.missing, l.early, signed(l.signed))
	}
	p("receiver: %d requests, %d repeated event ids", r.receiverReq, r.repeated)
}
