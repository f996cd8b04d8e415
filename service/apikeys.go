package service

import (
	"context"
	"crypto/rand"
	"errors"
	"math/big"
	"strings"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// APIKeyPrefix starts every live API key, so that leaked keys are easy to recognise and scan for.
const APIKeyPrefix = "dsb_live_"

// apiKeyTouchEvery bounds how often last_used_at is written for a busy key.
const apiKeyTouchEvery = time.Minute

// CreateAPIKeyRequest is the body of POST /admin/platforms/{id}/api-keys.
type CreateAPIKeyRequest struct {
	Name string `json:"name" example:"production"`
}

// IssuedAPIKey is a new key with its plaintext: the result of CreateAPIKey's command, from
// which its idempotent response is rendered.
type IssuedAPIKey struct {
	Key    *models.APIKey
	Secret string
}

// CreateAPIKey issues a key for the platform and returns it with its plaintext, which is shown
// once and never stored. A key may make an onboarded platform reachable, so the delivery of
// its waiting complaints is queued in the same transaction.
func (ps *Platforms) CreateAPIKey(ctx context.Context, platformID string, req CreateAPIKeyRequest) (*models.APIKey, string, error) {
	var v models.Validator
	v.Text("name", req.Name, 1, 255)
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	p, err := ps.Get(ctx, platformID)
	if err != nil {
		return nil, "", err
	}
	plain, err := newAPIKey()
	if err != nil {
		return nil, "", err
	}
	k := &models.APIKey{ID: models.NewID(), PlatformID: platformID, Name: strings.TrimSpace(req.Name),
		Prefix: plain[:12], KeyHash: sha256Hex(plain), CreatedAt: now(ps.clock)}
	out, err := command(ctx, ps.st, func(tx *store.Store) (IssuedAPIKey, error) {
		// The platform's row lock serializes key creation, so that the count stays true until
		// this insert commits.
		if _, err := tx.PlatformForUpdate(ctx, platformID); err != nil {
			return IssuedAPIKey{}, err
		}
		n, err := tx.CountActiveAPIKeys(ctx, platformID)
		if err != nil {
			return IssuedAPIKey{}, err
		}
		if err := within(models.LimitActiveAPIKeys, n, ps.limits.ActiveAPIKeysPerPlatform); err != nil {
			return IssuedAPIKey{}, err
		}
		if err := tx.CreateAPIKey(ctx, k); err != nil {
			return IssuedAPIKey{}, err
		}
		if p.Onboarded {
			if err := tx.EnqueueJobs(ctx, []models.Job{awaitingJob(platformID, k.CreatedAt)}); err != nil {
				return IssuedAPIKey{}, err
			}
		}
		return IssuedAPIKey{Key: k, Secret: plain}, nil
	})
	if err != nil {
		return nil, "", err
	}
	ps.changed(platformID, p.Onboarded)
	return out.Key, out.Secret, nil
}

// newAPIKey returns dsb_live_ followed by 32 base62 characters (about 190 random bits).
func newAPIKey() (string, error) {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var sb strings.Builder
	sb.WriteString(APIKeyPrefix)
	max := big.NewInt(int64(len(alphabet)))
	for range 32 {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		sb.WriteByte(alphabet[n.Int64()])
	}
	return sb.String(), nil
}

// ListAPIKeys lists one page of the platform's keys, newest first, without their secrets.
func (ps *Platforms) ListAPIKeys(ctx context.Context, platformID string, page models.Page) ([]models.APIKey, string, error) {
	if _, err := ps.Get(ctx, platformID); err != nil {
		return nil, "", err
	}
	return pageByID(page, func(k *models.APIKey) string { return k.ID },
		func(before string, limit int) ([]models.APIKey, error) {
			return ps.st.ListAPIKeys(ctx, platformID, before, limit)
		})
}

// RevokeAPIKey revokes a key; the next request made with it is refused.
func (ps *Platforms) RevokeAPIKey(ctx context.Context, platformID, keyID string) (*models.APIKey, error) {
	if len(keyID) > 64 {
		return nil, models.NotFound("API key")
	}
	if _, err := ps.st.APIKeyByID(ctx, platformID, keyID); err != nil {
		return nil, err
	}
	if err := ps.st.RevokeAPIKey(ctx, keyID, now(ps.clock)); err != nil {
		return nil, err
	}
	ps.keys.forget(keyID)
	ps.cache.Forget(platformID)
	return ps.st.APIKeyByID(ctx, platformID, keyID)
}

// AuthenticateAPIKey resolves a presented key to its platform. A known key is remembered for
// at most a second: a revocation takes effect on the next request on the instance that revoked
// and within a second on the others. Uses are noted in memory and written by RunKeyUseFlusher,
// so a request writes nothing; a bogus key costs one indexed read.
func (ps *Platforms) AuthenticateAPIKey(ctx context.Context, plain string) (*models.Principal, error) {
	if !strings.HasPrefix(plain, APIKeyPrefix) || len(plain) > 128 {
		return nil, models.ErrInvalidToken
	}
	hash := sha256Hex(plain)
	p, gen := ps.keys.lookup(hash)
	if p == nil {
		start := time.Now()
		k, err := ps.st.APIKeyByHash(ctx, hash)
		if err != nil {
			if errors.Is(err, models.ErrNotFound) {
				return nil, models.ErrInvalidToken
			}
			return nil, err
		}
		if !k.Active() {
			return nil, models.ErrInvalidToken
		}
		p = &models.Principal{Kind: models.PrincipalPlatform, PlatformID: k.PlatformID, APIKeyID: k.ID}
		ps.keys.remember(hash, *p, gen, start)
	}
	ps.keys.used(p.APIKeyID, now(ps.clock))
	return p, nil
}
