package index

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/pressroom/pressroom/internal/article"
)

// Memory is an in-memory Index for tests. It copies what it stores.
type Memory struct {
	mu      sync.Mutex
	sources map[string]Source
	outputs map[string]string
}

var _ Index = (*Memory)(nil)

// NewMemory returns an empty Memory index.
func NewMemory() *Memory {
	return &Memory{sources: map[string]Source{}, outputs: map[string]string{}}
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

// Put implements Index.
func (m *Memory) Put(_ context.Context, src Source) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, found := m.sources[src.Key]
	if err := supersedes(src, old, found); err != nil {
		return nil, err
	}
	src = copySource(src)
	src.Deleted, src.Problems, src.RejectedAt = false, nil, time.Time{}
	if src.Article == nil {
		src.Feeds = nil
	}
	m.sources[src.Key] = src
	return feedIDs(old.Feeds, src.Feeds), nil
}

// Reject implements Index.
func (m *Memory) Reject(_ context.Context, src Source) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, found := m.sources[src.Key]
	if err := supersedes(src, old, found); err != nil {
		return err
	}
	next := copySource(old)
	next.Key, next.Version, next.Hash, next.Size, next.ModTime, next.Config = src.Key, src.Version, src.Hash, src.Size, src.ModTime, src.Config
	next.Problems, next.RejectedAt, next.Deleted = append([]article.Problem(nil), src.Problems...), src.RejectedAt, false
	m.sources[src.Key] = next
	return nil
}

// Delete implements Index.
func (m *Memory) Delete(_ context.Context, key, version string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, found := m.sources[key]
	if err := newerThan(version, old, found); err != nil {
		return nil, err
	}
	m.sources[key] = Source{Key: key, Version: version, Deleted: true}
	return feedIDs(old.Feeds), nil
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
		out = append(out, *fi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Due implements Index.
func (m *Memory) Due(_ context.Context, from, to time.Time) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var due [][]Membership
	for _, s := range m.sources {
		if a := s.Article; a != nil {
			if within(a.Published, from, to) || (!a.Expires.IsZero() && within(a.Expires, from, to)) {
				due = append(due, s.Feeds)
			}
		}
	}
	out := feedIDs(due...)
	sort.Strings(out)
	return out, nil
}

func within(t, from, to time.Time) bool { return t.After(from) && !t.After(to) }

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
	return nil
}

// Close implements Index.
func (m *Memory) Close() error { return nil }
