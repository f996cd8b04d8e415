// Command openapi3 writes the service's API document, converted to OpenAPI 3.0, to standard
// output: the document /openapi.json serves, for client generators that run without a server.
package main

import (
	"fmt"
	"os"

	"github.com/dianshubao/dianshubao/internal/openapi"
)

func main() {
	b, err := openapi.V3JSON()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(append(b, '\n'))
}
