package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/dianshubao/dianshubao/internal/keyring"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// Token lifetimes of API.md section 3.
const (
	AccessTokenTTL  = 15 * time.Minute
	RefreshTokenTTL = 30 * 24 * time.Hour
	tokenIssuer     = "dianshubao"
	tokenAudience   = "dianshubao-api"
)

// Accounts registers people, logs them in and issues their tokens.
type Accounts struct {
	st    *store.Store
	clock Clock
	// keys sign access tokens with the current key, named by the token's kid, and verify them
	// with the key its kid names (current or previous).
	keys *keyring.Ring
	cost int
	log  *slog.Logger
	// states says whether an account is disabled, for every authenticated request.
	states *accountStates
	// screen refuses names a platform would read (a merchant's real and shop names make the
	// contact name of a refund-only complaint).
	screen TextScreener
	// dummyHash is compared against when the account does not exist, so that a wrong phone
	// costs the same time as a wrong password.
	dummyHash []byte
}

// RegisterRequest is the body of POST /auth/register.
type RegisterRequest struct {
	Role           string  `json:"role" example:"consumer" enums:"consumer,merchant"`
	Phone          string  `json:"phone" example:"13800138000"`
	Password       string  `json:"password" example:"correct-horse-9"`
	RealName       string  `json:"real_name" example:"张三"`
	ShopName       *string `json:"shop_name,omitempty" example:"张三的小店"`
	ShopPlatformID *string `json:"shop_platform_id,omitempty"`
}

// LoginRequest is the body of POST /auth/login: a phone or an e-mail, and the password.
type LoginRequest struct {
	Phone    string `json:"phone,omitempty" example:"13800138000"`
	Email    string `json:"email,omitempty" example:"admin@example.com"`
	Password string `json:"password" example:"correct-horse-9"`
}

// RefreshRequest is the body of POST /auth/refresh.
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// Session is a person logged in: the account and its fresh tokens.
type Session struct {
	User   *models.User
	Tokens *Tokens
}

// Tokens is a freshly issued access and refresh token pair.
type Tokens struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int
}

type accessClaims struct {
	Role models.Role `json:"role"`
	jwt.RegisteredClaims
}

func (a *Accounts) hash(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), a.cost)
	return string(h), err
}

