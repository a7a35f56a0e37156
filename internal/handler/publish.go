package handler

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/pipeline"
)

// Publish handles DynamoDB stream batches (articles changed) and the
// EventBridge schedule (scheduled and expiring articles): it renders each
// affected feed once per batch, writes the files whose bytes changed, and
// invalidates exactly those paths. It must run alone (reserved
// concurrency 1) so an older run never overwrites a newer one.
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
// event source mapping is configured).
func (h *Publish) Handle(ctx context.Context, raw json.RawMessage) (events.DynamoDBEventResponse, error) {
	log := logger(ctx, "publish")
	var inv invocation
	if err := json.Unmarshal(raw, &inv); err != nil {
		return events.DynamoDBEventResponse{}, fmt.Errorf("handler: publish event: %w", err)
	}
	cfg, err := h.Deps.loadConfig(ctx)
	if err != nil {
		return h.fail(inv, log, err)
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	p := &pipeline.Pipeline{Index: h.Deps.Index, Store: h.Deps.Feeds, Config: cfg, Now: now, Log: log}

	var feeds []string
	run := inv.ID
	switch {
	case len(inv.Records) > 0:
		var all bool
		feeds, all = StreamFeeds(inv.Records)
		if all {
			if feeds, err = p.AllFeeds(ctx); err != nil {
				return h.fail(inv, log, err)
			}
		}
		run = inv.Records[0].Change.SequenceNumber + "-" + inv.Records[len(inv.Records)-1].Change.SequenceNumber
	case inv.Source == "aws.events" || inv.DetailType == "Scheduled Event":
		if feeds, err = p.Due(ctx); err != nil {
			return h.fail(inv, log, err)
		}
	default:
		return events.DynamoDBEventResponse{}, fmt.Errorf("handler: publish: neither a DynamoDB stream batch nor a scheduled event")
	}
	if len(feeds) == 0 {
		log.Info("nothing to publish", "records", len(inv.Records))
		return events.DynamoDBEventResponse{}, nil
	}
	rep, err := p.Publish(ctx, feeds)
	if err != nil {
		return h.fail(inv, log, err)
	}
	if err := h.Deps.CDN.Invalidate(ctx, run, rep.Changed()); err != nil {
		return h.fail(inv, log, err)
	}
	log.Info("published", "run", run, "records", len(inv.Records), "feeds", rep.Rendered,
		"written", len(rep.Written), "deleted", len(rep.Deleted), "unchanged", rep.Unchanged)
	return events.DynamoDBEventResponse{}, nil
}

func (h *Publish) fail(inv invocation, log interface{ Error(string, ...any) }, err error) (events.DynamoDBEventResponse, error) {
	log.Error("publish failed", "error", err.Error())
	if len(inv.Records) == 0 {
		return events.DynamoDBEventResponse{}, err
	}
	return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{
		{ItemIdentifier: inv.Records[0].Change.SequenceNumber}}}, nil
}

// StreamFeeds returns the feeds a batch of stream records touches: the old
// and new memberships of every source record changed. all is true when
// the configuration changed: every feed must be rendered again. Records
// of other items (feed entries, output hashes) touch nothing.
func StreamFeeds(records []events.DynamoDBEventRecord) (feeds []string, all bool) {
	seen := map[string]bool{}
	for _, r := range records {
		keys := r.Change.Keys
		pk, sk := attrString(keys["PK"]), attrString(keys["SK"])
		if pk == "OUT" && sk == ConfigMarker {
			all = true
			continue
		}
		if sk != "#SRC" {
			continue
		}
		for _, img := range []map[string]events.DynamoDBAttributeValue{r.Change.OldImage, r.Change.NewImage} {
			var ms []index.Membership
			json.Unmarshal([]byte(attrString(img["Feeds"])), &ms)
			for _, m := range ms {
				if !seen[m.Feed] {
					seen[m.Feed] = true
					feeds = append(feeds, m.Feed)
				}
			}
		}
	}
	sort.Strings(feeds)
	return feeds, all
}

func attrString(v events.DynamoDBAttributeValue) string {
	if v.DataType() == events.DataTypeString {
		return v.String()
	}
	return ""
}
