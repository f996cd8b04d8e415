package bench

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// BenchmarkEvidenceUpload measures storing evidence: hashing, sniffing, writing to disk with
// an fsync, and the database row. Allocations per upload stay flat whatever the file size,
// because the bytes stream through a fixed buffer.
//
//	go test ./bench/ -run '^$' -bench EvidenceUpload -benchmem
func BenchmarkEvidenceUpload(b *testing.B) {
	for _, size := range []int{64 << 10, 1 << 20, 20 << 20} {
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			st := testkit.Store(b)
			svc := service.New(st, nil, service.Options{
				BcryptCost: bcrypt.MinCost, Logger: slog.New(slog.DiscardHandler),
				EvidenceDir: b.TempDir(), EvidenceMaxBytes: 20 << 20})
			p := &models.Principal{Kind: models.PrincipalPerson, UserID: "bench", Role: models.RoleConsumer}
			file := make([]byte, size)
			copy(file, "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
			ctx := context.Background()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				// A different last byte each time, so that every upload is a new blob.
				file[size-1] = byte(i)
				file[size-2] = byte(i >> 8)
				if _, err := svc.Evidence.Upload(ctx, p, "bench.png", bytes.NewReader(file)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
