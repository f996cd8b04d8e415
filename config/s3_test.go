package config

import (
	"strings"
	"testing"
)

func TestEvidenceStaysLocalByDefault(t *testing.T) {
	c, err := LoadFrom(env(nil))
	if err != nil || c.EvidenceS3 != nil {
		t.Fatalf("EvidenceS3 = %+v, %v; want nil", c.EvidenceS3, err)
	}
	if c.LocalEvidenceShared() {
		t.Fatal("one SQLite instance reported as sharing local evidence")
	}
	c, err = LoadFrom(env(map[string]string{"DSB_DB_DRIVER": "mysql", "DSB_DB_DSN": "u@tcp(db)/d"}))
	if err != nil || !c.LocalEvidenceShared() {
		t.Fatalf("MariaDB with local evidence: shared = %v, %v", c.LocalEvidenceShared(), err)
	}
	c, err = LoadFrom(env(map[string]string{"DSB_DB_DRIVER": "mysql", "DSB_DB_DSN": "u@tcp(db)/d",
		"DSB_EVIDENCE_S3_URL": "s3://minio:9000/evidence"}))
	if err != nil || c.LocalEvidenceShared() {
		t.Fatalf("MariaDB with S3 evidence: shared = %v, %v", c.LocalEvidenceShared(), err)
	}
}

func TestEvidenceS3URL(t *testing.T) {
	c, err := LoadFrom(env(map[string]string{"DSB_EVIDENCE_DIR": "/var/dsb",
		"DSB_EVIDENCE_S3_URL": "s3://AKID:se%2Fcret@minio.internal:9000/dsb-evidence/prod/files?region=cn-east-1&path_style=true&secure=false"}))
	if err != nil {
		t.Fatal(err)
	}
	s := c.EvidenceS3
	if s == nil || s.Endpoint != "minio.internal:9000" || s.Bucket != "dsb-evidence" || s.Prefix != "prod/files/" ||
		s.Region != "cn-east-1" || s.AccessKey != "AKID" || s.SecretKey != "se/cret" || s.PathStyle == nil || !*s.PathStyle ||
		s.Secure || s.SpoolDir != "/var/dsb/tmp" {
		t.Fatalf("parsed %+v", s)
	}

	// Virtual-hosted style over TLS, the way Aliyun OSS and Tencent COS are addressed.
	c, err = LoadFrom(env(map[string]string{
		"DSB_EVIDENCE_S3_URL": "https://oss-cn-hangzhou.aliyuncs.com/my-bucket?path_style=false&region=oss-cn-hangzhou"}))
	if err != nil {
		t.Fatal(err)
	}
	if s := c.EvidenceS3; !s.Secure || s.PathStyle == nil || *s.PathStyle || s.Bucket != "my-bucket" || s.Prefix != "" || s.AccessKey != "" {
		t.Fatalf("parsed %+v", s)
	}
}

func TestEvidenceS3Variables(t *testing.T) {
	// Alone…
	c, err := LoadFrom(env(map[string]string{"DSB_S3_ENDPOINT": "http://seaweedfs:8333", "DSB_S3_BUCKET": "evidence",
		"DSB_S3_REGION": "us-east-1", "DSB_S3_ACCESS_KEY": "a", "DSB_S3_SECRET_KEY": "b", "DSB_S3_PATH_STYLE": "true",
		"DSB_S3_PREFIX": "dsb"}))
	if err != nil {
		t.Fatal(err)
	}
	if s := c.EvidenceS3; s.Endpoint != "seaweedfs:8333" || s.Secure || s.Bucket != "evidence" || s.Region != "us-east-1" ||
		s.AccessKey != "a" || s.SecretKey != "b" || !*s.PathStyle || s.Prefix != "dsb/" {
		t.Fatalf("parsed %+v", s)
	}
	// …or over the URL, one part each: credentials kept out of the URL, in a secret store.
	c, err = LoadFrom(env(map[string]string{"DSB_EVIDENCE_S3_URL": "s3://cos.ap-shanghai.myqcloud.com/evidence-125000",
		"DSB_S3_ACCESS_KEY": "AKID", "DSB_S3_SECRET_KEY": "secret"}))
	if err != nil {
		t.Fatal(err)
	}
	if s := c.EvidenceS3; s.Endpoint != "cos.ap-shanghai.myqcloud.com" || !s.Secure || s.AccessKey != "AKID" ||
		s.SecretKey != "secret" || s.PathStyle != nil {
		t.Fatalf("parsed %+v", s)
	}
}

func TestEvidenceS3Refused(t *testing.T) {
	const secret = "TOPSECRET"
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"DSB_EVIDENCE_S3_URL": "ftp://k:" + secret + "@h/b"}, "scheme"},
		{map[string]string{"DSB_EVIDENCE_S3_URL": "s3://k:" + secret + "@h"}, "needs a bucket"},
		{map[string]string{"DSB_EVIDENCE_S3_URL": "s3://k:" + secret + "@h/b?pathstyle=1"}, "unknown parameter"},
		{map[string]string{"DSB_EVIDENCE_S3_URL": "s3://k:" + secret + "@h/b?secure=maybe"}, "true or false"},
		{map[string]string{"DSB_EVIDENCE_S3_URL": "http://k:" + secret + "@h/b?secure=true"}, "contradicts"},
		{map[string]string{"DSB_EVIDENCE_S3_URL": "s3://k:" + secret + "@h/Bad_Bucket"}, "bucket"},
		{map[string]string{"DSB_EVIDENCE_S3_URL": "s3://k:" + secret + "@h:bad port/b"}, "not a URL"},
		{map[string]string{"DSB_EVIDENCE_S3_URL": "s3://k@h/b"}, "go together"},
		{map[string]string{"DSB_S3_BUCKET": "evidence"}, "needs an endpoint"},
		{map[string]string{"DSB_S3_ENDPOINT": "h/x", "DSB_S3_BUCKET": "evidence"}, "host[:port]"},
		{map[string]string{"DSB_S3_ENDPOINT": "h", "DSB_S3_BUCKET": "evidence", "DSB_S3_PATH_STYLE": "yes"}, "DSB_S3_PATH_STYLE"},
	} {
		_, err := LoadFrom(env(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error about %q", tc.env, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%v: the error repeats the secret: %v", tc.env, err)
		}
	}
}
