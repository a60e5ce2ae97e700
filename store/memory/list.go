package memory

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/codexforgo/codex/store"
	"github.com/google/uuid"
)

// column is a sortable column. null reports SQL NULL (nil for NOT NULL
// columns); compare is only called when both values are present.
type column[T any] struct {
	null    func(*T) bool
	compare func(a, b *T) int
}

// sortRows orders rows by col in the given direction with NULLs last either
// way, then by id ascending: the ORDER BY ... NULLS LAST, id of the
// PostgreSQL store.
func sortRows[T any](rows []*T, col column[T], desc bool, id func(*T) uuid.UUID) {
	slices.SortFunc(rows, func(a, b *T) int {
		if col.null != nil {
			an, bn := col.null(a), col.null(b)
			switch {
			case an && !bn:
				return 1
			case !an && bn:
				return -1
			case an && bn:
				return compareIDs(id(a), id(b))
			}
		}
		c := col.compare(a, b)
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		return compareIDs(id(a), id(b))
	})
}

// compareIDs orders uuids as PostgreSQL does: bytewise, which is also the
// order of their canonical strings.
func compareIDs(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }

func byTime[T any](f func(*T) time.Time) column[T] {
	return column[T]{compare: func(a, b *T) int { return f(a).Compare(f(b)) }}
}

func byNullTime[T any](f func(*T) *time.Time) column[T] {
	return column[T]{
		null:    func(r *T) bool { return f(r) == nil },
		compare: func(a, b *T) int { return f(a).Compare(*f(b)) },
	}
}

func byString[T any](f func(*T) string) column[T] {
	return column[T]{compare: func(a, b *T) int { return strings.Compare(f(a), f(b)) }}
}

func byInt[T any](f func(*T) int) column[T] {
	return column[T]{compare: func(a, b *T) int { return cmp.Compare(f(a), f(b)) }}
}

// paginate cuts one page out of sorted rows and copies it out.
func paginate[T any](rows []*T, p store.Page) store.List[T] {
	p = p.Normalized()
	out := store.List[T]{Items: []T{}, Total: len(rows)}
	start := p.Offset()
	if start >= len(rows) {
		return out
	}
	end := min(start+p.Limit, len(rows))
	for _, r := range rows[start:end] {
		out.Items = append(out.Items, *clone(r))
	}
	return out
}

// copyAll copies rows out of the state.
func copyAll[T any](rows []*T) []T {
	out := make([]T, 0, len(rows))
	for _, r := range rows {
		out = append(out, *clone(r))
	}
	return out
}

// contains is ILIKE '%term%' with the term's wildcards escaped.
func contains(s, term string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(term))
}

func containsPtr(s *string, term string) bool { return s != nil && contains(*s, term) }

func isDesc(o store.SortOrder) bool { return o != store.Asc }
