package index

import (
	"context"
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
	pending  map[string]uint64 // feed id (AllMark for every feed) -> mark sequence
	claims   map[string]string // claim -> holder key
	waiting  map[string]map[string]bool
	slots    map[string]int  // feed -> slots taken
	gone     map[string]Gone // by article id
	seq      uint64
}

var _ Index = (*Memory)(nil)

// NewMemory returns an empty Memory index.
func NewMemory() *Memory {
	return &Memory{sources: map[string]Source{}, outputs: map[string]string{}, unpurged: map[string]bool{},
		state: map[string]string{}, stateVer: map[string]string{}, pending: map[string]uint64{}, claims: map[string]string{}, waiting: map[string]map[string]bool{},
		slots: map[string]int{}, gone: map[string]Gone{}}
}

// summarize makes the Summary of a Source.
func summarize(s Source) Summary {
	sum := Summary{Key: s.Key, Version: s.Version, Hash: s.Hash, Config: s.Config, Size: s.Size, ModTime: s.ModTime,
		Deleted: s.Deleted, ArticleConfig: s.ArticleConfig, ObjectVersion: s.ObjectVersion, Problems: s.Problems,
		RejectedAt: s.RejectedAt, Waiting: s.Waiting}
	if a := s.Article; a != nil {
		sum.HasArticle = true
		sum.Title, sum.Published, sum.Expires, sum.Draft = a.Title, a.Published, a.Expires, a.Draft
	}
	return sum
}

// listingOf is what the rules need of a Source's article (see GoneOf),
// nil without one.
func listingOf(s Source) *Listing {
	a := s.Article
	if a == nil {
		return nil
	}
	return &Listing{ID: a.ID, URL: a.URL, Published: a.Published, Draft: a.Draft, Feeds: s.Feeds}
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
func (m *Memory) recordGone(key string, old, next *Listing, at time.Time) {
	if g, ok := GoneOf(key, old, next, at); ok {
		m.gone[g.ID] = g
	}
	if next != nil && !next.Draft {
		delete(m.gone, next.ID)
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
	if err := CheckSource(src); err != nil {
		return Change{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old, found := m.sources[src.Key]
	if err := CheckVersion(src, summarize(old), found); err != nil {
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
	if err := AssignSlots(had, src.Feeds, m.alloc); err != nil {
		return Change{}, err
	}
	m.recordGone(src.Key, listingOf(old), listingOf(src), GoneTime(src))
	m.unwait(old.Waiting, src.Key)
	waiters := m.release(Released(Claims(old.Article), next), src.Key)
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
	ch := ChangeOf(listingOf(old), listingOf(src), WriteTime(src))
	ch.Waiters = waiters
	m.mark(MarkIDs(ch.Feeds, ch.Pages))
	return ch, nil
}

// Reject implements Index.
func (m *Memory) Reject(_ context.Context, src Source) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, found := m.sources[src.Key]
	if err := CheckVersion(src, summarize(old), found); err != nil {
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
	m.recordGone(key, listingOf(old), nil, at)
	m.sources[key] = Source{Key: key, Version: version, Deleted: true}
	ch := ChangeOf(listingOf(old), nil, at)
	ch.Waiters = waiters
	m.mark(MarkIDs(ch.Feeds, ch.Pages))
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
		if s.Article == nil || !LiveAt(s.Article, now) {
			continue
		}
		for _, f := range s.Feeds {
			if f.Feed == feed {
				items = append(items, *copySource(s).Article)
				break
			}
		}
	}
	sort.Slice(items, func(i, j int) bool { return NewestFirst(&items[i], &items[j]) })
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
	sort.Slice(items, func(i, j int) bool { return NewestFirst(&items[i], &items[j]) })
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
	SortGone(out)
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
			if g, ok := ExpiredOf(s.Key, listingOf(s), a.Expires, from, to); ok {
				gone = append(gone, g)
			}
		}
	}
	w := DueWork(due)
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

func within(t, from, to time.Time) bool { return t.After(from) && !t.After(to) }

// Pending implements Index.
func (m *Memory) Pending(_ context.Context) (Pending, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var p Pending
	for f, seq := range m.pending {
		p.Marks = append(p.Marks, Mark{ID: f, Token: strconv.FormatUint(seq, 10)})
		p.All = p.All || f == AllMark
		p.AddMark(f)
	}
	p.Work = p.Work.Normalize()
	return p, nil
}

// MarkPending implements Index.
func (m *Memory) MarkPending(_ context.Context, w Work, all bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mark(MarkIDs(w.Feeds, w.Pages))
	if all {
		m.mark([]string{AllMark})
	}
	return nil
}

// Published implements Index.
func (m *Memory) Published(_ context.Context, p Pending, state map[string]string) error {
	for n, v := range state {
		if err := CheckState(n, v); err != nil {
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
	for _, mk := range p.Marks {
		if seq, ok := m.pending[mk.ID]; ok && strconv.FormatUint(seq, 10) == mk.Token {
			delete(m.pending, mk.ID)
		}
	}
	return nil
}

// InProcess implements InProcess.
func (m *Memory) InProcess() bool { return true }

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
	if err := CheckState(name, value); err != nil {
		return err
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
	if err := CheckState(name, value); err != nil {
		return false, err
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
	return ContentsOf(ctx, m, live, pages, now)
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
