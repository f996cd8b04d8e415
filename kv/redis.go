package kv

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is the Store shared by every instance.
type Redis struct {
	c      *redis.Client
	prefix string
	// pubs holds one coalescing publisher per channel (see PublishSoon).
	pubMu sync.Mutex
	pubs  map[string]chan struct{}
}

// incrScript creates the counter with its expiry atomically, so that a crash between the two
// steps can never leave a counter that lives forever.
var incrScript = redis.NewScript(`
local v = redis.call('INCRBY', KEYS[1], ARGV[2] or 1)
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {v, redis.call('PTTL', KEYS[1])}
`)

// countScript reads a counter and its time to live in one step.
var countScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then return {0, 0} end
return {tonumber(v), redis.call('PTTL', KEYS[1])}
`)

// NewRedis connects to the Redis at url (redis://host:port/db). Every key is put under prefix.
func NewRedis(ctx context.Context, url, prefix string) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parse DSB_REDIS_URL: %w", err)
	}
	r := &Redis{c: redis.NewClient(opts), prefix: prefix}
	if err := r.Ping(ctx); err != nil {
		_ = r.c.Close()
		return nil, fmt.Errorf("connect to redis: %w", err)
	}
	return r, nil
}

// Client exposes the connection for pub/sub users.
func (r *Redis) Client() *redis.Client { return r.c }

// Prefix is the namespace of this store's keys.
func (r *Redis) Prefix() string { return r.prefix }

// Close releases the connection pool.
func (r *Redis) Close() error {
	r.pubMu.Lock()
	for _, ch := range r.pubs {
		close(ch)
	}
	r.pubs = nil
	r.pubMu.Unlock()
	return r.c.Close()
}

// Incr implements Store.
func (r *Redis) Incr(ctx context.Context, key string, ttl time.Duration) (int64, time.Duration, error) {
	res, err := incrScript.Run(ctx, r.c, []string{r.prefix + key}, ttl.Milliseconds()).Int64Slice()
	if err != nil {
		return 0, 0, err
	}
	return res[0], time.Duration(res[1]) * time.Millisecond, nil
}

// IncrBy implements Adder.
func (r *Redis) IncrBy(ctx context.Context, key string, n int64, ttl time.Duration) (int64, time.Duration, error) {
	res, err := incrScript.Run(ctx, r.c, []string{r.prefix + key}, ttl.Milliseconds(), n).Int64Slice()
	if err != nil {
		return 0, 0, err
	}
	return res[0], time.Duration(res[1]) * time.Millisecond, nil
}

// Count implements Store.
func (r *Redis) Count(ctx context.Context, key string) (int64, time.Duration, error) {
	res, err := countScript.Run(ctx, r.c, []string{r.prefix + key}).Int64Slice()
	if err != nil {
		return 0, 0, err
	}
	if res[1] < 0 {
		res[1] = 0
	}
	return res[0], time.Duration(res[1]) * time.Millisecond, nil
}

// Get implements Store.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := r.c.Get(ctx, r.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrMiss
	}
	return b, err
}

// SetNX implements Store.
func (r *Redis) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return r.c.SetNX(ctx, r.prefix+key, value, ttl).Result()
}

// Set implements Store.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return r.c.Set(ctx, r.prefix+key, value, ttl).Err()
}

// Del implements Store.
func (r *Redis) Del(ctx context.Context, key string) error {
	return r.c.Del(ctx, r.prefix+key).Err()
}

// Ping implements Store.
func (r *Redis) Ping(ctx context.Context) error { return r.c.Ping(ctx).Err() }

// Publish announces an event on a channel to every instance.
func (r *Redis) Publish(ctx context.Context, channel string) error {
	return r.c.Publish(ctx, r.prefix+channel, "1").Err()
}

// PublishSoon announces on channel from a goroutine of its own and returns at once; requests
// made while one announcement is on its way are folded into the next, so that a slow or absent
// Redis never holds up the caller and a burst of commits costs a few messages.
func (r *Redis) PublishSoon(channel string) {
	r.pubMu.Lock()
	defer r.pubMu.Unlock()
	if r.pubs == nil {
		r.pubs = map[string]chan struct{}{}
	}
	ch := r.pubs[channel]
	if ch == nil {
		ch = make(chan struct{}, 1)
		r.pubs[channel] = ch
		go func() {
			for range ch {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				_ = r.Publish(ctx, channel)
				cancel()
			}
		}()
	}
	select {
	case ch <- struct{}{}:
	default: // one is already waiting to go out: it covers this commit too
	}
}

// Subscribe calls fn for every announcement on channel until ctx ends. The subscription
// reconnects by itself after a Redis outage.
func (r *Redis) Subscribe(ctx context.Context, channel string, fn func()) {
	sub := r.c.Subscribe(ctx, r.prefix+channel)
	defer sub.Close()
	ch := sub.Channel()
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-ch:
			if !ok {
				return
			}
			fn()
		}
	}
}

// Waker wakes a local worker at once and, over pub/sub, the same worker of every other
// instance subscribed to Channel.
type Waker struct {
	Redis   *Redis
	Channel string
	// Local is this instance's worker; nil to only publish.
	Local interface{ Wake() }
}

// Wake implements the service's Waker; it never blocks. A lost message costs only latency:
// every worker also sweeps on a timer.
func (w Waker) Wake() {
	if w.Local != nil {
		w.Local.Wake()
	}
	w.Redis.PublishSoon(w.Channel)
}
