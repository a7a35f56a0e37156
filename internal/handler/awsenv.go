package handler

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// awsConfig builds the SDK configuration from the environment Lambda gives
// a function: AWS_REGION, and the role's AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. It replaces the SDK's
// config.LoadDefaultConfig, whose shared files, SSO, STS, IMDS and
// container providers a function never uses and which weigh 1.8 MB of the
// bootstrap binary. What the functions and the end-to-end test do set is
// read the SDK's way: AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, and
// AWS_REQUEST_CHECKSUM_CALCULATION / AWS_RESPONSE_CHECKSUM_VALIDATION.
func awsConfig() (aws.Config, error) {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	key, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	var missing []string
	if region == "" {
		missing = append(missing, "AWS_REGION")
	}
	if key == "" {
		missing = append(missing, "AWS_ACCESS_KEY_ID")
	}
	if secret == "" {
		missing = append(missing, "AWS_SECRET_ACCESS_KEY")
	}
	if len(missing) > 0 {
		return aws.Config{}, fmt.Errorf("handler: aws config: environment variables not set: %s", strings.Join(missing, ", "))
	}
	creds := credentials.NewStaticCredentialsProvider(key, secret, os.Getenv("AWS_SESSION_TOKEN"))
	creds.Source = []aws.CredentialSource{aws.CredentialSourceEnvVars}
	cfg := aws.Config{
		Region:        region,
		Credentials:   creds,
		ConfigSources: []any{envEndpoints{}},
	}
	if v := os.Getenv("AWS_ENDPOINT_URL"); v != "" {
		cfg.BaseEndpoint = aws.String(v)
	}
	switch v := strings.ToLower(os.Getenv("AWS_REQUEST_CHECKSUM_CALCULATION")); v {
	case "":
	case "when_supported":
		cfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported
	case "when_required":
		cfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	default:
		return aws.Config{}, fmt.Errorf("handler: aws config: AWS_REQUEST_CHECKSUM_CALCULATION=%s: want when_supported or when_required", v)
	}
	switch v := strings.ToLower(os.Getenv("AWS_RESPONSE_CHECKSUM_VALIDATION")); v {
	case "":
	case "when_supported":
		cfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
	case "when_required":
		cfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	default:
		return aws.Config{}, fmt.Errorf("handler: aws config: AWS_RESPONSE_CHECKSUM_VALIDATION=%s: want when_supported or when_required", v)
	}
	return cfg, nil
}

// envEndpoints gives each service client its AWS_ENDPOINT_URL_<SERVICE>
// (AWS_ENDPOINT_URL_S3, _DYNAMODB, _CLOUDFRONT, _SNS): a client built with
// NewFromConfig asks the configuration's sources for its endpoint through
// this method, the one the SDK's config.EnvConfig implements.
// TestAWSConfigEndpoints checks every client the functions build finds it.
type envEndpoints struct{}

// GetServiceBaseEndpoint returns the endpoint set for the service sdkID
// ("S3", "DynamoDB", "CloudFront", "SNS").
func (envEndpoints) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	v := os.Getenv("AWS_ENDPOINT_URL_" + strings.ReplaceAll(strings.ToUpper(sdkID), " ", "_"))
	return v, v != "", nil
}
