package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"

	"github.com/dianshubao/dianshubao/store"
)

// The complaint floor: the rows that filing and accepting one complaint write, written raw.
// It copies every row of one complaint of the intake run (the complaint, its duplicate claim,
// its two timeline entries, its text message, its event and their jobs, and an idempotency
// record of each command), and writes fresh copies of them in the two transactions the service
// commits, at READ COMMITTED as the service does: filing (4 inserts) and acceptance (the
// update and one insert per table). Nothing is read, authenticated, sent or queued: it is what
// the data alone costs this server, in the state the intake run left it, and so the yardstick
// intake is put beside. It depends on the server as intake does (its buffer pool and redo log,
// the rows it already holds), which is why it runs in the same run.

// rowCopy is one stored row to be written again: its table, columns and values, and which
// columns are unique (a primary key or a unique index) and so take fresh values in each copy.
type rowCopy struct {
	table  string
	cols   []string
	vals   []any
	unique map[string]bool
}

// complaintRows is the example complaint's rows, grouped by the command that writes them.
type complaintRows struct {
	complaint       rowCopy
	filedStatus     string
	version         int64
	filed, accepted []rowCopy
	acceptedSet     []string // the columns acceptance changes on the complaint
	acceptedSetVals []any
	complaintID     string
}

// loadComplaintRows reads complaint id's rows from the load's database.
func loadComplaintRows(ctx context.Context, db *sql.DB, id string) (*complaintRows, error) {
	uniq, err := uniqueColumns(ctx, db)
	if err != nil {
		return nil, err
	}
	one := func(table, where string, args ...any) ([]rowCopy, error) {
		rows, err := db.QueryContext(ctx, "SELECT * FROM `"+table+"` WHERE "+where, args...)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return nil, err
		}
		var out []rowCopy
		for rows.Next() {
			raw := make([]sql.RawBytes, len(cols))
			ptrs := make([]any, len(cols))
			for i := range raw {
				ptrs[i] = &raw[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return nil, err
			}
			vals := make([]any, len(cols))
			for i, b := range raw {
				if b != nil {
					vals[i] = string(b)
				}
			}
			out = append(out, rowCopy{table: table, cols: cols, vals: vals, unique: uniq[table]})
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("no %s row where %s %v", table, where, args)
		}
		return out, rows.Err()
	}
	var cr complaintRows
	c, err := one("complaints", "id = ?", id)
	if err != nil {
		return nil, err
	}
	cr.complaint, cr.complaintID = c[0], id
	claim, err := one("complaint_claims", "complaint_id = ?", id)
	if err != nil {
		return nil, err
	}
	timeline, err := one("complaint_timeline", "complaint_id = ? ORDER BY at, id", id)
	if err != nil {
		return nil, err
	}
	if len(timeline) != 2 {
		return nil, fmt.Errorf("complaint %s has %d timeline entries, want 2 (filed, accepted)", id, len(timeline))
	}
	cr.filedStatus = timeline[0].get("to_status")
	notes, err := one("notifications", "complaint_id = ?", id)
	if err != nil {
		return nil, err
	}
	events, err := one("webhook_events", "complaint_id = ?", id)
	if err != nil {
		return nil, err
	}
	refs := []any{}
	for _, r := range append(append([]rowCopy{}, notes...), events...) {
		refs = append(refs, r.get("id"))
	}
	jobs, err := one("jobs", "ref IN (?"+strings.Repeat(",?", len(refs)-1)+")", refs...)
	if err != nil {
		return nil, err
	}
	// The records of the filing (its complainant's latest 201) and of an acceptance (the
	// latest 200 of a command on that complainant's complaints).
	who := cr.complaint.get("complainant_id")
	created, err := one("idempotency_records", "status = 201 AND owner_id = ? ORDER BY created_at DESC LIMIT 1", who)
	if err != nil {
		return nil, err
	}
	acceptedRec, err := one("idempotency_records", "status = 200 AND subject_id = ? AND owner_id <> ? ORDER BY created_at DESC LIMIT 1", who, who)
	if err != nil {
		return nil, err
	}
	cr.filed = append(append(append(claim, cr.complaint), timeline[0]), created...)
	cr.accepted = append(append(append(append([]rowCopy{timeline[1]}, notes...), events...), jobs...), acceptedRec...)
	// Acceptance moves the complaint on from the state it was filed in.
	if cr.version, err = strconv.ParseInt(cr.complaint.get("version"), 10, 64); err != nil || cr.version < 2 {
		return nil, fmt.Errorf("complaint %s: version %q, want a number of at least 2", id, cr.complaint.get("version"))
	}
	cr.acceptedSet = []string{"status", "accepted_at", "delivered_at", "updated_at"}
	for _, col := range cr.acceptedSet {
		cr.acceptedSetVals = append(cr.acceptedSetVals, cr.complaint.value(col))
	}
	return &cr, nil
}

