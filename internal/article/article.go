// Package article turns editors' files (Markdown with front matter, HTML,
// plain-text newsroom exports, JSON, Word documents) into Articles:
// decoding legacy encodings, parsing dates in Arabic, French and English,
// detecting language and direction, sanitising HTML and deriving stable ids.
// The Article model itself, and the helpers the later stages share, live in
// internal/article/model, so that a program that only reads Articles (the
// publish function) links no parser; this package re-exports them under the
// same names.
package article

import "github.com/pressroom/pressroom/internal/article/model"

// The model, under the names the parsers and their callers use.
type (
	// Article is the one model every stage of the pipeline uses.
	Article = model.Article
	// Status says whether an article belongs in the feeds at a given moment.
	Status = model.Status
	// Options carries the site settings parsing depends on.
	Options = model.Options
	// Problem is one reason a file was rejected.
	Problem = model.Problem
	// Error lists every problem found in one rejected file.
	Error = model.Error
)

// See the model for what these mean.
const (
	StatusPublished = model.StatusPublished
	StatusDraft     = model.StatusDraft
	StatusScheduled = model.StatusScheduled
	StatusExpired   = model.StatusExpired

	DateFromContent    = model.DateFromContent
	DateFromFileName   = model.DateFromFileName
	DateFromModTime    = model.DateFromModTime
	DateFromProperties = model.DateFromProperties

	IDFromFile         = model.IDFromFile
	IDFromRename       = model.IDFromRename
	UpdatedFromContent = model.UpdatedFromContent
	UpdatedFromUpload  = model.UpdatedFromUpload

	MaxAhead         = model.MaxAhead
	ParserVersion    = model.ParserVersion
	MaxNames         = model.MaxNames
	MaxTitle         = model.MaxTitle
	MaxName          = model.MaxName
	MaxSlug          = model.MaxSlug
	MaxURL           = model.MaxURL
	MaxID            = model.MaxID
	MaxSummary       = model.MaxSummary
	MaxCorrection    = model.MaxCorrection
	MaxContentBytes  = model.MaxContentBytes
	DefaultMaxBytes  = model.DefaultMaxBytes
	DefaultPermalink = model.DefaultPermalink
)

var (
	// MinDate is the earliest published or updated date accepted.
	MinDate = model.MinDate
	// ErrRejected is matched (errors.Is) by every error that means "this
	// file cannot be published as it is".
	ErrRejected = model.ErrRejected
)

// contentBudget is how much HTML a source of n bytes may render to: ten
// times its size (tables, lists and emphasis add tags; relative links get
// the site's address) and 64 KiB whatever its size, up to MaxContentBytes.
func contentBudget(n int) int {
	return min(MaxContentBytes, max(64<<10, 10*n))
}

// Format names the parser a file name selects, or "" when none does.
func Format(name string) string { return model.Format(name) }

// Problems returns the problems carried by err (see model.Problems).
func Problems(err error) []Problem { return model.Problems(err) }
