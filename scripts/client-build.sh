#!/usr/bin/env bash
# Generates a Go client from the API document with oapi-codegen and builds it, as an
# integrator would: a document a generator cannot turn into compiling code fails here.
# Needs the Go module proxy (oapi-codegen and its runtime are fetched).
set -euo pipefail
OAPI_CODEGEN_VERSION=v2.8.2

cd "$(dirname "${BASH_SOURCE[0]}")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

go run ./scripts/openapi3 >"$work/openapi.json"
mkdir "$work/client"
printf 'module example.com/dsbclient\n\ngo 1.22\n' >"$work/client/go.mod"
go run "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@${OAPI_CODEGEN_VERSION}" \
  -generate types,client -package dsbclient -o "$work/client/client.gen.go" "$work/openapi.json"
(
  cd "$work/client"
  GOFLAGS=-mod=mod go mod tidy
  go vet ./...
  go build ./...
)
echo "generated client: $(wc -l <"$work/client/client.gen.go") lines, builds"
