package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/pressroom/pressroom/internal/index"
)

// cancelled returns the cancellation reason codes of a cancelled
// transaction, or nil.
func cancelled(err error) []types.CancellationReason {
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) {
		return tc.CancellationReasons
	}
	return nil
}

// lostRace reports whether a transaction failed because another writer
// got there first: worth reading again and retrying.
func lostRace(err error) bool {
	for i, r := range cancelled(err) {
		switch aws.ToString(r.Code) {
		case "TransactionConflict":
			return true
		case "ConditionalCheckFailed":
			if i == 0 { // the source guard is always the first action
				return true
			}
		}
	}
	var conflict *types.TransactionConflictException
	return errors.As(err, &conflict)
}

// refused wraps errors that say what the source holds cannot be stored
// (an item over 400 KB, a key over its limit): DynamoDB's validation of
// the request, which retrying cannot change.
func refused(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "ValidationException" {
		return fmt.Errorf("%w: %s", index.ErrRefused, api.ErrorMessage())
	}
	for _, r := range cancelled(err) {
		if aws.ToString(r.Code) == "ValidationError" {
			return fmt.Errorf("%w: %s", index.ErrRefused, aws.ToString(r.Message))
		}
	}
	return err
}

// pause waits before attempt n of a lost race, or until ctx ends.
func pause(ctx context.Context, n int) error {
	t := time.NewTimer(time.Duration(n+1) * 20 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// write reads the source, lets change build the transaction, and commits
// it conditioned on the source being unchanged (the first action),
// retrying lost races. change returns the actions and the body items to
// write first; the body items of a failed attempt are deleted again.
func (d *Index) write(ctx context.Context, k string, change func(old sourceItem, found bool) ([]types.TransactWriteItem, []map[string]types.AttributeValue, error)) (sourceItem, error) {
	for attempt := 0; ; attempt++ {
		old, found, err := d.getSource(ctx, k)
		if err != nil {
			return old, err
		}
		acts, bodies, err := change(old, found)
		if err != nil {
			return old, err
		}
		for _, b := range bodies {
			if _, err := d.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &d.table, Item: b}); err != nil {
				d.deleteUnreferenced(ctx, bodies)
				return old, fmt.Errorf("index: dynamodb write %s: %w", k, refused(err))
			}
		}
		_, err = d.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: acts})
		if err == nil {
			return old, nil
		}
		d.deleteUnreferenced(ctx, bodies)
		if !lostRace(err) || attempt == maxAttempts {
			return old, err
		}
		if err := pause(ctx, attempt); err != nil {
			return old, err
		}
	}
}

// deleteUnreferenced deletes items no record points at (body chunks and
// slot items written for a write that failed or that replaced them). A
// failure only leaves unreferenced items behind (bytes to store; Page
// skips a slot item no record holds), never a wrong answer: it is logged,
// not returned, so that a write that committed does not fail.
func (d *Index) deleteUnreferenced(ctx context.Context, items []map[string]types.AttributeValue) {
	for _, it := range items {
		pk, sk := stringOf(it, "PK"), stringOf(it, "SK")
		if _, err := d.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &d.table, Key: primaryKey(pk, sk)}); err != nil {
			d.log().Warn("index: unreferenced item left behind", "pk", pk, "sk", sk, "error", err.Error())
		}
	}
}

// batchGet reads items with BatchGetItem, 100 keys a call, retrying the
// keys DynamoDB leaves unprocessed.
func (d *Index) batchGet(ctx context.Context, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	// DynamoDB refuses a batch naming one item twice (a source published
	// and expiring in one window, say).
	seen := map[[2]string]bool{}
	unique := keys[:0:0]
	for _, k := range keys {
		id := [2]string{stringOf(k, "PK"), stringOf(k, "SK")}
		if !seen[id] {
			seen[id] = true
			unique = append(unique, k)
		}
	}
	keys = unique
	var out []map[string]types.AttributeValue
	for i := 0; i < len(keys); i += 100 {
		pending := map[string]types.KeysAndAttributes{d.table: {Keys: keys[i:min(i+100, len(keys))], ConsistentRead: aws.Bool(true)}}
		for attempt := 0; len(pending[d.table].Keys) > 0; attempt++ {
			if attempt > maxAttempts {
				return nil, errors.New("index: dynamodb batch get: keys left unprocessed")
			}
			res, err := d.client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
			if err != nil {
				return nil, fmt.Errorf("index: dynamodb batch get: %w", err)
			}
			out = append(out, res.Responses[d.table]...)
			pending = res.UnprocessedKeys
			if len(pending[d.table].Keys) > 0 {
				if err := pause(ctx, attempt); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}

// query returns every item of a partition.
func (d *Index) query(ctx context.Context, pk string) ([]map[string]types.AttributeValue, error) {
	var out []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(d.client, &dynamodb.QueryInput{TableName: &d.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": stringAttr(pk)}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("index: dynamodb query %s: %w", pk, err)
		}
		out = append(out, page.Items...)
	}
	return out, nil
}

// transact commits unconditional actions, retrying when another writer's
// transaction held one of the items.
func (d *Index) transact(ctx context.Context, acts []types.TransactWriteItem) error {
	for attempt := 0; ; attempt++ {
		_, err := d.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: acts})
		if err == nil || !lostRace(err) || attempt == maxAttempts {
			if err != nil {
				return fmt.Errorf("dynamodb transaction: %w", err)
			}
			return nil
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
}
