// Package handler holds the AWS Lambda handlers: ingest (S3 events) and
// publish (DynamoDB stream batches and the schedule). They call the same
// internal/pipeline as the local mode, behind the S3, DynamoDB and
// CloudFront adapters. functions/*/main.go only wire them up.
package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pressroom/pressroom/internal/cdn"
	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/store"
)

// Settings are the functions' environment variables (template.yaml sets
// them; README lists them).
type Settings struct {
	Table          string // PRESSROOM_TABLE: the DynamoDB index table
	ArticlesBucket string // PRESSROOM_ARTICLES_BUCKET: uploads, the config and the reports
	ArticlesPrefix string // PRESSROOM_ARTICLES_PREFIX: default "articles/"
	ConfigKey      string // PRESSROOM_CONFIG_KEY: default "config/pressroom.yaml"
	ReportsPrefix  string // PRESSROOM_REPORTS_PREFIX: default "reports/"
	FeedsBucket    string // PRESSROOM_FEEDS_BUCKET: what CloudFront serves
	FeedsPrefix    string // PRESSROOM_FEEDS_PREFIX: default ""
	Distribution   string // PRESSROOM_DISTRIBUTION_ID: CloudFront distribution; empty: no invalidation
	PathStyle      bool   // PRESSROOM_S3_PATH_STYLE=true: path-style S3 addressing (local stand-ins)
}

// FromEnv reads Settings; it fails naming every required variable unset.
func FromEnv(needFeeds bool) (Settings, error) {
	get := func(name, def string) string {
		if v := os.Getenv(name); v != "" {
			return v
		}
		return def
	}
	s := Settings{
		Table:          os.Getenv("PRESSROOM_TABLE"),
		ArticlesBucket: os.Getenv("PRESSROOM_ARTICLES_BUCKET"),
		ArticlesPrefix: get("PRESSROOM_ARTICLES_PREFIX", "articles/"),
		ConfigKey:      get("PRESSROOM_CONFIG_KEY", "config/pressroom.yaml"),
		ReportsPrefix:  get("PRESSROOM_REPORTS_PREFIX", "reports/"),
		FeedsBucket:    os.Getenv("PRESSROOM_FEEDS_BUCKET"),
		FeedsPrefix:    os.Getenv("PRESSROOM_FEEDS_PREFIX"),
		Distribution:   os.Getenv("PRESSROOM_DISTRIBUTION_ID"),
		PathStyle:      strings.EqualFold(os.Getenv("PRESSROOM_S3_PATH_STYLE"), "true"),
	}
	var missing []string
	if s.Table == "" {
		missing = append(missing, "PRESSROOM_TABLE")
	}
	if s.ArticlesBucket == "" {
		missing = append(missing, "PRESSROOM_ARTICLES_BUCKET")
	}
	if needFeeds && s.FeedsBucket == "" {
		missing = append(missing, "PRESSROOM_FEEDS_BUCKET")
	}
	if len(missing) > 0 {
		return s, fmt.Errorf("handler: environment variables not set: %s", strings.Join(missing, ", "))
	}
	return s, nil
}

// Deps are the adapters a handler works with.
type Deps struct {
	Settings Settings
	AWS      aws.Config // for clients only one function needs (CloudFront)
	S3       *s3.Client
	Index    index.Index
	Feeds    store.Store
	CDN      cdn.Invalidator
}

// NewDeps builds the S3 and DynamoDB clients; the CDN is None until the
// publish function sets it (the ingest binary then carries no CloudFront
// client). Endpoints come from the SDK's own AWS_ENDPOINT_URL_S3 /
// _DYNAMODB / _CLOUDFRONT, checksum behaviour from
// AWS_REQUEST_CHECKSUM_CALCULATION / AWS_RESPONSE_CHECKSUM_VALIDATION, so
// the same binary runs against AWS and against the stand-ins.
func NewDeps(ctx context.Context, s Settings) (*Deps, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("handler: aws config: %w", err)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = s.PathStyle })
	d := &Deps{
		Settings: s,
		AWS:      cfg,
		S3:       s3c,
		Index:    index.NewDynamo(dynamodb.NewFromConfig(cfg), s.Table),
		CDN:      cdn.None{},
	}
	if s.FeedsBucket != "" {
		d.Feeds = store.NewS3(s3c, s.FeedsBucket, s.FeedsPrefix)
	}
	return d, nil
}

// errConfig marks a configuration file that does not load.
var errConfig = errors.New("handler: configuration")

// loadConfig reads the site configuration from the articles bucket; a
// missing file means the built-in defaults.
func (d *Deps) loadConfig(ctx context.Context) (config.Config, error) {
	out, err := d.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &d.Settings.ArticlesBucket, Key: aws.String(d.Settings.ConfigKey)})
	if err != nil {
		if store.IsS3NotFound(err) {
			return envConfig()
		}
		return config.Config{}, fmt.Errorf("handler: read %s: %w", d.Settings.ConfigKey, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, 1<<20))
	if err != nil {
		return config.Config{}, fmt.Errorf("handler: read %s: %w", d.Settings.ConfigKey, err)
	}
	cfg, err := config.Parse(d.Settings.ConfigKey, data)
	if err != nil {
		return config.Config{}, fmt.Errorf("%w: %w", errConfig, err)
	}
	return cfg, nil
}

// envConfig is the configuration used until a pressroom.yaml is uploaded:
// the defaults, with the site settings template.yaml passes as
// PRESSROOM_SITE_TITLE, _BASE_URL, _LANGUAGE, _TIMEZONE and
// PRESSROOM_FEEDS_BASE_URL.
func envConfig() (config.Config, error) {
	site := map[string]string{"title": "PRESSROOM_SITE_TITLE", "base_url": "PRESSROOM_SITE_BASE_URL",
		"language": "PRESSROOM_SITE_LANGUAGE", "timezone": "PRESSROOM_SITE_TIMEZONE"}
	doc := map[string]map[string]string{"site": {}, "feeds": {}}
	for k, env := range site {
		if v := os.Getenv(env); v != "" {
			doc["site"][k] = v
		}
	}
	if v := os.Getenv("PRESSROOM_FEEDS_BASE_URL"); v != "" {
		doc["feeds"]["base_url"] = v
	}
	data, _ := json.Marshal(doc) // JSON is YAML
	cfg, err := config.Parse("environment", data)
	if err != nil {
		return config.Config{}, fmt.Errorf("%w: %w", errConfig, err)
	}
	return cfg, nil
}

// logger returns a JSON logger carrying the invocation's request id.
func logger(ctx context.Context, function string) *slog.Logger {
	l := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("function", function)
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		l = l.With("request_id", lc.AwsRequestID)
	}
	return l
}
