// Package attachment writes the headers of an evidence file sent for download, the same for
// the API and the website: always an attachment, never sniffed, nothing in it may run in the
// service's origin even if opened inline.
package attachment

import (
	"mime"
	"net/http"
)

// Headers sets Content-Type, Content-Disposition (with the file's name), nosniff, a sandbox
// policy and cacheControl on h.
func Headers(h http.Header, filename, contentType, cacheControl string) {
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": filename})
	if disposition == "" {
		disposition = "attachment"
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", disposition)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", cacheControl)
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
}
