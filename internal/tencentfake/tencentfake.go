// Package tencentfake is a local stand-in for Tencent Cloud SMS's SendSms endpoint, for tests
// that run the real SDK against it. It verifies each request's TC3-HMAC-SHA256 signature the
// way Tencent documents it (written here independently of the SDK), records the request, and
// answers as scripted.
package tencentfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Request is one SendSms request the server accepted as signed.
type Request struct {
	Region           string
	PhoneNumberSet   []string
	SmsSdkAppId      string
	TemplateId       string
	SignName         string
	TemplateParamSet []string
	SessionContext   string
}

// Answer scripts one response: Status (0: 200) with a raw Body, or a SendStatus Code for the
// number (empty: Ok), or a request-wide Error code.
type Answer struct {
	Status int
	Body   string
	Code   string
	Error  string
}

// Server is the fake endpoint.
type Server struct {
	*httptest.Server
	SecretID, SecretKey string

	mu       sync.Mutex
	script   []Answer
	requests []Request
	refused  []string
}

// New starts a server that accepts requests signed with secretID/secretKey; it closes with t.
func New(t testing.TB, secretID, secretKey string) *Server {
	s := &Server{SecretID: secretID, SecretKey: secretKey}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Script queues answers for the next requests; once they are used up every request is Ok.
func (s *Server) Script(answers ...Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, answers...)
}

// Requests are the signed requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Refused are the reasons for requests refused as badly signed.
func (s *Server) Refused() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.refused...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := Verify(r, body, s.SecretID, s.SecretKey, time.Now()); err != nil {
		s.mu.Lock()
		s.refused = append(s.refused, err.Error())
		s.mu.Unlock()
		writeJSON(w, map[string]any{"Error": map[string]string{"Code": "AuthFailure.SignatureFailure", "Message": err.Error()}})
		return
	}
	var req Request
	if err := json.Unmarshal(body, &req); err != nil {
		writeJSON(w, map[string]any{"Error": map[string]string{"Code": "FailedOperation.FailResolvePacket", "Message": err.Error()}})
		return
	}
	req.Region = r.Header.Get("X-TC-Region")
	s.mu.Lock()
	s.requests = append(s.requests, req)
	var a Answer
	if len(s.script) > 0 {
		a, s.script = s.script[0], s.script[1:]
	}
	n := len(s.requests)
	s.mu.Unlock()
	switch {
	case a.Status != 0:
		w.WriteHeader(a.Status)
		_, _ = io.WriteString(w, a.Body)
	case a.Error != "":
		writeJSON(w, map[string]any{"Error": map[string]string{"Code": a.Error, "Message": "scripted"}})
	default:
		code, msg := "Ok", "send success"
		if a.Code != "" {
			code, msg = a.Code, "scripted"
		}
		var set []map[string]any
		for _, p := range req.PhoneNumberSet {
			set = append(set, map[string]any{"SerialNo": "2433:" + strconv.Itoa(n), "PhoneNumber": p, "Fee": 1,
				"SessionContext": req.SessionContext, "Code": code, "Message": msg, "IsoCode": "CN"})
		}
		writeJSON(w, map[string]any{"SendStatusSet": set})
	}
}

func writeJSON(w http.ResponseWriter, resp map[string]any) {
	resp["RequestId"] = "a0aabda6-cf91-4f3e-a81f-9198114a2279"
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"Response": resp})
}

// Verify checks r's Authorization header as Tencent Cloud API 3.0 documents signature v3
// (TC3-HMAC-SHA256): the canonical request (method, URI, query, the signed headers in
// lower case with their values, the signed header list, the payload's SHA-256), the string
// to sign (algorithm, timestamp, credential scope date/service/tc3_request, the canonical
// request's SHA-256), and the key derived from the secret key: HMAC("TC3"+key, date), then
// service, then "tc3_request". The timestamp must be within five minutes of now.
func Verify(r *http.Request, body []byte, secretID, secretKey string, now time.Time) error {
	const algorithm = "TC3-HMAC-SHA256"
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, algorithm+" ")
	if !ok {
		return fmt.Errorf("authorization %q is not %s", auth, algorithm)
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	cred := strings.Split(fields["Credential"], "/")
	if len(cred) != 4 || cred[3] != "tc3_request" {
		return fmt.Errorf("credential %q is not id/date/service/tc3_request", fields["Credential"])
	}
	id, date, service := cred[0], cred[1], cred[2]
	if id != secretID {
		return fmt.Errorf("secret id %q is unknown", id)
	}
	ts, err := strconv.ParseInt(r.Header.Get("X-TC-Timestamp"), 10, 64)
	if err != nil {
		return fmt.Errorf("X-TC-Timestamp %q", r.Header.Get("X-TC-Timestamp"))
	}
	at := time.Unix(ts, 0).UTC()
	if d := now.Sub(at); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("timestamp %s is more than five minutes from now", at)
	}
	if at.Format("2006-01-02") != date {
		return fmt.Errorf("scope date %s is not the timestamp's UTC date", date)
	}
	if service != "sms" || r.Header.Get("X-TC-Action") != "SendSms" || r.Header.Get("X-TC-Version") != "2021-01-11" {
		return fmt.Errorf("not sms SendSms 2021-01-11: %s %s %s", service, r.Header.Get("X-TC-Action"), r.Header.Get("X-TC-Version"))
	}
	signed := strings.Split(fields["SignedHeaders"], ";")
	if !sort.StringsAreSorted(signed) || !slices.Contains(signed, "content-type") || !slices.Contains(signed, "host") {
		return fmt.Errorf("signed headers %q must be sorted and include content-type and host", fields["SignedHeaders"])
	}
	var canonicalHeaders strings.Builder
	for _, h := range signed {
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
		}
		canonicalHeaders.WriteString(h + ":" + strings.ToLower(strings.TrimSpace(v)) + "\n")
	}
	query := r.URL.RawQuery
	if r.Method == http.MethodPost && query != "" {
		return fmt.Errorf("a POST with a query string")
	}
	canonical := strings.Join([]string{r.Method, "/", query, canonicalHeaders.String(), fields["SignedHeaders"], sha256Hex(body)}, "\n")
	scope := date + "/" + service + "/tc3_request"
	toSign := strings.Join([]string{algorithm, strconv.FormatInt(ts, 10), scope, sha256Hex([]byte(canonical))}, "\n")
	key := hmacSHA256(hmacSHA256(hmacSHA256([]byte("TC3"+secretKey), date), service), "tc3_request")
	want := hex.EncodeToString(hmacSHA256(key, toSign))
	if !hmac.Equal([]byte(want), []byte(fields["Signature"])) {
		return fmt.Errorf("signature %s does not match the request (want %s)", fields["Signature"], want)
	}
	return nil
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
