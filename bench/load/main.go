// Command load measures the service as it runs: the built binary in its own process with its
// default settings, on MariaDB and Redis, driven over real sockets by 64 keep-alive connections,
// with a webhook receiver subscribed to every event, against yardsticks measured in the same run
// (a bare gin JSON endpoint and a raw single-row INSERT+COMMIT loop on the same MariaDB). It
// prints the table of the write path's targets. Every load goes to 127.0.0.1 only.
//
//	go run ./bench/load                  # about 6–8 minutes
//	go run ./bench/load -h               # sizes and durations
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

type options struct {
	mysql                   string
	redisAddr               string
	redisDB                 int
	conns, consumers, mods  int
	idleFor, rawFor         time.Duration
	readFor                 time.Duration
	intake, burst           int
	steadyRate              float64
	steadyFor               time.Duration
	hangRateA, hangRateB    float64
	hangFor, hangHold       time.Duration
	drain                   time.Duration
	pprof                   string
	keepLog                 bool
	skipSteady, skipHanging bool
}

func main() {
	var o options
	flag.StringVar(&o.mysql, "mysql", "root@tcp(127.0.0.1:3306)", "MariaDB server (go-sql-driver DSN without database); a fresh database is made and dropped")
	flag.StringVar(&o.redisAddr, "redis", "127.0.0.1:6379", "Redis server")
	flag.IntVar(&o.redisDB, "redis-db", 14, "Redis database number, flushed at start and end")
	flag.IntVar(&o.conns, "conns", 64, "keep-alive connections and concurrent workers")
	flag.IntVar(&o.consumers, "consumers", 64, "consumer accounts")
	flag.IntVar(&o.mods, "moderators", 4, "moderator accounts")
	flag.DurationVar(&o.idleFor, "idle", 10*time.Second, "idle measurement")
	flag.DurationVar(&o.rawFor, "raw", 10*time.Second, "raw INSERT+COMMIT loop")
	flag.DurationVar(&o.readFor, "read", 10*time.Second, "each read run (bare gin, list, one complaint)")
	flag.IntVar(&o.intake, "intake", 5000, "complaints filed and accepted in the intake run")
	flag.IntVar(&o.burst, "burst", 5000, "complaints accepted at once in the webhook burst")
	flag.Float64Var(&o.steadyRate, "steady-rate", 500, "accepts per second in the steady run")
	flag.DurationVar(&o.steadyFor, "steady", 20*time.Second, "steady run")
	flag.Float64Var(&o.hangRateA, "hang-rate", 100, "accepts per second for the healthy platform while the other hangs")
	flag.Float64Var(&o.hangRateB, "hang-rate-b", 20, "accepts per second for the platform whose endpoint hangs")
	flag.DurationVar(&o.hangFor, "hang", 15*time.Second, "hanging-endpoint run")
	flag.DurationVar(&o.hangHold, "hang-hold", 20*time.Second, "how long the hanging endpoint holds each request (longer than the server's 15 s webhook timeout)")
	flag.DurationVar(&o.drain, "drain", 120*time.Second, "longest wait for outstanding webhook events after a run")
	flag.StringVar(&o.pprof, "pprof", "", "serve the server's profiler on this address (DSB_PPROF_ADDR), e.g. 127.0.0.1:6060")
	flag.BoolVar(&o.keepLog, "keep-log", false, "keep the scratch directory with the server's log")
	flag.BoolVar(&o.skipSteady, "skip-steady", false, "skip the steady run")
	flag.BoolVar(&o.skipHanging, "skip-hang", false, "skip the hanging-endpoint run")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		stop()
		os.Exit(1)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func step(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().UTC().Format("15:04:05")}, a...)...)
}

