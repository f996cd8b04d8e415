// Package seed fills a database with synthetic, reproducible data for development, demos and
// the scale benchmarks: platforms over the seven sectors, consumer and merchant accounts, and
// complaints in every state with consistent timestamps, spread over a range of months. The
// same seed and options give the same rows.
//
// It writes the columns the service reads (complaints with their status, times, rating and
// number; platforms; accounts; complaint_sequences), not the history around them: no
// timeline entries, reply texts, notifications or webhook events — but for the handful of
// complaints that become typical cases, which get a reply and are made cases through the
// service (cases.go).
package seed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// Password is the password of every seeded account (development data only: the command
// refuses DSB_ENV=production).
const Password = "seed-password-1"

// Options is what to seed.
type Options struct {
	Platforms  int
	Complaints int
	// Consumers is how many consumer accounts file the consumer-channel complaints; Merchants
	// how many merchant accounts file the refund-only ones (0: Consumers/10, at least 1).
	Consumers int
	Merchants int
	Seed      uint64
	// From and To are the first and last month of filings (China time).
	From, To models.Period
	// AsOf is the moment the data describe: nothing happens at or after it. Zero means the end
	// of To, or the start of the current hour if that is earlier.
	AsOf time.Time
	// Append allows seeding into a database that already has complaints.
	Append bool
	// Workers is how many goroutines insert (0: 4 on MySQL/MariaDB, 1 on SQLite).
	Workers int
	// Cases is how many typical cases to publish from completed complaints (seed/cases.go).
	Cases int
	// BcryptCost hashes Password once for all accounts (0: bcrypt.DefaultCost).
	BcryptCost int
	// AutoCompleteAfter is when an unrated reply completes (0: 360 h, the service's default).
	AutoCompleteAfter time.Duration
	// Progress receives the progress display (nil: none). Terminal redraws one line with \r;
	// otherwise Logger gets a line every 5 %.
	Progress io.Writer
	Terminal bool
	Logger   *slog.Logger
}

// Summary is what a run seeded.
type Summary struct {
	Platforms, NewPlatforms int
	Consumers, Merchants    int
	NewAccounts             int
	Complaints              int
	// Cases is how many typical cases were published.
	Cases int
	// Campaigns is how many of the campaigns of 2024 were added.
	Campaigns int
	ByStatus  map[models.Status]int
	ByChannel map[models.Channel]int
	Days      int
	From, To  models.Period
	AsOf      time.Time
	Seed      uint64
	Workers   int
	// Lawyers and Consultations are the lawyer team's demo profiles and consultations.
	Lawyers, Consultations int
	// ComplaintTime is the time spent generating and inserting complaints; Total the whole run.
	ComplaintTime, Total time.Duration
}

// Rate is complaints inserted per second.
func (s *Summary) Rate() float64 {
	if s.ComplaintTime <= 0 {
		return 0
	}
	return float64(s.Complaints) / s.ComplaintTime.Seconds()
}

// ErrNotEmpty is returned when the database already has complaints and Append is not set.
var ErrNotEmpty = errors.New("the database already has complaints: seed into an empty database, or pass --append to add to it")

