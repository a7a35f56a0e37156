package pipeline_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/awstest"
	"github.com/pressroom/pressroom/internal/awstest/s3mem"
	"github.com/pressroom/pressroom/internal/feedcheck"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/index/bolt"
	"github.com/pressroom/pressroom/internal/index/dynamo"
	"github.com/pressroom/pressroom/internal/pipeline"
	"github.com/pressroom/pressroom/internal/store"
	"github.com/pressroom/pressroom/internal/store/s3store"
)

// bucket is a versioned S3 bucket (the S3 protocol, on s3mem) with the
// pipeline's view of it.
type bucket struct {
	client *s3.Client
	name   string
	store  store.Store
}

func newBucket(t *testing.T) *bucket {
	srv := httptest.NewServer(s3mem.New(s3mem.WithVersionedBucket("articles")).Handler())
	t.Cleanup(srv.Close)
	c := awstest.S3(srv.URL)
	return &bucket{client: c, name: "articles", store: s3store.New(c, "articles", "")}
}

// op is one change an editor makes to the bucket.
type op struct {
	kind string // put, delete, undelete, drop-old
	key  string
	body string
}

func (b *bucket) do(t *testing.T, o op) {
	t.Helper()
	ctx := context.Background()
	switch o.kind {
	case "put":
		if _, err := b.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &b.name, Key: &o.key, Body: strings.NewReader(o.body)}); err != nil {
			t.Fatal(err)
		}
	case "delete":
		if _, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b.name, Key: &o.key}); err != nil {
			t.Fatal(err)
		}
	case "undelete", "drop-old":
		vs, err := b.client.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &b.name, Prefix: &o.key})
		if err != nil {
			t.Fatal(err)
		}
		var id *string
		if o.kind == "undelete" {
			for _, m := range vs.DeleteMarkers {
				if aws.ToString(m.Key) == o.key && aws.ToBool(m.IsLatest) {
					id = m.VersionId
				}
			}
		} else {
			for _, v := range vs.Versions {
				if aws.ToString(v.Key) == o.key && !aws.ToBool(v.IsLatest) {
					id = v.VersionId // the oldest non-current one comes last
				}
			}
		}
		if id == nil {
			return // nothing to undelete or drop: still a notification-free no-op
		}
		if _, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b.name, Key: &o.key, VersionId: id}); err != nil {
			t.Fatal(err)
		}
	}
}

func (o op) String() string {
	if o.kind != "put" {
		return o.kind + " " + o.key
	}
	title, _, _ := strings.Cut(o.body, "\n")
	if strings.HasPrefix(o.body, "---") {
		_, rest, _ := strings.Cut(o.body, "title: ")
		title, _, _ = strings.Cut(rest, "\n")
	}
	return "put " + o.key + " (" + strings.Trim(title, `"`) + ")"
}

// randomOps makes a session on a few keys: uploads (some rejected, tags and
// dates changing), deletions, undeletions, old versions deleted. Each key
// has its own slugs: which of two files holding one slug wins depends on
// arrival, by design (the first holder stays published).
func randomOps(rng *rand.Rand, n int) []op {
	keys := []string{"a.md", "b.md", "c.txt", "d.md"}
	var out []op
	for i := 0; i < n; i++ {
		k := keys[rng.IntN(len(keys))]
		x := rng.Float64()
		switch {
		case x < 0.55:
			var body string
			switch v := rng.IntN(5); {
			case v == 0:
				body = "---\ntitle: broken\ndate: someday\n---\n\nx\n"
			case strings.HasSuffix(k, ".txt"):
				body = fmt.Sprintf("Titre %s %d\n\n%d mars 2021\n\nLe texte de la version %d, assez long pour un paragraphe.\n", k, v, 1+v, v)
			default:
				body = md(fmt.Sprintf("%s v%d", k, v), fmt.Sprintf("2021-05-%02d", 1+v), fmt.Sprintf("tags: [t%d, %s]", v%3, strings.TrimSuffix(k, ".md")))
			}
			out = append(out, op{kind: "put", key: k, body: body})
		case x < 0.75:
			out = append(out, op{kind: "delete", key: k})
		case x < 0.9:
			out = append(out, op{kind: "undelete", key: k})
		default:
			out = append(out, op{kind: "drop-old", key: k})
		}
	}
	return out
}

