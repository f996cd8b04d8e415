package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/blob"
	"github.com/dianshubao/dianshubao/config"
	"github.com/dianshubao/dianshubao/internal/testkit"
)

// warnings returns the messages logged at WARN or above.
func warnings(t *testing.T, logs *bytes.Buffer) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if line == "" {
			continue
		}
		var rec struct{ Level, Msg string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec.Level == "WARN" || rec.Level == "ERROR" {
			out = append(out, rec.Msg)
		}
	}
	return out
}

func load(t *testing.T, vars map[string]string) *config.Config {
	t.Helper()
	vars["DSB_EVIDENCE_DIR"] = t.TempDir()
	cfg, err := config.LoadFrom(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// A shared database with evidence on the local disk is said loudly at start-up; one SQLite
// instance, or a bucket, is not warned about.
func TestEvidenceStorageWarnsWhenLocalAndShared(t *testing.T) {
	ctx := context.Background()
	mysql := map[string]string{"DSB_DB_DRIVER": "mysql", "DSB_DB_DSN": "u@tcp(db:3306)/dsb"}

	var logs bytes.Buffer
	st, err := evidenceStorage(ctx, load(t, mysql), slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.(*blob.Local); !ok {
		t.Fatalf("storage %T, want the local directory", st)
	}
	w := warnings(t, &logs)
	if len(w) != 1 || !strings.Contains(w[0], "DATABASE IS SHARED") || !strings.Contains(w[0], "DSB_EVIDENCE_S3_URL") {
		t.Fatalf("warnings %q, want one about local evidence with a shared database", w)
	}

	logs.Reset()
	if _, err := evidenceStorage(ctx, load(t, map[string]string{}), slog.New(slog.NewJSONHandler(&logs, nil))); err != nil {
		t.Fatal(err)
	}
	if w := warnings(t, &logs); len(w) != 0 {
		t.Fatalf("one SQLite instance warned: %q", w)
	}

	srv := testkit.StartS3(t, testkit.S3Options{})
	cfg := load(t, mysql)
	s3 := srv.Config(t.TempDir())
	cfg.EvidenceS3 = &s3
	logs.Reset()
	st, err = evidenceStorage(ctx, cfg, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.(*blob.S3); !ok {
		t.Fatalf("storage %T, want the bucket", st)
	}
	if w := warnings(t, &logs); len(w) != 0 {
		t.Fatalf("evidence in a bucket warned: %q", w)
	}
	if strings.Contains(logs.String(), s3.SecretKey) {
		t.Fatal("the secret key was logged")
	}

	// A bucket that is not there is logged at start-up (and /readyz reports it).
	srv.Close()
	logs.Reset()
	if _, err := evidenceStorage(ctx, cfg, slog.New(slog.NewJSONHandler(&logs, nil))); err != nil {
		t.Fatal(err)
	}
	if w := warnings(t, &logs); len(w) != 1 || !strings.Contains(w[0], "bucket not usable") {
		t.Fatalf("warnings %q, want one about the bucket", w)
	}
}
