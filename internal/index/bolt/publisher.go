package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"maps"
	"slices"
	"time"

	"github.com/pressroom/pressroom/internal/index"
)

// nextSeq returns the next pending-mark sequence.
func (t txn) nextSeq() ([]byte, error) {
	meta := t.tx.Bucket(bMeta)
	var n uint64
	if v := meta.Get([]byte("seq")); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], n+1)
	return buf[:], meta.Put([]byte("seq"), buf[:])
}

func (t txn) mark(feeds []string) error {
	for _, f := range feeds {
		seq, err := t.nextSeq()
		if err != nil {
			return err
		}
		if err := t.tx.Bucket(bPending).Put(feedKey(f), seq); err != nil {
			return err
		}
	}
	return nil
}

// Due implements index.Index.
func (b *Index) Due(ctx context.Context, from, to time.Time) (out index.Work, err error) {
	err = b.view(func(t txn) error { out, err = t.Due(ctx, from, to); return err })
	return out, err
}

// Pending implements index.Index.
func (b *Index) Pending(ctx context.Context) (p index.Pending, err error) {
	err = b.view(func(t txn) error { p, err = t.Pending(ctx); return err })
	return p, err
}

// MarkPending implements index.Index.
func (b *Index) MarkPending(ctx context.Context, w index.Work, all bool) error {
	return b.update(func(t txn) error { return t.MarkPending(ctx, w, all) })
}

// Published implements index.Index.
func (b *Index) Published(ctx context.Context, p index.Pending, state map[string]string) error {
	return b.update(func(t txn) error { return t.Published(ctx, p, state) })
}

// InProcess implements index.InProcess.
func (b *Index) InProcess() bool { return true }

// OutputHash implements index.Index.
func (b *Index) OutputHash(ctx context.Context, path string) (h string, err error) {
	err = b.view(func(t txn) error { h, err = t.OutputHash(ctx, path); return err })
	return h, err
}

// SetOutputHash implements index.Index.
func (b *Index) SetOutputHash(ctx context.Context, path, hash string) error {
	return b.update(func(t txn) error { return t.SetOutputHash(ctx, path, hash) })
}

// Unpurged implements index.Index.
func (b *Index) Unpurged(ctx context.Context) (out []string, err error) {
	err = b.view(func(t txn) error { out, err = t.Unpurged(ctx); return err })
	return out, err
}

// Purged implements index.Index.
func (b *Index) Purged(ctx context.Context, paths []string) error {
	return b.update(func(t txn) error { return t.Purged(ctx, paths) })
}

// State implements index.Index.
func (b *Index) State(ctx context.Context, name string) (v string, err error) {
	err = b.view(func(t txn) error { v, err = t.State(ctx, name); return err })
	return v, err
}

// SetState implements index.Index.
func (b *Index) SetState(ctx context.Context, name, value string) error {
	return b.update(func(t txn) error { return t.SetState(ctx, name, value) })
}

// SetStateNewer implements index.Index.
func (b *Index) SetStateNewer(ctx context.Context, name, value, version string) (ok bool, err error) {
	err = b.update(func(t txn) error { ok, err = t.SetStateNewer(ctx, name, value, version); return err })
	return ok, err
}

// Due implements index.Index.
func (t txn) Due(_ context.Context, from, to time.Time) (index.Work, error) {
	var due [][]index.Membership
	var gone []index.Gone
	c := t.tx.Bucket(bSchedule).Cursor()
	lo, hi := instant(from.Add(time.Nanosecond)), instant(to.Add(time.Nanosecond))
	for k, _ := c.Seek(lo); k != nil && bytes.Compare(k[:8], hi) < 0; k, _ = c.Next() {
		r, found, err := t.getSource(string(k[8:]))
		if err != nil {
			return index.Work{}, err
		}
		if found {
			due = append(due, r.Feeds)
			if g, ok := index.ExpiredOf(r.Key, r.Listing(), r.Expires, from, to); ok {
				gone = append(gone, g)
			}
		}
	}
	w := index.DueWork(due)
	w.Expired = gone
	return w, nil
}

// Pending implements index.Index.
func (t txn) Pending(_ context.Context) (index.Pending, error) {
	var p index.Pending
	err := t.tx.Bucket(bPending).ForEach(func(k, v []byte) error {
		id := string(k[1:])
		p.Marks = append(p.Marks, index.Mark{ID: id, Token: string(v)})
		p.All = p.All || id == index.AllMark
		p.AddMark(id)
		return nil
	})
	p.Work = p.Work.Normalize()
	return p, err
}

