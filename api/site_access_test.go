package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
)

// TestSitePagesArePublic: every page of the website answers every kind of caller alike (a
// bearer token changes nothing), as HTML and without a 401 or 403.
func TestSitePagesArePublic(t *testing.T) {
	w := newWorld(t)
	tokens := w.principals()
	month := models.PeriodContaining(w.clock.Now(), models.PeriodMonth).String()
	var routes []access
	for _, path := range []string{"/", "/ratings", "/ratings?sector=digital_retail", "/ratings.csv", "/platforms/taobao",
		"/rankings", "/reports", "/reports/" + month + "/consumer", "/reports/" + month + "/merchant/charts/trend.png",
		"/cases", "/campaigns", "/lawyers", "/static/site.css"} {
		routes = append(routes, access{method: "GET", path: path, allowed: []string{"public"}})
	}
	checkAccess(t, w, tokens, routes)
	for _, rt := range routes {
		for _, kind := range principalKinds {
			r := w.do(req{method: "GET", path: rt.path, token: tokens[kind]})
			if r.Code != http.StatusOK {
				t.Errorf("GET %s as %s: %d", rt.path, kind, r.Code)
			}
			if ct := r.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "application/problem") {
				t.Errorf("GET %s as %s: Content-Type %s", rt.path, kind, ct)
			}
		}
	}
}
