package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/dianshubao/dianshubao/internal/openapi"
	"github.com/dianshubao/dianshubao/web"
)

// The contract: every response an API test receives must match docs/swagger.json — status
// declared, body of the declared schema (nullable, required, enums), Content-Type declared —
// so an annotation that drifts from the code fails the tests.
var contract struct {
	once   sync.Once
	router routers.Router
	err    error
	log    sync.Mutex
}

func contractRouter() (routers.Router, error) {
	contract.once.Do(func() {
		doc, err := openapi.V3()
		if err != nil {
			contract.err = err
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			contract.err = fmt.Errorf("the OpenAPI 3 document is not valid: %w", err)
			return
		}
		contract.router, contract.err = gorillamux.NewRouter(doc)
	})
	return contract.router, contract.err
}

// checkContract validates one response against the document.
func checkContract(t testing.TB, r *http.Request, res *response) {
	t.Helper()
	if strings.HasPrefix(r.URL.Path, "/swagger/") {
		return // the Swagger UI's pages and assets are not operations of the API
	}
	router, err := contractRouter()
	if err != nil {
		t.Fatalf("contract: %v", err)
	}
	// Route on a copy without a body: the request was already served.
	rr := r.Clone(context.Background())
	rr.Body = http.NoBody
	route, params, err := router.FindRoute(rr)
	if err != nil {
		// 404/405 for unknown routes are the router's, not an operation's.
		if res.Code == http.StatusNotFound || res.Code == http.StatusMethodNotAllowed {
			return
		}
		// The website's HTML pages are no operations of the API; only paths the document does
		// not have and the site answers are let through.
		if web.IsSitePath(r) {
			return
		}
		contractFailure(t, r, res, fmt.Sprintf("no operation in the document: %v", err))
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: rr, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status: res.Code,
		Header: res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	in.SetBodyBytes(res.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		contractFailure(t, r, res, err.Error())
	}
}

func contractFailure(t testing.TB, r *http.Request, res *response, msg string) {
	t.Helper()
	if path := os.Getenv("DSB_CONTRACT_LOG"); path != "" {
		contract.log.Lock()
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "%s %s -> %d\n\t%s\n", r.Method, r.URL.Path, res.Code, strings.ReplaceAll(msg, "\n", "\n\t"))
			f.Close()
		}
		contract.log.Unlock()
		return
	}
	body := res.Body
	if len(body) > 2000 {
		body = append(bytes.Clone(body[:2000]), "…"...)
	}
	t.Errorf("%s %s: the %d response does not match docs/swagger.json:\n%s\nbody: %s", r.Method, r.URL.Path, res.Code, msg, body)
}
