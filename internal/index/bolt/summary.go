package bolt

import (
	"encoding/binary"
	"errors"
	"time"

	article "github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/index"
)

// The bbolt adapter keeps a compact binary Summary of every source in the
// "summaries" bucket, written with the full record: List decodes no JSON,
// which is most of an incremental build's cost on a large index.

var errSummary = errors.New("index: corrupt summary")

type encoder []byte

func (e *encoder) str(s string) {
	*e = binary.AppendUvarint(*e, uint64(len(s)))
	*e = append(*e, s...)
}

func (e *encoder) int(i int64) { *e = binary.AppendVarint(*e, i) }

func (e *encoder) time(t time.Time) {
	if t.IsZero() {
		*e = append(*e, 0)
		return
	}
	_, off := t.Zone()
	*e = append(*e, 1)
	e.int(t.UnixNano())
	e.int(int64(off))
}

func (e *encoder) bool(b bool) {
	if b {
		*e = append(*e, 1)
	} else {
		*e = append(*e, 0)
	}
}

func encodeSummary(s index.Summary) []byte {
	e := make(encoder, 0, 128)
	for _, v := range []string{s.Key, s.Version, s.Hash, s.Config, s.Title, s.ArticleConfig, s.ObjectVersion, s.Waiting} {
		e.str(v)
	}
	e.int(s.Size)
	for _, t := range []time.Time{s.ModTime, s.Published, s.Expires, s.RejectedAt} {
		e.time(t)
	}
	for _, b := range []bool{s.Deleted, s.HasArticle, s.Draft} {
		e.bool(b)
	}
	e.int(int64(len(s.Problems)))
	for _, p := range s.Problems {
		e.str(p.Field)
		e.int(int64(p.Line))
		e.str(p.Message)
	}
	return e
}

// decoder reads a summary. Its strings are cut from one copy of the
// whole value (one allocation a summary, not one a field), and its time
// zones are shared: List decodes every source of the index.
type decoder struct {
	b     []byte
	s     string // b as a string
	off   int    // read so far
	err   error
	zones map[int]*time.Location
}

func (d *decoder) str() string {
	n, k := binary.Uvarint(d.b[d.off:])
	if k <= 0 || uint64(len(d.b)-d.off-k) < n {
		d.err = errSummary
		return ""
	}
	s := d.s[d.off+k : d.off+k+int(n)]
	d.off += k + int(n)
	return s
}

// bytes is str without the string: the field as it lies in b.
func (d *decoder) bytes() []byte {
	n, k := binary.Uvarint(d.b[d.off:])
	if k <= 0 || uint64(len(d.b)-d.off-k) < n {
		d.err = errSummary
		return nil
	}
	s := d.b[d.off+k : d.off+k+int(n)]
	d.off += k + int(n)
	return s
}

func (d *decoder) int() int64 {
	i, k := binary.Varint(d.b[d.off:])
	if k <= 0 {
		d.err = errSummary
		return 0
	}
	d.off += k
	return i
}

func (d *decoder) byte() byte {
	if d.off >= len(d.b) {
		d.err = errSummary
		return 0
	}
	c := d.b[d.off]
	d.off++
	return c
}

func (d *decoder) time() time.Time {
	if d.byte() == 0 {
		return time.Time{}
	}
	ns, off := d.int(), d.int()
	return time.Unix(0, ns).In(d.zone(int(off)))
}

// zone returns the fixed zone of an offset, made once per decoder.
func (d *decoder) zone(off int) *time.Location {
	if off == 0 {
		return time.UTC
	}
	if loc, ok := d.zones[off]; ok {
		return loc
	}
	loc := time.FixedZone("", off)
	if d.zones == nil {
		d.zones = map[int]*time.Location{}
	}
	d.zones[off] = loc
	return loc
}

func decodeSummary(b []byte) (index.Summary, error) {
	return (&decoder{}).summary(b)
}

// summary decodes one summary; a decoder may decode several in turn.
func (d *decoder) summary(b []byte) (index.Summary, error) {
	d.b, d.s, d.off, d.err = b, string(b), 0, nil
	var s index.Summary
	s.Key, s.Version, s.Hash, s.Config, s.Title = d.str(), d.str(), d.str(), d.str(), d.str()
	s.ArticleConfig, s.ObjectVersion, s.Waiting = d.str(), d.str(), d.str()
	s.Size = d.int()
	s.ModTime, s.Published, s.Expires, s.RejectedAt = d.time(), d.time(), d.time(), d.time()
	s.Deleted, s.HasArticle, s.Draft = d.byte() == 1, d.byte() == 1, d.byte() == 1
	if n := d.int(); n > 0 && n < 10000 {
		s.Problems = make([]article.Problem, n)
		for i := range s.Problems {
			s.Problems[i] = article.Problem{Field: d.str(), Line: int(d.int()), Message: d.str()}
		}
	}
	return s, d.err
}
