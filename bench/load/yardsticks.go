package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	_ "github.com/go-sql-driver/mysql"
)

// bareGin is a gin engine with one route answering {"status":"ok"}: what an HTTP request costs
// on this machine with nothing of the service in it.
type bareGin struct {
	srv  *http.Server
	base string
}

func startBareGin() (*bareGin, error) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.GET("/", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	g := &bareGin{srv: &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}, base: "http://" + ln.Addr().String()}
	go func() { _ = g.srv.Serve(ln) }()
	return g, nil
}

func (g *bareGin) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = g.srv.Shutdown(ctx)
}

// rawInsertLoop commits single-row INSERTs (BEGIN, INSERT, COMMIT) on conns connections for d
// into a scratch table of the load's database: what one durable write costs on this server.
func rawInsertLoop(ctx context.Context, dsn string, conns int, d time.Duration) (loopResult, error) {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return loopResult{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	if _, err := db.ExecContext(ctx, `CREATE TABLE load_scratch (
		id BIGINT AUTO_INCREMENT PRIMARY KEY,
		worker INT NOT NULL,
		payload VARCHAR(255) NOT NULL,
		created_at DATETIME(3) NOT NULL
	) ENGINE=InnoDB`); err != nil {
		return loopResult{}, fmt.Errorf("scratch table: %w", err)
	}
	defer func() { _, _ = db.ExecContext(context.Background(), `DROP TABLE load_scratch`) }()
	if err := db.PingContext(ctx); err != nil {
		return loopResult{}, err
	}

	return commitLoop(ctx, "raw INSERT+COMMIT", conns, d, func(ctx context.Context, w int) error { return insertOne(ctx, db, w) }), nil
}

// errNoMore, returned by a commitLoop's fn, ends its worker: there is nothing left to do.
var errNoMore = errors.New("nothing left")

// commitLoop runs fn on conns workers for d, or until every worker's fn said errNoMore, and
// counts the calls that succeeded.
func commitLoop(ctx context.Context, name string, conns int, d time.Duration, fn func(ctx context.Context, w int) error) loopResult {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	res := loopResult{lat: &latencies{}, st: &statuses{}}
	var n atomic.Int64
	stop := progress(name, func() string { return fmt.Sprintf("%d commits", n.Load()) })
	defer stop()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for ctx.Err() == nil {
				t0 := time.Now()
				err := fn(ctx, w)
				if ctx.Err() != nil || errors.Is(err, errNoMore) {
					return
				}
				res.lat.add(time.Since(t0))
				if err != nil {
					res.st.record(0, nil, err)
					continue
				}
				res.st.record(200, nil, nil)
				n.Add(1)
			}
		}(w)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.n = n.Load()
	return res
}

func insertOne(ctx context.Context, db *sql.DB, w int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO load_scratch (worker, payload, created_at) VALUES (?, ?, ?)`,
		w, "商品未发货且拒绝退款", time.Now().UTC()); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
