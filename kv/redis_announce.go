package kv

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// AnnounceAll is the item that stands for everything.
const AnnounceAll = "*"

// SetAnnouncer publishes sets of items (names without commas) on a channel; items added while
// a message is on its way go out together in the next one, so that a burst of commits costs a
// few messages and a slow Redis never holds up the caller. A set holding AnnounceAll is sent
// as just that.
type SetAnnouncer struct {
	Redis   *Redis
	Channel string

	mu      sync.Mutex
	pending map[string]bool
	kick    chan struct{}
}

// Add queues items for the next message and returns at once.
func (a *SetAnnouncer) Add(items ...string) {
	a.mu.Lock()
	if a.kick == nil {
		a.kick = make(chan struct{}, 1)
		go a.run()
	}
	if a.pending == nil {
		a.pending = map[string]bool{}
	}
	for _, it := range items {
		a.pending[it] = true
	}
	a.mu.Unlock()
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

func (a *SetAnnouncer) run() {
	backoff := 50 * time.Millisecond
	for range a.kick {
		a.mu.Lock()
		items := make([]string, 0, len(a.pending))
		for it := range a.pending {
			if it == AnnounceAll {
				items = []string{AnnounceAll}
				break
			}
			items = append(items, it)
		}
		a.pending = nil
		a.mu.Unlock()
		if len(items) == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := a.Redis.c.Publish(ctx, a.Redis.prefix+a.Channel, strings.Join(items, ",")).Err()
		cancel()
		if err == nil || errors.Is(err, redis.ErrClosed) {
			backoff = 50 * time.Millisecond
			continue
		}
		// Not sent: the items go out with the next message, tried again until Redis takes it
		// (an instance whose subscription stays up would otherwise keep what they change).
		time.Sleep(backoff)
		backoff = min(2*backoff, time.Second)
		a.Add(items...)
	}
}

// listenSilence is how long a subscription may hear nothing, its pings unanswered included,
// before it counts as down.
const listenSilence = 15 * time.Second

// Listen calls onItems with the items of every message on channel and onLive(true) each time
// the subscription is (re)established, onLive(false) when it is lost (an error, or no answer
// to its pings for listenSilence), until ctx ends. Messages published while it was down are
// lost: onLive(false) is the listener's cue to stop trusting what they would have said.
func (r *Redis) Listen(ctx context.Context, channel string, onItems func([]string), onLive func(bool)) {
	sub := r.c.Subscribe(ctx, r.prefix+channel)
	defer sub.Close()
	live := false
	heard := time.Now()
	setLive := func(v bool) {
		if v != live {
			live = v
			onLive(v)
		}
	}
	for ctx.Err() == nil {
		msg, err := sub.ReceiveTimeout(ctx, listenSilence/3)
		if ctx.Err() != nil {
			return
		}
		var ne net.Error
		switch {
		case err == nil:
			heard = time.Now()
		case errors.As(err, &ne) && ne.Timeout():
			if time.Since(heard) > listenSilence {
				setLive(false)
			}
			_ = sub.Ping(ctx)
			continue
		default:
			setLive(false)
			select {
			case <-ctx.Done():
				return
			case <-time.After(200 * time.Millisecond):
			}
			continue
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				// (Re)subscribed: whatever was said meanwhile is unknown.
				if live {
					onLive(false)
				}
				live = false
				setLive(true)
			}
		case *redis.Message:
			onItems(strings.Split(m.Payload, ","))
		}
	}
}
