// Package store is the persistence layer: it opens SQLite (embedded, pure Go) or MySQL/MariaDB,
// creates and upgrades the schema, and holds one repository file per aggregate. Every method
// takes a context first.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/dianshubao/dianshubao/datakey"
	"github.com/dianshubao/dianshubao/models"
)

// Store wraps the database handle; repositories hang off it.
type Store struct {
	db        *gorm.DB
	driver    string
	txTimeout time.Duration
	// inTx marks a Store bound to a transaction: its statements run under the transaction's
	// bounded context, whatever context a method is given.
	inTx bool
	// reopen opens another pool to the same database (MariaDB/MySQL only).
	reopen func(conns int) (*gorm.DB, error)
	// log reports what migrations leave for an operator to settle.
	log *slog.Logger
	// keys seal and open the personal information columns (serializer:encrypted) and hash
	// the values they are looked up by.
	keys *datakey.Keyring
	// views hears of committed writes that change what platforms read (WatchViews).
	views *viewWatch
	// reach says whether the database was unreachable when last used (Unreachable).
	reach *reach
	// later are the inserts the transaction sends just before it commits (Later); nil outside
	// a transaction, in a savepoint and on SQLite.
	later *later
}

// inTxOn is this store bound to db, a transaction's handle.
func (s *Store) inTxOn(db *gorm.DB) *Store {
	return &Store{db: db, driver: s.driver, txTimeout: s.txTimeout, inTx: true, keys: s.keys, log: s.log, views: s.views, reach: s.reach}
}

// conn is the handle a statement runs on: outside a transaction bound to ctx, inside one bound
// to the transaction's own deadline, so that no repository method escapes Tx's bound.
func (s *Store) conn(ctx context.Context) *gorm.DB {
	if s.inTx {
		return s.db
	}
	return s.db.WithContext(s.Keyed(ctx))
}

// Keyed returns ctx carrying the store's data keyring: a statement run on a handle of its own
// (DB) under that context reads and writes the encrypted columns.
func (s *Store) Keyed(ctx context.Context) context.Context {
	if datakey.From(ctx) == s.keys {
		return ctx
	}
	return datakey.With(ctx, s.keys)
}

// Keys is the store's data keyring.
func (s *Store) Keys() *datakey.Keyring { return s.keys }

// TxTimeout bounds a Store.Tx call, its deadlock retries included. It must stay below the
// change feed's lag: a change is stamped inside its transaction, so it is committed (or rolled
// back) within TxTimeout of its updated_at.
const TxTimeout = 4 * time.Second

// sqliteBusyTimeout is how long an SQLite writer queues for the write lock.
const sqliteBusyTimeout = 10 * time.Second

// Options tunes Open.
type Options struct {
	Logger *slog.Logger
	// TxTimeout overrides the default TxTimeout (tests shorten it).
	TxTimeout time.Duration
	// Keys seal personal information; nil: the development key (datakey.Development).
	Keys *datakey.Keyring
}

