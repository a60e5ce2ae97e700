// Package disk stores blobs as files under a directory: the embedded default
// for object storage. Objects live under <dir>/objects/<key>; each object's
// content type is kept beside it under <dir>/meta/<key>.
//
// Keys are validated before they touch the file system, so a key can never
// name a path outside the directory.
package disk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Blobs is a store.Blobs on the local disk. It is safe for concurrent use:
// writes go to a temporary file renamed into place, so readers see either
// the old or the new object, never half of one.
type Blobs struct {
	objects string
	meta    string
}

var _ store.Blobs = (*Blobs)(nil)

// New returns blobs stored under dir, creating it when missing.
func New(dir string) (*Blobs, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	b := &Blobs{objects: filepath.Join(abs, "objects"), meta: filepath.Join(abs, "meta")}
	for _, d := range []string{b.objects, b.meta} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("disk blobs: %w", err)
		}
	}
	return b, nil
}

// ErrInvalidKey is returned for keys that are empty, absolute, or contain
// "..", backslashes, NUL, or empty segments.
var ErrInvalidKey = fault.New(fault.Invalid, fault.CodeValidation, "Invalid object key")

// ValidKey reports whether key is safe to map onto a file path.
func ValidKey(key string) bool {
	if key == "" || len(key) > 1024 || strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") {
		return false
	}
	if strings.ContainsAny(key, "\\\x00") {
		return false
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

func (b *Blobs) paths(key string) (obj, meta string, err error) {
	if !ValidKey(key) {
		return "", "", ErrInvalidKey
	}
	return filepath.Join(b.objects, filepath.FromSlash(key)), filepath.Join(b.meta, filepath.FromSlash(key)), nil
}

// Put stores r under key, replacing any previous object.
func (b *Blobs) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	obj, meta, err := b.paths(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(obj), 0o750); err != nil {
		return fmt.Errorf("disk blobs: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(meta), 0o750); err != nil {
		return fmt.Errorf("disk blobs: %w", err)
	}
	n, err := writeAtomic(obj, &ctxReader{ctx: ctx, r: r})
	if err != nil {
		return err
	}
	if size >= 0 && n != size {
		os.Remove(obj)
		return fault.New(fault.Invalid, fault.CodeValidation, fmt.Sprintf("Object size %d does not match the declared %d bytes", n, size))
	}
	if _, err := writeAtomic(meta, strings.NewReader(contentType)); err != nil {
		return err
	}
	return nil
}

func writeAtomic(path string, r io.Reader) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("disk blobs: %w", err)
	}
	n, err := io.Copy(tmp, r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return n, err
	}
	return n, nil
}

// ctxReader stops a long copy when the context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Get opens the object; the caller closes it. The returned reader is an
// *os.File, so it also supports Seek and ReadAt (for Range requests).
func (b *Blobs) Get(ctx context.Context, key string) (io.ReadCloser, store.BlobInfo, error) {
	obj, _, err := b.paths(key)
	if err != nil {
		return nil, store.BlobInfo{}, err
	}
	f, err := os.Open(obj)
	if err != nil {
		return nil, store.BlobInfo{}, mapErr(err)
	}
	info, err := b.stat(f, key)
	if err != nil {
		f.Close()
		return nil, store.BlobInfo{}, err
	}
	return f, info, nil
}

// Stat describes the object.
func (b *Blobs) Stat(ctx context.Context, key string) (store.BlobInfo, error) {
	obj, _, err := b.paths(key)
	if err != nil {
		return store.BlobInfo{}, err
	}
	f, err := os.Open(obj)
	if err != nil {
		return store.BlobInfo{}, mapErr(err)
	}
	defer f.Close()
	return b.stat(f, key)
}

func (b *Blobs) stat(f *os.File, key string) (store.BlobInfo, error) {
	fi, err := f.Stat()
	if err != nil {
		return store.BlobInfo{}, mapErr(err)
	}
	if fi.IsDir() {
		return store.BlobInfo{}, store.ErrNotFound
	}
	_, meta, _ := b.paths(key)
	ct, _ := os.ReadFile(meta)
	return store.BlobInfo{Key: key, Size: fi.Size(), ContentType: string(ct), ModTime: fi.ModTime().UTC()}, nil
}

// Delete removes the object; a missing object is not an error.
func (b *Blobs) Delete(ctx context.Context, key string) error {
	obj, meta, err := b.paths(key)
	if err != nil {
		return err
	}
	for _, p := range []string{obj, meta} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("disk blobs: %w", err)
		}
	}
	return nil
}

// DeletePrefix removes every object whose key starts with prefix. A prefix
// must end at a segment boundary ("a/b/") or be a valid key itself.
func (b *Blobs) DeletePrefix(ctx context.Context, prefix string) error {
	trimmed := strings.TrimSuffix(prefix, "/")
	if !ValidKey(trimmed) {
		return ErrInvalidKey
	}
	for _, root := range []string{b.objects, b.meta} {
		base := filepath.Join(root, filepath.FromSlash(trimmed))
		if strings.HasSuffix(prefix, "/") {
			if err := os.RemoveAll(base); err != nil {
				return fmt.Errorf("disk blobs: %w", err)
			}
			continue
		}
		// A partial last segment: remove matching siblings.
		dir, part := filepath.Split(base)
		entries, err := os.ReadDir(dir)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return fmt.Errorf("disk blobs: %w", err)
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), part) {
				if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
					return fmt.Errorf("disk blobs: %w", err)
				}
			}
		}
	}
	return nil
}

// Ping checks that the directory is still there and writable.
func (b *Blobs) Ping(ctx context.Context) error {
	f, err := os.CreateTemp(b.objects, ".ping-*")
	if err != nil {
		return fault.Unavailablef(err, "Blob storage unavailable")
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func mapErr(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return store.ErrNotFound
	}
	return fmt.Errorf("disk blobs: %w", err)
}