func (o *Options) normalize(driver string, now time.Time) error {
	var errs []error
	if o.Platforms < 1 {
		errs = append(errs, errors.New("platforms must be at least 1"))
	}
	if o.Complaints < 0 {
		errs = append(errs, errors.New("complaints must not be negative"))
	}
	if o.Cases < 0 || o.Cases > 100 {
		errs = append(errs, errors.New("cases must be from 0 to 100"))
	}
	if o.Consumers < 1 {
		errs = append(errs, errors.New("consumers must be at least 1"))
	}
	if o.Consumers > 99_999_999 || o.Merchants > 99_999_999 {
		errs = append(errs, errors.New("at most 99999999 accounts of each kind (phones 199xxxxxxxx and 198xxxxxxxx)"))
	}
	if o.Merchants == 0 {
		o.Merchants = max(1, o.Consumers/10)
	}
	if o.From.Type != models.PeriodMonth || o.To.Type != models.PeriodMonth || !o.From.Valid() || !o.To.Valid() {
		errs = append(errs, errors.New("from and to must be months such as 2025-01"))
	} else if o.To.Start().Before(o.From.Start()) {
		errs = append(errs, errors.New("to is before from"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if o.AsOf.IsZero() {
		o.AsOf = o.To.End()
		if hour := now.UTC().Truncate(time.Hour); hour.Before(o.AsOf) {
			o.AsOf = hour
		}
	}
	o.AsOf = o.AsOf.UTC().Truncate(time.Second)
	if !o.AsOf.After(o.From.Start()) {
		return fmt.Errorf("the data would end (%s) before the range begins (%s): pass an earlier --from or a later --as-of",
			o.AsOf.Format(time.RFC3339), o.From.Start().Format(time.RFC3339))
	}
	if o.Workers <= 0 {
		o.Workers = 1
		if driver == "mysql" {
			o.Workers = 4
		}
	}
	if o.BcryptCost == 0 {
		o.BcryptCost = bcrypt.DefaultCost
	}
	if o.AutoCompleteAfter == 0 {
		o.AutoCompleteAfter = 360 * time.Hour
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Run seeds st. It refuses a database that has complaints unless opts.Append is set; with
// Append it reuses the platforms and accounts that exist (by slug and phone), adds the
// missing ones, and takes complaint numbers after the ones already given out.
func Run(ctx context.Context, st *store.Store, opts Options) (*Summary, error) {
	began := time.Now()
	ctx = st.Keyed(ctx) // the accounts' and complaints' personal data are sealed
	if err := opts.normalize(st.Driver(), time.Now()); err != nil {
		return nil, err
	}
	db := st.DB().WithContext(st.Keyed(ctx))
	var existing int64
	if opts.Append {
		if err := db.Model(&models.Complaint{}).Count(&existing).Error; err != nil {
			return nil, err
		}
	} else {
		var ids []string
		if err := db.Model(&models.Complaint{}).Limit(1).Pluck("id", &ids).Error; err != nil {
			return nil, err
		}
		if len(ids) > 0 {
			return nil, ErrNotEmpty
		}
	}
	sum := &Summary{ByStatus: map[models.Status]int{}, ByChannel: map[models.Channel]int{}, From: opts.From, To: opts.To,
		AsOf: opts.AsOf, Seed: opts.Seed, Workers: opts.Workers}
	log := opts.Logger

	from := opts.From.Start()
	platforms, cum, order := planPlatforms(opts.Seed, opts.Platforms, from)
	tagForRankings(platforms, order)
	created, err := savePlatforms(ctx, st, platforms)
	if err != nil {
		return nil, fmt.Errorf("platforms: %w", err)
	}
	sum.Platforms, sum.NewPlatforms = len(platforms), created
	log.Info("platforms ready", "platforms", len(platforms), "created", created)

	consumers, merchants, createdAccounts, err := saveAccounts(ctx, st, opts, platforms, cum, order)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	sum.Consumers, sum.Merchants, sum.NewAccounts = len(consumers), len(merchants), createdAccounts
	log.Info("accounts ready", "consumers", len(consumers), "merchants", len(merchants), "created", createdAccounts)

	end := opts.To.End()
	if opts.AsOf.Before(end) {
		end = opts.AsOf
	}
	days := planDays(from, end, opts.Complaints)
	sum.Days = len(days)
	if err := reserveNumbers(ctx, st, days); err != nil {
		return nil, fmt.Errorf("complaint numbers: %w", err)
	}

	g := &complaintGen{r: newRand(opts.Seed, streamComplaints+uint64(existing)), platforms: platforms, cum: cum, order: order,
		consumers: consumers, merchants: merchants, asOf: opts.AsOf, autoComplete: opts.AutoCompleteAfter}
	prog := newProgress(opts.Progress, opts.Terminal, log, int64(opts.Complaints))
	t0 := time.Now()
	err = insertComplaints(ctx, st, opts.Workers, prog, func(emit func([]models.Complaint) error) error {
		return generate(g, days, func(batch []models.Complaint) error {
			for i := range batch {
				sum.ByStatus[batch[i].Status]++
				sum.ByChannel[batch[i].Channel]++
			}
			return emit(batch)
		})
	})
	prog.finish(err == nil)
	if err != nil {
		return nil, fmt.Errorf("complaints: %w", err)
	}
	sum.Complaints = opts.Complaints
	sum.ComplaintTime = time.Since(t0)
	if sum.Campaigns, err = seedCampaigns(ctx, st, consumers, merchants); err != nil {
		return nil, fmt.Errorf("campaigns: %w", err)
	}
	if sum.Lawyers, sum.Consultations, err = seedLawyers(ctx, st, opts); err != nil {
		return nil, fmt.Errorf("lawyers: %w", err)
	}
	if sum.Cases, err = seedCases(ctx, st, opts); err != nil {
		return nil, fmt.Errorf("cases: %w", err)
	}
	log.Info("cases published", "cases", sum.Cases)
	sum.Total = time.Since(began)
	return sum, nil
}

// genBatch is how many complaints generate hands over at a time: one transaction each.
const genBatch = 1000

// generate draws every complaint, day by day, and hands them over in batches.
func generate(g *complaintGen, days []dayPlan, emit func([]models.Complaint) error) error {
	batch := make([]models.Complaint, 0, genBatch)
	for _, day := range days {
		for i, t := range g.times(day) {
			batch = append(batch, g.complaint(t, fmt.Sprintf("DSB%s%06d", day.key, day.base+int64(i)+1)))
			if len(batch) == genBatch {
				if err := emit(batch); err != nil {
					return err
				}
				batch = make([]models.Complaint, 0, genBatch)
			}
		}
	}
	if len(batch) > 0 {
		return emit(batch)
	}
	return nil
}

// insertBatchSize is the rows of one INSERT. MySQL/MariaDB take 1000. The pure-Go SQLite
// driver matches each bound parameter to its argument by a linear search, so a statement
// costs the square of its parameters: there a statement carries about 2000 of them.
func insertBatchSize(db *gorm.DB, model any) int {
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(model); err != nil || len(stmt.Schema.DBNames) == 0 {
		return 50
	}
	if db.Dialector.Name() == "mysql" {
		return min(1000, 60000/len(stmt.Schema.DBNames))
	}
	return max(1, sqliteParams/len(stmt.Schema.DBNames))
}

const sqliteParams = 1000

// insertRows writes rows in one transaction, in multi-row INSERTs of batch rows.
func insertRows[T any](ctx context.Context, db *gorm.DB, rows []T, batch int) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.Session(&gorm.Session{SkipHooks: true, SkipDefaultTransaction: true}).Omit(clause.Associations).CreateInBatches(rows, batch).Error
	})
}

// insertComplaints runs produce in this goroutine (the data must not depend on scheduling)
// and inserts its batches with workers goroutines, one transaction per batch.
func insertComplaints(ctx context.Context, st *store.Store, workers int, prog *progress, produce func(emit func([]models.Complaint) error) error) error {
	ctx, cancel := context.WithCancelCause(st.Keyed(ctx))
	defer cancel(nil)
	db := st.DB()
	size := insertBatchSize(db, &models.Complaint{})
	ch := make(chan []models.Complaint, workers*2)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for batch := range ch {
				if ctx.Err() != nil {
					continue
				}
				if err := insertRows(ctx, db, batch, size); err != nil {
					cancel(err)
					continue
				}
				prog.add(int64(len(batch)))
			}
		})
	}
	err := produce(func(batch []models.Complaint) error {
		select {
		case ch <- batch:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	})
	close(ch)
	wg.Wait()
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	if err != nil {
		return err
	}
	return ctx.Err()
}
