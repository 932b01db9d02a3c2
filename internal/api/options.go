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
	MaxRetries int               // retries after the first attempt; 0 means the default (4)
	// Wait is called before every attempt, retries included (pacing); nil means none.
	Wait func(ctx context.Context) error
	// OnThrottle is called for every throttled answer with the wait it asked for.
	OnThrottle func(retryAfter time.Duration)
	// Sleep waits between retries; nil means a real, context-aware sleep (tests fake it).
	Sleep func(ctx context.Context, d time.Duration) error
}
