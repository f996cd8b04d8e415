package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/dianshubao/dianshubao/datakey"
	"github.com/dianshubao/dianshubao/models"
)

// sealedTable names a table's sealed columns and the lookup hash each one feeds.
type sealedTable struct {
	name    string
	columns []string
	// hashes maps a sealed column to its hash column and the form of the value hashed.
	hashes map[string]hashOf
}

type hashOf struct {
	column string
	key    func(string) string
}

func same(s string) string { return s }

// sealedTables are every column holding personal information in clear before encryption.
var sealedTables = []sealedTable{
	{name: "users", columns: []string{"phone", "real_name"}, hashes: map[string]hashOf{
		"phone": {"phone_hash", same}, "real_name": {"real_name_hash", models.NameLookupKey}}},
	{name: "complaints", columns: []string{"contact_name", "contact_phone"}},
	{name: "notifications", columns: []string{"phone"}, hashes: map[string]hashOf{"phone": {"phone_hash", same}}},
	{name: "webhook_events", columns: []string{"payload"}},
}

// sealWindow is how many rows, in id order, one transaction of the migration looks at: each
// transaction reads a bounded stretch of the table by its primary key, so that a large table
// whose rows are nearly all sealed already is walked in short steps, never scanned whole inside
// one transaction (which outlived the transactions' deadline on a million complaints).
var sealWindow = 2000

// sealPersonalData seals, in batches, every value of a sealed column that is in clear
// (written before encryption) or sealed with another key than the current one (a rotation:
// DSB_DATA_KEY_PREVIOUS opens it), and sets its lookup hash under the current key. It is
// idempotent: a second run finds nothing to do. A value sealed with a key the keyring does not
// hold stops the start-up, naming the key id: nothing would read it.
func (s *Store) sealPersonalData(ctx context.Context) error {
	m := s.conn(ctx).Migrator()
	for _, old := range []struct {
		model any
		index string
	}{{&models.User{}, "idx_users_phone"}, {&models.Notification{}, "idx_notifications_phone"}} {
		// Indexes over sealed values (the old unique phone key) find nothing any more.
		if m.HasIndex(old.model, old.index) {
			if err := m.DropIndex(old.model, old.index); err != nil {
				return fmt.Errorf("drop index %s: %w", old.index, err)
			}
		}
	}
	for _, t := range sealedTables {
		total := 0
		for after := ""; ; {
			var upto string
			err := s.conn(ctx).Table(t.name).Select("id").Where("id > ?", after).Order("id").
				Offset(sealWindow - 1).Limit(1).Scan(&upto).Error
			if err != nil {
				return fmt.Errorf("seal personal data in %s: %w", t.name, err)
			}
			n, err := s.sealTableBatch(ctx, t, after, upto)
			if err != nil {
				return fmt.Errorf("seal personal data in %s: %w", t.name, err)
			}
			total += n
			if upto == "" {
				break // the window ran to the end of the table
			}
			after = upto
		}
		if total > 0 {
			s.log.Info("personal data sealed", "table", t.name, "rows", total, "data_key", s.keys.KeyID())
		}
	}
	return nil
}

// sealTableBatch seals t's rows with ids in (after, upto] (upto "" : to the end) and reports
// how many it changed.
func (s *Store) sealTableBatch(ctx context.Context, t sealedTable, after, upto string) (int, error) {
	var conds []string
	var args []any
	current := datakey.Prefix + s.keys.KeyID() + ":%"
	for _, c := range t.columns {
		v := c
		if s.driver == "sqlite" {
			v = "CAST(" + c + " AS TEXT)" // SQLite's LIKE does not read a BLOB (the payload)
		}
		conds = append(conds, "(LENGTH("+c+") > 0 AND "+v+" NOT LIKE ?)")
		args = append(args, current)
	}
	done := 0
	err := s.Tx(ctx, func(tx *Store) error {
		changed := 0
		q := tx.withLock(tx.conn(ctx).Table(t.name).Select(append([]string{"id"}, t.columns...))).
			Where("id > ?", after).Where("("+strings.Join(conds, " OR ")+")", args...).Order("id")
		if upto != "" {
			q = q.Where("id <= ?", upto)
		}
		rows, err := q.Rows()
		if err != nil {
			return err
		}
		type row struct {
			id   string
			vals []sql.NullString
		}
		var batch []row
		for rows.Next() {
			r := row{vals: make([]sql.NullString, len(t.columns))}
			dst := []any{&r.id}
			for i := range r.vals {
				dst = append(dst, &r.vals[i])
			}
			if err := rows.Scan(dst...); err != nil {
				_ = rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, r := range batch {
			set := map[string]any{}
			for i, c := range t.columns {
				v := r.vals[i]
				if !v.Valid || s.keys.Current(v.String) {
					continue
				}
				plain, err := s.keys.Decrypt(v.String)
				if err != nil {
					return fmt.Errorf("row %s, %s: %w", r.id, c, err)
				}
				set[c] = s.keys.Encrypt(plain)
				if c == "payload" {
					set[c] = []byte(set[c].(string))
				}
				if h, ok := t.hashes[c]; ok {
					set[h.column] = s.keys.Hash(h.key(plain))
				}
			}
			if len(set) == 0 {
				continue
			}
			changed++
			if err := tx.conn(ctx).Table(t.name).Where("id = ?", r.id).Updates(set).Error; err != nil {
				return err
			}
		}
		if changed == 0 && len(batch) > 0 {
			return fmt.Errorf("%d rows selected but none to seal (row %s)", len(batch), batch[0].id)
		}
		done = len(batch)
		return nil
	})
	return done, err
}
