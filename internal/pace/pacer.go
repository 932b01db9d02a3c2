package pace

import (
	"context"
	"net/http"
	"net/http/httptrace"
	"sync"
	"time"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/i18n"
)

// RateLimiter is what a Pacer waits on: the Limiter of this machine's state file, or a
// limiter shared by several machines (internal/team, through Redis).
type RateLimiter interface {
	// WaitSlot waits for the next send slot and records it; it returns the send time it
	// recorded, on the limiter's clock (the zero time when nothing was recorded).
	WaitSlot(ctx context.Context) (time.Time, error)
	// Restamp moves the send recorded at `at` to `wrote`, when the request was written,
	// if that is later.
	Restamp(at, wrote time.Time)
	// Throttled holds every sender back by d: the server said "Retry later".
	Throttled(d time.Duration)
	// Rate is the limiter's rate.
	Rate() Rate
	// Now is the limiter's clock.
	Now() time.Time
}

// Pacer puts a RateLimiter in front of every attempt of a client: the client calls it
// just before each request leaves, retries included. An interruption of the run
// (Interrupt) ends a wait for a slot — the request has then certainly not been sent —
// but never a request already on its way.
type Pacer struct {
	Limiter RateLimiter
	// Interrupt is the run's context: the requests themselves get a context that
	// ignores its cancellation, the waits before them do not.
	Interrupt context.Context

	mu   sync.Mutex
	sent time.Time // the send time recorded by the last wait, until its request is written
}

// ErrWaitInterrupted is returned by the pacing hook when the run is interrupted while
// a request waits for its slot: the request was not sent.
var ErrWaitInterrupted = i18n.Errorf("interrupted while waiting for a send slot")

// WaitError is a wait for a send slot that failed (the shared limiter could not be
// reached): the request was not sent.
type WaitError struct{ Err error }

func (e *WaitError) Error() string { return "waiting for a send slot: " + e.Err.Error() }
func (e *WaitError) Unwrap() error { return e.Err }

// Localize renders the error in p's language.
func (e *WaitError) Localize(p *i18n.Printer) string {
	return p.Sprintf("waiting for a send slot: %v", e.Err)
}

// Client returns c with the pacer's hooks, and a transport that tells the limiter when
// each request was actually written.
func (p *Pacer) Client(c *api.Client) (*api.Client, error) {
	return c.With(func(o *api.Options) {
		o.Wait = p.wait
		o.OnThrottle = p.Limiter.Throttled
		base := o.Transport
		if base == nil {
			base = http.DefaultTransport.(*http.Transport).Clone()
		}
		o.Transport = &stampTransport{base: base, p: p}
	})
}

func (p *Pacer) wait(ctx context.Context) error {
	wctx := ctx
	if p.Interrupt != nil {
		var cancel context.CancelFunc
		wctx, cancel = context.WithCancel(ctx)
		defer cancel()
		stop := context.AfterFunc(p.Interrupt, cancel)
		defer stop()
	}
	at, err := p.Limiter.WaitSlot(wctx)
	if err != nil {
		if p.Interrupt != nil && p.Interrupt.Err() != nil && ctx.Err() == nil {
			return ErrWaitInterrupted
		}
		if ctx.Err() != nil {
			return err
		}
		return &WaitError{Err: err}
	}
	p.mu.Lock()
	p.sent = at
	p.mu.Unlock()
	return nil
}

// stampTransport restamps the send time the last wait recorded with the moment the
// request was written, so that a slow start (a busy machine) cannot crowd a window.
type stampTransport struct {
	base http.RoundTripper
	p    *Pacer
}

func (t *stampTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.p.mu.Lock()
	at := t.p.sent
	t.p.sent = time.Time{}
	t.p.mu.Unlock()
	if at.IsZero() {
		return t.base.RoundTrip(req)
	}
	var once sync.Once
	trace := &httptrace.ClientTrace{WroteHeaders: func() {
		once.Do(func() { t.p.Limiter.Restamp(at, t.p.Limiter.Now()) })
	}}
	return t.base.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
}
