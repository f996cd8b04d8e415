package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestLoginCounterNamesAreKeyed: a counter's name, shared between instances in Redis, is a
// keyed hash: hashing every mobile number does not find whose counter it is, and another key
// names it differently.
func TestLoginCounterNamesAreKeyed(t *testing.T) {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest("POST", "/api/v1/auth/login", nil)
	c.Request.RemoteAddr = "127.0.0.2:1234"
	a := (&authBudgets{key: []byte("key-a")}).loginAttemptOf(c, "13800138000", "")
	b := (&authBudgets{key: []byte("key-b")}).loginAttemptOf(c, "+86 138 0013 8000", "")
	again := (&authBudgets{key: []byte("key-a")}).loginAttemptOf(c, "+8613800138000", "")
	plain := sha256.Sum256([]byte("p:13800138000"))
	if strings.Contains(a.account, hex.EncodeToString(plain[:])) {
		t.Fatalf("the account counter is named by the phone's plain hash: %s", a.account)
	}
	if a.account == b.account || a != again {
		t.Fatalf("names: %+v / %+v / %+v", a, b, again)
	}
}
