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
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
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

// savePlatforms creates the planned platforms that do not exist yet (by slug) and adopts the
// stored ones, with their real reachability. It returns how many it created.
func savePlatforms(ctx context.Context, st *store.Store, plans []*platformPlan) (int, error) {
	db := st.DB().WithContext(st.Keyed(ctx))
	bySlug := map[string]*models.Platform{}
	for chunk := range slices.Chunk(plans, 500) {
		slugs := make([]string, len(chunk))
		for i, p := range chunk {
			slugs[i] = p.Slug
		}
		var found []models.Platform
		if err := db.Where("slug IN ?", slugs).Find(&found).Error; err != nil {
			return 0, err
		}
		for i := range found {
			bySlug[found[i].Slug] = &found[i]
		}
	}
	var fresh []models.Platform
	var keys []models.APIKey
	for _, p := range plans {
		if old := bySlug[p.Slug]; old != nil {
			p.Platform = *old
			reachable, err := reachable(ctx, st, old)
			if err != nil {
				return 0, err
			}
			p.reachable, p.apiKey = reachable, reachable && !old.HasAfterSalesContact()
			continue
		}
		fresh = append(fresh, p.Platform)
		if p.apiKey {
			keys = append(keys, unusableAPIKey(p.ID, p.CreatedAt))
		}
	}
	size := insertBatchSize(db, &models.Platform{})
	for chunk := range slices.Chunk(fresh, size) {
		if err := insertRows(ctx, db, chunk, size); err != nil {
			return 0, err
		}
	}
	if len(keys) > 0 {
		if err := insertRows(ctx, db, keys, insertBatchSize(db, &models.APIKey{})); err != nil {
			return 0, err
		}
	}
	return len(fresh), nil
}

// reachable is the service's rule: onboarded, and an after-sales contact, an active API key
// or an enabled webhook endpoint.
func reachable(ctx context.Context, st *store.Store, p *models.Platform) (bool, error) {
	if !p.Onboarded {
		return false, nil
	}
	if p.HasAfterSalesContact() {
		return true, nil
	}
	if n, err := st.CountActiveAPIKeys(ctx, p.ID); err != nil || n > 0 {
		return n > 0, err
	}
	n, err := st.CountEnabledWebhookEndpoints(ctx, p.ID)
	return n > 0, err
}

// unusableAPIKey is an active key whose secret nobody has: it makes a platform without an
// after-sales contact reachable, as an integrated platform is. Its bytes come from
// crypto/rand, so that knowing the seed gives no working key.
func unusableAPIKey(platformID string, at time.Time) models.APIKey {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	plain := "dsb_live_" + hex.EncodeToString(b)
	sum := sha256.Sum256([]byte(plain))
	return models.APIKey{ID: models.NewID(), PlatformID: platformID, Name: "seed", Prefix: plain[:12],
		KeyHash: hex.EncodeToString(sum[:]), CreatedAt: at}
}

// saveAccounts creates the consumer (phones 199xxxxxxxx) and merchant (198xxxxxxxx) accounts
// that do not exist yet, all with one bcrypt hash of Password, and returns every one of them.
func saveAccounts(ctx context.Context, st *store.Store, opts Options, platforms []*platformPlan, cum []float64, order []int) ([]models.User, []models.User, int, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(Password), opts.BcryptCost)
	if err != nil {
		return nil, nil, 0, err
	}
	r := newRand(opts.Seed, streamAccounts)
	pg := &complaintGen{r: r, platforms: platforms, cum: cum, order: order}
	from := opts.From.Start()
	mk := func(role models.Role, prefix string, i int) models.User {
		phone := fmt.Sprintf("%s%08d", prefix, i+1)
		created := from.Add(-seconds(r, time.Hour, 400*24*time.Hour))
		u := models.User{ID: seededID(r, created, uint16(i)), Role: role, Phone: &phone, PasswordHash: string(hash),
			RealName: personName(r), CreatedAt: created, UpdatedAt: created}
		if role == models.RoleMerchant {
			shop := string(pick(r, surnames)) + "记" + pick(r, shopWords)
			u.ShopName = &shop
			pid := pg.platform().ID
			u.ShopPlatformID = &pid
		}
		st.SetUserHashes(&u)
		return u
	}
	consumers := make([]models.User, opts.Consumers)
	for i := range consumers {
		consumers[i] = mk(models.RoleConsumer, "199", i)
	}
	merchants := make([]models.User, opts.Merchants)
	for i := range merchants {
		merchants[i] = mk(models.RoleMerchant, "198", i)
	}
	db := st.DB().WithContext(st.Keyed(ctx))
	created := 0
	for _, group := range [][]models.User{consumers, merchants} {
		var fresh []models.User
		for chunk := range slices.Chunk(group, 1000) {
			var hashes []string
			for i := range chunk {
				hashes = append(hashes, st.Keys().Hashes(*chunk[i].Phone)...)
			}
			var found []models.User
			if err := db.Where("phone_hash IN ?", hashes).Find(&found).Error; err != nil {
				return nil, nil, 0, err
			}
			byPhone := make(map[string]models.User, len(found))
			for _, u := range found {
				byPhone[*u.Phone] = u
			}
			for i := range chunk {
				if old, ok := byPhone[*chunk[i].Phone]; ok {
					if old.Role != chunk[i].Role {
						return nil, nil, 0, fmt.Errorf("phone %s belongs to a %s account, not a %s", *old.Phone, old.Role, chunk[i].Role)
					}
					chunk[i] = old
					continue
				}
				fresh = append(fresh, chunk[i])
			}
		}
		size := insertBatchSize(db, &models.User{})
		for chunk := range slices.Chunk(fresh, size) {
			if err := insertRows(ctx, db, chunk, size); err != nil {
				return nil, nil, 0, err
			}
		}
		created += len(fresh)
	}
	return consumers, merchants, created, nil
}

// reserveNumbers takes each day's numbers before any complaint is written: the day's sequence
// moves up by the day's count in one upsert, exactly as filing takes one, so the seeded
// numbers never collide with numbers already given or taken later, even by a server running
// meanwhile. A failed run leaves a gap, which numbers may have.
func reserveNumbers(ctx context.Context, st *store.Store, days []dayPlan) error {
	return st.DB().WithContext(st.Keyed(ctx)).Transaction(func(tx *gorm.DB) error {
		for i := range days {
			d := &days[i]
			if d.count == 0 {
				continue
			}
			err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "day"}},
				DoUpdates: clause.Assignments(map[string]any{"last": gorm.Expr("last + ?", d.count)}),
			}).Create(&models.ComplaintSequence{Day: d.key, Last: int64(d.count)}).Error
			if err != nil {
				return err
			}
			var seq models.ComplaintSequence
			if err := tx.Where("day = ?", d.key).Take(&seq).Error; err != nil {
				return err
			}
			d.base = seq.Last - int64(d.count)
			if seq.Last > 999_999 {
				return fmt.Errorf("day %s would need numbers beyond 999999", d.key)
			}
		}
		return nil
	})
}

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
