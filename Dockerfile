# syntax=docker/dockerfile:1

# ---- build stage ----
FROM golang:1.26-bookworm AS build
WORKDIR /src

# Copy only the module files first so dependency download is cached in its
# own layer and re-used until go.mod/go.sum change. go.mod replaces the
# webhooks/verify module with its directory, so its go.mod is needed too.
COPY go.mod go.sum ./
COPY webhooks/verify/go.mod ./webhooks/verify/
RUN go mod download

COPY . .
# Static binary (no cgo) so it runs on alpine/musl; -trimpath and -s -w give
# reproducible, smaller output.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/dianshubao .

# ---- runtime stage ----
# alpine rather than distroless: HEALTHCHECK needs a shell and an HTTP client.
FROM alpine:3.20

# ca-certificates for outbound TLS, tzdata for time zones, wget for HEALTHCHECK.
RUN apk add --no-cache ca-certificates tzdata wget \
 && addgroup -S -g 10001 app \
 && adduser -S -D -H -u 10001 -G app -h /app app \
 && mkdir -p /app/data \
 && chown -R 10001:10001 /app

WORKDIR /app
COPY --from=build /out/dianshubao /app/dianshubao

ENV DSB_HTTP_ADDR=:8080 DSB_ENV=production
EXPOSE 8080

HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD wget -qO- http://127.0.0.1:8080/healthz || exit 1

# Run unprivileged; numeric uid so runtimes can verify it is non-root.
USER 10001
ENTRYPOINT ["/app/dianshubao"]
