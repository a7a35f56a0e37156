package index

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	article "github.com/pressroom/pressroom/internal/article/model"
)

// The rules every adapter applies alike: the version guard, the feed
// bound, archive slots, what a write changes and the deletion it leaves,
// the order of articles. The adapters (memory here, index/bolt,
// index/dynamo) call them so that a site behaves the same on a laptop and
// on AWS; indextest checks the outcome.

// CheckSource refuses (ErrRefused) a source in more than MaxFeeds feeds,
// and one with a time the records cannot hold (RFC 3339: a four-digit year
// and an offset within ±23:59; the parsers refuse such dates, this keeps
// any that slip through from stopping every later write).
func CheckSource(src Source) error {
	if len(src.Feeds) > MaxFeeds {
		return fmt.Errorf("%w: the article would be in %d feeds (the site, its language, its tags, categories and authors, and the partner feeds that take it), more than the %d one article may be in: give it fewer tags", ErrRefused, len(src.Feeds), MaxFeeds)
	}
	times := []time.Time{src.ModTime, src.At, src.RejectedAt}
	if a := src.Article; a != nil {
		times = append(times, a.Published, a.Updated, a.Expires)
	}
	for _, t := range times {
		if !t.IsZero() && !article.Storable(t) {
			return fmt.Errorf("%w: the date %s cannot be stored: its year must have four digits and its UTC offset be within ±23:59", ErrRefused, t)
		}
	}
	return nil
}

// CheckState refuses a State value over MaxState.
func CheckState(name, value string) error {
	if len(value) > MaxState {
		return fmt.Errorf("index: state %s: %d bytes, more than %d", name, len(value), MaxState)
	}
	return nil
}

// CheckVersion is the version guard of Put and Reject: it returns
// ErrStale unless src supersedes what is stored (see Supersedes; found is
// false when nothing is). A source waiting on a claim is also superseded
// at its own version (the claim was released; the same bytes are
// ingested again).
func CheckVersion(src Source, stored Summary, found bool) error {
	if !found || Supersedes(src.Version, src.Config, stored.Version, stored.Config) ||
		(stored.Waiting != "" && src.Version == stored.Version) {
		return nil
	}
	return ErrStale
}

// Released returns the claims in old that are not in next.
func Released(old, next []string) []string {
	var out []string
	for _, c := range old {
		keep := false
		for _, n := range next {
			keep = keep || n == c
		}
		if !keep {
			out = append(out, c)
		}
	}
	return out
}

// AssignSlots gives next's memberships their archive slots: a feed the
// source's article was already in (old) keeps its slot; a new one takes
// the next slot of the feed from alloc.
func AssignSlots(old, next []Membership, alloc func(feed string) (int, error)) error {
	had := map[string]int{}
	for _, m := range old {
		if m.Slot > 0 {
			had[m.Feed] = m.Slot
		}
	}
	for i := range next {
		if s, ok := had[next[i].Feed]; ok {
			next[i].Slot = s
			continue
		}
		s, err := alloc(next[i].Feed)
		if err != nil {
			return err
		}
		next[i].Slot = s
	}
	return nil
}

// Listing is what the rules need to know of a source's article: its id
// and URL, its date, whether it is a draft, and its memberships. A nil
// *Listing stands for no article.
type Listing struct {
	ID, URL   string
	Published time.Time
	Draft     bool
	Feeds     []Membership
}

// GoneOf returns the Gone record a write of key leaves, dated at: when
// the old article was published (live at at, not a draft) and the next
// write takes it out of its feeds (no article, a draft, or another id).
// ok is false otherwise.
func GoneOf(key string, old, next *Listing, at time.Time) (g Gone, ok bool) {
	if old == nil || old.Draft || len(old.Feeds) == 0 || old.Published.After(at) {
		return Gone{}, false
	}
	if next != nil && !next.Draft && next.ID == old.ID {
		return Gone{}, false
	}
	return Gone{ID: old.ID, URL: old.URL, Key: key, At: at.UTC(), Feeds: FeedsOf(old.Feeds)}, true
}

// ExpiredOf returns the Gone record of key's article l when it expired in
// (from, to] while published; ok is false otherwise.
func ExpiredOf(key string, l *Listing, expires, from, to time.Time) (g Gone, ok bool) {
	if l == nil || l.Draft || len(l.Feeds) == 0 || expires.IsZero() || !expires.After(from) || expires.After(to) || l.Published.After(expires) {
		return Gone{}, false
	}
	return Gone{ID: l.ID, URL: l.URL, Key: key, At: expires.UTC(), Feeds: FeedsOf(l.Feeds)}, true
}

// scheduleMargin is how far ahead of a write an article's date must be
// for the write to leave no pending mark: a publish that started before
// the write committed may already be past a nearer date (its Due then
// misses the article, and the next one starts after it), and the
// writer's and the publisher's clocks differ.
const scheduleMargin = 15 * time.Minute

// ChangeOf is what a write taking a source's article from old to next
// changes (nil: no article), at the write's time (see WriteTime): the
// feeds and archive pages of both, unless neither version is seen by any
// feed document at the write (none, a draft, or scheduled: see unseen). A
// scheduled article is recorded, not published: no document changes
// until its date, when Due brings in its feeds and pages.
func ChangeOf(old, next *Listing, at time.Time) Change {
	if unseen(old, at) && unseen(next, at) {
		return Change{}
	}
	var o, n []Membership
	if old != nil {
		o = old.Feeds
	}
	if next != nil {
		n = next.Feeds
	}
	return Change{Feeds: FeedsOf(o, n), Pages: PagesOf(o, n)}
}

