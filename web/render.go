package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// templates holds one template set per page: the layout with the page's blocks.
var templates = parseTemplates()

func parseTemplates() map[string]*template.Template {
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	pages, err := templateFS.ReadDir("templates")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, e := range pages {
		name := e.Name()
		if name == "layout.html" || strings.HasPrefix(name, "_") {
			continue
		}
		t := template.Must(template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name, "templates/_*.html"))
		out[strings.TrimSuffix(name, ".html")] = t
	}
	return out
}

// renderPage executes a page's template inside the layout.
func renderPage(name string, p *Page) ([]byte, error) {
	t, ok := templates[name]
	if !ok {
		return nil, fmt.Errorf("no template %q", name)
	}
	var buf bytes.Buffer
	buf.Grow(16 << 10)
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// renderedPage is a page's bytes with their ETag, kept until it expires.
type renderedPage struct {
	body        []byte
	etag        string
	contentType string
	expires     time.Time
}

// pageCache keeps rendered pages in process. Keys name what the page was built from (the
// rating list's own ETag among them), so a page never outlives the data it shows by more than
// its max-age. It holds at most maxCachedBytes of pages: past that it starts afresh.
type pageCache struct {
	m     sync.Map
	bytes atomic.Int64
}

const maxCachedBytes = 64 << 20

func (pc *pageCache) get(key string, now time.Time) (*renderedPage, bool) {
	v, ok := pc.m.Load(key)
	if !ok || !now.Before(v.(*renderedPage).expires) {
		return nil, false
	}
	return v.(*renderedPage), true
}

func (pc *pageCache) put(key string, p *renderedPage) {
	if old, loaded := pc.m.Swap(key, p); loaded {
		pc.bytes.Add(-int64(len(old.(*renderedPage).body)))
	}
	if pc.bytes.Add(int64(len(p.body))) > maxCachedBytes {
		pc.m.Clear()
		pc.bytes.Store(0)
	}
}

func weakETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `W/"` + hex.EncodeToString(sum[:12]) + `"`
}

const htmlType = "text/html; charset=utf-8"

// cached answers a page from the page cache, building it on a miss; maxAge is both how long
// the rendering is kept and the Cache-Control a browser gets. An empty key builds the page
// every time and keeps nothing: a page made of what a visitor typed (a search, a cursor)
// would let anyone fill the cache with pages nobody else asks for and push out the ones
// everybody reads.
func (s *site) cached(c *gin.Context, key string, maxAge time.Duration, contentType string, build func() ([]byte, error)) {
	now := s.now()
	rp, ok := (*renderedPage)(nil), false
	if key != "" {
		rp, ok = s.pages.get(key, now)
	}
	if !ok {
		body, err := build()
		if err != nil {
			s.fail(c, err)
			return
		}
		rp = &renderedPage{body: body, etag: weakETag(body), contentType: contentType, expires: now.Add(maxAge)}
		if key != "" {
			s.pages.put(key, rp)
		}
	}
	writePage(c, http.StatusOK, rp, maxAge)
}

// writePage sends a rendered page with its validators, or 304 when the client holds it.
func writePage(c *gin.Context, status int, rp *renderedPage, maxAge time.Duration) {
	h := c.Writer.Header()
	h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(maxAge.Seconds())))
	h.Set("ETag", rp.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	if status == http.StatusOK && etagMatches(c.GetHeader("If-None-Match"), rp.etag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(status, rp.contentType, rp.body)
}

// etagMatches is If-None-Match's weak comparison.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	if strings.TrimSpace(header) == "*" {
		return true
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, v := range strings.Split(header, ",") {
		if strings.TrimPrefix(strings.TrimSpace(v), "W/") == want {
			return true
		}
	}
	return false
}

// errorPage is the data of the error template.
type errorPage struct {
	Status  int
	Heading string
	Detail  string
}

// fail answers an error as an HTML page with the status the API would give it.
func (s *site) fail(c *gin.Context, err error) {
	var me *models.Error
	switch {
	case errors.As(err, &me) && me.Kind == models.KindValidation:
		detail := "请检查查询条件。"
		parts := make([]string, 0, len(me.Fields))
		for _, f := range me.Fields {
			parts = append(parts, zhQueryError(f))
		}
		if len(parts) > 0 {
			detail = "请检查查询条件（" + strings.Join(parts, "；") + "）。"
		}
		writeError(c, http.StatusUnprocessableEntity, "查询条件有误", detail)
	case me != nil && errorPages[me.Kind].status != 0:
		e := errorPages[me.Kind]
		writeError(c, e.status, e.heading, e.detail)
	case service.IsUnavailable(err):
		c.Header("Retry-After", "2")
		writeError(c, http.StatusServiceUnavailable, "服务暂时不可用", "请稍后再试。")
	default:
		s.log.ErrorContext(c.Request.Context(), "page failed", "path", c.Request.URL.Path, "error", err)
		writeError(c, http.StatusInternalServerError, "服务暂时出错", "请稍后再试。")
	}
}

// errorPages are the error pages of the services' refusals, by kind, with the status the API
// answers them with.
var errorPages = map[models.Kind]struct {
	status          int
	heading, detail string
}{
	models.KindNotFound:         {http.StatusNotFound, "页面不存在", "您要找的内容不存在或已被移除。"},
	models.KindForbidden:        {http.StatusForbidden, "无权访问", "您的账号不能进行此操作。"},
	models.KindConflict:         {http.StatusConflict, "操作未完成", "当前状态下不能进行此操作，请返回上一页刷新后查看。"},
	models.KindInvalidState:     {http.StatusConflict, "操作未完成", "当前状态下不能进行此操作，请返回上一页刷新后查看。"},
	models.KindUnauthenticated:  {http.StatusUnauthorized, "请先登录", "您的登录已失效，请重新登录。"},
	models.KindRateLimited:      {http.StatusTooManyRequests, "请求过于频繁", "请稍后再试。"},
	models.KindTooLarge:         {http.StatusRequestEntityTooLarge, "内容过大", "提交的内容超过了大小限制。"},
	models.KindBadRequest:       {http.StatusBadRequest, "请求无法读取", "请返回上一页重新提交。"},
	models.KindUnsupportedMedia: {http.StatusUnsupportedMediaType, "文件类型不支持", "请上传图片（JPEG、PNG、WebP、GIF）、音频、视频或 PDF。"},
	models.KindTimeout:          {http.StatusRequestTimeout, "提交超时", "内容没有及时送达，请返回上一页重新提交。"},
	models.KindMethodNotAllowed: {http.StatusMethodNotAllowed, "不支持的操作", "此页面不接受这种请求。"},
	models.KindGone:             {http.StatusGone, "内容已不再保存", "您要找的内容已被删除。"},
}

// NotFound is the site's 404 page, for the router's NoRoute on the site's paths.
func NotFound(c *gin.Context) {
	writeError(c, http.StatusNotFound, "页面不存在", "您要找的页面不存在。可以从首页或消费评级榜开始浏览。")
}

func writeError(c *gin.Context, status int, heading, detail string) {
	setPageSecurity(c.Writer.Header()) // the router's NoRoute answers outside the site's group
	body, err := renderPage("error", &Page{Title: heading, Data: errorPage{Status: status, Heading: heading, Detail: detail}})
	if err != nil {
		c.String(status, heading)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, htmlType, body)
}