// Open connects to the database and migrates the schema.
func Open(ctx context.Context, driver, dsn string, opts Options) (*Store, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	cfg := &gorm.Config{
		Logger:                                   logger.Discard,
		NowFunc:                                  func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) },
		DisableForeignKeyConstraintWhenMigrating: true,
		TranslateError:                           true,
		// Every write that needs a transaction runs in Store.Tx; a lone statement needs none.
		SkipDefaultTransaction: true,
	}
	txTimeout := opts.TxTimeout
	if txTimeout <= 0 {
		txTimeout = TxTimeout
	}
	var (
		db     *gorm.DB
		err    error
		reopen func(int) (*gorm.DB, error)
	)
	views, rc := &viewWatch{}, &reach{}
	switch driver {
	case "sqlite":
		if dir := filepath.Dir(dsn); dir != "." && !strings.HasPrefix(dsn, "file:") {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create database folder: %w", err)
			}
		}
		db, err = gorm.Open(sqlite.Open(sqliteDSN(dsn, txTimeout)), cfg)
		if err == nil {
			err = errors.Join(registerViewWatch(db, views), registerReach(db, rc), registerLater(db))
		}
		if err == nil {
			sqlDB, _ := db.DB()
			// One writer at a time is SQLite's rule; a small pool with a busy timeout and
			// immediate write transactions keeps writers queueing instead of failing.
			sqlDB.SetMaxOpenConns(8)
		}
	case "mysql":
		mc, perr := mysqldriver.ParseDSN(dsn)
		if perr != nil {
			return nil, fmt.Errorf("parse DSB_DB_DSN: %w", perr)
		}
		mc.ParseTime = true
		mc.Loc = time.UTC
		if mc.Params == nil {
			mc.Params = map[string]string{}
		}
		if _, ok := mc.Params["charset"]; !ok {
			mc.Params["charset"] = "utf8mb4"
		}
		// Arguments are interpolated client-side: one round trip per statement instead of a
		// prepare, an execute and a close (about a third more throughput on filing).
		mc.InterpolateParams = true
		// A transaction's last inserts go together in one round trip (Later).
		mc.MultiStatements = true
		// A dead or unreachable server fails a request in seconds instead of hanging it.
		if mc.Timeout == 0 {
			mc.Timeout = 2 * time.Second
		}
		if mc.ReadTimeout == 0 {
			mc.ReadTimeout = 10 * time.Second
		}
		if mc.WriteTimeout == 0 {
			mc.WriteTimeout = 10 * time.Second
		}
		if err := ReadCommitted(ctx, mc); err != nil {
			return nil, fmt.Errorf("open mysql database: %w", err)
		}
		reopen = func(conns int) (*gorm.DB, error) {
			db, err := gorm.Open(mysql.New(mysql.Config{DSNConfig: mc}), cfg)
			if err == nil {
				err = errors.Join(registerViewWatch(db, views), registerReach(db, rc), registerLater(db))
			}
			if err == nil {
				sqlDB, _ := db.DB()
				sqlDB.SetMaxOpenConns(conns)
				sqlDB.SetMaxIdleConns(conns)
				sqlDB.SetConnMaxLifetime(30 * time.Minute)
			}
			return db, err
		}
		db, err = reopen(32)
	default:
		return nil, fmt.Errorf("unknown database driver %q", driver)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", driver, err)
	}
	keys := opts.Keys
	if keys == nil {
		keys = datakey.Development()
	}
	// The handle's own context carries the keyring, for statements given no other (DB).
	db = db.WithContext(datakey.With(context.Background(), keys))
	s := &Store{db: db, driver: driver, txTimeout: txTimeout, reopen: reopen, log: log, keys: keys, views: views, reach: rc}
	if err := s.Migrate(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	log.Info("database ready", "driver", driver)
	return s, nil
}

// OwnPool is the same database through a pool of its own of conns connections, for the work
// queue: its claims and results must not wait for a connection behind every request in
// flight, or the queue falls behind whenever requests saturate the shared pool. On SQLite, one
// file and one writer, it is the store itself. Close it apart from the store.
func (s *Store) OwnPool(conns int) (*Store, error) {
	if s.reopen == nil {
		return s, nil
	}
	db, err := s.reopen(conns)
	if err != nil {
		return nil, fmt.Errorf("open the work queue's pool: %w", err)
	}
	db = db.WithContext(datakey.With(context.Background(), s.keys))
	return &Store{db: db, driver: s.driver, txTimeout: s.txTimeout, keys: s.keys, log: s.log, views: s.views, reach: s.reach}, nil
}