// MarkPending implements index.Index.
func (t txn) MarkPending(_ context.Context, w index.Work, all bool) error {
	ids := index.MarkIDs(w.Feeds, w.Pages)
	if all {
		ids = append(ids, index.AllMark)
	}
	return t.mark(ids)
}

// Published implements index.Index.
func (t txn) Published(ctx context.Context, p index.Pending, state map[string]string) error {
	for _, n := range slices.Sorted(maps.Keys(state)) {
		if err := t.SetState(ctx, n, state[n]); err != nil {
			return err
		}
	}
	b := t.tx.Bucket(bPending)
	for _, m := range p.Marks {
		if v := b.Get(feedKey(m.ID)); v != nil && string(v) == m.Token {
			if err := b.Delete(feedKey(m.ID)); err != nil {
				return err
			}
		}
	}
	return nil
}

// InProcess implements index.InProcess.
func (t txn) InProcess() bool { return true }

// OutputHash implements index.Index.
func (t txn) OutputHash(_ context.Context, path string) (string, error) {
	return string(t.tx.Bucket(bOutputs).Get([]byte(path))), nil
}

// SetOutputHash implements index.Index.
func (t txn) SetOutputHash(_ context.Context, path, hash string) error {
	if err := t.tx.Bucket(bUnpurged).Put([]byte(path), nil); err != nil {
		return err
	}
	if hash == "" {
		return t.tx.Bucket(bOutputs).Delete([]byte(path))
	}
	return t.tx.Bucket(bOutputs).Put([]byte(path), []byte(hash))
}

// Unpurged implements index.Index.
func (t txn) Unpurged(_ context.Context) ([]string, error) {
	var out []string
	err := t.tx.Bucket(bUnpurged).ForEach(func(k, _ []byte) error {
		out = append(out, string(k))
		return nil
	})
	return out, err
}

// Purged implements index.Index.
func (t txn) Purged(_ context.Context, paths []string) error {
	for _, p := range paths {
		if err := t.tx.Bucket(bUnpurged).Delete([]byte(p)); err != nil {
			return err
		}
	}
	return nil
}

// State implements index.Index.
func (t txn) State(_ context.Context, name string) (string, error) {
	return string(t.tx.Bucket(bState).Get([]byte(name))), nil
}

// SetState implements index.Index.
func (t txn) SetState(_ context.Context, name, value string) error {
	if err := index.CheckState(name, value); err != nil {
		return err
	}
	if value == "" {
		return t.tx.Bucket(bState).Delete([]byte(name))
	}
	return t.tx.Bucket(bState).Put([]byte(name), []byte(value))
}

// SetStateNewer implements index.Index: the version is kept beside the value.
func (t txn) SetStateNewer(ctx context.Context, name, value, version string) (bool, error) {
	vk := []byte(name + "\x00version")
	if old := t.tx.Bucket(bState).Get(vk); old != nil && !index.Newer(version, string(old)) {
		return false, nil
	}
	if err := t.SetState(ctx, name, value); err != nil {
		return false, err
	}
	return true, t.tx.Bucket(bState).Put(vk, []byte(version))
}

// OutputHashes implements index.Index.
func (b *Index) OutputHashes(ctx context.Context) (out map[string]string, err error) {
	err = b.view(func(t txn) error { out, err = t.OutputHashes(ctx); return err })
	return out, err
}

// SetOutputHashes implements index.Index: one transaction.
func (b *Index) SetOutputHashes(ctx context.Context, hashes map[string]string) error {
	return b.update(func(t txn) error { return t.SetOutputHashes(ctx, hashes) })
}

// States implements index.Index.
func (b *Index) States(ctx context.Context, names []string) (out map[string]string, err error) {
	err = b.view(func(t txn) error { out, err = t.States(ctx, names); return err })
	return out, err
}

// OutputHashes implements index.Index.
func (t txn) OutputHashes(_ context.Context) (map[string]string, error) {
	out := map[string]string{}
	err := t.tx.Bucket(bOutputs).ForEach(func(k, v []byte) error {
		out[string(k)] = string(v)
		return nil
	})
	return out, err
}

// SetOutputHashes implements index.Index.
func (t txn) SetOutputHashes(ctx context.Context, hashes map[string]string) error {
	for p, h := range hashes {
		if err := t.SetOutputHash(ctx, p, h); err != nil {
			return err
		}
	}
	return nil
}

// States implements index.Index.
func (t txn) States(_ context.Context, names []string) (map[string]string, error) {
	out := make(map[string]string, len(names))
	for _, n := range names {
		out[n] = string(t.tx.Bucket(bState).Get([]byte(n)))
	}
	return out, nil
}
