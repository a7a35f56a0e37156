// Package model holds the Article model every stage of the pipeline uses,
// the problems a rejected file carries, and the small helpers the stages
// after parsing share (Clean, Slugify, CanonicalLanguage, Direction,
// ReadFile, WalkFiles). It imports no parser: the publish function, which
// renders feeds from the index and parses nothing, builds against it
// without linking goldmark, bluemonday or the parsers' tables.
// internal/article parses files into these types and re-exports them under
// the same names; packages that need only the model import it as article.
package model

import (
	"net/url"
	"path"
	"strings"
	"time"
)

// Status says whether an article belongs in the feeds at a given moment.
type Status string

// The statuses follow Hugo: drafts never appear, scheduled articles appear
// once their publish date has come, expired ones leave.
const (
	StatusPublished Status = "published"
	StatusDraft     Status = "draft"
	StatusScheduled Status = "scheduled"
	StatusExpired   Status = "expired"
)

// Date sources, reported by Article.DateSource so editors can see where the
// published date came from.
const (
	DateFromContent  = "content"   // front matter, meta data or a dateline
	DateFromFileName = "file name" // 2021-02-22-slug.txt
	DateFromModTime  = "modification time"
	// DateFromProperties: a document's own created date (a Word
	// document's properties), after the file name.
	DateFromProperties = "document properties"
)

// Article is the one model every stage of the pipeline uses.
type Article struct {
	ID string // stable id: a tag: URI unless the file gives one
	// IDFrom says where ID came from: "" when it was made from the site's
	// host, the date and the slug; IDFromFile when the file gives it;
	// IDFromRename when the pipeline kept the id of the file's earlier name.
	IDFrom      string
	Slug        string
	Title       string
	Summary     string // plain text
	ContentHTML string // sanitised, every URL absolute
	URL         string // canonical absolute URL of the article
	Published   time.Time
	Updated     time.Time // never before Published
	Expires     time.Time // zero when the article never expires
	Lang        string    // BCP 47, e.g. "ar-MA"
	Dir         string    // "ltr" or "rtl"
	Authors     []string
	// Credits are the agencies the story came from ("AFP", "Reuters",
	// "MAP"): a byline's "(AP)" or ", Associated Press", a credit line,
	// "avec AFP", a wire rights notice. Never authors.
	Credits    []string
	Tags       []string
	Categories []string
	Image      string // absolute URL, or empty
	Draft      bool
	// UpdatedFrom says where Updated came from: "" when the article was
	// not updated (Updated is Published), UpdatedFromContent when the file
	// gives the date, UpdatedFromUpload when the pipeline took the upload
	// time of a version that changed the body.
	UpdatedFrom string
	// Correction is the editor's note on a correction (plain text), "" for
	// an ordinary edit.
	Correction string
	Words      int    // words in the body text
	Source     string // the file name or object key it was parsed from
	Format     string // "markdown", "html", "text", "json" or "docx"
	Hash       string // hex SHA-256 of the source bytes
	DateSource string // one of the DateFrom* constants
	Notes      []string
	// Warnings say what a published article fell back on because the file
	// did not say it (its date from the upload time, its title from the
	// first paragraph): shown by check and in the report, beside errors.
	Warnings []Problem
}

// StatusAt reports the article's status at the moment now.
func (a *Article) StatusAt(now time.Time) Status {
	switch {
	case a.Draft:
		return StatusDraft
	case a.Published.After(now):
		return StatusScheduled
	case !a.Expires.IsZero() && !a.Expires.After(now):
		return StatusExpired
	}
	return StatusPublished
}

// Where Article.ID came from.
const (
	IDFromFile   = "file"
	IDFromRename = "rename"
)

// Where Article.Updated came from.
const (
	UpdatedFromContent = "content"
	UpdatedFromUpload  = "upload"
)

// Options carries the site settings parsing depends on.
type Options struct {
	BaseURL   *url.URL       // absolute site URL; required
	Location  *time.Location // zone of dates written without an offset
	Language  string         // default language when none is declared or detected
	Permalink string         // article URL pattern, see article.Permalink
	MaxBytes  int64          // files larger than this are refused
	ModTime   time.Time      // upload or modification time: the last-resort date
	Now       time.Time      // the clock for the date window (default: time.Now)
}

// Dates outside this window are refused as published or updated dates: a
// year 9999 update would become every feed's date, a year 0 one a date no
// reader shows. Expiry dates may be later (never is spelled by omitting one).
var (
	MinDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
)

// MaxAhead is how far past now a published or updated date may be.
const MaxAhead = 10 * 365 * 24 * time.Hour

// ParserVersion changes whenever a change of the parsers alters what any
// file parses to. Indexes record the version each article was parsed with
// and parse every article again when it differs (after a deploy, say).
// internal/article's TestParserVersion ties it to the golden files: a
// change of any golden output fails that test until the version is bumped.
const ParserVersion = "6"

// MaxNames bounds the tags, categories and authors of one article
// together: each makes a feed, and an index must be able to move an article
// between all its feeds in one go (DynamoDB: 100 actions a transaction).
const MaxNames = 40

// Bounds on single fields, in characters (URLs and ids in bytes): far
// above what any newsroom writes, far below what would break a feed
// reader, a report or an index item (DynamoDB: 400 KB).
const (
	MaxTitle   = 500
	MaxName    = 150 // one author, tag or category
	MaxSlug    = 200
	MaxURL     = 2048 // the article's URL, its image's
	MaxID      = 1024
	MaxSummary = 300 // a longer summary is cut at a word
	// MaxCorrection bounds a correction note (cut at a word).
	MaxCorrection = 1000
)

// MaxContentBytes bounds an article's rendered HTML whatever its source:
// every feed carries it (see feeds.max_bytes for what a feed may hold).
const MaxContentBytes = 8 << 20

// DefaultMaxBytes is the default file size limit.
const DefaultMaxBytes = 5 << 20

// DefaultPermalink is the article URL pattern used when none is configured.
const DefaultPermalink = "/:slug/"

// WithDefaults returns o with every unset field given its default: the
// options Parse works with.
func (o Options) WithDefaults() Options {
	if o.BaseURL == nil {
		o.BaseURL = &url.URL{Scheme: "http", Host: "localhost", Path: "/"}
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Language == "" {
		o.Language = "en"
	}
	if o.Permalink == "" {
		o.Permalink = DefaultPermalink
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	return o
}

// Format names the parser a file name selects, or "" when none does.
func Format(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".md", ".markdown", ".mdown", ".mkd":
		return "markdown"
	case ".html", ".htm", ".xhtml":
		return "html"
	case ".txt", ".text":
		return "text"
	case ".json":
		return "json"
	case ".docx":
		if strings.HasPrefix(path.Base(strings.ReplaceAll(name, "\\", "/")), "~$") {
			return "" // Word's lock file beside a document open in Word
		}
		return "docx"
	}
	return ""
}
