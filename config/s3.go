package config

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7/pkg/s3utils"

	"github.com/dianshubao/dianshubao/blob"
)

// s3Vars are the variables that, one by one, set or override what DSB_EVIDENCE_S3_URL says.
var s3Vars = []string{"DSB_S3_ENDPOINT", "DSB_S3_BUCKET", "DSB_S3_PREFIX", "DSB_S3_REGION",
	"DSB_S3_ACCESS_KEY", "DSB_S3_SECRET_KEY", "DSB_S3_PATH_STYLE"}

// loadS3 reads where evidence goes when it goes to an S3-compatible bucket: nil when neither
// DSB_EVIDENCE_S3_URL nor any DSB_S3_* variable is set (the local directory is used). Errors
// never repeat the URL, which may hold a secret.
func loadS3(getenv func(string) string, evidenceDir string) (*blob.S3Config, error) {
	raw := getenv("DSB_EVIDENCE_S3_URL")
	set := raw != ""
	for _, name := range s3Vars {
		set = set || getenv(name) != ""
	}
	if !set {
		return nil, nil
	}
	c := &blob.S3Config{Secure: true, SpoolDir: filepath.Join(evidenceDir, "tmp")}
	var errs []error
	if raw != "" {
		if err := parseS3URL(raw, c); err != nil {
			errs = append(errs, fmt.Errorf("DSB_EVIDENCE_S3_URL: %w", err))
		}
	}
	if v := getenv("DSB_S3_ENDPOINT"); v != "" {
		if err := setEndpoint(v, c); err != nil {
			errs = append(errs, fmt.Errorf("DSB_S3_ENDPOINT=%q: %w", v, err))
		}
	}
	if v := getenv("DSB_S3_BUCKET"); v != "" {
		c.Bucket = v
	}
	if v := getenv("DSB_S3_PREFIX"); v != "" {
		c.Prefix = v
	}
	if v := getenv("DSB_S3_REGION"); v != "" {
		c.Region = v
	}
	if v := getenv("DSB_S3_ACCESS_KEY"); v != "" {
		c.AccessKey = v
	}
	if v := getenv("DSB_S3_SECRET_KEY"); v != "" {
		c.SecretKey = v
	}
	if v := getenv("DSB_S3_PATH_STYLE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("DSB_S3_PATH_STYLE=%q: want true or false", v))
		}
		c.PathStyle = &b
	}
	if c.Prefix != "" && !strings.HasSuffix(c.Prefix, "/") {
		c.Prefix += "/"
	}
	switch {
	case c.Endpoint == "":
		errs = append(errs, errors.New("S3 evidence storage needs an endpoint: the host of DSB_EVIDENCE_S3_URL or DSB_S3_ENDPOINT"))
	case c.Bucket == "":
		errs = append(errs, errors.New("S3 evidence storage needs a bucket: the path of DSB_EVIDENCE_S3_URL or DSB_S3_BUCKET"))
	default:
		if err := s3utils.CheckValidBucketNameStrict(c.Bucket); err != nil {
			errs = append(errs, fmt.Errorf("S3 bucket %q: %w", c.Bucket, err))
		}
	}
	if (c.AccessKey == "") != (c.SecretKey == "") {
		errs = append(errs, errors.New("the S3 access key and secret key go together: set both, or neither to use the environment's credentials (AWS_ACCESS_KEY_ID…, an IAM role)"))
	}
	return c, errors.Join(errs...)
}

// parseS3URL reads s3://ACCESS:SECRET@host[:port]/bucket[/prefix]?region=…&path_style=…&secure=…
// (https:// and http:// name the scheme instead of secure).
func parseS3URL(raw string, c *blob.S3Config) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a URL; want s3://ACCESS:SECRET@host:port/bucket?region=…")
	}
	switch u.Scheme {
	case "s3", "https":
	case "http":
		c.Secure = false
	default:
		return fmt.Errorf("scheme %q: want s3, https or http", u.Scheme)
	}
	if u.Host == "" {
		return errors.New("no host")
	}
	c.Endpoint = u.Host
	if u.User != nil {
		c.AccessKey = u.User.Username()
		c.SecretKey, _ = u.User.Password()
	}
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	c.Bucket, c.Prefix = bucket, prefix
	for name, vals := range u.Query() {
		v := vals[len(vals)-1]
		switch name {
		case "region":
			c.Region = v
		case "path_style", "secure":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%s=%q: want true or false", name, v)
			}
			if name == "secure" {
				if u.Scheme != "s3" && b != c.Secure {
					return fmt.Errorf("secure=%s contradicts the scheme %s", v, u.Scheme)
				}
				c.Secure = b
			} else {
				c.PathStyle = &b
			}
		default:
			return fmt.Errorf("unknown parameter %q: want region, path_style or secure", name)
		}
	}
	return nil
}

// setEndpoint takes host[:port], or a URL whose scheme says whether to use TLS.
func setEndpoint(v string, c *blob.S3Config) error {
	if scheme, rest, ok := strings.Cut(v, "://"); ok {
		switch scheme {
		case "https":
			c.Secure = true
		case "http":
			c.Secure = false
		default:
			return fmt.Errorf("scheme %q: want https or http", scheme)
		}
		v = strings.TrimSuffix(rest, "/")
	}
	if v == "" || strings.ContainsAny(v, "/?#@") {
		return errors.New("want host[:port], optionally after https:// or http://")
	}
	c.Endpoint = v
	return nil
}
