package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"

	"github.com/dianshubao/dianshubao/blob"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// Evidence stores uploaded evidence files and serves them to those allowed to see them.
type Evidence struct {
	st       *store.Store
	clock    Clock
	log      *slog.Logger
	dir      string
	maxBytes int64
	// screen refuses file names that hit the screening list: platforms read them.
	screen TextScreener

	// blobs is where the bytes live; the local disk under dir unless set before first use.
	blobs     BlobStore
	blobsOnce sync.Once
}

// BlobStore keeps evidence bytes under the SHA-256 of their content: blob.Local (the local
// disk, one instance) or blob.S3 (a bucket every instance shares).
type BlobStore = blob.Store

// BlobWriter receives the bytes of one blob; Commit or Abort ends it.
type BlobWriter = blob.Writer

// sniffBytes is how much of the head of a file the type detection looks at.
const sniffBytes = 3072

// maxEvidenceRefs caps the evidence one complaint, supplement or reply may cite.
const maxEvidenceRefs = 20

// evidenceTypeAliases lists, for allowed types whose files mimetype may name differently,
// the other names accepted; the canonical name (models.AllowedEvidenceTypes) is what is stored.
// mimetype's Is already accepts its registered aliases (audio/x-wav, audio/mp3, …).
var evidenceTypeAliases = map[string][]string{
	"audio/x-m4a": {"audio/mp4"},
	"video/mp4":   {"video/x-m4v"},
}

// allowedTypeNames is the human list given when a file is refused.
const allowedTypeNames = "JPEG, PNG, WebP, GIF, MP3, M4A, WAV, MP4, QuickTime (MOV) or PDF"

// errUnreadableUpload marks a failure to read the client's bytes (as opposed to storing them).
var errUnreadableUpload = &models.Error{Kind: models.KindBadRequest, Code: "unreadable_body",
	Detail: "the upload could not be read to its end"}

func (e *Evidence) blobStore() BlobStore {
	e.blobsOnce.Do(func() {
		if e.blobs == nil {
			e.blobs = blob.NewLocal(e.dir)
		}
	})
	return e.blobs
}

// MayUpload tells whether the caller may upload evidence: complainants and platforms may, staff
// and lawyers may not (they review evidence or advise on it, they do not bring it; a lawyer's
// answer is text). Handlers ask before reading the body.
func (e *Evidence) MayUpload(p *models.Principal) error {
	switch {
	case p == nil:
		return models.ErrUnauthenticated
	case p.Kind == models.PrincipalPlatform:
		return nil
	case p.Role.IsManaged():
		return models.ErrForbidden
	}
	return nil
}

// uploader names the owner of the evidence the caller uploads.
func uploader(p *models.Principal) (kind, id string) {
	if p.Kind == models.PrincipalPlatform {
		return models.UploaderPlatform, p.PlatformID
	}
	return models.UploaderUser, p.UserID
}

// Upload streams r into blob storage (Receive) and records it (Save).
func (e *Evidence) Upload(ctx context.Context, p *models.Principal, filename string, r io.Reader) (*models.Evidence, error) {
	ev, err := e.Receive(ctx, p, filename, r)
	if err != nil {
		return nil, err
	}
	return e.Save(ctx, ev)
}

