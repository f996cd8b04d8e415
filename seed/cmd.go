package seed

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/dianshubao/dianshubao/config"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// Main is the `seed` subcommand: it reads the same DSB_* configuration as the server (so it
// seeds SQLite by default, or MySQL/MariaDB with DSB_DB_DRIVER=mysql and DSB_DB_DSN), parses
// args and seeds. Progress and the summary go to stderr.
func Main(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		o              Options
		seed           uint64
		from, to, asOf string
	)
	fs.IntVar(&o.Platforms, "platforms", 1000, "platforms to seed (slugs p0001…)")
	fs.IntVar(&o.Complaints, "complaints", 100000, "complaints to seed")
	fs.IntVar(&o.Consumers, "consumers", 5000, "consumer accounts (phones 199xxxxxxxx)")
	fs.IntVar(&o.Merchants, "merchants", 0, "merchant accounts (phones 198xxxxxxxx; 0: consumers/10)")
	fs.Uint64Var(&seed, "seed", 42, "random seed: the same seed and flags give the same data")
	fs.StringVar(&from, "from", "2025-01", "first month of filings (China time)")
	fs.StringVar(&to, "to", "2026-11", "last month of filings (China time)")
	fs.StringVar(&asOf, "as-of", "", "the moment the data describe, RFC 3339 (default: the end of --to, or the current hour if earlier)")
	fs.BoolVar(&o.Append, "append", false, "add to a database that already has complaints")
	fs.IntVar(&o.Workers, "workers", 0, "inserting goroutines (default 4 on MySQL/MariaDB, 1 on SQLite)")
	fs.IntVar(&o.Cases, "cases", 5, "typical cases to publish from completed complaints, one per platform (0–100)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: dianshubao seed [flags]\n\nFills the configured database (DSB_DB_DRIVER, DSB_DB_DSN) with synthetic, reproducible data.\nEvery seeded account's password is "+Password+".\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	o.Seed = seed
	var err error
	if o.From, err = parseMonth("--from", from); err != nil {
		return err
	}
	if o.To, err = parseMonth("--to", to); err != nil {
		return err
	}
	if asOf != "" {
		if o.AsOf, err = time.Parse(time.RFC3339, asOf); err != nil {
			return fmt.Errorf("--as-of=%q: want RFC 3339 such as 2026-11-27T09:00:00+08:00", asOf)
		}
	}

	cfg, err := config.Load()
	if err != nil {
		return fmt.Errorf("configuration refused:\n%w", err)
	}
	if cfg.Production() {
		return errors.New("refusing to seed with DSB_ENV=production: the data are synthetic and every account shares one known password")
	}
	terminal := isTerminal(stderr)
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if terminal {
		log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	o.Logger, o.Progress, o.Terminal = log, stderr, terminal

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	keys, err := cfg.DataKeys()
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DBDriver, cfg.DBDSN, store.Options{Logger: log, Keys: keys})
	if err != nil {
		return err
	}
	defer st.Close()
	where := cfg.DBDSN
	if cfg.DBDriver == "mysql" {
		where = "MySQL/MariaDB" // the DSN may hold a password
	}
	if terminal {
		fmt.Fprintf(stderr, "seeding %s: %d platforms, %d complaints, seed %d\n", where, o.Platforms, o.Complaints, o.Seed)
	}
	sum, err := Run(ctx, st, o)
	if err != nil {
		return err
	}
	if !terminal {
		log.Info("seeded", "platforms", sum.Platforms, "complaints", sum.Complaints, "seconds", sum.Total.Seconds(),
			"complaints_per_s", int(sum.Rate()), "workers", sum.Workers)
	}
	writeSummary(stderr, cfg.DBDriver, sum)
	return nil
}

func parseMonth(flagName, s string) (models.Period, error) {
	p, err := models.ParsePeriod(s)
	if err != nil || p.Type != models.PeriodMonth {
		return p, fmt.Errorf("%s=%q: want a month such as 2025-01", flagName, s)
	}
	return p, nil
}

// isTerminal reports whether w is a character device (a terminal), without a dependency.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// writeSummary prints what was seeded, for people.
func writeSummary(w io.Writer, driver string, s *Summary) {
	fmt.Fprintf(w, "seeded %s in %s: %d platforms (%d new), %d consumers and %d merchants (%d new accounts), %d complaints at %.0f complaints/s with %d workers\n",
		driver, s.Total.Round(100*time.Millisecond), s.Platforms, s.NewPlatforms, s.Consumers, s.Merchants, s.NewAccounts,
		s.Complaints, s.Rate(), s.Workers)
	fmt.Fprintf(w, "  filed %s … %s (China time, %d days), as of %s, seed %d\n", s.From, s.To, s.Days,
		s.AsOf.In(models.ChinaTime).Format(time.RFC3339), s.Seed)
	fmt.Fprintf(w, "  channels: %s\n", counts(s.ByChannel, s.Complaints))
	fmt.Fprintf(w, "  statuses: %s\n", counts(s.ByStatus, s.Complaints))
	fmt.Fprintf(w, "  campaigns: %d of the six of 2024 added (调查行动; --from 2024-01 gives them complaints to tag)\n", s.Campaigns)
	fmt.Fprintf(w, "  cases: %d typical cases published (GET /api/v1/cases)\n", s.Cases)
	fmt.Fprintf(w, "  accounts: phones 199xxxxxxxx (consumers) and 198xxxxxxxx (merchants), password %s\n", Password)
	fmt.Fprintf(w, "  lawyer team: %d lawyers (lawyerN@lawyers.example.com, same password), %d consultations (demo data)\n",
		s.Lawyers, s.Consultations)
}

func counts[K ~string](m map[K]int, total int) string {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b K) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d (%.1f%%)", k, m[k], 100*float64(m[k])/float64(max(total, 1)))
	}
	return strings.Join(parts, ", ")
}