// unseen reports whether no feed document shows an article at a write at
// at, nor will before a publish that sees the write: none, a draft, or
// dated after at by more than scheduleMargin. (An expired article is not
// unseen: its removal announces a deletion.)
func unseen(l *Listing, at time.Time) bool {
	return l == nil || l.Draft || l.Published.After(at.Add(scheduleMargin))
}

// WriteTime is when a write happens, to judge what it changes (see
// ChangeOf): the writer's clock, else now (not the upload time: a file
// copied with its old date must not pass for one written before its
// articles' dates).
func WriteTime(src Source) time.Time {
	if !src.At.IsZero() {
		return src.At
	}
	return time.Now()
}

// GoneTime is when a write happened, to date its Gone record (see
// GoneOf): when the writer says (an id that changes because a new
// configuration parses an old file again changes now, not at its upload),
// else the upload time of the version, else now.
func GoneTime(src Source) time.Time {
	switch {
	case !src.At.IsZero():
		return src.At
	case !src.ModTime.IsZero():
		return src.ModTime
	}
	return time.Now()
}

// FeedsOf returns the feed ids of lists of memberships, without repeats,
// in the order met.
func FeedsOf(lists ...[]Membership) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lists {
		for _, m := range l {
			if !seen[m.Feed] {
				seen[m.Feed] = true
				out = append(out, m.Feed)
			}
		}
	}
	return out
}

// PagesOf returns the archive pages of lists of memberships, without
// repeats, sorted.
func PagesOf(lists ...[]Membership) []PageRef {
	seen := map[PageRef]bool{}
	var out []PageRef
	for _, l := range lists {
		for _, m := range l {
			if p := (PageRef{Feed: m.Feed, Page: PageOf(m.Slot)}); p.Page > 0 && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	sortPages(out)
	return out
}

func sortPages(ps []PageRef) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Feed != ps[j].Feed {
			return ps[i].Feed < ps[j].Feed
		}
		return ps[i].Page < ps[j].Page
	})
}

// DueWork is the Work of the memberships of due articles.
func DueWork(due [][]Membership) Work {
	return Work{Feeds: FeedsOf(due...), Pages: PagesOf(due...)}.Normalize()
}

// Normalize returns w sorted, without repeats.
func (w Work) Normalize() Work {
	feeds := map[string]bool{}
	var fs []string
	for _, f := range w.Feeds {
		if !feeds[f] {
			feeds[f] = true
			fs = append(fs, f)
		}
	}
	sort.Strings(fs)
	pages := map[PageRef]bool{}
	var ps []PageRef
	for _, p := range w.Pages {
		if !pages[p] {
			pages[p] = true
			ps = append(ps, p)
		}
	}
	sortPages(ps)
	return Work{Feeds: fs, Pages: ps, Expired: w.Expired}
}

// Mark ids name pending work in the adapters that keep one record a
// feed or page (memory, bbolt): a feed's id, a page's id (pageMarkPrefix,
// the page number, NUL, the feed), or AllMark. Feed ids never start with
// a control character.

// AllMark is the mark id asking for every feed and page.
const AllMark = "\x00all"

const pageMarkPrefix = "\x01"

func pageMark(p PageRef) string {
	return pageMarkPrefix + strconv.Itoa(p.Page) + "\x00" + p.Feed
}

// MarkIDs returns the mark ids of feeds and pages.
func MarkIDs(feeds []string, pages []PageRef) []string {
	out := append([]string(nil), feeds...)
	for _, p := range pages {
		out = append(out, pageMark(p))
	}
	return out
}

// AddMark adds what a mark id names (a feed or a page) to w; AllMark is
// left out, for the caller to set Pending.All.
func (w *Work) AddMark(id string) {
	if rest, ok := strings.CutPrefix(id, pageMarkPrefix); ok {
		n, feed, _ := strings.Cut(rest, "\x00")
		if page, err := strconv.Atoi(n); err == nil {
			w.Pages = append(w.Pages, PageRef{Feed: feed, Page: page})
		}
		return
	}
	if id != AllMark {
		w.Feeds = append(w.Feeds, id)
	}
}

// LiveAt reports whether a is in its feeds at now: published, not
// expired.
func LiveAt(a *article.Article, now time.Time) bool {
	return !a.Published.After(now) && (a.Expires.IsZero() || a.Expires.After(now))
}

// NewestFirst orders articles by published date, newest first, then by
// id: the order of Latest and Page.
func NewestFirst(a, b *article.Article) bool {
	if !a.Published.Equal(b.Published) {
		return a.Published.After(b.Published)
	}
	return a.ID > b.ID
}

// SortGone orders deletions oldest first, then by id.
func SortGone(gs []Gone) {
	sort.Slice(gs, func(i, j int) bool {
		if !gs[i].At.Equal(gs[j].At) {
			return gs[i].At.Before(gs[j].At)
		}
		return gs[i].ID < gs[j].ID
	})
}

// ContentsOf answers Contents with a Latest for each of live and a Page
// for each of pages: for an index whose reads cost no round trip.
func ContentsOf(ctx context.Context, ix Feeds, live []LiveRef, pages []PageRef, now time.Time) (Contents, error) {
	out := Contents{Live: map[string][]article.Article{}, Pages: map[PageRef][]article.Article{}}
	for _, l := range live {
		as, err := ix.Latest(ctx, l.Feed, l.Limit, now)
		if err != nil {
			return Contents{}, err
		}
		out.Live[l.Feed] = as
	}
	for _, p := range pages {
		as, err := ix.Page(ctx, p.Feed, p.Page)
		if err != nil {
			return Contents{}, err
		}
		out.Pages[p] = as
	}
	return out, nil
}
