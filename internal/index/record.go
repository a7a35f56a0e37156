package index

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	article "github.com/pressroom/pressroom/internal/article/model"
)

// The adapters store articles and source records in formats this package
// owns, with explicit field names and a schema version, never the Go
// field names of article.Article: renaming a field of the model must not
// silently lose what an index already holds. TestRecordCoversArticle
// fails when a field of article.Article has no place here.
//
// Schema history:
//
//	1  (unversioned) article.Article and the source record as Go field names
//	2  explicit names (lower camel case of the version 1 names, so version 1
//	   records still decode: encoding/json matches names case-insensitively)
//	   and "v"; sources gain articleConfig, objectVersion and waiting
//	3  memberships gain "slot" (archive pages); articles gain updatedFrom,
//	   correction and words; deletions are recorded (Gone); later, articles
//	   gain idFrom (left out when empty; a reader that ignores it keeps the
//	   id it is stored with, so the version did not change)
//	   gain credits (optional: older readers ignore it, and ParserVersion 6
//	   parses every article again, so no version of its own)
const RecordVersion = 3

// articleRecord is how adapters store an article (see EncodeArticle).
type articleRecord struct {
	V           int             `json:"v"`
	ID          string          `json:"id"`
	IDFrom      string          `json:"idFrom,omitempty"`
	Slug        string          `json:"slug"`
	Title       string          `json:"title"`
	Summary     string          `json:"summary,omitempty"`
	ContentHTML string          `json:"contentHTML"`
	URL         string          `json:"url"`
	Published   time.Time       `json:"published"`
	Updated     time.Time       `json:"updated"`
	Expires     time.Time       `json:"expires,omitzero"`
	Lang        string          `json:"lang,omitempty"`
	Dir         string          `json:"dir,omitempty"`
	Authors     []string        `json:"authors,omitempty"`
	Credits     []string        `json:"credits,omitempty"`
	Tags        []string        `json:"tags,omitempty"`
	Categories  []string        `json:"categories,omitempty"`
	Image       string          `json:"image,omitempty"`
	Draft       bool            `json:"draft,omitempty"`
	UpdatedFrom string          `json:"updatedFrom,omitempty"`
	Correction  string          `json:"correction,omitempty"`
	Words       int             `json:"words,omitempty"`
	Source      string          `json:"source,omitempty"`
	Format      string          `json:"format,omitempty"`
	Hash        string          `json:"hash,omitempty"`
	DateSource  string          `json:"dateSource,omitempty"`
	Notes       []string        `json:"notes,omitempty"`
	Warnings    []ProblemRecord `json:"warnings,omitempty"`
}

func toArticleRecord(a *article.Article) articleRecord {
	return articleRecord{V: RecordVersion, ID: a.ID, IDFrom: a.IDFrom, Slug: a.Slug, Title: a.Title, Summary: a.Summary, ContentHTML: a.ContentHTML,
		URL: a.URL, Published: a.Published, Updated: a.Updated, Expires: a.Expires, Lang: a.Lang, Dir: a.Dir,
		Authors: a.Authors, Credits: a.Credits, Tags: a.Tags, Categories: a.Categories, Image: a.Image, Draft: a.Draft, Source: a.Source,
		Format: a.Format, Hash: a.Hash, DateSource: a.DateSource, Notes: a.Notes,
		Warnings: ProblemRecords(a.Warnings), UpdatedFrom: a.UpdatedFrom, Correction: a.Correction, Words: a.Words}
}

func (r articleRecord) article() *article.Article {
	return &article.Article{ID: r.ID, IDFrom: r.IDFrom, Slug: r.Slug, Title: r.Title, Summary: r.Summary, ContentHTML: r.ContentHTML,
		URL: r.URL, Published: r.Published, Updated: r.Updated, Expires: r.Expires, Lang: r.Lang, Dir: r.Dir,
		Authors: r.Authors, Credits: r.Credits, Tags: r.Tags, Categories: r.Categories, Image: r.Image, Draft: r.Draft, Source: r.Source,
		Format: r.Format, Hash: r.Hash, DateSource: r.DateSource, Notes: r.Notes,
		Warnings: fromProblemRecords(r.Warnings), UpdatedFrom: r.UpdatedFrom, Correction: r.Correction, Words: r.Words}
}

