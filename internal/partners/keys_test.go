package partners

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestGenerate(t *testing.T) {
	seen := map[string]bool{}
	shape := regexp.MustCompile(`^prk_[A-Za-z0-9_-]{43}$`)
	for range 200 {
		k, err := Generate()
		if err != nil {
			t.Fatal(err)
		}
		if !shape.MatchString(k) || !validKey(k) {
			t.Fatalf("key %q is not prk_ and 43 characters of URL-safe base64", k)
		}
		if seen[k] {
			t.Fatal("the same key twice")
		}
		seen[k] = true
	}
}

func TestNames(t *testing.T) {
	for name, ok := range map[string]bool{"a": true, "culture-desk": true, "0news": true, strings.Repeat("a", 63): true,
		"": false, "-a": false, "A": false, "a_b": false, "a/b": false, strings.Repeat("a", 64): false, "é": false, "a b": false} {
		if ValidName(name) != ok {
			t.Errorf("ValidName(%q) = %v", name, !ok)
		}
	}
}

func TestStoreValue(t *testing.T) {
	created := time.Date(2026, 11, 25, 10, 0, 0, 0, time.FixedZone("x", 3600))
	v := StoreValue("culture-desk", created)
	if v != "culture-desk 2026-11-25T09:00:00Z" {
		t.Errorf("StoreValue = %q", v)
	}
	h := Hash("k")
	e, err := ParseStoreValue(h, v)
	if err != nil || e.Partner != "culture-desk" || !e.Created.Equal(created) || e.ID != h[:12] {
		t.Errorf("ParseStoreValue = %+v, %v", e, err)
	}
	if _, err := ParseStoreValue(h, "Bad 2026"); err == nil {
		t.Error("a bad name was read")
	}
	if e, err := ParseStoreValue(h, "a"); err != nil || e.Partner != "a" || !e.Created.IsZero() {
		t.Errorf("a value without a time: %+v, %v", e, err)
	}
}

func TestFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "state", "partner-keys.json")
	clock := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	f := &File{Path: path, Now: func() time.Time { clock = clock.Add(time.Minute); return clock }}

	if keys, err := f.List(ctx); err != nil || len(keys) != 0 {
		t.Fatalf("missing file: %v, %v", keys, err)
	}
	if _, _, err := f.Add(ctx, "Bad_Name"); !errors.Is(err, ErrBadName) {
		t.Errorf("bad name: %v", err)
	}
	k1, e1, err := f.Add(ctx, "culture-desk")
	if err != nil {
		t.Fatal(err)
	}
	k2, _, _ := f.Add(ctx, "culture-desk")
	k3, e3, _ := f.Add(ctx, "sports")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("keys file mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	for _, k := range []string{k1, k2, k3} {
		if strings.Contains(string(data), k) || strings.Contains(string(data), strings.TrimPrefix(k, KeyPrefix)) {
			t.Fatal("the keys file holds a key")
		}
	}
	if !strings.Contains(string(data), Hash(k1)) || e1.ID != KeyID(Hash(k1)) || len(e1.ID) != 12 {
		t.Errorf("entry %+v; file %s", e1, data)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}

	keys, _ := ReadFile(path)
	lookup := FileLookup(keys)
	for key, partner := range map[string]string{k1: "culture-desk", k3: "sports"} {
		d := Authorize(Request{Method: "GET", URI: "/partners/" + partner + "/feed.json", Authorization: []string{"Bearer " + key}}, lookup)
		if !d.Allow || d.Partner != partner {
			t.Errorf("%s's new key refused: %+v", partner, d)
		}
	}

	if _, err := f.Revoke(ctx, "000000000000"); !errors.Is(err, ErrNoSuchKey) {
		t.Errorf("revoking an unknown id: %v", err)
	}
	if got, err := f.Revoke(ctx, strings.ToUpper(e3.ID)); err != nil || got.Hash != e3.Hash {
		t.Errorf("revoke by id: %+v, %v", got, err)
	}
	list, err := f.List(ctx)
	if err != nil || len(list) != 2 || list[0].Hash != Hash(k1) || list[1].Hash != Hash(k2) {
		t.Errorf("after revoking sports: %+v", list)
	}
	gone, err := f.RevokePartner(ctx, "culture-desk")
	if err != nil || len(gone) != 2 {
		t.Errorf("revoke partner: %v, %v", gone, err)
	}
	if list, err := f.List(ctx); err != nil || len(list) != 0 {
		t.Errorf("keys left: %+v, %v", list, err)
	}
	keys, _ = ReadFile(path)
	if d := Authorize(Request{Method: "GET", URI: "/partners/culture-desk/feed.json", Authorization: []string{"Bearer " + k1}}, FileLookup(keys)); d.Allow {
		t.Error("a revoked key still opens the feed")
	}
}

func TestReadFileRefusesMalformed(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"not json":    "{",
		"version":     `{"version": 2, "keys": []}`,
		"bad hash":    `{"version": 1, "keys": [{"id": "abc", "hash": "abc", "partner": "a"}]}`,
		"id mismatch": `{"version": 1, "keys": [{"id": "000000000000", "hash": "` + Hash("k") + `", "partner": "a"}]}`,
		"bad partner": `{"version": 1, "keys": [{"id": "` + KeyID(Hash("k")) + `", "hash": "` + Hash("k") + `", "partner": "A"}]}`,
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		os.WriteFile(p, []byte(body), 0o600)
		if _, err := ReadFile(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v (want an error naming the file)", name, err)
		}
	}
}