// ReadCommitted makes every session of mc READ COMMITTED, so that a claim locks only the rows
// it takes and no gap locks block inserts (the load benchmark's raw writers use it too, to run
// as the service's transactions do). MySQL 8 and MariaDB ≥ 11.1 name the variable
// transaction_isolation, MariaDB 10.6–11.0 only tx_isolation: one probe finds which.
func ReadCommitted(ctx context.Context, mc *mysqldriver.Config) error {
	if _, ok := mc.Params["transaction_isolation"]; ok {
		return nil
	}
	if _, ok := mc.Params["tx_isolation"]; ok {
		return nil
	}
	conn, err := mysqldriver.NewConnector(mc)
	if err != nil {
		return err
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	name := "transaction_isolation"
	if _, err := db.ExecContext(ctx, "SET SESSION transaction_isolation = 'READ-COMMITTED'"); err != nil {
		var me *mysqldriver.MySQLError
		if !errors.As(err, &me) || me.Number != 1193 { // 1193: unknown system variable
			return err
		}
		name = "tx_isolation"
	}
	mc.Params[name] = "'READ-COMMITTED'"
	return nil
}

// sqliteDSN adds the pragmas the service relies on to a plain file path. Writers queue for the
// write lock (immediate transactions) up to the busy timeout: under load they wait their turn
// instead of failing.
func sqliteDSN(dsn string, txTimeout time.Duration) string {
	if strings.Contains(dsn, "_pragma=") {
		return dsn
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	busy := max(sqliteBusyTimeout, txTimeout).Milliseconds()
	return dsn + sep + "_pragma=busy_timeout(" + strconv.FormatInt(busy, 10) + ")&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate"
}

// Migrate creates and upgrades the schema. AutoMigrate adds tables, columns and indexes;
// changes that drop or narrow columns are explicit steps added here.
func (s *Store) Migrate(ctx context.Context) error {
	opts := ""
	if s.driver == "mysql" {
		// Binary collation: comparisons are exact, as on SQLite (an order number "ORD-1" is
		// not "ord-1", ids are compared byte for byte).
		opts = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
	}
	db := s.conn(ctx)
	if opts != "" {
		db = db.Set("gorm:table_options", opts)
	}
	newClaims := !s.conn(ctx).Migrator().HasTable(&models.ComplaintClaim{})
	if err := db.AutoMigrate(
		&models.User{}, &models.RefreshToken{}, &models.Platform{}, &models.APIKey{}, &models.KVEntry{},
		&models.Evidence{}, &models.EvidenceLink{}, &models.BlobDeletion{},
		&models.Complaint{}, &models.Supplement{}, &models.Reply{}, &models.TimelineItem{}, &models.ComplaintSequence{},
		&models.Notification{}, &models.WebhookEvent{}, &models.WebhookEndpoint{},
		&models.WebhookAttempt{}, &models.RatingSnapshot{}, &models.RankingSnapshot{}, &models.ReportSnapshot{},
		&models.Job{}, &models.IdempotencyRecord{},
		&models.ComplaintClaim{},
		&models.ScreeningTerm{}, &models.ScreeningListState{},
		&models.Campaign{}, &models.CampaignComplaint{}, &models.Questionnaire{}, &models.Question{}, &models.QuestionnaireResponse{}, &models.QuestionnaireAnswer{},
		&models.Erasure{}, &models.Case{},
		&models.Lawyer{}, &models.Consultation{}, &models.ConsultationMessage{},
		&models.WebSession{},
	); err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	if newClaims {
		if err := s.backfillClaims(ctx, time.Now().UTC()); err != nil {
			return fmt.Errorf("backfill complaint claims: %w", err)
		}
	}
	if err := s.adoptPendingWork(ctx); err != nil {
		return err
	}
	if err := s.sealPersonalData(ctx); err != nil {
		return err
	}
	if err := s.backfillPlatformNameKeys(ctx); err != nil {
		return fmt.Errorf("backfill platform name keys: %w", err)
	}
	if err := s.backfillAcceptedAt(ctx); err != nil {
		return fmt.Errorf("backfill accepted_at: %w", err)
	}
	// Indexes that the covering rating index replaced, and the jobs' lease index, which the
	// claim index serves (models.Job).
	m := s.conn(ctx).Migrator()
	for _, old := range []struct {
		model any
		name  string
	}{{&models.Complaint{}, "idx_complaints_period"}, {&models.Complaint{}, "idx_complaints_rating"}, {&models.Job{}, "idx_jobs_lease"}} {
		if m.HasIndex(old.model, old.name) {
			if err := m.DropIndex(old.model, old.name); err != nil {
				return fmt.Errorf("drop index %s: %w", old.name, err)
			}
		}
	}
	return nil
}

// Driver names the database driver in use.
func (s *Store) Driver() string { return s.driver }

// DB exposes the handle to other packages of the persistence side (tests, the seed), carrying
// the data keyring; a caller that replaces its context passes one from Keyed.
func (s *Store) DB() *gorm.DB { return s.db }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	err = sqlDB.PingContext(ctx)
	if s.reach != nil {
		s.reach.saw(err)
	}
	return err
}

// Close releases the connections.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Tx runs fn in one transaction; fn gets a Store bound to it. A transaction that MariaDB/MySQL
// chose as a deadlock victim, or whose lock wait timed out, is run again (fn must start from
// scratch each time), a few times at most. The work runs under txTimeout: past it the
// transaction is rolled back and Tx returns context.DeadlineExceeded, never a late commit. On
// MariaDB/MySQL the bound covers the whole call (lock waits happen inside the transaction); on
// SQLite it starts once the write lock is held, since a writer queues for that lock before its
// transaction begins and stamps nothing while it waits.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	ctx = s.Keyed(ctx)
	if s.inTx {
		// A savepoint of the enclosing transaction: its writes are the enclosing one's, heard
		// of when that one commits.
		return s.db.Transaction(func(db *gorm.DB) error {
			return fn(s.inTxOn(db))
		})
	}
	var vc *viewChanges
	err := s.tx(ctx, func(ctx context.Context) context.Context {
		vc = &viewChanges{}
		return context.WithValue(ctx, viewChangesKey{}, vc)
	}, fn)
	if err == nil && vc != nil && s.views != nil {
		s.views.tell(vc.result())
	}
	return err
}