// Register creates a consumer or merchant account and logs it in.
func (a *Accounts) Register(ctx context.Context, req RegisterRequest) (*Session, error) {
	var v models.Validator
	role := models.Role(req.Role)
	if role != models.RoleConsumer && role != models.RoleMerchant {
		v.Add("role", "must be consumer or merchant")
	}
	phone := v.Phone("phone", req.Phone)
	v.Password("password", req.Password)
	v.Text("real_name", req.RealName, 1, 255)
	// A platform reads them as the contact name of a merchant's complaints, which cannot
	// correct them: refused when they hit the screening list.
	refuseListed(&v, a.screen, "real_name", req.RealName)
	if role == models.RoleMerchant {
		if req.ShopName == nil || strings.TrimSpace(*req.ShopName) == "" {
			v.Add("shop_name", "is required for merchants")
		} else {
			v.Text("shop_name", *req.ShopName, 1, 255)
			refuseListed(&v, a.screen, "shop_name", *req.ShopName)
		}
	} else if req.ShopName != nil {
		v.Text("shop_name", *req.ShopName, 0, 255)
	}
	if req.ShopPlatformID != nil {
		if _, err := a.st.PlatformByID(ctx, *req.ShopPlatformID); err != nil {
			if !errors.Is(err, models.ErrNotFound) {
				return nil, err
			}
			v.Add("shop_platform_id", "is not a known platform")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := a.newUser(role, req.Password, req.RealName)
	if err != nil {
		return nil, err
	}
	u.Phone = &phone
	if role == models.RoleMerchant {
		u.ShopName, u.ShopPlatformID = cleanOptional(req.ShopName), req.ShopPlatformID
	}
	// The password is hashed before the transaction: bcrypt is slow and holds no lock.
	return command(ctx, a.st, func(tx *store.Store) (*Session, error) {
		if err := tx.CreateUser(ctx, u); err != nil {
			if store.IsDuplicate(err) {
				return nil, models.Conflict("phone_taken", "an account with this phone already exists")
			}
			return nil, err
		}
		return a.issueIn(ctx, tx, u, "")
	})
}

// Login checks a phone or e-mail and password. Every failure is the same ErrInvalidCredentials.
func (a *Accounts) Login(ctx context.Context, req LoginRequest) (*Session, error) {
	var v models.Validator
	if (req.Phone == "") == (req.Email == "") {
		v.Add("phone", "give either phone or email")
	}
	v.Text("password", req.Password, 1, 128)
	if req.Phone != "" {
		v.Text("phone", req.Phone, 1, 20)
	}
	if req.Email != "" {
		v.Text("email", req.Email, 1, 255)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var (
		u   *models.User
		err error
	)
	if req.Phone != "" {
		if p, ok := models.NormalizePhone(req.Phone); ok {
			u, err = a.st.UserByPhone(ctx, p)
		} else {
			err = models.ErrNotFound
		}
	} else {
		if e, ok := models.NormalizeEmail(req.Email); ok {
			u, err = a.st.UserByEmail(ctx, e)
		} else {
			err = models.ErrNotFound
		}
	}
	if err != nil {
		if !errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		_ = comparePassword(a.dummy(), []byte(req.Password))
		return nil, models.ErrInvalidCredentials
	}
	if comparePassword([]byte(u.PasswordHash), []byte(req.Password)) != nil {
		return nil, models.ErrInvalidCredentials
	}
	if u.DisabledAt != nil {
		return nil, ErrAccountDisabled // only the account's own password learns this
	}
	return command(ctx, a.st, func(tx *store.Store) (*Session, error) { return a.issueIn(ctx, tx, u, "") })
}

func (a *Accounts) dummy() []byte { return a.dummyHash }

// newUser is a new account of role with its password hashed (bcrypt is slow and holds no
// lock: it runs before the command's transaction).
func (a *Accounts) newUser(role models.Role, password, realName string) (*models.User, error) {
	hash, err := a.hash(password)
	if err != nil {
		return nil, err
	}
	t := now(a.clock)
	return &models.User{ID: models.NewID(), Role: role, PasswordHash: hash, RealName: strings.TrimSpace(realName),
		CreatedAt: t, UpdatedAt: t}, nil
}

// comparePassword checks a password against its hash (a variable so that a test can count the
// comparisons a login makes).
var comparePassword = bcrypt.CompareHashAndPassword

// Refresh rotates a refresh token. A token used a second time revokes its whole family: it has
// leaked, and either holder may be the thief.
func (a *Accounts) Refresh(ctx context.Context, req RefreshRequest) (*Session, error) {
	if req.RefreshToken == "" || len(req.RefreshToken) > 256 {
		return nil, models.ErrInvalidToken
	}
	t := now(a.clock)
	rt, err := a.st.RefreshTokenByHash(ctx, sha256Hex(req.RefreshToken))
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return nil, models.ErrInvalidToken
		}
		return nil, err
	}
	if rt.RevokedAt != nil || !t.Before(rt.ExpiresAt) {
		return nil, models.ErrInvalidToken
	}
	// Spending the token and storing its successor is one transaction: a concurrent reuse then
	// either finds the token fresh (and loses the race to the row lock) or revokes a family
	// that already holds the successor.
	s, err := command(ctx, a.st, func(tx *store.Store) (*Session, error) {
		fresh, err := tx.MarkRefreshTokenUsed(ctx, rt.ID, t)
		if err != nil {
			return nil, err
		}
		if !fresh {
			return nil, errRefreshReused
		}
		u, err := tx.UserByID(ctx, rt.UserID)
		if err != nil {
			return nil, err
		}
		if u.DisabledAt != nil {
			return nil, models.ErrInvalidToken
		}
		return a.issueIn(ctx, tx, u, rt.FamilyID)
	})
	if errors.Is(err, errRefreshReused) {
		if err := a.st.RevokeRefreshFamily(ctx, rt.FamilyID, t); err != nil {
			return nil, err
		}
		a.log.WarnContext(ctx, "refresh token reused; family revoked", "user_id", rt.UserID, "family_id", rt.FamilyID)
		return nil, models.ErrInvalidToken
	}
	if errors.Is(err, models.ErrNotFound) {
		return nil, models.ErrInvalidToken
	}
	return s, err
}

// errRefreshReused rolls back a refresh whose token was already spent.
var errRefreshReused = errors.New("refresh token reused")

// issueIn signs an access token for u and stores a new refresh token in family (a new family
// if empty) through st.
func (a *Accounts) issueIn(ctx context.Context, st *store.Store, u *models.User, family string) (*Session, error) {
	if im := IdempotentOf(ctx); im != nil {
		im.Subject = u.ID // the answer shows the account (register, login and refresh are anonymous)
	}
	t := now(a.clock)
	claims := accessClaims{Role: u.Role, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: tokenIssuer, Audience: jwt.ClaimStrings{tokenAudience}, Subject: u.ID,
		IssuedAt: jwt.NewNumericDate(t), ExpiresAt: jwt.NewNumericDate(t.Add(AccessTokenTTL)),
		ID: models.NewID(),
	}}
	key := a.keys.Current()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	tok.Header["kid"] = key.ID
	access, err := tok.SignedString(key.Secret)
	if err != nil {
		return nil, fmt.Errorf("sign access token: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	refresh := "dsr_" + base64.RawURLEncoding.EncodeToString(raw)
	if family == "" {
		family = models.NewID()
	}
	rt := &models.RefreshToken{ID: models.NewID(), FamilyID: family, UserID: u.ID,
		TokenHash: sha256Hex(refresh), ExpiresAt: t.Add(RefreshTokenTTL), CreatedAt: t}
	if err := st.CreateRefreshToken(ctx, rt); err != nil {
		return nil, err
	}
	return &Session{User: u, Tokens: &Tokens{AccessToken: access, RefreshToken: refresh, ExpiresIn: int(AccessTokenTTL.Seconds())}}, nil
}

// errUnknownKid is a token whose kid names none of the ring's keys (or that has none).
var errUnknownKid = errors.New("token key id unknown")

// tokenKeys are the keys a token's kid names: those of the current and previous secrets.
func (a *Accounts) tokenKeys(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	keys := a.keys.ByID(kid)
	if len(keys) == 0 {
		return nil, errUnknownKid
	}
	set := jwt.VerificationKeySet{}
	for _, k := range keys {
		set.Keys = append(set.Keys, k.Secret)
	}
	return set, nil
}

// Authenticate verifies an access token: HS256 only, signed by the key its kid names, with our
// issuer and audience, unexpired, with a subject and a known role, of an account that exists
// and is not disabled. Anything else is ErrInvalidToken. The account's state is read through a
// short cache (accountStateTTL).
func (a *Accounts) Authenticate(ctx context.Context, token string) (*models.Principal, error) {
	var claims accessClaims
	parsed, err := jwt.ParseWithClaims(token, &claims, a.tokenKeys,
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(tokenIssuer), jwt.WithAudience(tokenAudience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(),
		jwt.WithTimeFunc(a.clock.Now))
	if err != nil || !parsed.Valid || claims.Subject == "" || !claims.Role.Valid() || claims.IssuedAt == nil {
		return nil, models.ErrInvalidToken
	}
	if disabled, err := a.states.disabled(ctx, claims.Subject); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return nil, models.ErrInvalidToken
		}
		return nil, err
	} else if disabled {
		return nil, models.ErrInvalidToken
	}
	return &models.Principal{Kind: models.PrincipalPerson, UserID: claims.Subject, Role: claims.Role}, nil
}

// Me returns the caller's account.
func (a *Accounts) Me(ctx context.Context, p *models.Principal) (*models.User, error) {
	u, err := a.st.UserByID(ctx, p.UserID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, models.ErrInvalidToken
	}
	return u, err
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
