package api

import (
	"context"
	"io"
	"net/http"
	"time"
)

// Options configure a Client.
type Options struct {
	BaseURL    string            // e.g. https://lxcrm.weiwenjia.com; checked by CheckBaseURL
	Token      string            // user_token; "" for unauthenticated calls (login)
	Transport  http.RoundTripper // nil: a clone of http.DefaultTransport
	Timeout    time.Duration     // per attempt; 0 means 30s
	UserAgent  string            // "crmctl/<version>"
	Debug      io.Writer         // non-nil: trace each request and answer, secrets redacted
	MaxRetries int               // retries after the first attempt; 0 means the default (4), <0 none
	// Wait is called before every request sent, retries and redirect hops included
	// (pacing); nil means none. An error from it ends the call.
	Wait func(ctx context.Context) error
	// OnThrottle is called for every throttled answer that will be retried, with the
	// wait before the retry (Retry-After when the answer had one, else the backoff).
	OnThrottle func(retryAfter time.Duration)
	// Sleep waits between retries; nil means a real, context-aware sleep (tests fake it).
	Sleep func(ctx context.Context, d time.Duration) error
}
