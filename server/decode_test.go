package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/matryer/is"

	"github.com/codexforgo/codex"
)

type createItem struct {
	Title string `json:"title"`
	Price int    `json:"price"`
	Meta  struct {
		Count int `json:"count"`
	} `json:"meta"`
}

func decodeHandler(t *testing.T, maxBody int64) http.Handler {
	env := newEnv(t, codex.Config{MaxBodyBytes: maxBody})
	return env.srv.handler(nil, func(r *router) {
		decode := func(w http.ResponseWriter, r *http.Request) error {
			var in createItem
			if err := DecodeJSON(r, &in); err != nil {
				return err
			}
			return WriteData(w, http.StatusCreated, in)
		}
		r.handle("POST", "/test/items", decode)
		r.handle("POST", "/test/uploads", decode, MaxBodyBytes(4096))
	})
}

func TestDecodeJSON(t *testing.T) {
	h := decodeHandler(t, 64)
	for _, tc := range []struct {
		name, body, code, path, message string
	}{
		{"malformed", `{"title":`, "INVALID_JSON", "body", "Request body must be valid JSON"},
		{"not json", `title=x`, "INVALID_JSON", "body", "Request body must be valid JSON"},
		{"empty", ``, "INVALID_JSON", "body", "Request body must be valid JSON"},
		{"blank", "  \n", "INVALID_JSON", "body", "Request body must be valid JSON"},
		{"unknown field", `{"title":"a","role":"admin"}`, "VALIDATION_ERROR", "body.role", "Unknown field"},
		{"wrong type", `{"price":"12"}`, "VALIDATION_ERROR", "body.price", "Expected integer"},
		{"fraction for integer", `{"price":1.5}`, "VALIDATION_ERROR", "body.price", "Expected integer"},
		{"nested wrong type", `{"meta":{"count":true}}`, "VALIDATION_ERROR", "body.meta.count", "Expected integer"},
		{"string expected", `{"title":5}`, "VALIDATION_ERROR", "body.title", "Expected string"},
		{"array body", `[1]`, "VALIDATION_ERROR", "body", "Expected object"},
		{"null body", `null`, "VALIDATION_ERROR", "body", "Expected object"},
		{"trailing data", `{"title":"a"} {"title":"b"}`, "INVALID_JSON", "body", "Request body must contain a single JSON value"},
		{"trailing garbage", `{"title":"a"}x`, "INVALID_JSON", "body", "Request body must contain a single JSON value"},
		{"oversized", `{"title":"` + strings.Repeat("a", 100) + `"}`, "PAYLOAD_TOO_LARGE", "body", "Request body too large (max 64 bytes)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			res := do(t, h, "POST", "/test/items", strings.NewReader(tc.body), "Content-Type", "application/json")
			is.Equal(res.StatusCode, http.StatusBadRequest)
			is.Equal(res.errorBody(t)["code"], tc.code)
			is.Equal(res.fields(t), map[string]string{tc.path: tc.message})
		})
	}

	t.Run("valid", func(t *testing.T) {
		is := is.New(t)
		res := do(t, h, "POST", "/test/items", strings.NewReader(`{"title":"a","price":5}`))
		is.Equal(res.StatusCode, http.StatusCreated)
		is.Equal(res.json(t)["data"].(map[string]any)["price"], float64(5))
	})
	t.Run("route with a larger limit", func(t *testing.T) {
		is := is.New(t)
		body := `{"title":"` + strings.Repeat("a", 1000) + `"}`
		is.Equal(do(t, h, "POST", "/test/items", strings.NewReader(body)).StatusCode, http.StatusBadRequest)
		is.Equal(do(t, h, "POST", "/test/uploads", strings.NewReader(body)).StatusCode, http.StatusCreated)
		res := do(t, h, "POST", "/test/uploads", strings.NewReader(`{"title":"`+strings.Repeat("a", 5000)+`"}`))
		is.Equal(res.fields(t), map[string]string{"body": "Request body too large (max 4096 bytes)"})
	})
}

