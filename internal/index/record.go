package index

import (
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
const recordVersion = 3

// articleRecord is how adapters store an article.
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
	Warnings    []problemRecord `json:"warnings,omitempty"`
}

func toArticleRecord(a *article.Article) articleRecord {
	return articleRecord{V: recordVersion, ID: a.ID, IDFrom: a.IDFrom, Slug: a.Slug, Title: a.Title, Summary: a.Summary, ContentHTML: a.ContentHTML,
		URL: a.URL, Published: a.Published, Updated: a.Updated, Expires: a.Expires, Lang: a.Lang, Dir: a.Dir,
		Authors: a.Authors, Credits: a.Credits, Tags: a.Tags, Categories: a.Categories, Image: a.Image, Draft: a.Draft, Source: a.Source,
		Format: a.Format, Hash: a.Hash, DateSource: a.DateSource, Notes: a.Notes,
		Warnings: toProblemRecords(a.Warnings), UpdatedFrom: a.UpdatedFrom, Correction: a.Correction, Words: a.Words}
}

func (r articleRecord) article() *article.Article {
	return &article.Article{ID: r.ID, IDFrom: r.IDFrom, Slug: r.Slug, Title: r.Title, Summary: r.Summary, ContentHTML: r.ContentHTML,
		URL: r.URL, Published: r.Published, Updated: r.Updated, Expires: r.Expires, Lang: r.Lang, Dir: r.Dir,
		Authors: r.Authors, Credits: r.Credits, Tags: r.Tags, Categories: r.Categories, Image: r.Image, Draft: r.Draft, Source: r.Source,
		Format: r.Format, Hash: r.Hash, DateSource: r.DateSource, Notes: r.Notes,
		Warnings: fromProblemRecords(r.Warnings), UpdatedFrom: r.UpdatedFrom, Correction: r.Correction, Words: r.Words}
}

// encodeArticle returns the stored form of an article.
func encodeArticle(a *article.Article) ([]byte, error) {
	data, err := json.Marshal(toArticleRecord(a))
	if err != nil {
		return nil, fmt.Errorf("index: encode article %s: %w", a.ID, err)
	}
	return data, nil
}

// decodeArticle reads a stored article of any known schema version.
func decodeArticle(data []byte) (*article.Article, error) {
	var r articleRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	if r.V > recordVersion {
		return nil, fmt.Errorf("stored with schema version %d by a newer pressroom (this one knows %d)", r.V, recordVersion)
	}
	return r.article(), nil
}

// problemRecord is how adapters store a Problem.
type problemRecord struct {
	Field   string `json:"field" dynamodbav:"field"`
	Line    int    `json:"line,omitempty" dynamodbav:"line,omitempty"`
	Message string `json:"message" dynamodbav:"message"`
}

func toProblemRecords(ps []article.Problem) []problemRecord {
	if len(ps) == 0 {
		return nil
	}
	out := make([]problemRecord, len(ps))
	for i, p := range ps {
		out[i] = problemRecord{Field: p.Field, Line: p.Line, Message: p.Message}
	}
	return out
}

func fromProblemRecords(ps []problemRecord) []article.Problem {
	if len(ps) == 0 {
		return nil
	}
	out := make([]article.Problem, len(ps))
	for i, p := range ps {
		out[i] = article.Problem{Field: p.Field, Line: p.Line, Message: p.Message}
	}
	return out
}

// sourceRecord is how the bbolt adapter stores a source (the DynamoDB
// adapter maps the same fields onto item attributes): everything but the
// article body, with enough of the article to find its feed entries,
// schedule and claims, and to summarise it.
type sourceRecord struct {
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
	Problems      []problemRecord `json:"problems,omitempty"`
	RejectedAt    time.Time       `json:"rejectedAt,omitzero"`
	Waiting       string          `json:"waiting,omitempty"`
	ID            string          `json:"id,omitempty"`
	URL           string          `json:"url,omitempty"`
	Title         string          `json:"title,omitempty"`
	Published     time.Time       `json:"published,omitzero"`
	Expires       time.Time       `json:"expires,omitzero"`
	Draft         bool            `json:"draft,omitempty"`
}

// recordOf makes the record of src (its article, if any, stored apart).
func recordOf(src Source) sourceRecord {
	r := sourceRecord{V: recordVersion, Key: src.Key, Version: src.Version, Hash: src.Hash, Config: src.Config, Size: src.Size,
		ModTime: src.ModTime, Deleted: src.Deleted, ArticleConfig: src.ArticleConfig, ObjectVersion: src.ObjectVersion,
		Feeds: src.Feeds, Problems: toProblemRecords(src.Problems), RejectedAt: src.RejectedAt, Waiting: src.Waiting}
	if a := src.Article; a != nil {
		r.HasArticle = true
		r.ID, r.URL, r.Title, r.Published, r.Expires, r.Draft = a.ID, a.URL, a.Title, a.Published, a.Expires, a.Draft
	} else {
		r.Feeds, r.ArticleConfig, r.ObjectVersion = nil, "", ""
	}
	return r
}

// source makes a Source of the record, without its article.
func (r sourceRecord) source() Source {
	return Source{Key: r.Key, Version: r.Version, Hash: r.Hash, Config: r.Config, Size: r.Size, ModTime: r.ModTime,
		Deleted: r.Deleted, ArticleConfig: r.ArticleConfig, ObjectVersion: r.ObjectVersion, Feeds: r.Feeds,
		Problems: fromProblemRecords(r.Problems), RejectedAt: r.RejectedAt, Waiting: r.Waiting}
}

func (r sourceRecord) summary() Summary {
	return Summary{Key: r.Key, Version: r.Version, Hash: r.Hash, Config: r.Config, Size: r.Size, ModTime: r.ModTime,
		Deleted: r.Deleted, HasArticle: r.HasArticle, ArticleConfig: r.ArticleConfig, ObjectVersion: r.ObjectVersion,
		Title: r.Title, Published: r.Published, Expires: r.Expires, Draft: r.Draft,
		Problems: fromProblemRecords(r.Problems), RejectedAt: r.RejectedAt, Waiting: r.Waiting}
}

// goneSource is what gone needs of the record, nil without an article.
func (r sourceRecord) goneSource() *goneSource {
	if !r.HasArticle {
		return nil
	}
	return &goneSource{id: r.ID, url: r.URL, published: r.Published, draft: r.Draft, feeds: r.Feeds}
}

// goneOf is what gone needs of a Source's article.
func goneOf(s Source) *goneSource {
	a := s.Article
	if a == nil {
		return nil
	}
	return &goneSource{id: a.ID, url: a.URL, published: a.Published, draft: a.Draft, feeds: s.Feeds}
}

// claims returns what the record's article claims (see Claims).
func (r sourceRecord) claims() []string {
	if !r.HasArticle || r.Draft {
		return nil
	}
	out := []string{"id:" + r.ID}
	if r.URL != "" {
		out = append(out, "url:"+r.URL)
	}
	return out
}

func decodeSource(data []byte) (sourceRecord, error) {
	var r sourceRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return r, err
	}
	if r.V > recordVersion {
		return r, fmt.Errorf("stored with schema version %d by a newer pressroom (this one knows %d)", r.V, recordVersion)
	}
	return r, nil
}
