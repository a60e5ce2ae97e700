package main

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"time"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// serve shows the shop until ctx ends. The page is the customer's view:
// the example has no sign-in form, so it acts as the customer who just
// bought.
func (s *shop) serve(ctx context.Context, addr string, out io.Writer) error {
	srv := &http.Server{Addr: addr, Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	fmt.Fprintf(out, "serving the shop on %s (Ctrl-C to stop)\n", s.c.Config().PublicURL)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// handler is the whole site: one page, plus the HLS objects a streaming
// grant covers, served at the path grants point to.
func (s *shop) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.page)
	mux.HandleFunc("GET "+hlsRoute+"{token}/{rel...}", s.hls)
	return mux
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<title>{{.Item.Title}}</title>
<h1>{{.Item.Title}}</h1>
<p>{{.Price}} · signed in as {{.Customer}} · {{if .Owned}}you own this{{else}}not bought{{end}}</p>
{{if .StreamURL}}<video controls width="640" src="{{.StreamURL}}"></video>
<p>HLS plays natively in Safari; elsewhere try <code>ffplay '{{.StreamURL}}'</code>.</p>
{{else if .Item.ContentBody}}<article>{{.Item.ContentBody}}</article>{{end}}
`))

func (s *shop) page(w http.ResponseWriter, r *http.Request) {
	data := struct {
		Item      *store.Content
		Price     string
		Customer  string
		Owned     bool
		StreamURL string
	}{Item: s.item, Price: money(*s.item.PriceCents), Customer: s.customer.Email}
	// Every view asks the library again: access can change (a refund).
	if _, err := s.c.Access().Check(r.Context(), s.customer, s.item.ID); err == nil {
		data.Owned = true
		if s.item.ContentType == store.ContentVideo {
			// A fresh grant per view: grants expire.
			g, err := s.c.Access().Stream(r.Context(), s.customer, s.item.ID, 0)
			if err != nil {
				httpError(w, err)
				return
			}
			data.StreamURL = g.StreamingURL
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pageTmpl.Execute(w, data)
}

// hls serves one playlist or segment. The token in the path is the
// credential; OpenHLS checks it and the path.
func (s *shop) hls(w http.ResponseWriter, r *http.Request) {
	obj, err := s.c.Access().OpenHLS(r.Context(), r.PathValue("token"), r.PathValue("rel"))
	if err != nil {
		httpError(w, err)
		return
	}
	defer obj.Body.Close()
	w.Header().Set("Content-Type", obj.ContentType)
	if rs, ok := obj.Body.(io.ReadSeeker); ok {
		http.ServeContent(w, r, "", obj.Info.ModTime, rs) // Range requests
		return
	}
	io.Copy(w, obj.Body)
}

// httpError answers with the status of the error's kind and its safe
// message; causes stay out of responses.
func httpError(w http.ResponseWriter, err error) {
	fe := fault.From(err)
	http.Error(w, fe.Code+": "+fe.Message, fe.Kind.Status())
}

// hlsRoute is where streaming grants point (see access.Signer): this page
// serves the grant's files at the same place the platform's server would.
const hlsRoute = "/api/access/hls/"