// tx runs fn in a transaction, each attempt under the context attempt makes (a fresh record of
// its writes).
func (s *Store) tx(ctx context.Context, attempt func(context.Context) context.Context, fn func(tx *Store) error) error {
	if s.driver == "sqlite" {
		return s.sqliteTx(attempt(ctx), fn)
	}
	ctx, cancel := context.WithTimeout(ctx, s.txTimeout)
	defer cancel()
	var err error
	for try := 0; try < 4; try++ {
		err = s.conn(attempt(ctx)).Transaction(func(db *gorm.DB) error {
			tx := s.inTxOn(db)
			tx.later = &later{}
			if err := fn(tx); err != nil {
				return err
			}
			return tx.flushLater(db.Statement.Context)
		})
		if err != nil && ctx.Err() != nil {
			// Whatever the driver said, the deadline is why: report it so callers answer 503.
			return errors.Join(ctx.Err(), err)
		}
		if !retryable(err) || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(try+1) * 10 * time.Millisecond):
		}
	}
	return err
}

// sqliteTx is Tx on SQLite: the single writer, bounded from the moment it holds the lock.
func (s *Store) sqliteTx(ctx context.Context, fn func(tx *Store) error) error {
	var work context.Context
	err := s.conn(ctx).Transaction(func(db *gorm.DB) error {
		var cancel context.CancelFunc
		work, cancel = context.WithTimeout(ctx, s.txTimeout)
		defer cancel()
		if err := fn(s.inTxOn(db.WithContext(work))); err != nil {
			return err
		}
		return work.Err() // past the deadline: roll back rather than commit late
	})
	if err != nil && work != nil && errors.Is(work.Err(), context.DeadlineExceeded) {
		return errors.Join(context.DeadlineExceeded, err)
	}
	return err
}

// retryable reports a deadlock (1213) or a lock wait timeout (1205).
func retryable(err error) bool {
	var me *mysqldriver.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

// translate maps database errors to domain errors where the meaning is clear.
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return models.NotFound(what)
	}
	return err
}

// IsDuplicate reports whether err is a unique-constraint violation.
func IsDuplicate(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) }
