// Package handler holds the AWS Lambda handlers: ingest (S3 events, and a
// schedule that finishes any re-parse) and publish (DynamoDB stream batches
// and a schedule). They call the same internal/pipeline as the local mode,
// behind the S3, DynamoDB and CloudFront adapters. functions/*/main.go only
// wire them up.
package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pressroom/pressroom/internal/cdn"
	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/index/dynamo"
	"github.com/pressroom/pressroom/internal/store"
	"github.com/pressroom/pressroom/internal/store/s3store"
)

// Settings are the functions' environment variables (template.yaml sets
// them; docs/operations.md lists them).
type Settings struct {
	Table          string // PRESSROOM_TABLE: the DynamoDB index table
	ArticlesBucket string // PRESSROOM_ARTICLES_BUCKET: uploads, the configuration and the reports (ingest)
	ArticlesPrefix string // PRESSROOM_ARTICLES_PREFIX: default "articles/"
	ConfigKey      string // PRESSROOM_CONFIG_KEY: default "config/pressroom.yaml"
	ReportsPrefix  string // PRESSROOM_REPORTS_PREFIX: default "reports/"
	FeedsBucket    string // PRESSROOM_FEEDS_BUCKET: what CloudFront serves (publish)
	FeedsPrefix    string // PRESSROOM_FEEDS_PREFIX: default ""
	Distribution   string // PRESSROOM_DISTRIBUTION_ID: CloudFront distribution; empty: no invalidation
	PathStyle      bool   // PRESSROOM_S3_PATH_STYLE=true: path-style S3 addressing (local stand-ins)
	FeedbackTopic  string // PRESSROOM_FEEDBACK_TOPIC_ARN: SNS topic editors hear from (ingest); empty: none
}

func getenv(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// IngestSettings reads the ingest function's settings; it fails naming
// every required variable unset.
func IngestSettings() (Settings, error) {
	s := Settings{
		Table:          os.Getenv("PRESSROOM_TABLE"),
		ArticlesBucket: os.Getenv("PRESSROOM_ARTICLES_BUCKET"),
		ArticlesPrefix: getenv("PRESSROOM_ARTICLES_PREFIX", "articles/"),
		ConfigKey:      getenv("PRESSROOM_CONFIG_KEY", "config/pressroom.yaml"),
		ReportsPrefix:  getenv("PRESSROOM_REPORTS_PREFIX", "reports/"),
		PathStyle:      strings.EqualFold(os.Getenv("PRESSROOM_S3_PATH_STYLE"), "true"),
		FeedbackTopic:  os.Getenv("PRESSROOM_FEEDBACK_TOPIC_ARN"),
	}
	return s, required(map[string]string{"PRESSROOM_TABLE": s.Table, "PRESSROOM_ARTICLES_BUCKET": s.ArticlesBucket})
}

// PublishSettings reads the publish function's settings; it fails naming
// every required variable unset. Publish never reads the articles bucket:
// the configuration in force is in the index.
func PublishSettings() (Settings, error) {
	s := Settings{
		Table:        os.Getenv("PRESSROOM_TABLE"),
		FeedsBucket:  os.Getenv("PRESSROOM_FEEDS_BUCKET"),
		FeedsPrefix:  os.Getenv("PRESSROOM_FEEDS_PREFIX"),
		Distribution: os.Getenv("PRESSROOM_DISTRIBUTION_ID"),
		PathStyle:    strings.EqualFold(os.Getenv("PRESSROOM_S3_PATH_STYLE"), "true"),
	}
	return s, required(map[string]string{"PRESSROOM_TABLE": s.Table, "PRESSROOM_FEEDS_BUCKET": s.FeedsBucket})
}

func required(vars map[string]string) error {
	var missing []string
	for _, name := range []string{"PRESSROOM_TABLE", "PRESSROOM_ARTICLES_BUCKET", "PRESSROOM_FEEDS_BUCKET"} {
		if v, ok := vars[name]; ok && v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("handler: environment variables not set: %s", strings.Join(missing, ", "))
	}
	return nil
}

// Deps are the adapters a handler works with.
type Deps struct {
	Settings Settings
	AWS      aws.Config  // for clients only one function needs (CloudFront, SNS)
	Index    index.Index // the index, which also holds the configuration in force
	Bucket   store.Store // the articles bucket (ingest: the configuration object)
	Articles store.Store // the articles bucket under ArticlesPrefix (ingest)
	Reports  store.Store // the articles bucket under ReportsPrefix (ingest)
	Feeds    store.Store // the feeds bucket (publish)
	CDN      cdn.Invalidator
	Notifier Notifier // feedback for editors (ingest); nil: none
}

// NewDeps builds the S3 and DynamoDB clients and the stores the settings
// name; the CDN is None until the publish function sets it (the ingest
// binary then carries no CloudFront client), and the Notifier nil until
// the ingest function sets it (publish carries no SNS client). Endpoints
// come from the SDK's own AWS_ENDPOINT_URL_S3 / _DYNAMODB / _CLOUDFRONT /
// _SNS, checksum behaviour from AWS_REQUEST_CHECKSUM_CALCULATION /
// AWS_RESPONSE_CHECKSUM_VALIDATION, so the same binary runs against AWS and
// against the stand-ins; the region and credentials from the environment
// Lambda sets (see awsConfig).
func NewDeps(ctx context.Context, s Settings) (*Deps, error) {
	cfg, err := awsConfig()
	if err != nil {
		return nil, err
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = s.PathStyle })
	ix := dynamo.New(dynamodb.NewFromConfig(cfg), s.Table)
	ix.Log = slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("component", "index")
	d := &Deps{
		Settings: s,
		AWS:      cfg,
		Index:    ix,
		CDN:      cdn.None{},
	}
	if s.ArticlesBucket != "" {
		d.Bucket = s3store.New(s3c, s.ArticlesBucket, "")
		d.Articles = s3store.New(s3c, s.ArticlesBucket, s.ArticlesPrefix)
		d.Reports = s3store.New(s3c, s.ArticlesBucket, s.ReportsPrefix)
	}
	if s.FeedsBucket != "" {
		d.Feeds = s3store.New(s3c, s.FeedsBucket, s.FeedsPrefix)
	}
	return d, nil
}

