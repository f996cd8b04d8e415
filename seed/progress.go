package seed

import (
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"
)

// progress shows how far the complaints are: a bar redrawn in place on a terminal, a log line
// every 5 % otherwise.
type progress struct {
	out      io.Writer
	terminal bool
	log      *slog.Logger
	total    int64
	done     atomic.Int64
	start    time.Time
	stop     chan struct{}
	stopped  chan struct{}
	nextLog  int64
	logged   int64
	lastLine int
}

func newProgress(out io.Writer, terminal bool, log *slog.Logger, total int64) *progress {
	p := &progress{out: out, terminal: terminal, log: log, total: total, start: time.Now(),
		stop: make(chan struct{}), stopped: make(chan struct{}), nextLog: 5}
	go func() {
		defer close(p.stopped)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-tick.C:
				p.show(false)
			}
		}
	}()
	return p
}

func (p *progress) add(n int64) { p.done.Add(n) }

// show draws the bar or logs the step reached; final forces the last state out.
func (p *progress) show(final bool) {
	done := p.done.Load()
	elapsed := time.Since(p.start)
	rate := float64(done) / max(elapsed.Seconds(), 1e-9)
	pct := 100.0
	if p.total > 0 {
		pct = 100 * float64(done) / float64(p.total)
	}
	eta := time.Duration(0)
	if rate > 0 && done < p.total {
		eta = time.Duration(float64(p.total-done) / rate * float64(time.Second)).Round(time.Second)
	}
	if p.terminal && p.out != nil {
		const width = 30
		filled := int(pct / 100 * width)
		bar := make([]byte, width)
		for i := range bar {
			switch {
			case i < filled:
				bar[i] = '='
			case i == filled:
				bar[i] = '>'
			default:
				bar[i] = ' '
			}
		}
		line := fmt.Sprintf("\rcomplaints [%s] %5.1f%% %d/%d  %.0f rows/s  ETA %s", bar, pct, done, p.total, rate, eta)
		pad := max(0, p.lastLine-len(line))
		p.lastLine = len(line)
		fmt.Fprintf(p.out, "%s%*s", line, pad, "")
		if final {
			fmt.Fprintln(p.out)
		}
		return
	}
	if p.out == nil {
		return
	}
	step := int64(pct) / 5 * 5
	if final && p.logged < 100 || !final && step >= p.nextLog {
		p.log.Info("seeding complaints", "done", done, "total", p.total, "percent", int(pct),
			"rows_per_s", int(rate), "eta", eta.String())
		p.nextLog, p.logged = step+5, int64(pct)
	}
}

// finish stops the redraws and shows the final state.
func (p *progress) finish(ok bool) {
	close(p.stop)
	<-p.stopped
	if ok || p.terminal {
		p.show(true)
	}
}
