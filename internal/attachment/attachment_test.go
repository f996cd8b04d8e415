package attachment

import (
	"net/http"
	"testing"
)

func TestHeaders(t *testing.T) {
	h := http.Header{}
	Headers(h, "订单 截图.png", "image/png", "private, no-store")
	want := map[string]string{"Content-Type": "image/png", "X-Content-Type-Options": "nosniff",
		"Cache-Control": "private, no-store", "Content-Security-Policy": "default-src 'none'; sandbox",
		"Content-Disposition": "attachment; filename*=utf-8''%E8%AE%A2%E5%8D%95%20%E6%88%AA%E5%9B%BE.png"}
	for k, v := range want {
		if h.Get(k) != v {
			t.Errorf("%s: %q, want %q", k, h.Get(k), v)
		}
	}
}