func run(ctx context.Context, o options) (err error) {
	started := time.Now()
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "dsb-load-")
	if err != nil {
		return err
	}
	defer func() {
		if o.keepLog {
			step("scratch directory kept: %s", dir)
		} else {
			os.RemoveAll(dir)
		}
	}()
	step("building the service")
	bin, err := build(ctx, root, dir)
	if err != nil {
		return err
	}

	dbName := "dsb_load_" + randomHex(4)
	if err := createDatabase(ctx, o.mysql+"/", dbName); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer func() {
		if err := dropDatabase(o.mysql+"/", dbName); err != nil {
			step("dropping %s: %v", dbName, err)
		}
	}()
	if err := flushRedis(o.redisAddr, o.redisDB); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	defer func() { _ = flushRedis(o.redisAddr, o.redisDB) }()

	rcv, err := startReceiver(o.hangHold)
	if err != nil {
		return err
	}
	defer rcv.close()
	bare, err := startBareGin()
	if err != nil {
		return err
	}
	defer bare.close()

	port, err := freePort()
	if err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	adminEmail, adminPassword := "admin@load.example.com", "admin-"+randomHex(8)
	dsn := o.mysql + "/" + dbName + "?parseTime=true&charset=utf8mb4&loc=UTC"
	env := []string{
		"DSB_DB_DRIVER=mysql",
		"DSB_DB_DSN=" + dsn,
		fmt.Sprintf("DSB_REDIS_URL=redis://%s/%d", o.redisAddr, o.redisDB),
		"DSB_HTTP_ADDR=" + addr,
		"DSB_ADMIN_EMAIL=" + adminEmail,
		"DSB_ADMIN_PASSWORD=" + adminPassword,
		"DSB_JWT_SECRET=" + randomHex(32),
		"DSB_WEBHOOK_ALLOW_PRIVATE=true",
		"DSB_WEBHOOK_ALLOW_INSECURE=true",
		"DSB_RATE_LIMIT_PER_MINUTE=100000000",
		"DSB_AUTH_RATE_LIMIT_PER_MINUTE=100000",
	}
	if o.pprof != "" {
		env = append(env, "DSB_PPROF_ADDR="+o.pprof)
	}
	srv, err := startServer(bin, dir, env, addr)
	if err != nil {
		return err
	}
	defer srv.stop()
	defer func() {
		if !srv.alive() {
			fmt.Printf("\nThe server exited early (%v). The end of its log:\n\n```\n%s\n```\n", srv.waitErr, srv.logTail(60))
			if err == nil {
				err = fmt.Errorf("the server exited early")
			}
		}
	}()
	step("server pid %d on %s, database %s, redis db %d", srv.cmd.Process.Pid, addr, dbName, o.redisDB)
	if err := srv.waitReady(ctx, 120*time.Second); err != nil {
		return err
	}

	c := &api{http: newHTTPClient(o.conns), base: srv.base}
	step("set-up: accounts, platforms, keys, webhook endpoints")
	t0 := time.Now()
	f, err := setup(ctx, c, rcv, adminEmail, adminPassword, o.consumers, o.mods)
	if err != nil {
		return fmt.Errorf("set-up: %w", err)
	}
	setupFor := time.Since(t0)

	var r results
	defer func() {
		r.receiverReq, r.repeated, r.hangSeen = rcv.requests.Load(), rcv.repeats.Load(), rcv.hangSeen.Load()
		fmt.Printf("# Load benchmark, %s UTC\n\n", started.UTC().Format("2006-01-02 15:04"))
		fmt.Println("The built binary in its own process, on MariaDB + Redis, over 127.0.0.1 sockets with")
		fmt.Printf("%d keep-alive connections and %d workers. Settings that differ from the defaults:\n\n", o.conns, o.conns)
		for _, kv := range env {
			name, val, _ := strings.Cut(kv, "=")
			switch name {
			case "DSB_ADMIN_PASSWORD", "DSB_JWT_SECRET":
				val = "(random for this run)"
			}
			fmt.Printf("- `%s=%s`\n", name, val)
		}
		fmt.Printf("\nSet-up (%d consumers registered at the default bcrypt cost, %d moderators, 2 platforms) took %.1f s.\n\n",
			o.consumers, o.mods, setupFor.Seconds())
		r.table(os.Stdout)
		fmt.Println("\nRaw numbers:\n\n```")
		r.figures(os.Stdout)
		fmt.Println("```")
		step("done in %s", time.Since(started).Round(time.Second))
	}()

	alive := func() error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !srv.alive() {
			return fmt.Errorf("the server exited")
		}
		return f.refreshTokens(ctx)
	}

	step("idle: one event delivered, then %s of the server's CPU", o.idleFor)
	idle, err := f.idle(ctx, srv, rcv, o.idleFor)
	if err != nil {
		return err
	}
	r.idle = &idle

	step("raw INSERT+COMMIT loop for %s", o.rawFor)
	raw, err := rawInsertLoop(ctx, o.mysql+"/"+dbName+"?parseTime=true&charset=utf8mb4&loc=UTC&interpolateParams=true", o.conns, o.rawFor)
	if err != nil {
		return fmt.Errorf("raw insert loop: %w", err)
	}
	r.raw = &raw

	if err := alive(); err != nil {
		return err
	}
	step("intake: %d complaints filed and accepted by %d workers", o.intake, o.conns)
	in := f.intake(ctx, o.intake, o.conns)
	r.intake = &in
	if in.stalled {
		r.note("intake stalled: no request succeeded for %s; %d of %d delivered", stallAfter, in.delivered, in.n)
	}
	if left := rcv.waitDelivered(ctx, "intake: deliveries", in.ids, o.drain); left > 0 {
		r.note("intake: %d of %d complaint.delivered events still missing %s after the run", left, len(in.ids), o.drain)
	}

	if err := alive(); err != nil {
		return err
	}
	step("reads: bare gin, then the platform's list and one complaint, %s each", o.readFor)
	gc := newHTTPClient(o.conns)
	g := closedLoop(ctx, "bare gin", o.conns, o.readFor, func(ctx context.Context, _ int) (int, []byte, error) {
		return (&api{http: gc, base: bare.base}).call(ctx, http.MethodGet, "/", "", nil)
	})
	r.gin = &g
	l := closedLoop(ctx, "GET list", o.conns, o.readFor, func(ctx context.Context, _ int) (int, []byte, error) {
		return c.call(ctx, http.MethodGet, "/api/v1/platform/complaints?limit=20", f.a.key, nil)
	})
	r.list = &l
	if len(in.ids) > 0 {
		one := closedLoop(ctx, "GET one", o.conns, o.readFor, func(ctx context.Context, _ int) (int, []byte, error) {
			return c.call(ctx, http.MethodGet, "/api/v1/platform/complaints/"+randomID(in.ids), f.a.key, nil)
		})
		r.get = &one
	}

	// After the reads, so that the purge of its rows by MariaDB does not run under them.
	if len(in.ids) > 0 {
		step("complaint floor: the rows of one complaint's filing and acceptance, written raw for %s, then acceptances alone", o.rawFor)
		floor, err := complaintFloor(ctx, o.mysql+"/"+dbName+"?charset=utf8mb4&interpolateParams=true",
			in.ids[len(in.ids)-1], o.rawFor)
		if err != nil {
			return fmt.Errorf("complaint floor: %w", err)
		}
		r.floor = &floor
	}

	// A run whose complaints could not all be filed goes on with those that were.
	fileMany := func(name string, n int, platformID string) []string {
		ids, _, err := f.fileMany(ctx, name, n, o.conns, platformID)
		if err != nil {
			r.note("%v", err)
		}
		return ids
	}

	if err := alive(); err != nil {
		return err
	}
	step("burst: %d complaints filed, then accepted at once", o.burst)
	if ids := fileMany("burst: filing", o.burst, f.a.id); len(ids) > 0 {
		if err := alive(); err != nil {
			return err
		}
		b := f.burst(ctx, rcv, ids, o.conns, o.drain)
		r.burst = &b
		if b.stalled {
			r.note("burst stalled: no accept succeeded for %s; %d of %d accepted", stallAfter, b.accepted, b.n)
		}
	}

	if !o.skipSteady {
		if err := alive(); err != nil {
			return err
		}
		n := int(o.steadyRate * o.steadyFor.Seconds())
		step("steady: %d complaints filed, then accepted at %.0f/s", n, o.steadyRate)
		if ids := fileMany("steady: filing", n, f.a.id); len(ids) > 0 {
			if err := alive(); err != nil {
				return err
			}
			jobs := evenly(ids, o.steadyRate)
			s := f.openLoop(ctx, "steady", jobs, o.conns, 2*o.steadyFor+30*time.Second)
			r.steady, r.steadyRate = &s, o.steadyRate
			sl := commitToReceipt(ctx, rcv, "steady: deliveries", jobs, s, nil, o.drain)
			r.steadyLat = &sl
		}
	}

	if !o.skipHanging {
		if err := alive(); err != nil {
			return err
		}
		na, nb := int(o.hangRateA*o.hangFor.Seconds()), int(o.hangRateB*o.hangFor.Seconds())
		step("hang: %d + %d complaints filed; then B's endpoint hangs while both are accepted", na, nb)
		idsA := fileMany("hang: filing A", na, f.a.id)
		idsB := fileMany("hang: filing B", nb, f.b.id)
		if len(idsA) > 0 {
			if err := alive(); err != nil {
				return err
			}
			healthy := map[string]bool{}
			for _, id := range idsA {
				healthy[id] = true
			}
			rcv.hang(f.b.slug)
			jobs := merge(evenly(idsA, o.hangRateA), evenly(idsB, o.hangRateB))
			h := f.openLoop(ctx, "hang", jobs, o.conns, 2*o.hangFor+30*time.Second)
			r.hang, r.hangRateA, r.hangRateB = &h, o.hangRateA, o.hangRateB
			hl := commitToReceipt(ctx, rcv, "hang: healthy deliveries", jobs, h, healthy, min(o.drain, 60*time.Second))
			r.hangLat = &hl
			rcv.releaseHanging()
		}
	}
	return nil
}
