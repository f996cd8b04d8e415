package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// The platforms' side of complaints: their list, one complaint, and replies.

// platformList godoc
//
//	@Summary		Complaints delivered to the calling platform
//	@Description	Never `pending_review`, `rejected` or `awaiting_contact`. Newest first; with `updated_since` the order is (`updated_at`, `id`) ascending instead: the change feed.
//	@Description
//	@Description	**Following the feed.** Start with `updated_since` (for example the time you last synchronised), follow `next_cursor` until a page has none, then poll again later with `updated_since` set to the `updated_at` of the last complaint you received — never your own clock. A complaint that changes while you page moves to the end and comes again; you may see a complaint more than once, never miss a change.
//	@Description
//	@Description	**Lag.** The feed leaves out changes made in the last 5 seconds (by the server's clock), so that a change whose transaction commits a moment after a later change was read is not skipped: each change appears on the feed 5 s after it was made. The servers' clocks are kept in step (NTP) to well within that lag.
//	@Description
//	@Description	**Freshness.** Answers are kept rendered in memory until what they show changes: a change is visible to the next read on the instance that made it, and on other instances as soon as its announcement arrives (milliseconds); should announcements be unavailable (a deployment without Redis), within 1 s. Feed pages (`updated_since`) are kept at most 1 s, on top of the lag.
//	@Tags			platform
//	@ID				platformListComplaints
//	@Produce		json,application/problem+json
//	@Security		APIKeyAuth
//	@Param			status			query		string	false	"only this status"	Enums(delivered,replied,completed,withdrawn)
//	@Param			channel			query		string	false	"only this channel"	Enums(consumer,refund_only)
//	@Param			updated_since	query		string	false	"RFC 3339 time: only complaints changed at or after it"
//	@Param			limit			query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor			query		string	false	"next_cursor of the previous page"
//	@Param			If-None-Match	header		string	false	"the ETag of a page you hold: 304 without a body while it is current"
//	@Success		200				{object}	ListResponse[service.ComplaintView]
//	@Header			200				{string}	ETag	"entity tag of this page"
//	@Success		304				"not modified: the page you hold (If-None-Match) is current"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem
//	@Failure		422				{object}	Problem
//	@Failure		429				{object}	Problem
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; retry after Retry-After seconds"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/platform/complaints [get]
func (h *complaintsHandler) platformList(c *gin.Context) {
	h.platformRead(c, "list?"+c.Request.URL.RawQuery, c.Query("updated_since") != "", func() (any, error) {
		page, err := pageParams(c)
		if err != nil {
			return nil, err
		}
		f := service.ComplaintListFilter{Status: c.Query("status"), Channel: c.Query("channel"), UpdatedSince: c.Query("updated_since")}
		items, next, err := h.svc.List(c.Request.Context(), principal(c), f, page)
		return listOf(items, next), err
	})
}

// platformGet godoc
//
//	@Summary		One complaint delivered to the calling platform
//	@Description	With the complainant's `contact_name` and `contact_phone`, `delivered_at`, and `reply_due_at` (`delivered_at` + 72 h, the last moment for a full timeliness score). Another platform's complaint is 404.
//	@Description	Kept rendered in memory until the complaint changes, as the list is (see its **Freshness**).
//	@Tags			platform
//	@ID				platformGetComplaint
//	@Produce		json,application/problem+json
//	@Security		APIKeyAuth
//	@Param			id				path		string	true	"complaint id"
//	@Param			If-None-Match	header		string	false	"the ETag of the complaint as you hold it: 304 without a body while it is current"
//	@Success		200				{object}	service.ComplaintView
//	@Header			200				{string}	ETag	"entity tag of this complaint's view"
//	@Success		304				"not modified: the complaint you hold (If-None-Match) is current"
//	@Failure		401				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; retry after Retry-After seconds"
//	@Failure		403	{object}	Problem	"forbidden: these credentials may not do this"
//	@Failure		429	{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/platform/complaints/{id} [get]
func (h *complaintsHandler) platformGet(c *gin.Context) {
	h.platformRead(c, "get/"+c.Param("id"), false, func() (any, error) {
		return h.svc.Get(c.Request.Context(), principal(c), c.Param("id"))
	})
}

// platformRead answers a platform's read from the rendered-view cache (service.PlatformViews)
// when it holds the current body for key, and otherwise reads, renders and keeps it. Only 200
// answers are kept; a problem is answered as it comes. Every 200 carries an ETag, and a
// request whose If-None-Match names it is answered 304 without a body.
func (h *complaintsHandler) platformRead(c *gin.Context, key string, feed bool, read func() (any, error)) {
	p := principal(c)
	if p == nil || p.Kind != models.PrincipalPlatform || h.views == nil {
		v, err := read()
		respond(c, http.StatusOK, v, err)
		return
	}
	body, etag, ok := h.views.Lookup(p.PlatformID, key)
	if !ok {
		t := h.views.Ticket(p.PlatformID)
		v, err := read()
		if err != nil {
			writeProblem(c, err)
			return
		}
		if body, err = json.Marshal(v); err != nil {
			writeProblem(c, err)
			return
		}
		etag = h.views.Keep(t, key, body, feed)
	}
	c.Writer.Header()["Etag"] = []string{etag}
	if notModified(c, etag) {
		return
	}
	writeBody(c, body)
}

// writeBody sends a JSON body already serialised, as c.JSON would have.
func writeBody(c *gin.Context, body []byte) {
	c.Writer.Header()["Content-Type"] = jsonContentType
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(body)
}

// reply godoc
//
//	@Summary		Reply to a complaint
//	@Description	The first reply moves `delivered` → `replied` and sets `first_replied_at` (the complainant is told by SMS); later replies are appended. A `completed` or `withdrawn` complaint takes no reply (409). A complaint takes at most 50 replies (DSB_MAX_REPLIES_PER_COMPLAINT, 50 by default): one more is 409 `limit_reached` with `limit` {"name":"replies_per_complaint","max":50}. Answers 201 with the complaint, the new reply last in `replies`. Send an `Idempotency-Key` so that a retry does not post twice.
//	@Tags			platform
//	@ID				platformReply
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		APIKeyAuth
//	@Param			id				path		string					true	"complaint id"
//	@Param			body			body		service.ReplyRequest	true	"the reply"
//	@Param			Idempotency-Key	header		string					false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		201				{object}	service.ComplaintView
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Failure		409				{object}	Problem	"invalid_state; limit_reached (replies_per_complaint); idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"validation_failed; idempotency_key_reused"
//	@Failure		403				{object}	Problem	"forbidden: these credentials may not do this"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/platform/complaints/{id}/replies [post]
func (h *complaintsHandler) reply(c *gin.Context) {
	bindAnd(c, func(ctx context.Context, req service.ReplyRequest) (*service.ComplaintView, error) {
		return h.svc.Reply(ctx, principal(c), c.Param("id"), req)
	}, http.StatusCreated)
}
