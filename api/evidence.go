package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/internal/attachment"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

type evidenceHandler struct {
	svc      *service.Evidence
	maxBytes int64
	idem     *idempotency
}

// multipartOverhead is what an upload body may hold beyond the file itself: boundaries, part
// headers and small form fields.
const multipartOverhead = 1 << 20

var errFileTooLarge = &models.Error{Kind: models.KindTooLarge, Code: "file_too_large",
	Detail: "the upload is larger than the limit (DSB_EVIDENCE_MAX_BYTES)"}

// upload godoc
//
//	@Summary		Upload an evidence file
//	@Description	Send the file as `multipart/form-data` in the field `file`. Its type is sniffed from the bytes (the name and the part's Content-Type are ignored); accepted: JPEG, PNG, WebP, GIF, MP3, M4A, WAV, MP4, QuickTime and PDF, anything else is 415. Files over `DSB_EVIDENCE_MAX_BYTES` are refused with 413 as soon as the limit is passed, without the rest being read. Cite the returned `id` in `evidence_ids` of a complaint, supplement or reply. The file name is shown to the platforms the file is cited to and cannot be changed, so a name that hits the screening list is 422 `validation_failed` naming `filename`, before the file is read.
//	@Description	With `Idempotency-Key` (scoped to the caller, method and path), the same file under the same name sent again within 24 h answers with the first upload's evidence, byte for byte (marked `Idempotent-Replayed: true`), and another file or name is 422 `idempotency_key_reused`; a refused upload (4xx) is not recorded. Storage is content-addressed (by `sha256`), so the bytes are kept once either way; if the same content's bytes are deleted (after an erasure or a discarded file) while this upload is being saved, it answers 503 and is stored whole when sent again.
//	@Description	Consumers, merchants and platforms (API key) may upload; staff and lawyers may not (403).
//	@Tags			evidence
//	@ID				uploadEvidence
//	@Accept			multipart/form-data
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Security		APIKeyAuth
//	@Param			file			formData	file	true	"the evidence file (picture, audio, video or PDF)"
//	@Param			Idempotency-Key	header		string	false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another file or file name is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		201				{object}	service.EvidenceView
//	@Failure		400				{object}	Problem	"malformed_multipart, unreadable_body"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"staff and lawyers may not upload"
//	@Failure		413				{object}	Problem	"file_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type, multipart_required"
//	@Failure		409				{object}	Problem	"idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"no file part, an empty file, a file name hitting the screening list (field filename), idempotency_key_reused"
//	@Failure		429				{object}	Problem
//	@Failure		503				{object}	Problem	"service_unavailable: the database or the evidence storage cannot be reached, or the same content's bytes were deleted while this upload was saved (send it again); see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/evidence [post]
func (h *evidenceHandler) upload(c *gin.Context) {
	p := principal(c)
	if err := h.svc.MayUpload(p); err != nil {
		writeProblem(c, err)
		return
	}
	key := c.GetHeader("Idempotency-Key")
	if err := checkIdempotencyKey(key); err != nil {
		writeProblem(c, err)
		return
	}
	if c.Request.Body == nil {
		c.Request.Body = http.NoBody
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, h.maxBytes+multipartOverhead)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		if errors.Is(err, http.ErrNotMultipart) {
			writeProblem(c, &models.Error{Kind: models.KindUnsupportedMedia, Code: "multipart_required",
				Detail: "send the file as multipart/form-data in a field named file"})
			return
		}
		writeProblem(c, models.BadRequest("malformed_multipart", "the multipart body could not be read: %s", err.Error()))
		return
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			writeProblem(c, models.Invalid("file", "is required: send the file in a multipart field named file"))
			return
		}
		if err != nil {
			writeProblem(c, uploadReadError(err))
			return
		}
		if part.FormName() != "file" {
			// NextPart skips the rest of this part; MaxBytesReader bounds what that can cost.
			continue
		}
		ev, err := h.svc.Receive(c.Request.Context(), p, part.FileName(), part)
		if err != nil {
			var maxErr *http.MaxBytesError
			if errors.As(err, &maxErr) {
				err = errFileTooLarge
			}
			writeProblem(c, err)
			return
		}
		// The generic middleware would hold the body in memory, so the key is checked once the
		// file is stored: its fingerprint is the file's SHA-256 and its name.
		if key != "" {
			sum := sha256.Sum256([]byte(ev.SHA256 + "\x00" + ev.Filename))
			if !h.idem.begin(c, scopeOf(c, key), hex.EncodeToString(sum[:]), "another file (its content or its name) was sent with it first") {
				return
			}
		}
		respondCommand(c, http.StatusCreated, func(ctx context.Context) (*models.Evidence, error) {
			return h.svc.Save(ctx, ev)
		}, func(ev *models.Evidence) any { return service.NewEvidenceView(ev) })
		return
	}
}

