package api

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/kv"
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
//	@Description	Send the file as `multipart/form-data` in the field `file`. Its type is sniffed from the bytes (the name and the part's Content-Type are ignored); accepted: JPEG, PNG, WebP, GIF, MP3, M4A, WAV, MP4, QuickTime and PDF, anything else is 415. Files over `DSB_EVIDENCE_MAX_BYTES` are refused with 413 as soon as the limit is passed, without the rest being read. Cite the returned `id` in `evidence_ids` of a complaint, supplement or reply.
//	@Description	With `Idempotency-Key`, the same file sent again within 24 h answers with the first upload's evidence (marked `Idempotent-Replayed: true`), and another file is 422 `idempotency_key_reused`; storage is content-addressed (by `sha256`), so the bytes are kept once either way.
//	@Description	Consumers, merchants and platforms (API key) may upload; staff may not (403).
//	@Tags			evidence
//	@ID				uploadEvidence
//	@Accept			multipart/form-data
//	@Produce		json
//	@Security		BearerAuth
//	@Security		APIKeyAuth
//	@Param			file			formData	file	true	"the evidence file (picture, audio, video or PDF)"
//	@Param			Idempotency-Key	header		string	false	"the same file again within 24 h answers with the first upload"
//	@Success		201		{object}	service.EvidenceView
//	@Failure		400		{object}	Problem	"malformed_multipart, unreadable_body"
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem	"staff may not upload"
//	@Failure		413		{object}	Problem	"file_too_large"
//	@Failure		415		{object}	Problem	"unsupported_media_type, multipart_required"
//	@Failure		422		{object}	Problem	"no file part, or an empty file"
//	@Failure		429		{object}	Problem
//	@Router			/api/v1/evidence [post]
func (h *evidenceHandler) upload(c *gin.Context) {
	p := principal(c)
	if err := h.svc.MayUpload(p); err != nil {
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
		ev, err := h.svc.Upload(c.Request.Context(), p, part.FileName(), part)
		if err != nil {
			var maxErr *http.MaxBytesError
			if errors.As(err, &maxErr) {
				err = errFileTooLarge
			}
			writeProblem(c, err)
			return
		}
		if key := c.GetHeader("Idempotency-Key"); key != "" {
			if ev, err = h.replayUpload(c, p, key, ev); err != nil {
				writeProblem(c, err)
				return
			}
		}
		c.JSON(http.StatusCreated, service.NewEvidenceView(ev))
		return
	}
}

// replayUpload applies Idempotency-Key to an upload once its bytes are stored. The generic
// middleware would hold the body in memory, so the upload streams first and the key is checked
// against the file's SHA-256 afterwards: the same file again answers with the first evidence
// (the duplicate row is dropped; the content-addressed bytes were stored once), another file
// is 422 idempotency_key_reused.
func (h *evidenceHandler) replayUpload(c *gin.Context, p *models.Principal, key string, ev *models.Evidence) (*models.Evidence, error) {
	ctx := c.Request.Context()
	if len(key) > 255 || models.ControlChar(key) {
		_ = h.svc.Discard(ctx, ev.ID)
		return nil, models.Invalid("Idempotency-Key", "must be at most 255 printable characters")
	}
	name := "idem-upload:" + hex.EncodeToString(h.idem.mac("name", p.RateKey(), key))
	fresh, err := h.idem.kv.SetNX(ctx, name, []byte(ev.SHA256+" "+ev.ID), idempotencyTTL)
	if err != nil {
		_ = h.svc.Discard(ctx, ev.ID)
		return nil, err
	}
	if fresh {
		return ev, nil
	}
	raw, err := h.idem.kv.Get(ctx, name)
	if err != nil {
		_ = h.svc.Discard(ctx, ev.ID)
		if errors.Is(err, kv.ErrMiss) {
			return nil, models.Conflict("idempotency_key_in_use", "retry the request")
		}
		return nil, err
	}
	sha, firstID, _ := strings.Cut(string(raw), " ")
	if err := h.svc.Discard(ctx, ev.ID); err != nil {
		return nil, err
	}
	if sha != ev.SHA256 {
		return nil, &models.Error{Kind: models.KindValidation, Code: "idempotency_key_reused",
			Detail: "this Idempotency-Key was used with another file; use a new key"}
	}
	c.Header("Idempotent-Replayed", "true")
	return h.svc.Meta(ctx, p, firstID)
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
//	@Description	Allowed for the uploader, staff, and a platform a complaint citing the file was delivered to; for anyone else the file does not exist (404).
//	@Tags			evidence
//	@ID				downloadEvidence
//	@Produce		octet-stream
//	@Security		BearerAuth
//	@Security		APIKeyAuth
//	@Param			id	path		string	true	"evidence id"
//	@Success		200	{file}		binary	"the file"
//	@Success		206	{file}		binary	"the requested range"
//	@Success		304	"not modified (If-None-Match)"
//	@Failure		401	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Failure		416	{object}	Problem	"range_not_satisfiable"
//	@Failure		429	{object}	Problem
//	@Router			/api/v1/evidence/{id} [get]
func (h *evidenceHandler) download(c *gin.Context) {
	ev, f, err := h.svc.Open(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	defer f.Close()
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": ev.Filename})
	if disposition == "" {
		disposition = "attachment"
	}
	hd := c.Writer.Header()
	hd.Set("Content-Type", ev.ContentType)
	hd.Set("Content-Disposition", disposition)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "private, max-age=0")
	// Nothing in an evidence file may run in the API's origin, even if opened inline.
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
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
		Code: code, Instance: c.Request.URL.Path, RequestID: requestID(c)}
	body, _ := json.Marshal(p)
	c.Abort()
	c.Data(status, "application/problem+json", body)
}
