package notify

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/codexforgo/codex/store"
)

const (
	batchSize = 50
	// maxErrorLen bounds the provider error kept in the log.
	maxErrorLen = 1000
)

// run is the delivery worker: it delivers due entries whenever Send wakes
// it and every PollInterval, which also covers entries queued by other
// instances, retries coming due, and entries a previous run left behind.
func (s *Service) run() {
	defer close(s.done)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.kick:
		case <-timer.C:
		}
		s.deliverDue()
		timer.Reset(s.cfg.PollInterval)
	}
}

// lease is how long a claimed entry is reserved for this worker: longer
// than one attempt, so another instance only takes it over when this one
// died mid-attempt.
func (s *Service) lease() time.Duration { return s.cfg.SendTimeout + time.Minute }

func (s *Service) deliverDue() {
	for s.ctx.Err() == nil {
		now := time.Now()
		batch, err := s.db.EmailLog().Claim(s.ctx, now, now.Add(s.lease()), batchSize)
		if err != nil {
			if s.ctx.Err() == nil {
				s.log.Error("email: claiming due messages failed", "err", err)
			}
			return
		}
		sem := make(chan struct{}, s.cfg.Workers)
		var wg sync.WaitGroup
		for _, e := range batch {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				s.attempt(e)
			}()
		}
		wg.Wait()
		if len(batch) < batchSize {
			return
		}
	}
}

// attempt makes one delivery attempt of a claimed entry and records the
// outcome. The provider call runs outside any transaction; each state
// change is its own small write.
func (s *Service) attempt(e store.EmailLog) {
	// State must be recorded even while Close cancels s.ctx.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), 10*time.Second)
	defer cancel()
	log := s.log.With("emailLogId", e.ID.String(), "template", e.TemplateName)

	var msg Message
	if e.Metadata == nil || json.Unmarshal([]byte(*e.Metadata), &msg) != nil {
		// Nothing to send: the message cannot be rebuilt.
		s.finish(wctx, e, store.EmailFailed, errors.New("stored message missing or unreadable"), e.Attempts)
		log.Error("email: stored message unreadable")
		return
	}

	sctx, scancel := context.WithTimeout(s.ctx, s.cfg.SendTimeout)
	err := s.mailer.Send(sctx, msg)
	scancel()
	attempts := e.Attempts + 1
	switch {
	case err == nil:
		s.finish(wctx, e, store.EmailSuccess, nil, attempts)
		log.Info("email delivered", "attempts", attempts)
	case s.ctx.Err() != nil:
		// Shutting down cut the attempt short; that is not the
		// provider's failure. The next start retries at once.
		now := time.Now()
		if _, uerr := s.db.EmailLog().Update(wctx, e.ID, store.EmailLogPatch{NextAttemptAt: store.Some(&now)}); uerr != nil {
			log.Error("email: releasing message on shutdown failed", "err", uerr)
		}
	case IsPermanent(err) || attempts >= s.cfg.MaxAttempts:
		s.finish(wctx, e, store.EmailFailed, err, attempts)
		log.Error("email delivery failed", "attempts", attempts, "permanent", IsPermanent(err), "err", err)
	default:
		next := time.Now().Add(s.backoff(attempts))
		msg := errText(err)
		if _, uerr := s.db.EmailLog().Update(wctx, e.ID, store.EmailLogPatch{
			Error: store.Some(&msg), Attempts: store.Some(attempts), NextAttemptAt: store.Some(&next),
		}); uerr != nil {
			log.Error("email: recording failed attempt failed", "err", uerr)
		}
		log.Warn("email delivery failed, will retry", "attempts", attempts, "nextAttemptAt", next, "err", err)
		// Wake up for the retry even when it comes before the next poll.
		time.AfterFunc(time.Until(next), func() {
			select {
			case s.kick <- struct{}{}:
			default:
			}
		})
	}
}

// finish records a final state and clears the stored message, which may
// hold single-use links nobody needs once delivery is over.
func (s *Service) finish(ctx context.Context, e store.EmailLog, status store.EmailStatus, cause error, attempts int) {
	p := store.EmailLogPatch{
		Status:        store.Some(status),
		Attempts:      store.Some(attempts),
		NextAttemptAt: store.Some[*time.Time](nil),
		Metadata:      store.Some[*string](nil),
	}
	if cause != nil {
		msg := errText(cause)
		p.Error = store.Some(&msg)
	} else {
		p.Error = store.Some[*string](nil)
	}
	if _, err := s.db.EmailLog().Update(ctx, e.ID, p); err != nil {
		s.log.Error("email: recording delivery outcome failed", "emailLogId", e.ID.String(), "err", err)
	}
}

// backoff is the wait after the n-th failed attempt.
func (s *Service) backoff(n int) time.Duration {
	d := s.cfg.RetryBackoff
	for i := 1; i < n && d < s.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, s.cfg.MaxBackoff)
}

func errText(err error) string {
	t := err.Error()
	if len(t) > maxErrorLen {
		t = strings.ToValidUTF8(t[:maxErrorLen], "")
	}
	return t
}