// State names of the configuration in the index.
const (
	// StateConfig holds the text of the pressroom.yaml in force: ingest
	// writes it when a valid one is uploaded, both functions read it.
	StateConfig = "config"
	// StateProcessed holds the processing hash every article has been
	// parsed with: when it differs from the current one (a new
	// configuration or a new parser), the re-parse is not finished.
	StateProcessed = "processed"
	// StateConfigChecked is set once ingest has looked for a
	// configuration in the bucket (see Ingest.adoptConfig).
	StateConfigChecked = "config-checked"
)

// ErrNotReady is returned by loadConfig in the publish function before
// ingest has read the bucket's configuration once: rendering with the
// defaults would publish other URLs.
var ErrNotReady = errors.New("handler: the configuration is not loaded yet")

// errConfig marks a stored configuration that does not load.
var errConfig = errors.New("handler: configuration")

// configReady reports whether the configuration in force is known: one is
// stored, or ingest looked for one in the bucket and found none.
func (d *Deps) configReady(ctx context.Context) (bool, error) {
	for _, name := range []string{StateConfig, StateConfigChecked} {
		if v, err := d.Index.State(ctx, name); err != nil || v != "" {
			return err == nil, err
		}
	}
	return false, nil
}

// loadConfig returns the configuration in force: the one stored in the
// index, else the defaults with the site settings from the environment.
func (d *Deps) loadConfig(ctx context.Context) (config.Config, error) {
	text, err := d.Index.State(ctx, StateConfig)
	if err != nil {
		return config.Config{}, err
	}
	if text == "" {
		return envConfig()
	}
	cfg, err := config.Parse(d.configName(), []byte(text))
	if err != nil {
		return config.Config{}, fmt.Errorf("%w: %w", errConfig, err)
	}
	return cfg, nil
}

func (d *Deps) configName() string {
	if d.Settings.ConfigKey != "" {
		return d.Settings.ConfigKey
	}
	return "pressroom.yaml"
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
	data, _ := json.Marshal(doc) // JSON is YAML; a map of strings always encodes
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
