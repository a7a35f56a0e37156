package handler_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/pressroom/pressroom/internal/handler"
)

// lambdaEnv sets what Lambda gives a function, and the stand-ins'
// endpoints as the end-to-end test does.
func lambdaEnv(t *testing.T) {
	for k, v := range map[string]string{
		"AWS_REGION": "eu-west-3", "AWS_DEFAULT_REGION": "", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token", "AWS_ENDPOINT_URL": "",
		"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:1/s3", "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:1/ddb",
		"AWS_ENDPOINT_URL_CLOUDFRONT": "http://127.0.0.1:1/cf", "AWS_ENDPOINT_URL_SNS": "http://127.0.0.1:1/sns",
		"AWS_REQUEST_CHECKSUM_CALCULATION": "when_required", "AWS_RESPONSE_CHECKSUM_VALIDATION": "WHEN_REQUIRED",
	} {
		t.Setenv(k, v)
	}
}

// TestAWSConfigFromEnv checks the configuration the functions build without
// the SDK's config loader: region, the role's credentials, and every
// client's endpoint override and checksum setting.
func TestAWSConfigFromEnv(t *testing.T) {
	lambdaEnv(t)
	d, err := handler.NewDeps(context.Background(), handler.Settings{Table: "t", FeedsBucket: "f"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := d.AWS
	if cfg.Region != "eu-west-3" {
		t.Errorf("region %q", cfg.Region)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "AKIDEXAMPLE" || creds.SecretAccessKey != "secret" || creds.SessionToken != "token" {
		t.Errorf("credentials %+v, %v", creds, err)
	}
	if cfg.RequestChecksumCalculation != aws.RequestChecksumCalculationWhenRequired ||
		cfg.ResponseChecksumValidation != aws.ResponseChecksumValidationWhenRequired {
		t.Errorf("checksums %v %v", cfg.RequestChecksumCalculation, cfg.ResponseChecksumValidation)
	}
	for want, got := range map[string]*string{
		"http://127.0.0.1:1/s3":  s3.NewFromConfig(cfg).Options().BaseEndpoint,
		"http://127.0.0.1:1/ddb": dynamodb.NewFromConfig(cfg).Options().BaseEndpoint,
		"http://127.0.0.1:1/cf":  cloudfront.NewFromConfig(cfg).Options().BaseEndpoint,
		"http://127.0.0.1:1/sns": sns.NewFromConfig(cfg).Options().BaseEndpoint,
	} {
		if aws.ToString(got) != want {
			t.Errorf("endpoint %q, want %s", aws.ToString(got), want)
		}
	}

	// Without a service's own variable, AWS_ENDPOINT_URL applies to all;
	// without either, the client resolves AWS's endpoint itself.
	t.Setenv("AWS_ENDPOINT_URL_SNS", "")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1/all")
	if d, err = handler.NewDeps(context.Background(), handler.Settings{Table: "t"}); err != nil {
		t.Fatal(err)
	}
	if got := sns.NewFromConfig(d.AWS).Options().BaseEndpoint; aws.ToString(got) != "http://127.0.0.1:1/all" {
		t.Errorf("sns endpoint %v, want AWS_ENDPOINT_URL's", aws.ToString(got))
	}
	t.Setenv("AWS_ENDPOINT_URL", "")
	if d, err = handler.NewDeps(context.Background(), handler.Settings{Table: "t"}); err != nil {
		t.Fatal(err)
	}
	if got := sns.NewFromConfig(d.AWS).Options().BaseEndpoint; got != nil {
		t.Errorf("sns endpoint %v, want none", *got)
	}
}

func TestAWSConfigRequiresTheEnvironment(t *testing.T) {
	lambdaEnv(t)
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	_, err := handler.NewDeps(context.Background(), handler.Settings{Table: "t"})
	if err == nil || !strings.Contains(err.Error(), "AWS_REGION, AWS_SECRET_ACCESS_KEY") {
		t.Errorf("got %v, want both variables named", err)
	}
	lambdaEnv(t)
	t.Setenv("AWS_REQUEST_CHECKSUM_CALCULATION", "sometimes")
	if _, err := handler.NewDeps(context.Background(), handler.Settings{Table: "t"}); err == nil {
		t.Error("an unknown checksum setting was accepted")
	}
}