// Receive streams r into blob storage while hashing it and sniffs its type from its first
// bytes; it returns the evidence row to Save. The file is never held in memory: at most
// maxBytes+1 bytes are read, then the upload is refused as too large. Read errors of r are
// returned wrapped, so that the caller can recognise its own (for example *http.MaxBytesError).
func (e *Evidence) Receive(ctx context.Context, p *models.Principal, filename string, r io.Reader) (*models.Evidence, error) {
	if err := e.MayUpload(p); err != nil {
		return nil, err
	}
	// Checked before a byte is read: the name is shown to the platforms the file is cited to,
	// and evidence cannot be renamed.
	filename = cleanFilename(filename)
	var v models.Validator
	refuseListed(&v, e.screen, "filename", filename)
	if err := v.Err(); err != nil {
		return nil, err
	}
	w, err := e.blobStore().Create(ctx)
	if err != nil {
		return nil, fmt.Errorf("start evidence blob: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			if err := w.Abort(); err != nil {
				e.log.WarnContext(ctx, "could not discard an unfinished upload", "error", err)
			}
		}
	}()

	hash := sha256.New()
	head := &headBuffer{max: sniffBytes}
	src := &sourceReader{r: io.LimitReader(r, e.maxBytes+1)}
	n, err := io.Copy(io.MultiWriter(w, hash, head), src)
	if err != nil {
		if src.err != nil {
			return nil, fmt.Errorf("%w: %w", errUnreadableUpload, src.err)
		}
		return nil, fmt.Errorf("write evidence blob: %w", err)
	}
	if n > e.maxBytes {
		return nil, &models.Error{Kind: models.KindTooLarge, Code: "file_too_large",
			Detail: fmt.Sprintf("the file is larger than the limit of %d bytes", e.maxBytes)}
	}
	if n == 0 {
		return nil, models.Invalid("file", "is empty")
	}
	ct, ok := evidenceType(head.b)
	if !ok {
		return nil, &models.Error{Kind: models.KindUnsupportedMedia, Code: "unsupported_media_type",
			Detail: fmt.Sprintf("the file's content is %s, which is not accepted as evidence; upload %s (%s). The type is read from the bytes, not from the name or the part's Content-Type",
				ct, allowedTypeNames, strings.Join(models.AllowedEvidenceTypes, ", "))}
	}
	sum := hex.EncodeToString(hash.Sum(nil))
	// The blob is stored before the row, so a row never points at missing bytes (Save checks
	// that no erase-blob job removed them meanwhile); a blob left without a row (a failure or a
	// replay after this) is harmless and reused by the next identical upload.
	if err := w.Commit(ctx, sum); err != nil {
		return nil, fmt.Errorf("store evidence blob: %w", err)
	}
	committed = true
	kind, owner := uploader(p)
	return &models.Evidence{ID: models.NewID(), UploaderKind: kind, UploaderID: owner,
		Filename: filename, ContentType: ct, Size: n, SHA256: sum, CreatedAt: now(e.clock)}, nil
}

// errUploaderErased is an upload whose person was erased while the bytes arrived.
var errUploaderErased = errors.New("the uploader was erased")

// Save records evidence that Receive stored, with the request's idempotency record. An upload
// can take minutes: a person erased meanwhile gets no row (the erasure and its sweep a minute
// later may both be over by then), and the bytes already stored are deleted as an erasure
// deletes them.
func (e *Evidence) Save(ctx context.Context, ev *models.Evidence) (*models.Evidence, error) {
	out, err := command(ctx, e.st, func(tx *store.Store) (*models.Evidence, error) {
		if ev.UploaderKind == models.UploaderUser {
			u, err := tx.UserByID(ctx, ev.UploaderID)
			if err != nil && !errors.Is(err, models.ErrNotFound) {
				return nil, err
			}
			if err == nil && u.ErasedAt != nil {
				return nil, errUploaderErased
			}
		}
		if err := tx.CreateEvidence(ctx, ev); err != nil {
			return nil, fmt.Errorf("save evidence: %w", err)
		}
		if err := e.checkBlobKept(ctx, tx, ev.SHA256); err != nil {
			return nil, err
		}
		return ev, nil
	})
	if errors.Is(err, errUploaderErased) {
		t := now(e.clock)
		if qerr := e.st.EnqueueJobs(ctx, []models.Job{{ID: models.NewID(), Kind: models.JobEraseBlob, State: models.JobAvailable,
			DueAt: t, Ref: ev.SHA256, Destination: models.DestinationBlobs, CreatedAt: t, UpdatedAt: t}}); qerr != nil {
			return nil, qerr
		}
		return nil, models.ErrInvalidToken
	}
	return out, err
}

// evidenceType maps the sniffed type of a file's head to the allowed type it is stored as; when
// the type is not allowed it returns the sniffed name and false.
func evidenceType(head []byte) (string, bool) {
	m := mimetype.Detect(head)
	for _, allowed := range models.AllowedEvidenceTypes {
		if m.Is(allowed) {
			return allowed, true
		}
		for _, alias := range evidenceTypeAliases[allowed] {
			if m.Is(alias) {
				return allowed, true
			}
		}
	}
	return m.String(), false
}

// Meta is the evidence's metadata, for those who may see it.
func (e *Evidence) Meta(ctx context.Context, p *models.Principal, id string) (*models.Evidence, error) {
	ev, err := e.st.EvidenceByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if ev.Erased() {
		return nil, models.NotFound("evidence")
	}
	ok, err := e.maySee(ctx, p, ev)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, models.NotFound("evidence")
	}
	return ev, nil
}