func TestUUIDParam(t *testing.T) {
	env := newEnv(t, codex.Config{})
	h := env.srv.handler(nil, func(r *router) {
		r.handle("GET", "/test/items/:id", func(w http.ResponseWriter, r *http.Request) error {
			id, err := UUIDParam(r, "id")
			if err != nil {
				return err
			}
			return WriteData(w, http.StatusOK, id)
		})
	})
	for _, bad := range []string{"nope", "123", "6ba7b8109dad11d180b400c04fd430c8", "{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", "6ba7b810-9dad-11d1-80b4-00c04fd430cz"} {
		t.Run(bad, func(t *testing.T) {
			is := is.New(t)
			res := do(t, h, "GET", "/test/items/"+bad, nil)
			is.Equal(res.StatusCode, http.StatusBadRequest)
			is.Equal(res.errorBody(t)["code"], "VALIDATION_ERROR")
			is.Equal(res.fields(t), map[string]string{"params.id": "Invalid ID format"})
		})
	}
	t.Run("valid, any case", func(t *testing.T) {
		is := is.New(t)
		res := do(t, h, "GET", "/test/items/6BA7B810-9DAD-11D1-80B4-00C04FD430C8", nil)
		is.Equal(res.StatusCode, http.StatusOK)
		is.Equal(res.json(t)["data"], "6ba7b810-9dad-11d1-80b4-00c04fd430c8")
	})
}

func TestPageQuery(t *testing.T) {
	env := newEnv(t, codex.Config{})
	h := env.srv.handler(nil, func(r *router) {
		r.handle("GET", "/test/list", func(w http.ResponseWriter, r *http.Request) error {
			page, err := PageQuery(r)
			if err != nil {
				return err
			}
			var items []string // nil: must still be written as []
			return WriteList(w, items, page, 12)
		})
	})
	for _, tc := range []struct {
		query  string
		fields map[string]string
	}{
		{"page=0", map[string]string{"query.page": "Must be greater than 0"}},
		{"page=-3", map[string]string{"query.page": "Must be greater than 0"}},
		{"page=", map[string]string{"query.page": "Must be greater than 0"}},
		{"page=1001", map[string]string{"query.page": "Must be 1000 or less"}},
		{"page=99999999999999999999", map[string]string{"query.page": "Must be 1000 or less"}},
		{"page=1.5", map[string]string{"query.page": "Must be a whole number"}},
		{"limit=101", map[string]string{"query.limit": "Must be 100 or less"}},
		{"limit=0", map[string]string{"query.limit": "Must be greater than 0"}},
		{"page=abc&limit=x", map[string]string{"query.page": "Must be a whole number", "query.limit": "Must be a whole number"}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			is := is.New(t)
			res := do(t, h, "GET", "/test/list?"+tc.query, nil)
			is.Equal(res.StatusCode, http.StatusBadRequest)
			is.Equal(res.fields(t), tc.fields)
		})
	}
	for _, tc := range []struct {
		query string
		want  string
	}{
		{"", `{"data":{"items":[],"pagination":{"page":1,"limit":20,"total":12,"totalPages":1}}}`},
		{"page=2&limit=5", `{"data":{"items":[],"pagination":{"page":2,"limit":5,"total":12,"totalPages":3}}}`},
		{"page=1000&limit=100", `{"data":{"items":[],"pagination":{"page":1000,"limit":100,"total":12,"totalPages":1}}}`},
	} {
		t.Run("ok "+tc.query, func(t *testing.T) {
			is := is.New(t)
			res := do(t, h, "GET", "/test/list?"+tc.query, nil)
			is.Equal(res.StatusCode, http.StatusOK)
			is.Equal(strings.TrimSpace(string(res.body)), tc.want)
		})
	}
}
