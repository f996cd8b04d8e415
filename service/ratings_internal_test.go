package service

import (
	"bytes"
	"testing"
	"time"
)

func TestRenderingRoundTrip(t *testing.T) {
	expires := time.UnixMilli(1796000000123)
	for _, frozen := range []bool{false, true} {
		in := &RenderedList{Body: []byte(`{"items":[]}`), ETag: `"` + string(bytes.Repeat([]byte("a"), 64)) + `"`, Frozen: frozen}
		out, exp, ok := decodeRendering(encodeRendering(in, expires))
		if !ok || !exp.Equal(expires) || out.Frozen != frozen || out.ETag != in.ETag || !bytes.Equal(out.Body, in.Body) {
			t.Fatalf("round trip: %+v %v %v", out, exp, ok)
		}
	}
	for _, bad := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("z"), 200),
		append([]byte("l"+string(bytes.Repeat([]byte("a"), 66))+"0000000000000001\n"), '{')} {
		if _, _, ok := decodeRendering(bad); ok {
			t.Fatalf("accepted %q", bad)
		}
	}
}
