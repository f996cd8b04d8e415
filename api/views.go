package api

import (
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// UserView is a person's account.
type UserView struct {
	ID             string  `json:"id" example:"0193a1b2c3d4e5f60718293a4b5c6d7e"`
	Role           string  `json:"role" example:"consumer" enums:"consumer,merchant,moderator,admin,lawyer"`
	Phone          *string `json:"phone" example:"13800138000" extensions:"x-nullable"`
	Email          *string `json:"email" example:"admin@example.com" extensions:"x-nullable"`
	RealName       string  `json:"real_name" example:"张三"`
	ShopName       *string `json:"shop_name" extensions:"x-nullable"`
	ShopPlatformID *string `json:"shop_platform_id" extensions:"x-nullable"`
	CreatedAt      string  `json:"created_at" example:"2026-11-26T08:00:00Z" format:"date-time"`
}

func userView(u *models.User) UserView {
	return UserView{ID: u.ID, Role: string(u.Role), Phone: u.Phone, Email: u.Email, RealName: u.RealName,
		ShopName: u.ShopName, ShopPlatformID: u.ShopPlatformID, CreatedAt: service.Ts(u.CreatedAt)}
}

// TokenResponse answers register, login and refresh.
type TokenResponse struct {
	User         UserView `json:"user"`
	AccessToken  string   `json:"access_token"`
	RefreshToken string   `json:"refresh_token"`
	TokenType    string   `json:"token_type" example:"Bearer"`
	ExpiresIn    int      `json:"expires_in" example:"900"`
}

func tokenResponse(s *service.Session) any {
	return TokenResponse{User: userView(s.User), AccessToken: s.Tokens.AccessToken, RefreshToken: s.Tokens.RefreshToken,
		TokenType: "Bearer", ExpiresIn: s.Tokens.ExpiresIn}
}

// ContactView is a platform's after-sales contact.
type ContactView struct {
	Phone *string `json:"phone" example:"95188" extensions:"x-nullable"`
	Email *string `json:"email" example:"kefu@example.com" extensions:"x-nullable"`
}

// PlatformView is a platform profile; it holds no secret.
type PlatformView struct {
	ID                string       `json:"id"`
	Name              string       `json:"name" example:"淘宝"`
	Slug              string       `json:"slug" example:"taobao"`
	Sector            string       `json:"sector" example:"digital_retail" enums:"digital_retail,digital_life,digital_health,digital_education,cross_border,industrial,logistics"`
	SectorLabel       string       `json:"sector_label" example:"数字零售"`
	Tags              []string     `json:"tags"`
	Onboarded         bool         `json:"onboarded"`
	AfterSalesContact *ContactView `json:"after_sales_contact" extensions:"x-nullable"`
	// Rateable is true when the rating list grades the platform: onboarded with an after-sales contact.
	Rateable  bool   `json:"rateable"`
	CreatedAt string `json:"created_at" format:"date-time"`
	UpdatedAt string `json:"updated_at" format:"date-time"`
}

func platformView(p *models.Platform) PlatformView {
	v := PlatformView{ID: p.ID, Name: p.Name, Slug: p.Slug, Sector: string(p.Sector),
		SectorLabel: models.SectorLabels[p.Sector], Tags: p.Tags, Onboarded: p.Onboarded,
		Rateable: p.Rateable(), CreatedAt: service.Ts(p.CreatedAt), UpdatedAt: service.Ts(p.UpdatedAt)}
	if v.Tags == nil {
		v.Tags = []string{}
	}
	if p.HasAfterSalesContact() {
		v.AfterSalesContact = &ContactView{Phone: p.AfterSalesPhone, Email: p.AfterSalesEmail}
	}
	return v
}

func platformViews(ps []models.Platform) []PlatformView {
	out := make([]PlatformView, len(ps))
	for i := range ps {
		out[i] = platformView(&ps[i])
	}
	return out
}

// AdminPlatformView is a platform as admins see it: the profile, and what makes it reachable.
type AdminPlatformView struct {
	PlatformView
	// Reachable is true when complaints are delivered to the platform (API.md 5.1).
	Reachable               bool  `json:"reachable"`
	ActiveAPIKeys           int64 `json:"active_api_keys" example:"1"`
	EnabledWebhookEndpoints int   `json:"enabled_webhook_endpoints" example:"1"`
}

func adminPlatformView(v *service.PlatformAdminView) AdminPlatformView {
	return AdminPlatformView{PlatformView: platformView(v.Platform), Reachable: v.Reachable,
		ActiveAPIKeys: v.ActiveAPIKeys, EnabledWebhookEndpoints: v.EnabledWebhookEndpoints}
}

// StaffUserView is an account as admins list it: the account and whether it is disabled.
type StaffUserView struct {
	UserView
	Disabled   bool    `json:"disabled"`
	DisabledAt *string `json:"disabled_at" extensions:"x-nullable" format:"date-time"`
	// ErasedAt is when the account was erased (its names and phone are then [已删除]; see
	// GET /api/v1/admin/erasures for the record).
	ErasedAt  *string `json:"erased_at" extensions:"x-nullable" format:"date-time"`
	UpdatedAt string  `json:"updated_at" format:"date-time"`
}

func staffUserView(u *models.User) StaffUserView {
	return StaffUserView{UserView: userView(u), Disabled: u.DisabledAt != nil, DisabledAt: service.TsPtr(u.DisabledAt),
		ErasedAt: service.TsPtr(u.ErasedAt), UpdatedAt: service.Ts(u.UpdatedAt)}
}

// APIKeyView is an API key without its secret.
type APIKeyView struct {
	ID         string  `json:"id"`
	PlatformID string  `json:"platform_id"`
	Name       string  `json:"name" example:"production"`
	Prefix     string  `json:"prefix" example:"dsb_live_3kF"`
	CreatedAt  string  `json:"created_at" format:"date-time"`
	LastUsedAt *string `json:"last_used_at" extensions:"x-nullable" format:"date-time"`
	RevokedAt  *string `json:"revoked_at" extensions:"x-nullable" format:"date-time"`
}

func apiKeyView(k *models.APIKey) APIKeyView {
	return APIKeyView{ID: k.ID, PlatformID: k.PlatformID, Name: k.Name, Prefix: k.Prefix, CreatedAt: service.Ts(k.CreatedAt),
		LastUsedAt: service.TsPtr(k.LastUsedAt), RevokedAt: service.TsPtr(k.RevokedAt)}
}

// CreatedAPIKey is the one response that shows a key's secret.
type CreatedAPIKey struct {
	APIKeyView
	// Key is the secret, shown only in this response: store it now.
	Key string `json:"key" example:"dsb_live_3kF9sQ2mZ7pX1vB8nC4dR6tY0wL5hJ2a"`
}

// HealthResponse answers /healthz and /readyz.
type HealthResponse struct {
	Status string            `json:"status" example:"ok" enums:"ok,unavailable"`
	Checks map[string]string `json:"checks,omitempty"`
}
