package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// memBlobs is a store.Blobs that keeps every object in a map. It suits
// tests and demos; everything is lost when the process ends, and memory is
// the only size limit. It does not implement store.Presigner, so the
// platform signs upload and download URLs itself, as with the disk.
type memBlobs struct {
	mu   sync.RWMutex
	objs map[string]memObject
}

type memObject struct {
	data []byte // never changed once stored, so readers share it
	info store.BlobInfo
}

var _ store.Blobs = (*memBlobs)(nil)

func newMemBlobs() *memBlobs { return &memBlobs{objs: map[string]memObject{}} }

func (b *memBlobs) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if key == "" || strings.HasPrefix(key, "/") {
		return fault.New(fault.Invalid, fault.CodeValidation, fmt.Sprintf("invalid object key %q", key))
	}
	if size >= 0 {
		// One byte more than declared is enough to know it is too long.
		r = io.LimitReader(r, size+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	// The platform relies on this check (an upload must be exactly the
	// declared size) and expects it as a fault.Invalid, like store/disk.
	if size >= 0 && int64(len(data)) != size {
		return fault.New(fault.Invalid, fault.CodeValidation,
			fmt.Sprintf("Object size %d does not match the declared %d bytes", len(data), size))
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.objs[key] = memObject{data: data, info: store.BlobInfo{
		Key: key, Size: int64(len(data)), ContentType: contentType, ModTime: time.Now().UTC(),
	}}
	return nil
}

// blobReader lets callers Seek (the HLS route serves Range requests when
// the body is an io.ReadSeeker).
type blobReader struct{ *bytes.Reader }

func (blobReader) Close() error { return nil }

func (b *memBlobs) Get(ctx context.Context, key string) (io.ReadCloser, store.BlobInfo, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	o, ok := b.objs[key]
	if !ok {
		return nil, store.BlobInfo{}, store.ErrNotFound
	}
	return blobReader{bytes.NewReader(o.data)}, o.info, nil
}

func (b *memBlobs) Stat(ctx context.Context, key string) (store.BlobInfo, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	o, ok := b.objs[key]
	if !ok {
		return store.BlobInfo{}, store.ErrNotFound
	}
	return o.info, nil
}

func (b *memBlobs) Delete(ctx context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.objs, key)
	return nil
}

func (b *memBlobs) DeletePrefix(ctx context.Context, prefix string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k := range b.objs {
		if strings.HasPrefix(k, prefix) {
			delete(b.objs, k)
		}
	}
	return nil
}

func (b *memBlobs) Ping(ctx context.Context) error { return ctx.Err() }

// Keys lists the stored keys in order, for the demo's output.
func (b *memBlobs) Keys() []string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	keys := make([]string, 0, len(b.objs))
	for k := range b.objs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
