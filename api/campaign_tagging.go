package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/service"
)

// tag godoc
//
//	@Summary		Tag complaints into a campaign
//	@Description	Staff. The campaign must be open (else 409 `invalid_state`); each id must be a complaint against a platform the campaign watches (else 422 naming `complaint_ids[i]`). Complaints already in the campaign stay as they are and count in `already_tagged`.
//	@Tags			admin
//	@ID				tagCampaignComplaints
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string							true	"campaign id"
//	@Param			body			body		service.TagComplaintsRequest	true	"1–100 complaint ids"
//	@Param			Idempotency-Key	header		string							false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	service.TagResult
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		409				{object}	Problem	"invalid_state: the campaign is not open; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422				{object}	Problem	"validation_failed (complaint_ids), unknown_field; idempotency_key_reused"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/campaigns/{id}/complaints [post]
func (h *campaignsHandler) tag(c *gin.Context) {
	var req service.TagComplaintsRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	p, id := principal(c), c.Param("id")
	respondCommand(c, http.StatusOK, func(ctx context.Context) (*service.TagResult, error) {
		return h.svc.Tag(ctx, p, id, req)
	}, func(r *service.TagResult) any { return r })
}

// preview godoc
//
//	@Summary		Preview a tag rule
//	@Description	Staff. Counts the complaints a rule selects — filed from `from` to `to` (China-time days, both included; the campaign's dates by default), against one of `platform_ids` (the campaign's platforms by default; each must be one it watches), of one of `channels` and `issue_types`, with one of `keywords` in the title or the description; an empty list does not restrict — how many are in the campaign already and how many applying it would add, with up to 20 of those. Changes nothing, whatever the campaign's status.
//	@Tags			admin
//	@ID				previewCampaignTagRule
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string					true	"campaign id"
//	@Param			body			body		service.TagRuleRequest	true	"the rule"
//	@Param			Idempotency-Key	header		string					false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	service.TagRulePreview
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		409				{object}	Problem	"idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422				{object}	Problem	"validation_failed (fields named), unknown_field; idempotency_key_reused"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/campaigns/{id}/tag-rule/preview [post]
func (h *campaignsHandler) preview(c *gin.Context) {
	var req service.TagRuleRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	p, id := principal(c), c.Param("id")
	respondCommand(c, http.StatusOK, func(ctx context.Context) (*service.TagRulePreview, error) {
		return h.svc.PreviewRule(ctx, p, id, req)
	}, func(r *service.TagRulePreview) any { return r })
}

// apply godoc
//
//	@Summary		Apply a tag rule
//	@Description	Staff. Tags what the rule selects (as in the preview) into the open campaign (else 409 `invalid_state`), in batches of 500 and at most 5000 per request: `remaining` says how many matching complaints are left, to be tagged by applying it again. Applying a rule again tags only complaints not yet in the campaign: nothing is tagged twice.
//	@Tags			admin
//	@ID				applyCampaignTagRule
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string					true	"campaign id"
//	@Param			body			body		service.TagRuleRequest	true	"the rule"
//	@Param			Idempotency-Key	header		string					false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	service.TagRuleResult
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		409				{object}	Problem	"invalid_state: the campaign is not open; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422				{object}	Problem	"validation_failed (fields named), unknown_field; idempotency_key_reused"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/campaigns/{id}/tag-rule/apply [post]
func (h *campaignsHandler) apply(c *gin.Context) {
	var req service.TagRuleRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	p, id := principal(c), c.Param("id")
	respondCommand(c, http.StatusOK, func(ctx context.Context) (*service.TagRuleResult, error) {
		return h.svc.ApplyRule(ctx, p, id, req)
	}, func(r *service.TagRuleResult) any { return r })
}
