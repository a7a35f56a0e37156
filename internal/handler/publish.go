package handler

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/pressroom/pressroom/internal/pipeline"
)

// Publish handles DynamoDB stream batches and the EventBridge schedule.
// Every invocation does the same durable work, recorded in the index:
// render the feeds with pending changes and those whose scheduled or
// expiring articles came due, write the files whose bytes changed, and
// purge every path written and not yet purged. A stream batch only says
// there is work; a failed run leaves it all for the next one. It must run
// alone (reserved concurrency 1) so an older run never overwrites a newer
// one.
type Publish struct {
	Deps *Deps
	Now  func() time.Time // defaults to time.Now
}

// invocation is either a stream batch or a scheduled event.
type invocation struct {
	Records    []events.DynamoDBEventRecord `json:"Records"`
	Source     string                       `json:"source"`
	DetailType string                       `json:"detail-type"`
	ID         string                       `json:"id"`
}

// Handle implements the function. For a stream batch it answers with
// ReportBatchItemFailures: on failure, the batch is retried from its first
// record (and bisected, then sent to the on-failure destination, as the
// event source mapping is configured); the pending marks stay, so the next
// run, stream or schedule, does the work anyway.
func (h *Publish) Handle(ctx context.Context, raw json.RawMessage) (events.DynamoDBEventResponse, error) {
	log := logger(ctx, "publish")
	var inv invocation
	if err := json.Unmarshal(raw, &inv); err != nil {
		return events.DynamoDBEventResponse{}, fmt.Errorf("handler: publish event: %w", err)
	}
	run := inv.ID
	switch {
	case len(inv.Records) > 0:
		// Retries of a batch keep its name: the CDN purges once.
		run = inv.Records[0].Change.SequenceNumber + "-" + inv.Records[len(inv.Records)-1].Change.SequenceNumber
	case inv.Source == "aws.events" || inv.DetailType == "Scheduled Event":
	default:
		return events.DynamoDBEventResponse{}, fmt.Errorf("handler: publish: neither a DynamoDB stream batch nor a scheduled event")
	}
	if ready, err := h.Deps.configReady(ctx); err != nil {
		return h.fail(inv, log, err)
	} else if !ready {
		// A stack upgraded from the first release, before ingest adopted
		// its pressroom.yaml: rendering with the defaults would publish
		// other URLs. The work stays pending for a later run.
		log.Info("not publishing yet", "reason", ErrNotReady.Error())
		return events.DynamoDBEventResponse{}, nil
	}
	cfg, err := h.Deps.loadConfig(ctx)
	if err != nil {
		return h.fail(inv, log, err)
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	p := &pipeline.Pipeline{Index: h.Deps.Index, Store: h.Deps.Feeds, CDN: h.Deps.CDN, Config: cfg, Now: now, Log: log, Run: run}
	rep, err := p.Publish(ctx, nil)
	if err != nil {
		return h.fail(inv, log, err)
	}
	log.Info("publish run", "run", run, "records", len(inv.Records), "feeds", rep.Rendered,
		"written", len(rep.Written), "deleted", len(rep.Deleted), "unchanged", rep.Unchanged, "purged", len(rep.Purged))
	return events.DynamoDBEventResponse{}, nil
}

func (h *Publish) fail(inv invocation, log *slog.Logger, err error) (events.DynamoDBEventResponse, error) {
	log.Error("publish failed", "error", err.Error())
	if len(inv.Records) == 0 {
		return events.DynamoDBEventResponse{}, err
	}
	return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{
		{ItemIdentifier: inv.Records[0].Change.SequenceNumber}}}, nil
}
