package fault_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/matryer/is"

	"github.com/codexforgo/codex/fault"
)

func TestKindThroughWrapping(t *testing.T) {
	is := is.New(t)
	err := fmt.Errorf("loading: %w", fault.NotFoundf(fault.CodeContentNotFound, "Content not found"))
	is.True(errors.Is(err, fault.NotFound))
	is.True(!errors.Is(err, fault.Conflict))
	is.Equal(fault.KindOf(err), fault.NotFound)
	is.Equal(fault.From(err).Code, "CONTENT_NOT_FOUND")
}

func TestStatuses(t *testing.T) {
	is := is.New(t)
	want := map[fault.Kind]int{
		fault.Invalid: 400, fault.Unauthenticated: 401, fault.Forbidden: 403, fault.NotFound: 404,
		fault.Conflict: 409, fault.Unprocessable: 422, fault.RateLimited: 429,
		fault.Unavailable: 503, fault.Internal: 500,
	}
	for k, s := range want {
		is.Equal(k.Status(), s)
	}
}

func TestUnclassifiedErrorsAreInternalWithASafeMessage(t *testing.T) {
	is := is.New(t)
	fe := fault.From(errors.New("pq: password authentication failed for user admin"))
	is.Equal(fe.Kind, fault.Internal)
	is.Equal(fe.Message, "An unexpected error occurred")
	is.Equal(fault.From(nil), nil)

	cause := errors.New("disk full")
	ie := fault.Internalf(cause, "writing %s", "x")
	is.True(errors.Is(ie, cause))
	is.Equal(ie.Message, "An unexpected error occurred")
}

func TestDefaultsAndDetails(t *testing.T) {
	is := is.New(t)
	e := fault.New(fault.Conflict, "", "Taken")
	is.Equal(e.Code, fault.CodeConflict)
	d := e.WithDetails(map[string]string{"slug": "x"})
	is.Equal(e.Details, nil) // copies, never mutates shared errors
	is.True(d.Details != nil)
	f := fault.InvalidField("body.title", "Title is required")
	is.Equal(f.Kind.Status(), 400)
	is.Equal(f.Details.([]fault.Field)[0].Path, "body.title")
}
