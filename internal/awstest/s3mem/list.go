package s3mem

import (
	"slices"
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// sortedKeys returns the bucket's keys in S3's listing order (UTF-8 bytes).
func (bk *bucket) sortedKeys() []string {
	keys := make([]string, 0, len(bk.objects))
	for k := range bk.objects {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// prefixOf returns the prefix and delimiter of p; nil is no prefix.
func prefixOf(p *gofakes3.Prefix) (prefix, delim string) {
	if p == nil {
		return "", ""
	}
	return p.Prefix, p.Delimiter
}

// commonPrefix returns the common prefix key rolls up into, as S3 forms
// it: the key up to and including the first delimiter after the prefix.
// gofakes3.Prefix.Match is not used because it trims leading delimiters
// and so differs from S3 on keys such as "/a" or "a//b".
func commonPrefix(key, prefix, delim string) (string, bool) {
	if delim == "" {
		return "", false
	}
	i := strings.Index(key[len(prefix):], delim)
	if i < 0 {
		return "", false
	}
	return key[:len(prefix)+i+len(delim)], true
}

// ListBucket implements gofakes3.Backend: ListObjects and ListObjectsV2.
// It lists the keys whose current version is not a delete marker, after
// the page's marker, rolling keys up into common prefixes when a delimiter
// is given. Keys and common prefixes together count towards MaxKeys (no
// limit when it is not positive); when the page is truncated NextMarker is
// the last key or common prefix returned, and a marker that is a common
// prefix skips every key under it, so pages never repeat one.
func (b *Backend) ListBucket(name string, p *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	prefix, delim := prefixOf(p)
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(name)
	if err != nil {
		return nil, err
	}
	out := gofakes3.NewObjectList()
	var last string
	count := int64(0)
	for _, key := range bk.sortedKeys() {
		if !strings.HasPrefix(key, prefix) || (page.Marker != "" && key <= page.Marker) {
			continue
		}
		cur := bk.current(key)
		if cur.deleteMarker {
			continue
		}
		cp, rolled := commonPrefix(key, prefix, delim)
		if rolled && (cp == last || cp == page.Marker) {
			continue
		}
		if page.MaxKeys > 0 && count == page.MaxKeys {
			out.IsTruncated = true
			out.NextMarker = last
			break
		}
		if rolled {
			out.AddPrefix(cp)
			last = cp
		} else {
			out.Add(&gofakes3.Content{
				Key:          key,
				LastModified: gofakes3.NewContentTime(cur.modified),
				ETag:         gofakes3.FormatETag(cur.md5),
				Size:         int64(len(cur.body)),
				StorageClass: gofakes3.StorageStandard,
			})
			last = key
		}
		count++
	}
	return out, nil
}

// ListBucketVersions implements gofakes3.VersionedBackend:
// ListObjectVersions. Every version and delete marker is listed, keys in
// order and each key's versions newest first, with IsLatest on the current
// one; objects written while the bucket was unversioned or suspended show
// the version id "null".
//
// Paging follows S3: a key marker alone starts after that key (and after
// every key under it, when it is a common prefix); with a version id
// marker, listing resumes after that version of the key. Versions, delete
// markers and common prefixes count towards MaxKeys, and a truncated page
// names the last entry returned in NextKeyMarker and NextVersionIdMarker.
func (b *Backend) ListBucketVersions(name string, p *gofakes3.Prefix, page *gofakes3.ListBucketVersionsPage) (*gofakes3.ListBucketVersionsResult, error) {
	if page == nil {
		page = &gofakes3.ListBucketVersionsPage{}
	}
	prefix, delim := prefixOf(p)
	keyMarker, idMarker := page.KeyMarker, string(page.VersionIDMarker)
	if idMarker != "" && !validVersionID(idMarker) {
		return nil, gofakes3.ErrorInvalidArgument("version-id-marker", idMarker, "Invalid version id marker specified")
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(name)
	if err != nil {
		return nil, err
	}
	out := gofakes3.NewListBucketVersionsResult(name, p, page)
	var lastPrefix, nextKey, nextID string
	count := int64(0)
	full := func() bool { return page.MaxKeys > 0 && count == page.MaxKeys }

keys:
	for _, key := range bk.sortedKeys() {
		if !strings.HasPrefix(key, prefix) || (keyMarker != "" && key < keyMarker) {
			continue
		}
		if cp, rolled := commonPrefix(key, prefix, delim); rolled {
			if cp == lastPrefix || cp == keyMarker {
				continue
			}
			if full() {
				out.IsTruncated = true
				break
			}
			out.AddPrefix(cp)
			lastPrefix, nextKey, nextID = cp, cp, ""
			count++
			continue
		}

		hist := bk.objects[key]
		start := len(hist) - 1 // newest first
		if key == keyMarker {
			if idMarker == "" {
				continue
			}
			i := slices.IndexFunc(hist, func(v *version) bool { return v.id == idMarker })
			if i < 0 {
				// The marked version is gone: resume at the next key.
				continue
			}
			start = i - 1
		}
		for i := start; i >= 0; i-- {
			if full() {
				out.IsTruncated = true
				break keys
			}
			v := hist[i]
			latest := i == len(hist)-1
			if v.deleteMarker {
				out.Versions = append(out.Versions, &gofakes3.DeleteMarker{
					Key:          key,
					VersionID:    gofakes3.VersionID(v.id),
					IsLatest:     latest,
					LastModified: gofakes3.NewContentTime(v.modified),
				})
			} else {
				out.Versions = append(out.Versions, &gofakes3.Version{
					Key:          key,
					VersionID:    gofakes3.VersionID(v.id),
					IsLatest:     latest,
					LastModified: gofakes3.NewContentTime(v.modified),
					Size:         int64(len(v.body)),
					StorageClass: gofakes3.StorageStandard,
					ETag:         gofakes3.FormatETag(v.md5),
				})
			}
			nextKey, nextID = key, v.id
			count++
		}
	}
	if out.IsTruncated {
		out.NextKeyMarker = nextKey
		out.NextVersionIDMarker = gofakes3.VersionID(nextID)
	}
	return out, nil
}
