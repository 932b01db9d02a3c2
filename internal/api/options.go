package api

import (
	"context"
	"io"
	"net/http"
	"time"
)

// Options configure a Client.
type Options struct {
	BaseURL   string            // e.g. https://lxcrm.weiwenjia.com; checked by CheckBaseURL
	Token     string            // user_token; "" for unauthenticated calls (login)
	Transport http.RoundTripper // nil: a clone of http.DefaultTransport
	// Timeout bounds a call's whole wait for the network: every attempt and the back-off
	// between failed attempts (waits for the rate limit are not counted); 0 means 30s.
	Timeout    time.Duration
	UserAgent  string    // "crmctl/<version>"
	Debug      io.Writer // non-nil: trace each request and answer, secrets redacted
	MaxRetries int       // retries after the first attempt; 0 means the default (4), <0 none
	// Wait is called before every request sent, retries and redirect hops included
	// (pacing); nil means none. An error from it ends the call.
	Wait func(ctx context.Context) error
	// OnThrottle is called for every throttled answer that will be retried, with the
	// wait before the retry (Retry-After when the answer had one, else the backoff).
	OnThrottle func(retryAfter time.Duration)
	// OnRetry is called before a retry after a failed attempt (a network failure or a
	// server error page), with the attempt about to be made and the wait before it.
	OnRetry func(Retry)
	// Sleep waits between retries; nil means a real, context-aware sleep (tests fake it).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Retry describes a retry about to be made after a failed attempt.
type Retry struct {
	Method, Path string
	Host         string        // the host (and port) the call goes to
	Attempt, Of  int           // the attempt about to be made, and the most that will be
	Wait         time.Duration // the back-off before it
	Err          error         // why the previous attempt failed
}
