// Package s3store is the store.Store adapter on an S3 bucket: the feeds
// bucket CloudFront serves, and the articles bucket the Lambda functions
// read (with its versions) and write reports to.
package s3store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/pressroom/pressroom/internal/store"
)

// Store is a store.Store on an S3 bucket: the feeds bucket CloudFront serves. Every
// object is written with its Content-Type and Cache-Control (the CDN
// passes them on) and the SHA-256 of its bytes in the "sha256" metadata.
// The pipeline skips unchanged bytes by the hashes it keeps in the index,
// so a publish costs no request for a feed that did not change.
type Store struct {
	client *s3.Client
	bucket string
	prefix string // prepended to every key ("" or "feeds/")
}

var _ store.Store = (*Store)(nil)

// New returns a Store on bucket; keys are stored under prefix.
func New(client *s3.Client, bucket, prefix string) *Store {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return &Store{client: client, bucket: bucket, prefix: prefix}
}

// IsNotFound reports whether err from the S3 client means the key (or
// bucket object) does not exist.
func IsNotFound(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	var api smithy.APIError
	return errors.As(err, &nsk) || errors.As(err, &nf) ||
		(errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NotFound" || api.ErrorCode() == "NoSuchVersion"))
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, key string, opts store.GetOptions) (store.Object, error) {
	if err := store.CheckKey(key); err != nil {
		return store.Object{}, err
	}
	in := &s3.GetObjectInput{Bucket: &s.bucket, Key: aws.String(s.prefix + key)}
	if opts.Version != "" {
		in.VersionId = aws.String(opts.Version)
	}
	out, err := s.client.GetObject(ctx, in)
	if IsNotFound(err) {
		return store.Object{}, store.ErrNotFound
	}
	if err != nil {
		return store.Object{}, fmt.Errorf("store: s3 get %s: %w", key, err)
	}
	defer out.Body.Close()
	max := opts.MaxBytes
	if size := aws.ToInt64(out.ContentLength); max > 0 && size > max {
		return store.Object{}, &store.TooLargeError{Key: key, Size: size, Max: max, Version: aws.ToString(out.VersionId)}
	}
	if max <= 0 {
		max = math.MaxInt64 - 1
	}
	body, err := io.ReadAll(io.LimitReader(out.Body, max+1))
	if err != nil {
		return store.Object{}, fmt.Errorf("store: s3 get %s: %w", key, err)
	}
	if int64(len(body)) > max {
		return store.Object{}, &store.TooLargeError{Key: key, Size: int64(len(body)), Max: max, Version: aws.ToString(out.VersionId)}
	}
	o := store.Object{Key: key, Body: body, ContentType: aws.ToString(out.ContentType), CacheControl: aws.ToString(out.CacheControl),
		Version: aws.ToString(out.VersionId)}
	if out.LastModified != nil {
		o.ModTime = *out.LastModified
	}
	return o, nil
}

// Put implements store.Store. An S3 PUT replaces the object atomically.
func (s *Store) Put(ctx context.Context, key string, body []byte, opts store.PutOptions) error {
	if err := store.CheckKey(key); err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	in := &s3.PutObjectInput{
		Bucket:        &s.bucket,
		Key:           aws.String(s.prefix + key),
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		Metadata:      map[string]string{"sha256": hex.EncodeToString(sum[:])},
	}
	if opts.ContentType != "" {
		in.ContentType = aws.String(opts.ContentType)
	}
	if opts.CacheControl != "" {
		in.CacheControl = aws.String(opts.CacheControl)
	}
	if _, err := s.client.PutObject(ctx, in); err != nil {
		return fmt.Errorf("store: s3 put %s: %w", key, err)
	}
	return nil
}

// Delete implements store.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := store.CheckKey(key); err != nil {
		return err
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: aws.String(s.prefix + key)})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("store: s3 delete %s: %w", key, err)
	}
	return nil
}

// List implements store.Store.
func (s *Store) List(ctx context.Context, prefix string) ([]store.ObjectInfo, error) {
	var out []store.ObjectInfo
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: aws.String(s.prefix + prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("store: s3 list %s: %w", prefix, err)
		}
		for _, o := range page.Contents {
			info := store.ObjectInfo{Key: strings.TrimPrefix(aws.ToString(o.Key), s.prefix), Size: aws.ToInt64(o.Size)}
			if o.LastModified != nil {
				info.ModTime = *o.LastModified
			}
			out = append(out, info)
		}
	}
	return out, nil
}

var _ store.Versioned = (*Store)(nil)

// Versions implements store.Versioned with ListObjectVersions. S3 lists a key's
// versions and delete markers in one sequence, newest first; the SDK
// splits them into two lists and loses that order (listed times are too
// coarse to restore it), so the answer's own order is read from its body.
func (s *Store) Versions(ctx context.Context, key string, limit int) ([]store.Version, error) {
	if err := store.CheckKey(key); err != nil {
		return nil, err
	}
	full := s.prefix + key
	// The key's own versions come first (other keys sharing the prefix
	// sort after it); a page a little larger than the limit holds them.
	in := &s3.ListObjectVersionsInput{Bucket: &s.bucket, Prefix: aws.String(full), MaxKeys: aws.Int32(int32(min(1000, limit+8)))}
	var out []store.Version
	for len(out) < limit {
		var raw []byte
		page, err := s.client.ListObjectVersions(ctx, in, func(o *s3.Options) {
			o.APIOptions = append(o.APIOptions, keepBody(&raw))
		})
		if err != nil {
			return nil, fmt.Errorf("store: s3 versions of %s: %w", key, err)
		}
		versions, err := versionsInOrder(raw, full)
		if err != nil {
			return nil, fmt.Errorf("store: s3 versions of %s: %w", key, err)
		}
		out = append(out, versions...)
		if !aws.ToBool(page.IsTruncated) || aws.ToString(page.NextKeyMarker) > full {
			break
		}
		in.KeyMarker, in.VersionIdMarker = page.NextKeyMarker, page.NextVersionIdMarker
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// keepBody copies an answer's raw body into dst before the SDK reads it.
func keepBody(dst *[]byte) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("pressroomKeepBody",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleDeserialize(ctx, in)
				if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp.Body != nil {
					data, rerr := io.ReadAll(resp.Body)
					resp.Body.Close()
					if rerr != nil {
						return out, md, rerr
					}
					*dst = data
					resp.Body = io.NopCloser(bytes.NewReader(data))
				}
				return out, md, err
			}), middleware.After)
	}
}

// versionsInOrder reads the Version and DeleteMarker elements of a
// ListObjectVersions answer, in document order, for one key.
func versionsInOrder(body []byte, key string) ([]store.Version, error) {
	var out []store.Version
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || (se.Name.Local != "Version" && se.Name.Local != "DeleteMarker") {
			continue
		}
		var v struct {
			Key       string
			VersionID string `xml:"VersionId"`
			IsLatest  bool
			Size      int64
		}
		if err := dec.DecodeElement(&v, &se); err != nil {
			return nil, err
		}
		if v.Key == key {
			out = append(out, store.Version{ID: v.VersionID, DeleteMarker: se.Name.Local == "DeleteMarker", Latest: v.IsLatest, Size: v.Size})
		}
	}
}
