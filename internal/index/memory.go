package index

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	article "github.com/pressroom/pressroom/internal/article/model"
)

// Memory is an in-memory Index for tests. It copies what it stores.
type Memory struct {
	mu       sync.Mutex
	sources  map[string]Source
	outputs  map[string]string
	unpurged map[string]bool
	state    map[string]string
	stateVer map[string]string
	pending  map[string]uint64 // feed id (allMark for every feed) -> mark sequence
	claims   map[string]string // claim -> holder key
	waiting  map[string]map[string]bool
	slots    map[string]int  // feed -> slots taken
	gone     map[string]Gone // by article id
	seq      uint64
}

var _ Index = (*Memory)(nil)

// allMark is the pending mark asking for every feed; feed ids never start
// with a NUL.
const allMark = "\x00all"

// NewMemory returns an empty Memory index.
func NewMemory() *Memory {
	return &Memory{sources: map[string]Source{}, outputs: map[string]string{}, unpurged: map[string]bool{},
		state: map[string]string{}, stateVer: map[string]string{}, pending: map[string]uint64{}, claims: map[string]string{}, waiting: map[string]map[string]bool{},
		slots: map[string]int{}, gone: map[string]Gone{}}
}

func copySource(s Source) Source {
	if s.Article != nil {
		a := *s.Article
		s.Article = &a
	}
	s.Feeds = append([]Membership(nil), s.Feeds...)
	s.Problems = append([]article.Problem(nil), s.Problems...)
	if len(s.Problems) == 0 {
		s.Problems = nil
	}
	return s
}

// mark records mark ids (feeds, pages) as pending; the caller holds mu.
func (m *Memory) mark(ids []string) {
	for _, f := range ids {
		m.seq++
		m.pending[f] = m.seq
	}
}

// alloc takes a feed's next slot; the caller holds mu.
func (m *Memory) alloc(feed string) (int, error) {
	m.slots[feed]++
	return m.slots[feed], nil
}

// recordGone records or clears deletions for a write from old to next;
// the caller holds mu.
func (m *Memory) recordGone(key string, old, next *goneSource, at time.Time) {
	if g, ok := gone(key, old, next, at); ok {
		m.gone[g.ID] = g
	}
	if next != nil && !next.draft {
		delete(m.gone, next.id)
	}
}

// unwait removes key from the waiters of claim; the caller holds mu.
func (m *Memory) unwait(claim, key string) {
	if claim == "" {
		return
	}
	delete(m.waiting[claim], key)
	if len(m.waiting[claim]) == 0 {
		delete(m.waiting, claim)
	}
}

// release frees claims held by key and returns their waiters, whose wait
// entries stay until their own next write; the caller holds mu.
func (m *Memory) release(claims []string, key string) []string {
	var waiters []string
	for _, c := range claims {
		if m.claims[c] != key {
			continue
		}
		delete(m.claims, c)
		for w := range m.waiting[c] {
			waiters = append(waiters, w)
		}
	}
	sort.Strings(waiters)
	return waiters
}

