package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/codexforgo/codex/store"
)

// args collects positional parameters; add returns the placeholder of the
// value it appends. Values always travel as parameters, never inside SQL.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// bind replaces each '?' in expr with the placeholder of the next value.
// Only used on SQL written in this package, which has no '?' operators.
func (a *args) bind(expr string, vals ...any) string {
	var b strings.Builder
	i := 0
	for _, r := range expr {
		if r == '?' && i < len(vals) {
			b.WriteString(a.add(vals[i]))
			i++
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// setter builds the SET list of an UPDATE from the fields of a patch that
// are set.
type setter struct {
	a     *args
	parts []string
}

func newSetter(a *args) *setter { return &setter{a: a} }

func (s *setter) col(name string, v any) {
	s.parts = append(s.parts, name+" = "+s.a.add(v))
}

// expr sets name to expr, whose '?' is bound to v (for casts).
func (s *setter) expr(name, expr string, v any) {
	s.parts = append(s.parts, name+" = "+s.a.bind(expr, v))
}

// sql returns the SET list; updated_at is always bumped, so an empty patch
// still touches the row.
func (s *setter) sql() string {
	return strings.Join(append(s.parts, "updated_at = clock_timestamp()"), ", ")
}

func set[T any](s *setter, name string, o store.Opt[T]) {
	if o.Set {
		s.col(name, o.Value)
	}
}

// setJSON writes a string list as jsonb; a nil list writes NULL.
func setJSON(s *setter, name string, o store.Opt[[]string]) {
	if o.Set {
		s.expr(name, "?::text::jsonb", jsonList(o.Value))
	}
}

// jsonList encodes a string list for a "$n::text::jsonb" parameter. nil
// stays SQL NULL so nullable list columns round-trip.
func jsonList(v []string) any {
	if v == nil {
		return nil
	}
	b, _ := json.Marshal(v) // a []string always marshals
	return string(b)
}

// where accumulates AND-ed conditions.
type where struct {
	a     *args
	conds []string
}

func newWhere(a *args, conds ...string) *where { return &where{a: a, conds: conds} }

func (w *where) and(expr string, vals ...any) {
	w.conds = append(w.conds, w.a.bind(expr, vals...))
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return "TRUE"
	}
	return strings.Join(w.conds, " AND ")
}

// likePattern turns a search term into an ILIKE pattern matching it as a
// literal substring. The default LIKE escape character is the backslash.
func likePattern(term string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(term) + "%"
}

// orderBy returns a deterministic ORDER BY: the whitelisted column for
// sortBy (def when unknown or empty), NULLS LAST either way, then id.
func orderBy(alias string, cols map[string]string, sortBy, def string, o store.SortOrder) string {
	col, ok := cols[sortBy]
	if !ok {
		col = cols[def]
	}
	dir := "DESC"
	if o == store.Asc {
		dir = "ASC"
	}
	return alias + col + " " + dir + " NULLS LAST, " + alias + "id ASC"
}

type scanner interface{ Scan(dest ...any) error }

// list runs the count and the page query with the same WHERE clause.
func list[T any](ctx context.Context, q querier, what, cols, from string, w *where, order string, page store.Page, scan func(scanner) (*T, error)) (store.List[T], error) {
	page = page.Normalized()
	var total int
	if err := q.QueryRow(ctx, "SELECT count(*) FROM "+from+" WHERE "+w.sql(), *w.a...).Scan(&total); err != nil {
		return store.List[T]{}, mapErr(err, what)
	}
	a := append(args(nil), *w.a...)
	sql := "SELECT " + cols + " FROM " + from + " WHERE " + w.sql() +
		" ORDER BY " + order + " LIMIT " + a.add(page.Limit) + " OFFSET " + a.add((page.Page-1)*page.Limit)
	items, err := queryAll(ctx, q, what, scan, sql, a...)
	if err != nil {
		return store.List[T]{}, err
	}
	return store.List[T]{Items: items, Total: total}, nil
}

// queryAll returns every row as a non-nil slice.
func queryAll[T any](ctx context.Context, q querier, what string, scan func(scanner) (*T, error), sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, mapErr(err, what)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) {
		v, err := scan(r)
		if err != nil {
			var zero T
			return zero, err
		}
		return *v, nil
	})
	if err != nil {
		return nil, mapErr(err, what)
	}
	if items == nil {
		items = []T{}
	}
	return items, nil
}

// queryOne returns the single row of sql, store.ErrNotFound when none.
func queryOne[T any](ctx context.Context, q querier, what string, scan func(scanner) (*T, error), sql string, args ...any) (*T, error) {
	v, err := scan(q.QueryRow(ctx, sql, args...))
	if err != nil {
		return nil, mapErr(err, what)
	}
	return v, nil
}

// nullIfEmpty passes an empty string as NULL.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// prefixed qualifies a plain column list ("a, b") with a table alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, p := range parts {
		parts[i] = alias + p
	}
	return strings.Join(parts, ", ")
}

// guardedUpdate runs an UPDATE … RETURNING that carries an optional status
// guard in its WHERE clause. When it matches nothing, exists tells a
// missing row (store.ErrNotFound) from one in another state
// (store.ErrPrecondition).
func guardedUpdate[T any](ctx context.Context, q querier, what string, scan func(scanner) (*T, error), guarded bool, sql string, a args, existsSQL string, id any) (*T, error) {
	v, err := queryOne(ctx, q, what, scan, sql, a...)
	if err == nil || !guarded || !errors.Is(err, store.ErrNotFound) {
		return v, err
	}
	var exists bool
	if err := q.QueryRow(ctx, existsSQL, id).Scan(&exists); err != nil {
		return nil, mapErr(err, what)
	}
	if exists {
		return nil, store.ErrPrecondition
	}
	return nil, store.ErrNotFound
}
