package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// Lifetimes of a browser session.
const (
	// WebSessionIdle ends a session nobody used for this long.
	WebSessionIdle = 30 * time.Minute
	// WebSessionMax ends a session this long after sign-in, however active.
	WebSessionMax = 12 * time.Hour
	// WebSessionTouch is how stale last-seen may get before a request writes it: a page
	// view does not cost a write each time. A session is idle WebSessionIdle after its last
	// recorded use plus this, so that a use that was not recorded still counts.
	WebSessionTouch = time.Minute
)

// WebSessions are the website's server-side sessions. A session is opened after the
// account's own login (Accounts.Login or Register), so the website signs in with exactly the
// API's checks.
type WebSessions struct {
	st       *store.Store
	clock    Clock
	accounts *Accounts
}

// WebSession is a loaded session: the person and the form token of the session.
type WebSession struct {
	// ID is the cookie's value (only given when the session is opened).
	ID        string
	Principal *models.Principal
	CSRFToken string
}

// RandomToken is n random bytes in unpadded URL-safe base64.
func RandomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Open starts a session for u: a fresh random id (a sign-in never reuses one) and CSRF token.
func (w *WebSessions) Open(ctx context.Context, u *models.User) (*WebSession, error) {
	id, err := RandomToken(32)
	if err != nil {
		return nil, err
	}
	csrf, err := RandomToken(32)
	if err != nil {
		return nil, err
	}
	t := now(w.clock)
	ws := &models.WebSession{IDHash: sha256Hex(id), UserID: u.ID, Role: u.Role, CSRFToken: csrf,
		CreatedAt: t, LastSeen: t, ExpiresAt: t.Add(WebSessionMax)}
	if err := w.st.CreateWebSession(ctx, ws); err != nil {
		return nil, err
	}
	return &WebSession{ID: id, Principal: principalOf(ws), CSRFToken: csrf}, nil
}

func principalOf(ws *models.WebSession) *models.Principal {
	return &models.Principal{Kind: models.PrincipalPerson, UserID: ws.UserID, Role: ws.Role}
}

// Load finds the session a cookie names. An unknown, idle, expired session or one of a
// disabled account is models.ErrNotFound (and an ended one is deleted).
func (w *WebSessions) Load(ctx context.Context, id string) (*WebSession, error) {
	if id == "" || len(id) > 64 {
		return nil, models.ErrNotFound
	}
	hash := sha256Hex(id)
	ws, err := w.st.WebSessionByHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	t := now(w.clock)
	if !t.Before(ws.ExpiresAt) || !t.Before(ws.LastSeen.Add(WebSessionIdle+WebSessionTouch)) {
		_ = w.st.DeleteWebSession(ctx, hash)
		return nil, models.ErrNotFound
	}
	disabled, err := w.accounts.states.disabled(ctx, ws.UserID)
	if errors.Is(err, models.ErrNotFound) || (err == nil && disabled) {
		return nil, models.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if t.Sub(ws.LastSeen) >= WebSessionTouch {
		if err := w.st.TouchWebSession(ctx, hash, t); err != nil {
			return nil, err
		}
	}
	return &WebSession{Principal: principalOf(ws), CSRFToken: ws.CSRFToken}, nil
}

// Close ends the session a cookie names; an unknown one is already closed.
func (w *WebSessions) Close(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	return w.st.DeleteWebSession(ctx, sha256Hex(id))
}