// snapshot is what must converge: every source's state, and every file
// published.
func snapshot(t *testing.T, p *pipeline.Pipeline, st store.Store) (string, map[string]string) {
	t.Helper()
	ctx := context.Background()
	list, err := p.Index.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, s := range list {
		// Upload times and S3 version ids differ between two buckets; the
		// rest must not.
		fmt.Fprintf(&b, "%s v=%s deleted=%v article=%v %q hash=%s problems=%v waiting=%q\n",
			s.Key, s.Version, s.Deleted, s.HasArticle, s.Title, s.Hash, s.Problems, s.Waiting)
	}
	return b.String(), outputs(t, st)
}

// TestDeliveryOrderConverges is a property: for random sessions of
// uploads, rejections, deletions and undeletions on a few keys, delivering
// each notification twice, shuffled and late (interleaved with later
// changes), gives the same index and the same feeds, byte for byte, as
// delivering them once and in order. On the memory, bbolt and DynamoDB
// (DynamoDB Local) indexes.
func TestDeliveryOrderConverges(t *testing.T) {
	type variant struct {
		name      string
		sequences int
		open      func(t *testing.T) index.Index
	}
	variants := []variant{
		{"memory", 150, func(*testing.T) index.Index { return index.NewMemory() }},
		{"bolt", 60, func(t *testing.T) index.Index {
			ix, err := bolt.Open(filepath.Join(t.TempDir(), "index.db"))
			if err != nil {
				t.Fatal(err)
			}
			return ix
		}},
		{"dynamodb", 12, func(t *testing.T) index.Index {
			d := dynamo.New(awstest.DynamoDB(awstest.DynamoDBEndpoint(t)), awstest.TableName(t))
			if err := d.CreateTable(context.Background()); err != nil {
				t.Fatal(err)
			}
			return d
		}},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			if testing.Short() && v.name == "dynamodb" {
				t.Skip("DynamoDB Local")
			}
			ctx := context.Background()
			now := time.Date(2021, 6, 1, 12, 0, 0, 0, time.UTC)
			events := 0
			for seq := 0; seq < v.sequences; seq++ {
				rng := rand.New(rand.NewPCG(uint64(seq), 2026))
				ops := randomOps(rng, 6+rng.IntN(14))
				run := func(chaos bool) (string, map[string]string) {
					ix := v.open(t)
					defer ix.Close()
					st := store.NewMemory()
					p := &pipeline.Pipeline{Parse: article.Parse, Index: ix, Store: st, Config: killConfig(t), Now: func() time.Time { return now },
						Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
					b := newBucket(t)
					type event struct{ key, version string }
					var queue []event
					deliver := func(e event) {
						events++
						if _, err := p.Apply(ctx, b.store, e.key, e.version); err != nil {
							t.Fatalf("sequence %d: %v", seq, err)
						}
					}
					for i, o := range ops {
						b.do(t, o)
						e := event{o.key, fmt.Sprintf("%018X", i+1)}
						if !chaos {
							deliver(e)
							continue
						}
						queue = append(queue, e, e) // at least once: here, twice
						// Some of what is queued arrives now, in any order.
						rng.Shuffle(len(queue), func(i, j int) { queue[i], queue[j] = queue[j], queue[i] })
						k := rng.IntN(len(queue) + 1)
						for _, e := range queue[:k] {
							deliver(e)
						}
						queue = queue[k:]
					}
					rng.Shuffle(len(queue), func(i, j int) { queue[i], queue[j] = queue[j], queue[i] })
					for _, e := range queue {
						deliver(e)
					}
					if _, err := p.Publish(ctx, nil); err != nil {
						t.Fatal(err)
					}
					return snapshot(t, p, st)
				}
				wantIndex, wantFiles := run(false)
				gotIndex, gotFiles := run(true)
				if gotIndex != wantIndex {
					t.Fatalf("sequence %d %v: the index differs from in-order delivery:\n got %s\nwant %s", seq, ops, gotIndex, wantIndex)
				}
				if g, w := feedcheck.HistoryFreeTree(t, gotFiles), feedcheck.HistoryFreeTree(t, wantFiles); !reflect.DeepEqual(g, w) {
					var diff []string
					for k := range w {
						if g[k] != w[k] {
							diff = append(diff, k)
						}
					}
					t.Fatalf("sequence %d %v: the feeds differ from in-order delivery: %v\n got %s\nwant %s", seq, ops, diff, g[diff[0]], w[diff[0]])
				}
			}
			t.Logf("%d random sequences, %d deliveries: every one converged", v.sequences, events)
		})
	}
}