// uploadReadError turns a body over the request limit into 413 and a multipart body that
// cannot be parsed into 400.
func uploadReadError(err error) error {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return errFileTooLarge
	}
	return models.BadRequest("malformed_multipart", "the multipart body could not be read")
}

// download godoc
//
//	@Summary		Download an evidence file
//	@Description	The bytes, with the type sniffed at upload, as an attachment (`Content-Disposition`, `X-Content-Type-Options: nosniff`). Range requests are answered (206), so audio and video can be played and resumed; `ETag` is the file's SHA-256.
//	@Description	Allowed for the uploader, staff, a platform a complaint citing the file was delivered to, the complainant of such a complaint, and the lawyer a consultation on it is assigned to (while it is); for anyone else the file does not exist (404).
//	@Tags			evidence
//	@ID				downloadEvidence
//	@Produce		image/jpeg,image/png,image/webp,image/gif,audio/mpeg,audio/x-m4a,audio/wav,video/mp4,video/quicktime,application/pdf,application/problem+json
//	@Security		BearerAuth
//	@Security		APIKeyAuth
//	@Param			id	path	string	true	"evidence id"
//	@Success		200	{file}	binary	"the file"
//	@Success		206	{file}	binary	"the requested range"
//	@Success		304	"not modified (If-None-Match)"
//	@Failure		401	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Failure		412	{object}	Problem	"precondition_failed (If-Match, If-Unmodified-Since)"
//	@Failure		416	{object}	Problem	"range_not_satisfiable"
//	@Failure		429	{object}	Problem
//	@Failure		403	{object}	Problem	"forbidden: these credentials may not do this"
//	@Failure		503	{object}	Problem	"service_unavailable: the database or the evidence storage cannot be reached; see Retry-After"
//	@Failure		500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/evidence/{id} [get]
func (h *evidenceHandler) download(c *gin.Context) {
	ev, f, err := h.svc.Open(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	defer f.Close()
	hd := c.Writer.Header()
	attachment.Headers(hd, ev.Filename, ev.ContentType, "private, max-age=0")
	hd.Set("ETag", `"`+ev.SHA256+`"`)
	w := &serveContentWriter{ResponseWriter: c.Writer}
	http.ServeContent(w, c.Request, "", ev.CreatedAt, f)
	if w.failed != 0 {
		// ServeContent answers its own errors (a bad range, a failed precondition) in plain
		// text; answer them as problems like every other error.
		for _, k := range []string{"Content-Type", "Content-Disposition", "ETag", "Content-Security-Policy", "Cache-Control", "Last-Modified"} {
			hd.Del(k)
		}
		writeStatusProblem(c, w.failed)
	}
}

// serveContentWriter passes ServeContent's successful answers through and holds back its
// error answers.
type serveContentWriter struct {
	http.ResponseWriter
	failed int
}

func (w *serveContentWriter) WriteHeader(code int) {
	if code >= 400 {
		w.failed = code
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *serveContentWriter) Write(b []byte) (int, error) {
	if w.failed != 0 {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// writeStatusProblem answers the HTTP-level errors of ServeContent, which have no domain kind.
func writeStatusProblem(c *gin.Context, status int) {
	code, detail := "internal_error", "an unexpected error occurred; quote the request id when you contact support"
	switch status {
	case http.StatusRequestedRangeNotSatisfiable:
		code, detail = "range_not_satisfiable", "the requested range is outside the file"
	case http.StatusPreconditionFailed:
		code, detail = "precondition_failed", "the file does not match the request's preconditions"
	}
	p := Problem{Type: problemBase + code, Title: http.StatusText(status), Status: status, Detail: detail,
		Code: code, Errors: []models.FieldError{}, Instance: c.Request.URL.Path, RequestID: requestID(c)}
	body, _ := json.Marshal(p)
	c.Abort()
	c.Data(status, "application/problem+json", body)
}
