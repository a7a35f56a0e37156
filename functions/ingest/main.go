// Command ingest is the Lambda function triggered by S3 uploads and
// removals in the articles bucket, and by a schedule that finishes any
// re-parse. Wiring only: see internal/handler.
package main

import (
	"context"
	"encoding/json"
	"log"
	_ "time/tzdata" // site.timezone: provided.al2023 is not promised a zone database (384 KiB of the bootstrap)

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/handler"
	"github.com/pressroom/pressroom/internal/snstopic"
)

func main() {
	s, err := handler.IngestSettings()
	if err != nil {
		log.Fatal(err) // a deployment error: nothing can run
	}
	var h *handler.Ingest
	lambda.Start(func(ctx context.Context, ev json.RawMessage) error {
		if h == nil { // built on the first invocation, not at start-up
			deps, err := handler.NewDeps(ctx, s)
			if err != nil {
				return err
			}
			if s.FeedbackTopic != "" {
				deps.Notifier = snstopic.New(sns.NewFromConfig(deps.AWS), s.FeedbackTopic)
			}
			h = &handler.Ingest{Deps: deps, Parse: article.Parse}
		}
		return h.Handle(ctx, ev)
	})
}
