package bolt

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/index"
)

// summaryCases are summaries the codec must carry: an empty one, one with
// every field set (an Arabic key and title, times in two zones, a
// nanosecond, problems with and without a line), and a tombstone.
var summaryCases = []index.Summary{
	{},
	{Key: "ar/العثماني.txt", Version: "0062E99A88DC407460", Hash: "abc", Config: "cfg", Title: "عنوان", Size: 4626,
		ArticleConfig: "old-cfg", ObjectVersion: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", Waiting: "id:tag:x,2021:a",
		ModTime: time.Date(2021, 2, 22, 16, 18, 0, 5, time.UTC), Published: time.Date(2021, 2, 22, 16, 18, 0, 0, time.FixedZone("", 3600)),
		Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), HasArticle: true, Draft: true,
		Problems:   []article.Problem{{Field: "date", Line: 3, Message: "\"someday\" is not a date"}, {Field: "body", Message: "no text"}},
		RejectedAt: time.Date(2021, 2, 23, 0, 0, 0, 0, time.UTC)},
	{Key: "gone.md", Version: "9", Deleted: true},
}

func TestSummaryEncoding(t *testing.T) {
	for _, s := range summaryCases {
		checkRoundTrip(t, s)
	}
}

// FuzzSummaryRoundTrip encodes summaries built from arbitrary fields and
// decodes them: the same summary must come back, and every shorter prefix
// of its encoding must be refused (never decoded, never a panic).
func FuzzSummaryRoundTrip(f *testing.F) {
	for _, s := range summaryCases {
		var problems []string
		line := 0
		for _, p := range s.Problems {
			problems = append(problems, p.Field+"|"+p.Message)
			line = max(line, p.Line)
		}
		_, zone := s.Published.Zone()
		f.Add(s.Key, s.Version, s.Hash, s.Config, s.Title, s.ArticleConfig, s.ObjectVersion, s.Waiting, s.Size,
			unixNano(s.ModTime), unixNano(s.Published), unixNano(s.Expires), unixNano(s.RejectedAt), int32(zone),
			flags(s.Deleted, s.HasArticle, s.Draft), strings.Join(problems, "\n"), line)
	}
	f.Add("", "", "", "", "", "", "", "", int64(-1), int64(-1), int64(1), int64(-1<<63), int64(1<<63-1), int32(-12*3600), uint8(255), "\n|\n", -7)
	f.Fuzz(func(t *testing.T, key, version, hash, config, title, articleConfig, objectVersion, waiting string, size int64,
		modTime, published, expires, rejectedAt int64, zone int32, bits uint8, problems string, line int) {
		at := func(ns int64) time.Time {
			if ns == 0 {
				return time.Time{} // zero stands for no time, as in the index
			}
			return time.Unix(0, ns).In(time.FixedZone("", int(zone)))
		}
		s := index.Summary{Key: key, Version: version, Hash: hash, Config: config, Title: title, ArticleConfig: articleConfig,
			ObjectVersion: objectVersion, Waiting: waiting, Size: size, ModTime: at(modTime), Published: at(published),
			Expires: at(expires), RejectedAt: at(rejectedAt), Deleted: bits&1 != 0, HasArticle: bits&2 != 0, Draft: bits&4 != 0}
		if problems != "" {
			for i, p := range strings.SplitN(problems, "\n", 100) {
				field, message, _ := strings.Cut(p, "|")
				s.Problems = append(s.Problems, article.Problem{Field: field, Line: line * i, Message: message})
			}
		}
		checkRoundTrip(t, s)
	})
}

// checkRoundTrip encodes s and decodes it: s must come back, with its
// times at the same instants and offsets, and every strict prefix of the
// encoding must fail to decode (all of them for an encoding of up to 512
// bytes).
func checkRoundTrip(t *testing.T, s index.Summary) {
	t.Helper()
	b := encodeSummary(s)
	got, err := decodeSummary(b)
	if err != nil {
		t.Fatalf("decoding %+v: %v", s, err)
	}
	// Times compare by instant and offset: zones are fixed after decoding.
	want := s
	for _, p := range [][2]*time.Time{{&got.ModTime, &want.ModTime}, {&got.Published, &want.Published}, {&got.Expires, &want.Expires}, {&got.RejectedAt, &want.RejectedAt}} {
		_, o1 := p[0].Zone()
		_, o2 := p[1].Zone()
		if !p[0].Equal(*p[1]) || o1 != o2 || p[0].IsZero() != p[1].IsZero() {
			t.Errorf("time %v, want %v", *p[0], *p[1])
		}
		*p[0] = *p[1]
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}
	// Every prefix of a short encoding; of a long one (the fuzzer makes
	// strings of many kilobytes), 512 spread over it and the last 64, so
	// one input costs linear time, not quadratic.
	step := max(1, len(b)/512)
	for i := 0; i < len(b); i++ {
		if i%step != 0 && i < len(b)-64 {
			continue
		}
		if _, err := decodeSummary(b[:i]); err == nil {
			t.Errorf("the first %d of %d bytes decoded without error", i, len(b))
		}
	}
}

// unixNano is the fuzz input for t: 0 for the zero time.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func flags(bs ...bool) uint8 {
	var out uint8
	for i, b := range bs {
		if b {
			out |= 1 << i
		}
	}
	return out
}

// TestListStats holds ListStats and Summaries to List: the same sources in
// the same order, each FileStat the summary's fields, each summary the
// same; a corrupt summary is an error, never a panic.
func TestListStats(t *testing.T) {
	ctx := t.Context()
	ix, err := Open(filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	cases := append([]index.Summary(nil), summaryCases[1:]...)
	cases = append(cases, index.Summary{Key: "a.md", Size: 3, ModTime: time.Unix(1, 2).In(time.FixedZone("", -7200))},
		index.Summary{Key: "z.md", Problems: []article.Problem{{Message: "x"}}, Deleted: true})
	put := func(key string, v []byte) {
		t.Helper()
		if err := ix.db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bSummary).Put([]byte(key), v) }); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range cases {
		put(s.Key, encodeSummary(s))
	}
	list, err := ix.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := ix.ListStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != len(list) {
		t.Fatalf("%d stats, %d summaries", len(stats), len(list))
	}
	var keys []string
	for i, s := range list {
		var mod int64
		if !s.ModTime.IsZero() {
			mod = s.ModTime.UnixNano()
		}
		want := index.FileStat{Key: s.Key, Size: s.Size, ModTime: mod, Deleted: s.Deleted, Rejected: len(s.Problems) > 0}
		if stats[i] != want {
			t.Errorf("stat %d: %+v, want %+v", i, stats[i], want)
		}
		keys = append(keys, s.Key)
	}
	sums, err := ix.Summaries(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sums, list) {
		t.Errorf("Summaries:\n got %+v\nwant %+v", sums, list)
	}
	if _, err := ix.Summaries(ctx, []string{"missing.md"}); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("a missing key: %v", err)
	}
	full := encodeSummary(summaryCases[1])
	for n := range len(full) {
		put("corrupt.md", full[:n])
		if _, err := ix.ListStats(ctx); err == nil {
			t.Errorf("a summary cut to %d of %d bytes listed without an error", n, len(full))
		}
	}
}