// Put implements Index.
func (m *Memory) Put(_ context.Context, src Source) (Change, error) {
	if err := tooManyFeeds(src); err != nil {
		return Change{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old, found := m.sources[src.Key]
	if err := supersedes(src, summarize(old), found); err != nil {
		return Change{}, err
	}
	next := Claims(src.Article)
	for _, c := range next {
		if h, held := m.claims[c]; held && h != src.Key {
			return Change{}, &ConflictError{Claim: c, Holder: h}
		}
	}
	waiting := ""
	if src.Article == nil && len(src.Problems) > 0 {
		waiting = src.Waiting
	}
	if waiting != "" {
		if h, held := m.claims[waiting]; !held || h == src.Key {
			return Change{}, ErrReleased
		}
	}
	src = copySource(src)
	src.Deleted, src.Waiting, src.ArticleConfig = false, waiting, src.Config
	if len(src.Problems) == 0 {
		src.RejectedAt = time.Time{}
	}
	if src.Article == nil {
		src.Feeds, src.ArticleConfig, src.ObjectVersion = nil, "", ""
	}
	var had []Membership
	if old.Article != nil {
		had = old.Feeds
	}
	assignSlots(had, src.Feeds, m.alloc)
	m.recordGone(src.Key, goneOf(old), goneOf(src), changeTime(src))
	m.unwait(old.Waiting, src.Key)
	waiters := m.release(released(Claims(old.Article), next), src.Key)
	for _, c := range next {
		m.claims[c] = src.Key
	}
	if waiting != "" {
		if m.waiting[waiting] == nil {
			m.waiting[waiting] = map[string]bool{}
		}
		m.waiting[waiting][src.Key] = true
	}
	m.sources[src.Key] = src
	ch := changeOf(goneOf(old), goneOf(src), writeTime(src))
	ch.Waiters = waiters
	m.mark(markIDs(ch.Feeds, ch.Pages))
	return ch, nil
}

// Reject implements Index.
func (m *Memory) Reject(_ context.Context, src Source) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, found := m.sources[src.Key]
	if err := supersedes(src, summarize(old), found); err != nil {
		return err
	}
	if src.Waiting != "" {
		if h, held := m.claims[src.Waiting]; !held || h == src.Key {
			return ErrReleased
		}
	}
	next := copySource(old)
	next.Key, next.Version, next.Hash, next.Size, next.ModTime, next.Config = src.Key, src.Version, src.Hash, src.Size, src.ModTime, src.Config
	next.Problems, next.RejectedAt, next.Deleted = append([]article.Problem(nil), src.Problems...), src.RejectedAt, false
	m.unwait(old.Waiting, src.Key)
	next.Waiting = src.Waiting
	if src.Waiting != "" {
		if m.waiting[src.Waiting] == nil {
			m.waiting[src.Waiting] = map[string]bool{}
		}
		m.waiting[src.Waiting][src.Key] = true
	}
	m.sources[src.Key] = next
	return nil
}

// Delete implements Index.
func (m *Memory) Delete(_ context.Context, key, version string, at time.Time) (Change, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, found := m.sources[key]
	if found && !Newer(version, old.Version) {
		return Change{}, ErrStale
	}
	m.unwait(old.Waiting, key)
	waiters := m.release(Claims(old.Article), key)
	m.recordGone(key, goneOf(old), nil, at)
	m.sources[key] = Source{Key: key, Version: version, Deleted: true}
	ch := changeOf(goneOf(old), nil, at)
	ch.Waiters = waiters
	m.mark(markIDs(ch.Feeds, ch.Pages))
	return ch, nil
}

// Get implements Index.
func (m *Memory) Get(_ context.Context, key string) (Source, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sources[key]
	if !ok {
		return Source{}, ErrNotFound
	}
	return copySource(s), nil
}

// List implements Index.
func (m *Memory) List(_ context.Context) ([]Summary, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Summary, 0, len(m.sources))
	for _, s := range m.sources {
		out = append(out, summarize(copySource(s)))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Holder implements Index.
func (m *Memory) Holder(_ context.Context, claim string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.claims[claim], nil
}

// Waiting implements Index.
func (m *Memory) Waiting(_ context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, ws := range m.waiting {
		for w := range ws {
			out = append(out, w)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Latest implements Index.
func (m *Memory) Latest(_ context.Context, feed string, n int, now time.Time) ([]article.Article, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var items []article.Article
	for _, s := range m.sources {
		if s.Article == nil || !live(s.Article, now) {
			continue
		}
		for _, f := range s.Feeds {
			if f.Feed == feed {
				items = append(items, *copySource(s).Article)
				break
			}
		}
	}
	sort.Slice(items, func(i, j int) bool { return newestFirst(&items[i], &items[j]) })
	if len(items) > n {
		items = items[:n]
	}
	return items, nil
}

// Page implements Index.
func (m *Memory) Page(_ context.Context, feed string, n int) ([]article.Article, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var items []article.Article
	for _, s := range m.sources {
		if s.Article == nil {
			continue
		}
		for _, f := range s.Feeds {
			if f.Feed == feed && PageOf(f.Slot) == n {
				items = append(items, *copySource(s).Article)
				break
			}
		}
	}
	sort.Slice(items, func(i, j int) bool { return newestFirst(&items[i], &items[j]) })
	return items, nil
}

// Gone implements Index.
func (m *Memory) Gone(_ context.Context) ([]Gone, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Gone, 0, len(m.gone))
	for _, g := range m.gone {
		g.Feeds = append([]string(nil), g.Feeds...)
		out = append(out, g)
	}
	sortGone(out)
	return out, nil
}

// ForgetGone implements Index.
func (m *Memory) ForgetGone(_ context.Context, before time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, g := range m.gone {
		if g.At.Before(before) {
			delete(m.gone, id)
		}
	}
	return nil
}

// newestFirst orders articles by published date, newest first, then by id.
func newestFirst(a, b *article.Article) bool {
	if !a.Published.Equal(b.Published) {
		return a.Published.After(b.Published)
	}
	return a.ID > b.ID
}

// Feeds implements Index.
func (m *Memory) Feeds(_ context.Context) ([]FeedInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	byID := map[string]*FeedInfo{}
	keys := make([]string, 0, len(m.sources))
	for k := range m.sources {
		keys = append(keys, k)
	}
	sort.Strings(keys) // labels come from the last key, deterministically
	for _, k := range keys {
		for _, f := range m.sources[k].Feeds {
			fi := byID[f.Feed]
			if fi == nil {
				fi = &FeedInfo{ID: f.Feed}
				byID[f.Feed] = fi
			}
			fi.Label = f.Label
			fi.Count++
		}
	}
	out := make([]FeedInfo, 0, len(byID))
	for _, fi := range byID {
		fi.Slots = m.slots[fi.ID]
		out = append(out, *fi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Due implements Index.
func (m *Memory) Due(_ context.Context, from, to time.Time) (Work, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var due [][]Membership
	var gone []Gone
	for _, s := range m.sources {
		if a := s.Article; a != nil {
			if within(a.Published, from, to) || (!a.Expires.IsZero() && within(a.Expires, from, to)) {
				due = append(due, s.Feeds)
			}
			if g, ok := expired(s.Key, goneOf(s), a.Expires, from, to); ok {
				gone = append(gone, g)
			}
		}
	}
	w := dueWork(due)
	w.Expired = gone
	return w, nil
}

// RecordGone implements Index.
func (m *Memory) RecordGone(_ context.Context, gs []Gone) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, g := range gs {
		m.gone[g.ID] = g
	}
	return nil
}

// dueWork is the Work of the memberships of due articles.
func dueWork(due [][]Membership) Work {
	return Work{Feeds: feedIDs(due...), Pages: pageRefs(due...)}.normalize()
}

func within(t, from, to time.Time) bool { return t.After(from) && !t.After(to) }

// Pending implements Index.
func (m *Memory) Pending(_ context.Context) (Pending, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var p Pending
	for f, seq := range m.pending {
		p.marks = append(p.marks, mark{id: f, tok: strconv.FormatUint(seq, 10)})
		p.All = p.All || f == allMark
		addMark(&p.Work, f)
	}
	p.Work = p.Work.normalize()
	return p, nil
}

// MarkPending implements Index.
func (m *Memory) MarkPending(_ context.Context, w Work, all bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mark(markIDs(w.Feeds, w.Pages))
	if all {
		m.mark([]string{allMark})
	}
	return nil
}

// Published implements Index.
func (m *Memory) Published(_ context.Context, p Pending, state map[string]string) error {
	for n, v := range state {
		if err := checkState(n, v); err != nil {
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for n, v := range state {
		if v == "" {
			delete(m.state, n)
		} else {
			m.state[n] = v
		}
	}
	for _, mk := range p.marks {
		if seq, ok := m.pending[mk.id]; ok && strconv.FormatUint(seq, 10) == mk.tok {
			delete(m.pending, mk.id)
		}
	}
	return nil
}

// OutputHash implements Index.
func (m *Memory) OutputHash(_ context.Context, path string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.outputs[path], nil
}

// SetOutputHash implements Index.
func (m *Memory) SetOutputHash(_ context.Context, path, hash string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if hash == "" {
		delete(m.outputs, path)
	} else {
		m.outputs[path] = hash
	}
	m.unpurged[path] = true
	return nil
}

// Unpurged implements Index.
func (m *Memory) Unpurged(_ context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.unpurged))
	for p := range m.unpurged {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// Purged implements Index.
func (m *Memory) Purged(_ context.Context, paths []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range paths {
		delete(m.unpurged, p)
	}
	return nil
}

// State implements Index.
func (m *Memory) State(_ context.Context, name string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state[name], nil
}

// SetState implements Index.
func (m *Memory) SetState(_ context.Context, name, value string) error {
	if len(value) > MaxState {
		return fmt.Errorf("index: state %s: %d bytes, more than %d", name, len(value), MaxState)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if value == "" {
		delete(m.state, name)
	} else {
		m.state[name] = value
	}
	return nil
}

// SetStateNewer implements Index.
func (m *Memory) SetStateNewer(_ context.Context, name, value, version string) (bool, error) {
	if len(value) > MaxState {
		return false, fmt.Errorf("index: state %s: %d bytes, more than %d", name, len(value), MaxState)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.stateVer[name]; ok && !Newer(version, old) {
		return false, nil
	}
	m.state[name], m.stateVer[name] = value, version
	return true, nil
}

// Close implements Index.
func (m *Memory) Close() error { return nil }

// Contents implements Index.
func (m *Memory) Contents(ctx context.Context, live []LiveRef, pages []PageRef, now time.Time) (Contents, error) {
	return contentsOf(ctx, m, live, pages, now)
}

// OutputHashes implements Index.
func (m *Memory) OutputHashes(_ context.Context) (map[string]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]string, len(m.outputs))
	for p, h := range m.outputs {
		out[p] = h
	}
	return out, nil
}

// SetOutputHashes implements Index.
func (m *Memory) SetOutputHashes(ctx context.Context, hashes map[string]string) error {
	for p, h := range hashes {
		if err := m.SetOutputHash(ctx, p, h); err != nil {
			return err
		}
	}
	return nil
}

// States implements Index.
func (m *Memory) States(_ context.Context, names []string) (map[string]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]string, len(names))
	for _, n := range names {
		out[n] = m.state[n]
	}
	return out, nil
}
