package partners

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// KeyPrefix starts every key Generate makes, so that a key pasted where it
// should not be (a log, a ticket, a repository) is recognisable to people
// and to secret scanners.
const KeyPrefix = "prk_"

// keyBytes is the randomness of a key: 256 bits.
const keyBytes = 32

// Generate returns a new random key: KeyPrefix and 32 random bytes in
// URL-safe base64 without padding (47 characters in all, safe in a header
// and in a query string unescaped).
func Generate() (string, error) {
	b := make([]byte, keyBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("partners: generating a key: %w", err)
	}
	return KeyPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// Entry describes one key, as listed: never the key itself.
type Entry struct {
	ID      string    `json:"id"`      // KeyID(Hash)
	Hash    string    `json:"hash"`    // hex SHA-256 of the key
	Partner string    `json:"partner"` // whose files it opens
	Created time.Time `json:"created"`
}

// StoreValue is the value the KeyValueStore holds under a key's hash: the
// partner's name, a space, and when the key was made (RFC 3339, UTC), as in
// "culture-desk 2026-11-25T10:00:00Z". The edge function reads the name
// (everything before the first space); the rest is for listing.
func StoreValue(partner string, created time.Time) string {
	return partner + " " + created.UTC().Format(time.RFC3339)
}

// PartnerOf returns the partner named by a store value.
func PartnerOf(value string) string {
	name, _, _ := strings.Cut(value, " ")
	return name
}

// ParseStoreValue reads a store value back into an entry for hash.
func ParseStoreValue(hash, value string) (Entry, error) {
	name, created, _ := strings.Cut(value, " ")
	if !ValidName(name) {
		return Entry{}, fmt.Errorf("partners: store value of key %s: %q is not a partner name", KeyID(hash), name)
	}
	e := Entry{ID: KeyID(hash), Hash: hash, Partner: name}
	if created != "" {
		t, err := time.Parse(time.RFC3339, strings.Fields(created)[0])
		if err != nil {
			return Entry{}, fmt.Errorf("partners: store value of key %s: creation time: %w", KeyID(hash), err)
		}
		e.Created = t
	}
	return e, nil
}

// ValidHash reports whether s is a hex SHA-256 (a key's hash).
func ValidHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// ErrNoSuchKey is returned when revoking a key id no key has.
var ErrNoSuchKey = errors.New("partners: no key has that id")

// ErrBadName is returned for a partner name ValidName refuses.
var ErrBadName = errors.New("partners: a partner name is 1 to 63 lower-case letters, digits and hyphens, starting with a letter or digit")

// MatchID reports whether entry e is the one id names: its key id, or its
// whole hash.
func MatchID(e Entry, id string) bool {
	id = strings.ToLower(id)
	return id == e.ID || id == e.Hash
}
