package queue

import (
	"time"
)

// destination is what the runner knows of one destination: its attempts in flight, the
// claimed jobs waiting for a slot, and its circuit breaker.
type destination struct {
	running int
	// started holds the wall-clock start of each attempt in flight.
	started map[*task]time.Time
	queue   []*task
	// fails counts consecutive failures; at BreakAfter the breaker opens until openUntil (on
	// the runner's clock, as due times are), for cool, which doubles on each reopening.
	fails     int
	openUntil time.Time
	cool      time.Duration
}

func (r *Runner) dest(name string) *destination {
	d := r.dests[name]
	if d == nil {
		d = &destination{started: map[*task]time.Time{}, cool: r.cfg.Cooldown}
		r.dests[name] = d
	}
	return d
}

func (d *destination) open(now time.Time) bool { return now.Before(d.openUntil) }

// oldest is the age of the longest attempt in flight.
func (d *destination) oldest() time.Duration {
	var age time.Duration
	for _, s := range d.started {
		age = max(age, time.Since(s))
	}
	return age
}

// observe feeds an attempt's outcome to the breaker. A failure once the breaker has closed
// again (half-open) reopens it at once, for twice as long.
func (d *destination) observe(failure bool, now time.Time, cfg *Config) {
	if !failure {
		d.fails, d.cool, d.openUntil = 0, cfg.Cooldown, time.Time{}
		return
	}
	d.fails++
	if d.fails >= cfg.BreakAfter && !d.open(now) {
		if !d.openUntil.IsZero() {
			d.cool = min(2*d.cool, cfg.MaxCooldown)
		}
		d.openUntil = now.Add(d.cool)
	}
}

// idle reports a destination the runner can forget.
func (d *destination) idle() bool {
	return d.running == 0 && len(d.queue) == 0 && d.fails == 0
}
