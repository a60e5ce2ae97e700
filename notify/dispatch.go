package notify

import (
	"context"
	"log/slog"
	"maps"
	"sync"
	"time"
)

// Request asks for one product email by template name.
type Request struct {
	Template string
	To       string
	Data     map[string]string
}

// DispatcherConfig configures a Dispatcher.
type DispatcherConfig struct {
	From         string            // default sender, "Name <addr>"
	Brand        map[string]string // platformName, supportEmail, ... (caller data wins)
	Retries      int               // attempts after the first; default 3
	RetryBackoff time.Duration     // first backoff, doubled each time; default 1 s
	Log          *slog.Logger
}

// Dispatcher renders product emails from the built-in templates and hands
// them to a Mailer in the background, retrying transient failures, so a
// send never blocks or fails the request that triggered it.
type Dispatcher struct {
	mailer Mailer
	cfg    DispatcherConfig
	wg     sync.WaitGroup
	ctx    context.Context
	stop   context.CancelFunc
}

// NewDispatcher returns a dispatcher sending through m.
func NewDispatcher(m Mailer, cfg DispatcherConfig) *Dispatcher {
	if cfg.Retries == 0 {
		cfg.Retries = 3
	}
	if cfg.RetryBackoff == 0 {
		cfg.RetryBackoff = time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Dispatcher{mailer: m, cfg: cfg, ctx: ctx, stop: stop}
}

// Send renders and queues the email. Problems are logged, never returned.
func (d *Dispatcher) Send(ctx context.Context, r Request) {
	tmpl, ok := builtins[r.Template]
	if !ok {
		d.cfg.Log.ErrorContext(ctx, "email: unknown template", "template", r.Template)
		return
	}
	if !ValidAddress(r.To) {
		d.cfg.Log.WarnContext(ctx, "email: invalid recipient", "template", r.Template)
		return
	}
	data := maps.Clone(d.cfg.Brand)
	if data == nil {
		data = map[string]string{}
	}
	maps.Copy(data, r.Data)
	m := Message{
		From:    d.cfg.From,
		To:      r.To,
		Subject: Render(tmpl.Subject, data, false),
		HTML:    Render(tmpl.HTML, data, true),
		Text:    Render(tmpl.Text, data, false),
		Tag:     r.Template,
	}
	d.wg.Add(1)
	go d.deliver(m)
}

func (d *Dispatcher) deliver(m Message) {
	defer d.wg.Done()
	backoff := d.cfg.RetryBackoff
	for attempt := 0; ; attempt++ {
		err := d.mailer.Send(d.ctx, m)
		if err == nil {
			return
		}
		if attempt >= d.cfg.Retries || d.ctx.Err() != nil {
			d.cfg.Log.Error("email: delivery failed", "template", m.Tag, "attempts", attempt+1, "err", err)
			return
		}
		select {
		case <-time.After(backoff):
		case <-d.ctx.Done():
		}
		backoff *= 2
	}
}

// Close waits up to timeout for queued deliveries, then abandons the rest.
func (d *Dispatcher) Close(timeout time.Duration) {
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		d.stop()
		<-done
	}
	d.stop()
}
