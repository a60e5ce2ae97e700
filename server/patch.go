package server

import (
	"bytes"
	"encoding/json"
	"reflect"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Patch is a field of a PATCH/PUT body that tells absent, null and a value
// apart: null clears a nullable column, absence leaves it alone, and a
// column that cannot be cleared refuses null with a field error.
type Patch[T any] struct {
	Set   bool // the field was in the body (null included)
	Null  bool
	Value T
}

// UnmarshalJSON is called for present fields only, null included.
func (p *Patch[T]) UnmarshalJSON(b []byte) error {
	p.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		p.Null = true
		return nil
	}
	if err := json.Unmarshal(b, &p.Value); err != nil {
		// A type error the decoder labels with the field's path, so the
		// client sees "body.priceCents: Expected integer".
		return &json.UnmarshalTypeError{Value: "value", Type: reflect.TypeFor[T]()}
	}
	return nil
}

// Nullable is the patch of a nullable column: absent leaves it, null
// clears it.
func (p Patch[T]) Nullable() store.Opt[*T] {
	switch {
	case !p.Set:
		return store.Opt[*T]{}
	case p.Null:
		return store.Some[*T](nil)
	}
	v := p.Value
	return store.Some(&v)
}

// NotNull is the patch of a NOT NULL column; null is recorded in fe as an
// error on path.
func (p Patch[T]) NotNull(path string, fe *[]fault.Field) store.Opt[T] {
	if p.Null {
		*fe = append(*fe, fault.Field{Path: path, Message: "Cannot be null"})
		return store.Opt[T]{}
	}
	return store.Opt[T]{Set: p.Set, Value: p.Value}
}

// Ptr is NotNull for services that take "nil = unchanged" pointers.
func (p Patch[T]) Ptr(path string, fe *[]fault.Field) *T {
	if o := p.NotNull(path, fe); o.Set {
		return &o.Value
	}
	return nil
}

// fieldsErr is the 400 for the fields collected in fe, or nil.
func fieldsErr(fe []fault.Field) error {
	if len(fe) == 0 {
		return nil
	}
	return fault.InvalidFields(fe...)
}
