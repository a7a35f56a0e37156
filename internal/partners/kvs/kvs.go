// Package kvs holds the partners' keys of the AWS mode in the CloudFront
// KeyValueStore the edge function reads. It lies apart from
// internal/partners, which pressroom's own command links (its server
// checks keys), so that the command starts without the AWS SDK:
// cmd/pressroom-kvs runs the key-store commands.
package kvs

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	kvs "github.com/aws/aws-sdk-go-v2/service/cloudfrontkeyvaluestore"
	kvstypes "github.com/aws/aws-sdk-go-v2/service/cloudfrontkeyvaluestore/types"
	smithyendpoints "github.com/aws/smithy-go/endpoints"

	"github.com/pressroom/pressroom/internal/partners"
)

// storeRegion is the region the SDK's endpoint rules check the ARN's
// partition against. The store has none (its ARN has an empty region) and
// SigV4A signs for every region ("*"); the API exists in the aws partition
// only.
const storeRegion = "us-east-1"

// conflictRetries bounds the retries of a write whose If-Match another
// writer made stale.
const conflictRetries = 5

// Store is the keys of the AWS mode, in the CloudFront KeyValueStore the edge
// function reads: each key's hash maps to partners.StoreValue(partner, created).
// Writes are conditional on the store's ETag (If-Match), read just before
// and retried when another writer got in first.
type Store struct {
	api *kvs.Client
	arn string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// New returns a client of the store arn, with cfg's credentials. An
// endpoint, when not empty, is used as it is (the SDK would otherwise
// prefix the account id to a custom endpoint's host, which no local
// stand-in answers to); requests are signed with SigV4A in either case.
func New(cfg aws.Config, arn, endpoint string, optFns ...func(*kvs.Options)) (*Store, error) {
	if !partners.ValidStoreARN(arn) {
		return nil, fmt.Errorf("partners: %q is not a CloudFront KeyValueStore ARN (arn:aws:cloudfront::ACCOUNT:key-value-store/ID)", arn)
	}
	var fixed *url.URL
	if endpoint != "" {
		u, err := url.Parse(endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("partners: KeyValueStore endpoint %q is not an http(s) URL", endpoint)
		}
		fixed = u
	}
	api := kvs.NewFromConfig(cfg, func(o *kvs.Options) {
		o.Region = storeRegion
		if fixed != nil {
			o.EndpointResolverV2 = fixedEndpoint{base: kvs.NewDefaultEndpointResolverV2(), u: *fixed}
		}
		for _, fn := range optFns {
			fn(o)
		}
	})
	return &Store{api: api, arn: arn}, nil
}

// fixedEndpoint keeps what the SDK's rules resolve for the ARN (they check
// it, and carry the SigV4A signing properties) but sends to u.
type fixedEndpoint struct {
	base kvs.EndpointResolverV2
	u    url.URL
}

func (f fixedEndpoint) ResolveEndpoint(ctx context.Context, p kvs.EndpointParameters) (smithyendpoints.Endpoint, error) {
	e, err := f.base.ResolveEndpoint(ctx, p)
	if err != nil {
		return e, err
	}
	e.URI = f.u
	return e, nil
}

func (k *Store) now() time.Time {
	if k.Now != nil {
		return k.Now().UTC()
	}
	return time.Now().UTC()
}

// List returns the keys in the store, oldest first. An item that is not a
// key's hash and a store value fails the listing: the store is pressroom's.
func (k *Store) List(ctx context.Context) ([]partners.Entry, error) {
	var out []partners.Entry
	p := kvs.NewListKeysPaginator(k.api, &kvs.ListKeysInput{KvsARN: &k.arn, MaxResults: aws.Int32(50)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("partners: listing the keys of %s: %w", k.arn, err)
		}
		for _, it := range page.Items {
			hash, value := aws.ToString(it.Key), aws.ToString(it.Value)
			if !partners.ValidHash(hash) {
				return nil, fmt.Errorf("partners: the store %s holds %q, which is not a key's hash", k.arn, hash)
			}
			e, err := partners.ParseStoreValue(hash, value)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
	}
	partners.SortEntries(out)
	return out, nil
}

// Add makes a key for partner, puts its hash in the store and returns the
// key: the only time it exists outside the partner's hands.
func (k *Store) Add(ctx context.Context, partner string) (string, partners.Entry, error) {
	if !partners.ValidName(partner) {
		return "", partners.Entry{}, partners.ErrBadName
	}
	key, e, err := partners.NewEntry(partner, k.now(), func(string) bool { return false })
	if err != nil {
		return "", partners.Entry{}, err
	}
	value := partners.StoreValue(e.Partner, e.Created)
	err = k.conditional(ctx, "adding a key", func(etag string) error {
		_, err := k.api.PutKey(ctx, &kvs.PutKeyInput{KvsARN: &k.arn, Key: &e.Hash, Value: &value, IfMatch: &etag})
		return err
	})
	if err != nil {
		return "", partners.Entry{}, err
	}
	return key, e, nil
}

// Revoke removes the key with that id (KeyID, or the whole hash).
func (k *Store) Revoke(ctx context.Context, id string) (partners.Entry, error) {
	keys, err := k.List(ctx)
	if err != nil {
		return partners.Entry{}, err
	}
	var found []partners.Entry
	for _, e := range keys {
		if partners.MatchID(e, id) {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 0:
		return partners.Entry{}, partners.ErrNoSuchKey
	case 1:
	default:
		return partners.Entry{}, fmt.Errorf("partners: %d keys have the id %s: revoke by the whole hash", len(found), id)
	}
	err = k.conditional(ctx, "revoking a key", func(etag string) error {
		_, err := k.api.DeleteKey(ctx, &kvs.DeleteKeyInput{KvsARN: &k.arn, Key: &found[0].Hash, IfMatch: &etag})
		return err
	})
	if err != nil {
		return partners.Entry{}, err
	}
	return found[0], nil
}

// RevokePartner removes every key of partner, in one all-or-nothing
// UpdateKeys per 50 keys, and returns them.
func (k *Store) RevokePartner(ctx context.Context, partner string) ([]partners.Entry, error) {
	if !partners.ValidName(partner) {
		return nil, partners.ErrBadName
	}
	keys, err := k.List(ctx)
	if err != nil {
		return nil, err
	}
	var gone []partners.Entry
	for _, e := range keys {
		if e.Partner == partner {
			gone = append(gone, e)
		}
	}
	for start := 0; start < len(gone); start += 50 {
		batch := gone[start:min(start+50, len(gone))]
		dels := make([]kvstypes.DeleteKeyRequestListItem, len(batch))
		for i := range batch {
			dels[i] = kvstypes.DeleteKeyRequestListItem{Key: &batch[i].Hash}
		}
		err := k.conditional(ctx, "revoking "+partner+"'s keys", func(etag string) error {
			_, err := k.api.UpdateKeys(ctx, &kvs.UpdateKeysInput{KvsARN: &k.arn, Deletes: dels, IfMatch: &etag})
			return err
		})
		if err != nil {
			return gone[:start], err
		}
	}
	return gone, nil
}

// conditional runs a write with the store's current ETag, reading it again
// and retrying when another writer made it stale (ConflictException).
func (k *Store) conditional(ctx context.Context, what string, write func(etag string) error) error {
	var err error
	for range conflictRetries {
		var d *kvs.DescribeKeyValueStoreOutput
		d, err = k.api.DescribeKeyValueStore(ctx, &kvs.DescribeKeyValueStoreInput{KvsARN: &k.arn})
		if err != nil {
			return fmt.Errorf("partners: %s: describing %s: %w", what, k.arn, err)
		}
		err = write(aws.ToString(d.ETag))
		var conflict *kvstypes.ConflictException
		if !errors.As(err, &conflict) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("partners: %s in %s: %w", what, k.arn, err)
	}
	return nil
}

// Open is New with the SDK's default configuration (credentials from the
// environment, the shared files, SSO, roles: the usual chain) and, for
// stand-ins, the endpoint PRESSROOM_KVS_ENDPOINT names, used as it is.
func Open(ctx context.Context, arn string) (*Store, error) {
	if !partners.ValidStoreARN(arn) {
		return nil, fmt.Errorf("--kvs-arn %q is not a CloudFront KeyValueStore ARN (arn:aws:cloudfront::ACCOUNT:key-value-store/ID)", arn)
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	return New(cfg, arn, os.Getenv("PRESSROOM_KVS_ENDPOINT"))
}