// EncodeArticle returns the stored form of an article.
func EncodeArticle(a *article.Article) ([]byte, error) {
	// Without escaping HTML's <, > and & (\u003c...): a body's tags stay
	// as they are, the record shorter and quicker to read back.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(toArticleRecord(a)); err != nil {
		// What the parsers give always encodes (CheckSource refuses the
		// dates that would not): refused rather than failed, so one file
		// cannot stop every write after it.
		return nil, fmt.Errorf("%w: the article cannot be encoded (%v)", ErrRefused, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// DecodeArticle reads a stored article of any known schema version.
func DecodeArticle(data []byte) (*article.Article, error) {
	r, ok := decodeArticleRecord(data)
	if !ok {
		r = articleRecord{}
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, err
		}
	}
	if r.V > RecordVersion {
		return nil, fmt.Errorf("stored with schema version %d by a newer pressroom (this one knows %d)", r.V, RecordVersion)
	}
	return r.article(), nil
}

// ProblemRecord is how adapters store a Problem.
type ProblemRecord struct {
	Field   string `json:"field" dynamodbav:"field"`
	Line    int    `json:"line,omitempty" dynamodbav:"line,omitempty"`
	Message string `json:"message" dynamodbav:"message"`
}

// ProblemRecords returns the stored form of problems (nil for none).
func ProblemRecords(ps []article.Problem) []ProblemRecord {
	if len(ps) == 0 {
		return nil
	}
	out := make([]ProblemRecord, len(ps))
	for i, p := range ps {
		out[i] = ProblemRecord{Field: p.Field, Line: p.Line, Message: p.Message}
	}
	return out
}

func fromProblemRecords(ps []ProblemRecord) []article.Problem {
	if len(ps) == 0 {
		return nil
	}
	out := make([]article.Problem, len(ps))
	for i, p := range ps {
		out[i] = article.Problem{Field: p.Field, Line: p.Line, Message: p.Message}
	}
	return out
}

// SourceRecord is how the adapters store a source: everything but the
// article body, with enough of the article to find its feed entries,
// schedule and claims, and to summarise it. The bbolt adapter stores it
// as JSON; the DynamoDB adapter maps the same fields, under the same
// names, onto item attributes.
type SourceRecord struct {
	V             int             `json:"v"`
	Key           string          `json:"key"`
	Version       string          `json:"version"`
	Hash          string          `json:"hash"`
	Config        string          `json:"config"`
	Size          int64           `json:"size"`
	ModTime       time.Time       `json:"modTime"`
	Deleted       bool            `json:"deleted,omitempty"`
	HasArticle    bool            `json:"hasArticle,omitempty"`
	ArticleConfig string          `json:"articleConfig,omitempty"`
	ObjectVersion string          `json:"objectVersion,omitempty"`
	Feeds         []Membership    `json:"feeds,omitempty"`
	Problems      []ProblemRecord `json:"problems,omitempty"`
	RejectedAt    time.Time       `json:"rejectedAt,omitzero"`
	Waiting       string          `json:"waiting,omitempty"`
	ID            string          `json:"id,omitempty"`
	URL           string          `json:"url,omitempty"`
	Title         string          `json:"title,omitempty"`
	Published     time.Time       `json:"published,omitzero"`
	Expires       time.Time       `json:"expires,omitzero"`
	Draft         bool            `json:"draft,omitempty"`
}

// SourceRecordOf makes the record of src (its article, if any, is stored
// apart).
func SourceRecordOf(src Source) SourceRecord {
	r := SourceRecord{V: RecordVersion, Key: src.Key, Version: src.Version, Hash: src.Hash, Config: src.Config, Size: src.Size,
		ModTime: src.ModTime, Deleted: src.Deleted, ArticleConfig: src.ArticleConfig, ObjectVersion: src.ObjectVersion,
		Feeds: src.Feeds, Problems: ProblemRecords(src.Problems), RejectedAt: src.RejectedAt, Waiting: src.Waiting}
	if a := src.Article; a != nil {
		r.HasArticle = true
		r.ID, r.URL, r.Title, r.Published, r.Expires, r.Draft = a.ID, a.URL, a.Title, a.Published, a.Expires, a.Draft
	} else {
		r.Feeds, r.ArticleConfig, r.ObjectVersion = nil, "", ""
	}
	return r
}

// Source makes a Source of the record, without its article.
func (r SourceRecord) Source() Source {
	return Source{Key: r.Key, Version: r.Version, Hash: r.Hash, Config: r.Config, Size: r.Size, ModTime: r.ModTime,
		Deleted: r.Deleted, ArticleConfig: r.ArticleConfig, ObjectVersion: r.ObjectVersion, Feeds: r.Feeds,
		Problems: fromProblemRecords(r.Problems), RejectedAt: r.RejectedAt, Waiting: r.Waiting}
}

// Summary makes the Summary of the record.
func (r SourceRecord) Summary() Summary {
	return Summary{Key: r.Key, Version: r.Version, Hash: r.Hash, Config: r.Config, Size: r.Size, ModTime: r.ModTime,
		Deleted: r.Deleted, HasArticle: r.HasArticle, ArticleConfig: r.ArticleConfig, ObjectVersion: r.ObjectVersion,
		Title: r.Title, Published: r.Published, Expires: r.Expires, Draft: r.Draft,
		Problems: fromProblemRecords(r.Problems), RejectedAt: r.RejectedAt, Waiting: r.Waiting}
}

// Listing is what the rules need of the record's article (see GoneOf),
// nil without an article.
func (r SourceRecord) Listing() *Listing {
	if !r.HasArticle {
		return nil
	}
	return &Listing{ID: r.ID, URL: r.URL, Published: r.Published, Draft: r.Draft, Feeds: r.Feeds}
}

// Claims returns what the record's article claims (see Claims).
func (r SourceRecord) Claims() []string {
	if !r.HasArticle || r.Draft {
		return nil
	}
	out := []string{"id:" + r.ID}
	if r.URL != "" {
		out = append(out, "url:"+r.URL)
	}
	return out
}

// DecodeSourceRecord reads a stored source record of any known schema
// version.
func DecodeSourceRecord(data []byte) (SourceRecord, error) {
	var r SourceRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return r, err
	}
	if r.V > RecordVersion {
		return r, fmt.Errorf("stored with schema version %d by a newer pressroom (this one knows %d)", r.V, RecordVersion)
	}
	return r, nil
}
