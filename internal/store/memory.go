package store

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"
)

// Memory is an in-memory Store for tests and dry runs. It copies bodies in
// and out, so callers cannot change what it holds.
type Memory struct {
	mu      sync.Mutex
	objects map[string]Object
	now     func() time.Time
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty Memory store.
func NewMemory() *Memory {
	return &Memory{objects: map[string]Object{}, now: time.Now}
}

// SetClock makes the store date what it is given (ModTime) with now
// instead of the wall clock.
func (m *Memory) SetClock(now func() time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = now
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, key string, opts GetOptions) (Object, error) {
	if err := CheckKey(key); err != nil {
		return Object{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	if !ok || opts.Version != "" {
		return Object{}, ErrNotFound
	}
	if opts.MaxBytes > 0 && int64(len(o.Body)) > opts.MaxBytes {
		return Object{}, &TooLargeError{Key: key, Size: int64(len(o.Body)), Max: opts.MaxBytes}
	}
	o.Body = append([]byte(nil), o.Body...)
	return o, nil
}

// Put implements Store.
func (m *Memory) Put(_ context.Context, key string, body []byte, opts PutOptions) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects[key] = Object{Key: key, Body: append([]byte(nil), body...), ContentType: opts.ContentType,
		CacheControl: opts.CacheControl, ModTime: m.now()}
	return nil
}

// Delete implements Store.
func (m *Memory) Delete(_ context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objects, key)
	return nil
}

// List implements Store.
func (m *Memory) List(_ context.Context, prefix string) ([]ObjectInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []ObjectInfo
	for k, o := range m.objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, ObjectInfo{Key: k, Size: int64(len(o.Body)), ModTime: o.ModTime})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}