// Open returns the evidence and its bytes to the uploader, staff, the complainant of a complaint
// citing it, and a platform a complaint citing it was delivered to. Everybody else is told it
// does not exist, so that ids leak nothing.
func (e *Evidence) Open(ctx context.Context, p *models.Principal, id string) (*models.Evidence, io.ReadSeekCloser, error) {
	ev, err := e.st.EvidenceByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if ev.Erased() {
		return nil, nil, models.NotFound("evidence") // its complainant's account was erased
	}
	ok, err := e.maySee(ctx, p, ev)
	if err != nil {
		return nil, nil, fmt.Errorf("check evidence access: %w", err)
	}
	if !ok {
		return nil, nil, models.NotFound("evidence")
	}
	f, err := e.blobStore().Open(ctx, ev.SHA256)
	if err != nil {
		return nil, nil, fmt.Errorf("open evidence %s: %w", ev.ID, err)
	}
	return ev, f, nil
}

func (e *Evidence) maySee(ctx context.Context, p *models.Principal, ev *models.Evidence) (bool, error) {
	if p == nil {
		return false, nil
	}
	if p.Kind == models.PrincipalPerson && p.Role.IsStaff() {
		return true, nil
	}
	if kind, owner := uploader(p); ev.UploaderKind == kind && ev.UploaderID == owner {
		return true, nil
	}
	if p.Kind == models.PrincipalPlatform {
		return e.st.PlatformCanSeeEvidence(ctx, ev.ID, p.PlatformID)
	}
	if p.Role == models.RoleLawyer {
		return e.st.LawyerCanSeeEvidence(ctx, ev.ID, p.UserID)
	}
	// The complainant sees what the platform attached to its replies on their complaint.
	return e.st.ComplainantCanSeeEvidence(ctx, ev.ID, p.UserID)
}

// OwnedEvidence checks the evidence ids a complaint, supplement or reply cites: at most 20
// distinct ids, each one evidence the caller uploaded. It returns the rows in the order given,
// without duplicates.
func (e *Evidence) OwnedEvidence(ctx context.Context, p *models.Principal, ids []string) ([]models.Evidence, error) {
	uniq := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	if len(uniq) > maxEvidenceRefs {
		return nil, models.Invalid("evidence_ids", fmt.Sprintf("at most %d", maxEvidenceRefs))
	}
	if len(uniq) == 0 {
		return []models.Evidence{}, nil
	}
	rows, err := e.st.EvidenceByIDs(ctx, uniq)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]models.Evidence, len(rows))
	for _, r := range rows {
		byID[r.ID] = r
	}
	kind, owner := uploader(p)
	out := make([]models.Evidence, 0, len(uniq))
	for i, id := range uniq {
		r, ok := byID[id]
		if !ok || r.UploaderKind != kind || r.UploaderID != owner {
			return nil, models.Invalid("evidence_ids", describeRef(i, id)+" is not evidence you uploaded")
		}
		out = append(out, r)
	}
	return out, nil
}

// describeRef names an evidence id in a message: quoted when it looks like an id, by position
// when it is too long or odd to echo back.
func describeRef(i int, id string) string {
	if len(id) <= 64 && utf8.ValidString(id) && !models.ControlChar(id) {
		return fmt.Sprintf("%q", id)
	}
	return fmt.Sprintf("the id at position %d", i)
}

// cleanFilename keeps the base name of a client's file name, without control or formatting
// characters (which could disguise an extension), at most 255 characters, "evidence" if
// nothing is left.
func cleanFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		return "evidence"
	}
	const maxLen = 255
	if utf8.RuneCountInString(name) > maxLen {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 16 {
			ext = ""
		}
		stem := []rune(strings.TrimSuffix(name, ext))
		name = strings.TrimSpace(string(stem[:maxLen-utf8.RuneCountInString(ext)])) + ext
	}
	return name
}

// SweepStaleUploads removes temporary files older than age that crashed uploads left behind
// where uploads are spooled.
func (e *Evidence) SweepStaleUploads(ctx context.Context, age time.Duration) (int, error) {
	return e.blobStore().SweepTemp(ctx, age)
}
