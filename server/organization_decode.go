package server

import (
	"bytes"
	"encoding/json"
	"reflect"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// orgOptional is a JSON field that tells absent, null and a value apart: the
// organization API clears a nullable field with null and leaves an absent
// one alone, and refuses null where a field cannot be cleared.
type orgOptional[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// UnmarshalJSON is called for present fields only, null included.
func (o *orgOptional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	if err := json.Unmarshal(b, &o.Value); err != nil {
		// A type error the decoder will label with the field's path, so
		// the client sees "body.enableSignups: Expected boolean".
		return &json.UnmarshalTypeError{Value: orgJSONKind(b), Type: reflect.TypeFor[T]()}
	}
	return nil
}

func orgJSONKind(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "value"
	}
	switch b[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	default:
		return "number"
	}
}

// orgFieldErrs collects fields refused before the service sees the input.
type orgFieldErrs []fault.Field

func (f orgFieldErrs) err() error {
	if len(f) == 0 {
		return nil
	}
	return fault.InvalidFields(f...)
}

// required returns a pointer to the value when the field was sent, nil
// when it was absent, and records an error for null.
func (o orgOptional[T]) required(f *orgFieldErrs, path string) *T {
	if !o.Set {
		return nil
	}
	if o.Null {
		*f = append(*f, fault.Field{Path: path, Message: "Expected " + expected(reflect.TypeFor[T]())})
		return nil
	}
	v := o.Value
	return &v
}

// nullable turns the field into a patch: absent leaves the column, null
// clears it.
func (o orgOptional[T]) nullable() store.Opt[*T] {
	if !o.Set {
		return store.Opt[*T]{}
	}
	if o.Null {
		return store.Some[*T](nil)
	}
	v := o.Value
	return store.Some(&v)
}
