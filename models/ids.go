package models

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"
)

var idMu sync.Mutex
var idLast uint64

// NewID returns a new opaque identifier: 48 bits of milliseconds, 16 bits of sequence and 64
// random bits, hex-encoded. IDs sort by creation time, which keeps cursors and indexes simple,
// and are never reused.
func NewID() string {
	var b [16]byte
	idMu.Lock()
	ms := uint64(time.Now().UnixMilli()) << 16
	if ms <= idLast {
		ms = idLast + 1
	}
	idLast = ms
	idMu.Unlock()
	binary.BigEndian.PutUint64(b[:8], ms)
	if _, err := rand.Read(b[8:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}
