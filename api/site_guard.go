package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
)

// siteGuard spends the website's sign-ins and registrations from the same budgets as
// POST /auth/login and /auth/register: a form is no way around the API's limits.
type siteGuard struct {
	limiter *rateLimiter
	limit   int
	budgets *authBudgets
	// perPerson is the per-principal budget of the API's authenticated routes.
	perPerson int
}

// AdmitPerson implements web.Guard: a signed-in person's page actions spend the same
// per-principal budget as their API requests.
func (g *siteGuard) AdmitPerson(c *gin.Context, p *models.Principal) time.Duration {
	if ok, reset := g.limiter.take(c, p.RateKey(), g.perPerson); !ok {
		return time.Duration(reset) * time.Second
	}
	return 0
}

// AdmitLogin implements web.Guard: the per-address budget, then the failed-login budgets.
func (g *siteGuard) AdmitLogin(c *gin.Context, phone, email string) (time.Duration, func(error)) {
	if ok, reset := g.limiter.take(c, "ip:"+c.ClientIP(), g.limit); !ok {
		return time.Duration(reset) * time.Second, nil
	}
	at := g.budgets.loginAttemptOf(c, phone, email)
	if r := g.budgets.checkLogin(c, at); r != nil {
		secs := retrySeconds(r.ttl)
		c.Header("Retry-After", strconv.Itoa(secs))
		return time.Duration(secs) * time.Second, nil
	}
	return 0, func(err error) { g.budgets.loginDone(c, at, err) }
}

// AdmitRegister implements web.Guard: the per-address and the per-phone budgets.
func (g *siteGuard) AdmitRegister(c *gin.Context, phone string) time.Duration {
	if ok, reset := g.limiter.take(c, "ip:"+c.ClientIP(), g.limit); !ok {
		return time.Duration(reset) * time.Second
	}
	id := strings.TrimSpace(phone)
	if p, ok := models.NormalizePhone(phone); ok {
		id = p
	}
	if id == "" {
		return 0
	}
	if ok, reset := g.limiter.take(c, "id:"+g.budgets.name(id), g.limit); !ok {
		return time.Duration(reset) * time.Second
	}
	return 0
}