// uniqueColumns lists, per table of the database, the columns of its unique indexes.
func uniqueColumns(ctx context.Context, db *sql.DB) (map[string]map[string]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.statistics
		WHERE table_schema = DATABASE() AND non_unique = 0`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]bool{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		if out[t] == nil {
			out[t] = map[string]bool{}
		}
		out[t][c] = true
	}
	return out, rows.Err()
}

func (r rowCopy) index(col string) int {
	for i, c := range r.cols {
		if c == col {
			return i
		}
	}
	return -1
}

func (r rowCopy) value(col string) any {
	if i := r.index(col); i >= 0 {
		return r.vals[i]
	}
	return nil
}

func (r rowCopy) get(col string) string {
	s, _ := r.value(col).(string)
	return s
}

// renames gives every unique value of the rows a fresh one of the same length, and every other
// column holding one of those values (a child's complaint_id, a job's ref) the same fresh one.
func renames(rows []rowCopy) map[string]string {
	fresh := map[string]string{}
	for _, r := range rows {
		for i, c := range r.cols {
			if v, ok := r.vals[i].(string); ok && r.unique[c] && fresh[v] == "" {
				fresh[v] = freshLike(v)
			}
		}
	}
	return fresh
}

// freshLike keeps v's length and, when it is longer than four characters, its first two (the
// start of a prefix such as "TB" or "DSB").
func freshLike(v string) string {
	b := make([]byte, len(v))
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)[:len(v)]
	if len(v) > 4 {
		return v[:2] + h[2:]
	}
	return h
}

// insertRows writes copies of rows of one table in one multi-row INSERT, renamed by fresh and
// with override's values.
func insertRows(ctx context.Context, tx *sql.Tx, rows []rowCopy, fresh map[string]string, override map[string]any) error {
	r := rows[0]
	one := "(?" + strings.Repeat(",?", len(r.cols)-1) + ")"
	var vals []any
	for _, row := range rows {
		for i, v := range row.vals {
			if o, ok := override[row.cols[i]]; ok {
				vals = append(vals, o)
				continue
			}
			if s, ok := v.(string); ok && fresh[s] != "" {
				v = fresh[s]
			}
			vals = append(vals, v)
		}
	}
	q := "INSERT INTO `" + r.table + "` (`" + strings.Join(r.cols, "`,`") + "`) VALUES " + one + strings.Repeat(","+one, len(rows)-1)
	if _, err := tx.ExecContext(ctx, q, vals...); err != nil {
		return fmt.Errorf("%s: %w", r.table, err)
	}
	return nil
}

// insertAll writes rows in order, those of one table next to each other in one statement.
func insertAll(ctx context.Context, tx *sql.Tx, rows []rowCopy, fresh map[string]string, override func(rowCopy) map[string]any) error {
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && rows[j].table == rows[i].table {
			j++
		}
		if err := insertRows(ctx, tx, rows[i:j], fresh, override(rows[i])); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// writeOne files and accepts one copy of the complaint: two transactions, as the service
// commits them.
func (cr *complaintRows) writeOne(ctx context.Context, db *sql.DB) error {
	fresh, err := cr.file(ctx, db)
	if err != nil {
		return err
	}
	return cr.accept(ctx, db, fresh)
}

// file writes a fresh copy of the filing's rows and returns the renames of the copy.
func (cr *complaintRows) file(ctx context.Context, db *sql.DB) (map[string]string, error) {
	fresh := renames(append(append([]rowCopy{}, cr.filed...), cr.accepted...))
	// Filed as it was before its acceptance: the acceptance moves its updated_at (and so its
	// entry in the platform's feed index), as the service's does.
	filedOverride := map[string]any{"status": cr.filedStatus, "accepted_at": nil, "delivered_at": nil,
		"version": cr.version - 1, "updated_at": cr.complaint.value("created_at")}
	return fresh, inTx(ctx, db, func(tx *sql.Tx) error {
		return insertAll(ctx, tx, cr.filed, fresh, func(r rowCopy) map[string]any {
			if r.table == "complaints" {
				return filedOverride
			}
			return nil
		})
	})
}

// accept writes the acceptance of the copy that fresh renamed.
func (cr *complaintRows) accept(ctx context.Context, db *sql.DB, fresh map[string]string) error {
	return inTx(ctx, db, func(tx *sql.Tx) error {
		set := "`" + strings.Join(cr.acceptedSet, "` = ?, `") + "` = ?, `version` = ?"
		args := append(append([]any{}, cr.acceptedSetVals...), cr.version, fresh[cr.complaintID], cr.version-1)
		res, err := tx.ExecContext(ctx, "UPDATE `complaints` SET "+set+" WHERE id = ? AND version = ?", args...)
		if err != nil {
			return fmt.Errorf("complaints: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("complaints: the acceptance changed %d rows", n)
		}
		return insertAll(ctx, tx, cr.accepted, fresh, func(rowCopy) map[string]any { return nil })
	})
}

func inTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// floorResult is what the complaint floor measured: whole complaints (filing and acceptance)
// at the best of several connection counts, then acceptances alone of copies filed beforehand
// at that count.
type floorResult struct {
	whole, accepts loopResult
	rows, conns    int
}

// floorConns are the connection counts the floor is tried at: a server may do more with fewer
// (the service's own pool is 32).
var floorConns = []int{16, 32, 64}

// complaintFloor writes copies of complaint id's rows for d, a third of it at each of
// floorConns connections, and keeps the best; then files copies for d/2 (unmeasured) and
// accepts them, at most for d.
func complaintFloor(ctx context.Context, dsn, id string, d time.Duration) (floorResult, error) {
	dsn, err := readCommitted(ctx, dsn)
	if err != nil {
		return floorResult{}, err
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return floorResult{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(floorConns[len(floorConns)-1])
	db.SetMaxIdleConns(floorConns[len(floorConns)-1])
	cr, err := loadComplaintRows(ctx, db, id)
	if err != nil {
		return floorResult{}, err
	}
	out := floorResult{rows: len(cr.filed) + len(cr.accepted)}
	for _, n := range floorConns {
		res := commitLoop(ctx, fmt.Sprintf("complaint rows on %d connections", n), n, d/time.Duration(len(floorConns)),
			func(ctx context.Context, _ int) error { return cr.writeOne(ctx, db) })
		if out.conns == 0 || res.rate() > out.whole.rate() {
			out.whole, out.conns = res, n
		}
	}

	var mu sync.Mutex
	var filed []map[string]string
	commitLoop(ctx, "filing rows for the acceptances", out.conns, d/2, func(ctx context.Context, _ int) error {
		fresh, err := cr.file(ctx, db)
		if err == nil {
			mu.Lock()
			filed = append(filed, fresh)
			mu.Unlock()
		}
		return err
	})
	out.accepts = commitLoop(ctx, "acceptance rows", out.conns, d, func(ctx context.Context, _ int) error {
		mu.Lock()
		if len(filed) == 0 {
			mu.Unlock()
			return errNoMore
		}
		fresh := filed[len(filed)-1]
		filed = filed[:len(filed)-1]
		mu.Unlock()
		return cr.accept(ctx, db, fresh)
	})
	return out, nil
}

// readCommitted adds to dsn the isolation level the service's transactions run at, as the
// service sets it (store.ReadCommitted).
func readCommitted(ctx context.Context, dsn string) (string, error) {
	mc, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return "", err
	}
	if err := store.ReadCommitted(ctx, mc); err != nil {
		return "", err
	}
	return mc.FormatDSN(), nil
}
