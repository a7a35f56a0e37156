package partners

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// fileVersion is the keys file's format version.
const fileVersion = 1

// fileDoc is the keys file: JSON, written with mode 0600.
//
//	{"version": 1, "keys": [{"id": "3f9a1c2b7d4e", "hash": "<hex SHA-256>",
//	  "partner": "culture-desk", "created": "2026-11-25T10:00:00Z"}]}
type fileDoc struct {
	Version int     `json:"version"`
	Keys    []Entry `json:"keys"`
}

// ReadFile reads a keys file. A missing file holds no keys.
func ReadFile(path string) ([]Entry, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("partners: keys file: %w", err)
	}
	return parseFile(path, data)
}

func parseFile(path string, data []byte) ([]Entry, error) {
	var doc fileDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("partners: keys file %s: %w", path, err)
	}
	if doc.Version != fileVersion {
		return nil, fmt.Errorf("partners: keys file %s: version %d, this pressroom reads version %d", path, doc.Version, fileVersion)
	}
	for i, e := range doc.Keys {
		if !ValidHash(e.Hash) || !ValidName(e.Partner) || e.ID != KeyID(e.Hash) {
			return nil, fmt.Errorf("partners: keys file %s: key %d is malformed (a hex SHA-256 hash, its first %d digits as id, a partner name)", path, i+1, KeyIDLen)
		}
	}
	return doc.Keys, nil
}

// writeFile replaces the keys file atomically: a reader sees the old file or
// the new one, never a part. The file is readable by its owner only.
func writeFile(path string, keys []Entry) error {
	if keys == nil {
		keys = []Entry{}
	}
	data, err := json.MarshalIndent(fileDoc{Version: fileVersion, Keys: keys}, "", "  ")
	if err != nil {
		return fmt.Errorf("partners: keys file: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("partners: keys file: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("partners: keys file: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename, there is nothing to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("partners: keys file: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("partners: keys file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("partners: keys file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("partners: keys file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("partners: keys file: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // the rename itself survives a crash
		d.Close()
	}
	return nil
}

// File is the keys of the local mode, in a JSON file (ReadFile). Its
// methods read the file, change it and write it back whole; two commands
// changing one file at the same moment can lose one change.
type File struct {
	Path string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (f *File) now() time.Time {
	if f.Now != nil {
		return f.Now().UTC()
	}
	return time.Now().UTC()
}

// List returns the keys, oldest first.
func (f *File) List(context.Context) ([]Entry, error) {
	keys, err := ReadFile(f.Path)
	if err != nil {
		return nil, err
	}
	SortEntries(keys)
	return keys, nil
}

// Add makes a key for partner, records its hash and returns the key: the
// only time it exists outside the partner's hands.
func (f *File) Add(_ context.Context, partner string) (string, Entry, error) {
	if !ValidName(partner) {
		return "", Entry{}, ErrBadName
	}
	keys, err := ReadFile(f.Path)
	if err != nil {
		return "", Entry{}, err
	}
	key, e, err := NewEntry(partner, f.now(), func(id string) bool {
		for _, k := range keys {
			if k.ID == id {
				return true
			}
		}
		return false
	})
	if err != nil {
		return "", Entry{}, err
	}
	if err := writeFile(f.Path, append(keys, e)); err != nil {
		return "", Entry{}, err
	}
	return key, e, nil
}

// Revoke removes the key with that id (KeyID, or the whole hash).
func (f *File) Revoke(_ context.Context, id string) (Entry, error) {
	keys, err := ReadFile(f.Path)
	if err != nil {
		return Entry{}, err
	}
	for i, k := range keys {
		if MatchID(k, id) {
			if err := writeFile(f.Path, append(keys[:i:i], keys[i+1:]...)); err != nil {
				return Entry{}, err
			}
			return k, nil
		}
	}
	return Entry{}, ErrNoSuchKey
}

// RevokePartner removes every key of partner and returns them.
func (f *File) RevokePartner(_ context.Context, partner string) ([]Entry, error) {
	if !ValidName(partner) {
		return nil, ErrBadName
	}
	keys, err := ReadFile(f.Path)
	if err != nil {
		return nil, err
	}
	var kept, gone []Entry
	for _, k := range keys {
		if k.Partner == partner {
			gone = append(gone, k)
		} else {
			kept = append(kept, k)
		}
	}
	if len(gone) == 0 {
		return nil, nil
	}
	if err := writeFile(f.Path, kept); err != nil {
		return nil, err
	}
	return gone, nil
}

// NewEntry generates a key for partner, made at now, whose id no other key
// has (taken says which are).
func NewEntry(partner string, now time.Time, taken func(id string) bool) (string, Entry, error) {
	for range 8 {
		key, err := Generate()
		if err != nil {
			return "", Entry{}, err
		}
		h := Hash(key)
		if taken(KeyID(h)) {
			continue // 48 bits: never in practice, but an id must name one key
		}
		return key, Entry{ID: KeyID(h), Hash: h, Partner: partner, Created: now.Truncate(time.Second)}, nil
	}
	return "", Entry{}, errors.New("partners: no free key id after 8 tries")
}

// SortEntries orders keys oldest first, then by id.
func SortEntries(keys []Entry) {
	sort.SliceStable(keys, func(i, j int) bool {
		if !keys[i].Created.Equal(keys[j].Created) {
			return keys[i].Created.Before(keys[j].Created)
		}
		return keys[i].ID < keys[j].ID
	})
}

// FileLookup returns a Lookup over keys read from a keys file: the value is
// the one the KeyValueStore would hold (StoreValue).
func FileLookup(keys []Entry) Lookup {
	m := make(map[string]string, len(keys))
	for _, k := range keys {
		m[k.Hash] = StoreValue(k.Partner, k.Created)
	}
	return func(hash string) (string, bool) {
		v, ok := m[hash]
		return v, ok
	}
}
