// Command publish is the Lambda function fed by the index table's stream
// and by an EventBridge schedule. Wiring only: see internal/handler.
package main

import (
	"context"
	"encoding/json"
	"log"
	_ "time/tzdata" // site.timezone: provided.al2023 is not promised a zone database (384 KiB of the bootstrap)

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"

	pcf "github.com/pressroom/pressroom/internal/cdn/cloudfront"
	"github.com/pressroom/pressroom/internal/handler"
)

func main() {
	s, err := handler.PublishSettings()
	if err != nil {
		log.Fatal(err) // a deployment error: nothing can run
	}
	var h *handler.Publish
	lambda.Start(func(ctx context.Context, ev json.RawMessage) (events.DynamoDBEventResponse, error) {
		if h == nil { // built on the first invocation, not at start-up
			deps, err := handler.NewDeps(ctx, s)
			if err != nil {
				return events.DynamoDBEventResponse{}, err
			}
			if s.Distribution != "" {
				deps.CDN = pcf.New(cloudfront.NewFromConfig(deps.AWS), s.Distribution)
			}
			h = &handler.Publish{Deps: deps}
		}
		return h.Handle(ctx, ev)
	})
}
