package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func okCustomer(w http.ResponseWriter) {
	writeJSON(w, `{"code":0,"data":{"id":18,"name":"贸易公司"}}`)
}

func createForm() url.Values {
	return url.Values{"common_id": {"45"}, "customer[name]": {"贸易公司"}}
}

func TestThrottledGetHonoursRetryAfterSeconds(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte("Retry later"))
			return
		}
		writeJSON(w, `{"code":0,"data":{"id":1}}`)
	})
	var throttles []time.Duration
	c, sr := newTestClient(t, srv.URL, func(o *Options) { o.OnThrottle = func(d time.Duration) { throttles = append(throttles, d) } })
	if _, err := c.UserInfo(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w := sr.waits(); len(w) != 1 || w[0] != 3*time.Second {
		t.Errorf("waits = %v, want [3s]", w)
	}
	if len(throttles) != 1 || throttles[0] != 3*time.Second {
		t.Errorf("OnThrottle = %v", throttles)
	}
	if s := c.Stats(); s != (Stats{Requests: 2, Throttled: 1, Retries: 1}) {
		t.Errorf("stats = %+v", s)
	}
}

// A throttled POST was not processed: it is sent again, with the same body, even when
// the throttle comes as a 200 or a 503 with the plain-text body.
func TestThrottledPostIsResent(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n {
		case 1:
			w.Header().Set("Retry-After", time.Now().Add(5*time.Second).UTC().Format(http.TimeFormat))
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("Retry later")) // HTTP 200
		case 2:
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("Retry later\n"))
		default:
			okCustomer(w)
		}
	})
	c, sr := newTestClient(t, srv.URL)
	cu, err := c.CreateCommonCustomer(context.Background(), createForm())
	if err != nil {
		t.Fatal(err)
	}
	if cu.ID != "18" {
		t.Errorf("customer = %+v", cu)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("server saw %d requests, want 3", len(reqs))
	}
	for i, r := range reqs {
		if r.Method != "POST" || r.Body != createForm().Encode() || r.Header.Get("Authorization") != wantAuth {
			t.Errorf("request %d = %+v", i+1, r)
		}
	}
	w := sr.waits()
	if len(w) != 2 {
		t.Fatalf("waits = %v", w)
	}
	if w[0] <= 3*time.Second || w[0] > 5*time.Second {
		t.Errorf("wait for an HTTP-date Retry-After = %v, want about 4-5s", w[0])
	}
	if w[1] < time.Second || w[1] > 2*time.Second {
		t.Errorf("backoff before the third attempt = %v, want 1s..2s", w[1])
	}
	if s := c.Stats(); s != (Stats{Requests: 3, Throttled: 2, Retries: 2}) {
		t.Errorf("stats = %+v", s)
	}
}

func TestThrottleIsBounded(t *testing.T) {
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				w.WriteHeader(http.StatusTooManyRequests)
				w.Write([]byte("Retry later"))
			})
			var calls int
			c, sr := newTestClient(t, srv.URL, func(o *Options) { o.OnThrottle = func(time.Duration) { calls++ } })
			var err error
			if method == "GET" {
				_, err = c.Pools(context.Background())
			} else {
				_, err = c.CreateCommonCustomer(context.Background(), createForm())
			}
			var te *ThrottledError
			if !errors.As(err, &te) || te.Attempts != 5 {
				t.Fatalf("err = %#v, want *ThrottledError after 5 attempts", err)
			}
			if n := len(srv.Requests()); n != 5 {
				t.Errorf("server saw %d requests, want 5 (1 + 4 retries)", n)
			}
			// Exponential backoff with jitter: each wait in [d/2, d], d = 1s, 2s, 4s, 8s.
			w := sr.waits()
			if len(w) != 4 || calls != 4 {
				t.Fatalf("waits = %v, OnThrottle calls = %d", w, calls)
			}
			for i, d := range w {
				hi := time.Second << i
				if d < hi/2 || d > hi {
					t.Errorf("wait %d = %v, want %v..%v", i+1, d, hi/2, hi)
				}
			}
			if s := c.Stats(); s != (Stats{Requests: 5, Throttled: 5, Retries: 4}) {
				t.Errorf("stats = %+v", s)
			}
		})
	}
}

func TestBackoffIsCapped(t *testing.T) {
	for n := 1; n <= 40; n++ {
		if d := backoff(n); d <= 0 || d > backoffCap {
			t.Errorf("backoff(%d) = %v", n, d)
		}
	}
}

func TestThrottleWithLongRetryAfterFailsAtOnce(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c, sr := newTestClient(t, srv.URL)
	_, err := c.UserInfo(context.Background())
	var te *ThrottledError
	if !errors.As(err, &te) || te.RetryAfter != time.Hour || te.Attempts != 1 {
		t.Fatalf("err = %#v", err)
	}
	if len(sr.waits()) != 0 || len(srv.Requests()) != 1 {
		t.Errorf("waits = %v, requests = %d", sr.waits(), len(srv.Requests()))
	}
}

func TestMaxRetries(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(http.StatusTooManyRequests) })
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.MaxRetries = 1 })
	if _, err := c.UserInfo(context.Background()); err == nil || len(srv.Requests()) != 2 {
		t.Errorf("MaxRetries=1: err = %v, requests = %d", err, len(srv.Requests()))
	}
	srv2 := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(http.StatusTooManyRequests) })
	c2, _ := newTestClient(t, srv2.URL, func(o *Options) { o.MaxRetries = -1 })
	if _, err := c2.UserInfo(context.Background()); err == nil || len(srv2.Requests()) != 1 {
		t.Errorf("MaxRetries=-1: err = %v, requests = %d", err, len(srv2.Requests()))
	}
}

func TestServerErrorRetriedForGet(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n <= 2 {
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte("<html><head><title>502 Bad Gateway</title></head></html>"))
			return
		}
		writeJSON(w, `{"code":0,"data":{"id":7}}`)
	})
	c, sr := newTestClient(t, srv.URL)
	cu, err := c.CommonCustomer(context.Background(), "7")
	if err != nil || cu.ID != "7" {
		t.Fatalf("customer = %+v, err = %v", cu, err)
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("server saw %d requests", n)
	}
	if w := sr.waits(); len(w) != 2 {
		t.Errorf("waits = %v", w)
	}
	if s := c.Stats(); s != (Stats{Requests: 3, Retries: 2}) {
		t.Errorf("stats = %+v", s)
	}
}

func TestServerErrorGetBounded(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("Internal Server Error"))
	})
	c, _ := newTestClient(t, srv.URL)
	_, err := c.UserInfo(context.Background())
	var re *ResponseError
	if !errors.As(err, &re) || re.StatusCode != 500 || re.Snippet != "Internal Server Error" {
		t.Fatalf("err = %#v", err)
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("server saw %d requests, want 3", n)
	}
}

func TestServerErrorNotRetriedForPost(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("<html><title>We're sorry, but something went wrong (500)</title></html>"))
	})
	c, sr := newTestClient(t, srv.URL)
	_, err := c.CreateCommonCustomer(context.Background(), createForm())
	var re *ResponseError
	if !errors.As(err, &re) || re.StatusCode != 500 || re.Method != "POST" || !strings.Contains(re.Snippet, "something went wrong") {
		t.Fatalf("err = %#v", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("server saw %d POSTs, want 1", n)
	}
	if len(sr.waits()) != 0 {
		t.Errorf("waits = %v", sr.waits())
	}
}

// hangUp closes the connection after reading the request, without an answer.
func hangUp(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

func TestPostNetworkFailureAfterWriteIsNotResent(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { hangUp(t, w) })
	c, sr := newTestClient(t, srv.URL)
	_, err := c.CreateCommonCustomer(context.Background(), createForm())
	var ne *NetworkError
	if !errors.As(err, &ne) || !ne.MaybeSent || ne.Method != "POST" || ne.Path != "/api/v2/common_customers" {
		t.Fatalf("err = %#v, want *NetworkError{MaybeSent: true}", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("server saw %d POSTs, want exactly 1", n)
	}
	if len(sr.waits()) != 0 {
		t.Errorf("waits = %v", sr.waits())
	}
	if strings.Contains(err.Error(), srv.URL) {
		t.Errorf("error repeats the URL: %v", err)
	}
}

func TestGetNetworkFailureIsRetried(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			hangUp(t, w)
			return
		}
		writeJSON(w, `{"code":0,"data":{"id":1}}`)
	})
	c, sr := newTestClient(t, srv.URL)
	if _, err := c.UserInfo(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("server saw %d requests, want 2", n)
	}
	if w := sr.waits(); len(w) != 1 || w[0] < 500*time.Millisecond || w[0] > time.Second {
		t.Errorf("waits = %v", w)
	}
}

// flakyTransport fails the first n dials, as an unreachable network does.
func flakyTransport(n int32) (*http.Transport, *atomic.Int32) {
	var dials atomic.Int32
	tr := http.DefaultTransport.(*http.Transport).Clone()
	d := &net.Dialer{}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) <= n {
			return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("network is unreachable")}
		}
		return d.DialContext(ctx, network, addr)
	}
	return tr, &dials
}

func TestPostDialFailureIsRetried(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { okCustomer(w) })
	tr, dials := flakyTransport(2)
	c, sr := newTestClient(t, srv.URL, func(o *Options) { o.Transport = tr })
	cu, err := c.CreateCommonCustomer(context.Background(), createForm())
	if err != nil || cu.ID != "18" {
		t.Fatalf("customer = %+v, err = %v", cu, err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("server saw %d POSTs, want 1", n)
	}
	if dials.Load() != 3 || len(sr.waits()) != 2 {
		t.Errorf("dials = %d, waits = %v", dials.Load(), sr.waits())
	}
	if s := c.Stats(); s != (Stats{Requests: 1, Retries: 2}) {
		t.Errorf("stats = %+v (a failed dial sends nothing)", s)
	}
}

// Nothing listens at the address: one quick retry (a server restarting), then the error
// says how many attempts were made.
func TestRefusedConnectionRetriedOnceQuickly(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, sr := newTestClient(t, "http://"+addr)
	_, err = c.CreateCommonCustomer(context.Background(), createForm())
	var ne *NetworkError
	if !errors.As(err, &ne) || ne.MaybeSent {
		t.Fatalf("err = %#v, want *NetworkError{MaybeSent: false}", err)
	}
	if w := sr.waits(); len(w) != 1 || w[0] != refusedBackoff || c.Stats().Requests != 0 || c.Stats().Retries != 1 {
		t.Errorf("waits = %v, stats = %+v", w, c.Stats())
	}
	if !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), "(2 attempts)") {
		t.Errorf("err = %v, want the cause and the number of attempts", err)
	}
}

// A failed attempt is retried at most twice, each retry reported (OnRetry, and the host
// and the back-off in the debug trace).
func TestNetworkFailureRetriesAreBoundedAndReported(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { hangUp(t, w) })
	var debug bytes.Buffer
	var retries []Retry
	c, sr := newTestClient(t, srv.URL, func(o *Options) {
		o.Debug = &debug
		o.Timeout = time.Minute
		o.OnRetry = func(r Retry) { retries = append(retries, r) }
	})
	_, err := c.UserInfo(context.Background())
	var ne *NetworkError
	if !errors.As(err, &ne) || ne.Attempts != 3 || !strings.Contains(err.Error(), "(3 attempts)") {
		t.Fatalf("err = %v, want a network error after 3 attempts", err)
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("server saw %d requests, want 3", n)
	}
	w := sr.waits()
	if len(retries) != 2 || len(w) != 2 {
		t.Fatalf("retries = %+v, waits = %v", retries, w)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	for i, r := range retries {
		if r.Attempt != i+2 || r.Of != 3 || r.Wait != w[i] || r.Host != host || r.Err == nil || r.Path != "/api/v2/user/info" {
			t.Errorf("retry %d = %+v", i, r)
		}
	}
	for _, want := range []string{"* GET /api/v2/user/info to " + host + " failed: ", "* retrying (2/3) in ", "* retrying (3/3) in "} {
		if !strings.Contains(debug.String(), want) {
			t.Errorf("debug lacks %q:\n%s", want, debug.String())
		}
	}
}

// The time limit bounds the whole call: a retry that would outlast it is not made.
func TestTimeoutBoundsTheWholeCall(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { hangUp(t, w) })
	c, sr := newTestClient(t, srv.URL, func(o *Options) { o.Timeout = 400 * time.Millisecond })
	_, err := c.UserInfo(context.Background())
	var ne *NetworkError
	if !errors.As(err, &ne) || ne.Attempts != 1 {
		t.Fatalf("err = %v, want a network error after 1 attempt", err)
	}
	if n := len(srv.Requests()); n != 1 || len(sr.waits()) != 0 {
		t.Errorf("requests = %d, waits = %v: the back-off (over 500ms) outlasts the 400ms limit", n, sr.waits())
	}
}

// blockUntilGone holds the request until the client goes away (or 10s pass).
func blockUntilGone(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

func TestTimeout(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { blockUntilGone(r) })
	c, sr := newTestClient(t, srv.URL, func(o *Options) { o.Timeout = 150 * time.Millisecond; o.MaxRetries = 1 })

	start := time.Now()
	_, err := c.CreateCommonCustomer(context.Background(), createForm())
	var ne *NetworkError
	if !errors.As(err, &ne) || !ne.MaybeSent {
		t.Fatalf("POST err = %#v, want *NetworkError{MaybeSent: true}", err)
	}
	var to interface{ Timeout() bool }
	if !errors.As(err, &to) || !to.Timeout() || !strings.Contains(err.Error(), "timeout") {
		t.Errorf("POST err = %v, want a timeout", err)
	}
	if errors.Is(err, context.Canceled) {
		t.Error("a timeout is not a cancellation")
	}
	if time.Since(start) > 5*time.Second {
		t.Error("the timeout was not applied")
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("server saw %d POSTs, want 1", n)
	}

	_, err = c.UserInfo(context.Background())
	if !errors.As(err, &ne) {
		t.Fatalf("GET err = %#v", err)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("server saw %d requests in all, want 2 (the GET's one attempt used up the time limit)", n)
	}
	if len(sr.waits()) != 0 {
		t.Errorf("waits = %v", sr.waits())
	}
}

func TestCancelDuringRequest(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { blockUntilGone(r) })
	c, sr := newTestClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.CreateCommonCustomer(ctx, createForm())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var ce *CanceledError
	if !errors.As(err, &ce) || !ce.MaybeSent {
		t.Errorf("err = %#v, want MaybeSent", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Error("cancellation did not stop the call at once")
	}
	if len(sr.waits()) != 0 || len(srv.Requests()) != 1 {
		t.Errorf("waits = %v, requests = %d", sr.waits(), len(srv.Requests()))
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte("Retry later"))
	})
	c, err := New(Options{BaseURL: srv.URL, Token: testToken}) // the real sleep
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = c.UserInfo(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Error("the backoff did not end with the context")
	}
	if len(srv.Requests()) != 1 {
		t.Errorf("requests = %d", len(srv.Requests()))
	}
}

func TestCancelledBeforeStart(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { okCustomer(w) })
	c, _ := newTestClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.CreateCommonCustomer(ctx, createForm())
	if !errors.Is(err, context.Canceled) || len(srv.Requests()) != 0 {
		t.Fatalf("err = %v, requests = %d", err, len(srv.Requests()))
	}
}

func TestWaitIsCalledBeforeEveryAttempt(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n < 3 {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		okCustomer(w)
	})
	var waits atomic.Int32
	c, _ := newTestClient(t, srv.URL, func(o *Options) {
		o.Wait = func(ctx context.Context) error { waits.Add(1); return nil }
	})
	if _, err := c.CreateCommonCustomer(context.Background(), createForm()); err != nil {
		t.Fatal(err)
	}
	if waits.Load() != 3 {
		t.Errorf("Wait called %d times, want 3", waits.Load())
	}

	boom := errors.New("limiter closed")
	c2, _ := newTestClient(t, srv.URL, func(o *Options) { o.Wait = func(context.Context) error { return boom } })
	before := len(srv.Requests())
	if _, err := c2.UserInfo(context.Background()); !errors.Is(err, boom) {
		t.Errorf("err = %v, want the Wait error", err)
	}
	if len(srv.Requests()) != before {
		t.Error("a request was sent although Wait failed")
	}
}

// The API sometimes answers 301: a GET follows a redirect on the same host, token and
// all.
func TestRedirectSameHostGetFollowed(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if r.URL.Path == "/api/v2/common_customers/18" {
					http.Redirect(w, r, "/v2new/common_customers/18", status)
					return
				}
				okCustomer(w)
			})
			c, _ := newTestClient(t, srv.URL)
			if _, err := c.CommonCustomer(context.Background(), "18"); err != nil {
				t.Fatal(err)
			}
			reqs := srv.Requests()
			if len(reqs) != 2 {
				t.Fatalf("server saw %d requests", len(reqs))
			}
			if r := reqs[1]; r.Method != "GET" || r.Path != "/v2new/common_customers/18" || r.Header.Get("Authorization") != wantAuth {
				t.Errorf("redirected request = %+v", r)
			}
		})
	}
}

// A redirect of a POST is never followed, even on the same host: the form (a
// password, a customer) is sent once, to the host it was meant for.
func TestRedirectOfPostNotFollowed(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if r.URL.Path == "/api/v2/common_customers" {
					http.Redirect(w, r, "/v2new/common_customers", status)
					return
				}
				okCustomer(w)
			})
			c, _ := newTestClient(t, srv.URL)
			_, err := c.CreateCommonCustomer(context.Background(), createForm())
			var re *ResponseError
			if !errors.As(err, &re) || re.StatusCode != status {
				t.Fatalf("err = %v, want a *ResponseError with status %d", err, status)
			}
			for _, want := range []string{fmt.Sprintf("HTTP %d", status), "POST", "/v2new/common_customers", "not followed"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if n := len(srv.Requests()); n != 1 {
				t.Errorf("server saw %d requests, want 1", n)
			}
		})
	}
}

// A redirect to another host, scheme or port is never followed, for any method: the
// password of a login and the token of a GET stay with the base URL's host.
func TestRedirectToAnotherOriginRefused(t *testing.T) {
	const password = "s3cret-pass"
	other := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, `{"code":0,"data":{"user_token":"fedcba9876543210fedcba9876543210","user_id":1,"id":1}}`)
	})
	port := func(hostport string) string { _, p, _ := net.SplitHostPort(hostport); return p }
	for _, tc := range []struct {
		name string
		to   func(r *http.Request) string // the origin to redirect to
	}{
		{"another port", func(*http.Request) string { return other.URL }},
		{"another host", func(r *http.Request) string { return "http://localhost:" + port(r.Host) }},
		{"another scheme", func(r *http.Request) string { return "https://" + r.Host }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				http.Redirect(w, r, tc.to(r)+r.URL.Path, http.StatusPermanentRedirect)
			})
			c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Token = "" })
			_, err := c.Login(context.Background(), LoginParams{Login: "13800000000", Password: password})
			var re *ResponseError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), "another host") || !strings.Contains(err.Error(), "--base-url") {
				t.Fatalf("login: err = %v, want a refused redirect naming --base-url", err)
			}
			c, _ = newTestClient(t, srv.URL)
			if _, err := c.UserInfo(context.Background()); !errors.As(err, &re) || !strings.Contains(err.Error(), "not followed") {
				t.Fatalf("user info: err = %v", err)
			}
			if n := len(srv.Requests()); n != 2 {
				t.Errorf("base host saw %d requests, want 2", n)
			}
		})
	}
	if reqs := other.Requests(); len(reqs) != 0 {
		t.Errorf("the other host saw %d requests (first: %+v)", len(reqs), reqs[0])
	}
}

func TestRedirectDowngradeRefused(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "http://crm.example.com/api/v2/user/info", http.StatusMovedPermanently)
	}))
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") {
		t.Fatalf("unexpected test server URL %s", srv.URL)
	}
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Transport = srv.Client().Transport })
	_, err := c.UserInfo(context.Background())
	var re *ResponseError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "not followed") || !strings.Contains(err.Error(), "http://crm.example.com") {
		t.Fatalf("err = %v", err)
	}
	if hits.Load() != 1 {
		t.Errorf("server hit %d times", hits.Load())
	}
}

func TestRedirectLoopBounded(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		http.Redirect(w, r, fmt.Sprintf("/loop/%d", n), http.StatusFound)
	})
	c, _ := newTestClient(t, srv.URL)
	_, err := c.UserInfo(context.Background())
	if err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Fatalf("err = %v", err)
	}
	if n := len(srv.Requests()); n != maxRedirects+1 {
		t.Errorf("server saw %d requests, want %d", n, maxRedirects+1)
	}
}

func TestDebugRedactsSecrets(t *testing.T) {
	const password = "s3cret-pass"
	const newToken = "fedcba9876543210fedcba9876543210"
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Path {
		case "/api/v2/auth/login":
			writeJSON(w, `{"code":0,"data":{"user_token":"`+newToken+`","user_id":123}}`)
		default:
			writeJSON(w, `{"code":0,"data":{"id":18,"name":"贸易公司","note":"`+strings.Repeat("长", 3000)+`"}}`)
		}
	})
	var debug bytes.Buffer
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Debug = &debug })
	if _, err := c.Login(context.Background(), LoginParams{Login: "13800000000", Password: password}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateCommonCustomer(context.Background(), createForm()); err != nil {
		t.Fatal(err)
	}
	out := debug.String()
	for _, secret := range []string{testToken, password, newToken} {
		if strings.Contains(out, secret) {
			t.Errorf("debug output contains a secret %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{
		"> POST /api/v2/auth/login\n",
		">   password=***\n",
		">   login=13800000000\n",
		`"user_token":"***"`,
		"> POST /api/v2/common_customers\n",
		"> Authorization: Token token=***, device=open_api, version_code=9.9.9\n",
		"> User-Agent: crmctl/test\n",
		"> Content-Type: application/x-www-form-urlencoded\n",
		">   customer[name]=贸易公司\n",
		">   common_id=45\n",
		"< 200 (",
		"more bytes)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("debug output lacks %q:\n%s", want, out)
		}
	}
	if len(out) > 8000 {
		t.Errorf("debug output not truncated: %d bytes", len(out))
	}
}

// The password is redacted where it is sent, not searched for in the answer: masking
// it inside unrelated text would show that the text contains it. The token handed out
// is redacted wherever the answer repeats it.
func TestDebugRedactsThePasswordWhereItIsSent(t *testing.T) {
	const password = "sandbox"
	const newToken = "fedcba9876543210fedcba9876543210"
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, `{"code":0,"data":{"user_token":"`+newToken+`","user_id":2,"email":"wangxm@sandbox.example.com","sso":"`+newToken+`"}}`)
	})
	var debug bytes.Buffer
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Debug = &debug; o.Token = "" })
	if _, err := c.Login(context.Background(), LoginParams{Login: "13800000000", Password: password}); err != nil {
		t.Fatal(err)
	}
	out := debug.String()
	for _, want := range []string{">   password=***\n", `"email":"wangxm@sandbox.example.com"`, `"user_token":"***"`, `"sso":"***"`} {
		if !strings.Contains(out, want) {
			t.Errorf("debug output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, newToken) || strings.Contains(out, "=sandbox") {
		t.Errorf("debug output shows a secret:\n%s", out)
	}
}

func TestDebugShowsFailures(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { hangUp(t, w) })
	var debug bytes.Buffer
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Debug = &debug })
	if _, err := c.CreateCommonCustomer(context.Background(), createForm()); err == nil {
		t.Errorf("a hung-up connection: no error")
	}
	if !strings.Contains(debug.String(), "< error: ") || strings.Contains(debug.String(), testToken) {
		t.Errorf("debug:\n%s", debug.String())
	}
}

func TestConcurrentCalls(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n%3 == 0 {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		writeJSON(w, `{"code":0,"data":{"id":1}}`)
	})
	var debug syncBuffer
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Debug = &debug })
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := c.UserInfo(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	s := c.Stats()
	if s.Requests != int64(len(srv.Requests())) || s.Requests != 20+s.Throttled || s.Retries != s.Throttled {
		t.Errorf("stats = %+v, server saw %d", s, len(srv.Requests()))
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func TestCertificateErrorIsNotRetried(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	defer srv.Close()
	c, sr := newTestClient(t, srv.URL) // the default transport does not trust the test certificate
	_, err := c.UserInfo(context.Background())
	var ne *NetworkError
	if !errors.As(err, &ne) || ne.MaybeSent || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("err = %v", err)
	}
	if len(sr.waits()) != 0 || hits.Load() != 0 {
		t.Errorf("waits = %v, hits = %d", sr.waits(), hits.Load())
	}
}

func TestOutcomeUnknown(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&NetworkError{Method: "POST", MaybeSent: true}, true},
		{&NetworkError{Method: "POST"}, false},
		{fmt.Errorf("row 3: %w", &NetworkError{Method: "POST", MaybeSent: true}), true},
		{&CanceledError{MaybeSent: true, Err: context.Canceled}, true},
		{&CanceledError{Err: context.Canceled}, false},
		{&ResponseError{StatusCode: 502}, true},
		{&Error{Code: 100100}, false},
		{&ThrottledError{}, false},
		{ErrNoToken, false},
	}
	for _, tt := range tests {
		if got := OutcomeUnknown(tt.err); got != tt.want {
			t.Errorf("OutcomeUnknown(%#v) = %v", tt.err, got)
		}
	}
	ne := &NetworkError{Method: "POST", Path: "/api/v2/common_customers", MaybeSent: true, Err: errors.New("EOF")}
	if !strings.Contains(ne.Error(), "may have reached the server") {
		t.Errorf("Error() = %q", ne.Error())
	}
	te := &ThrottledError{Method: "GET", Path: "/p", Attempts: 1, RetryAfter: time.Hour}
	if !strings.Contains(te.Error(), "after 1 attempt; retry after 1h0m0s") {
		t.Errorf("Error() = %q", te.Error())
	}
}

func TestCanonicalHost(t *testing.T) {
	tests := map[string]string{
		"https://CRM.example.com:443/x": "crm.example.com",
		"https://crm.example.com":       "crm.example.com",
		"https://crm.example.com:8443":  "crm.example.com:8443",
		"http://127.0.0.1:80":           "127.0.0.1",
		"http://[::1]:9000":             "[::1]:9000",
	}
	for in, want := range tests {
		u, _ := url.Parse(in)
		if got := canonicalHost(u); got != want {
			t.Errorf("canonicalHost(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestDebugEscapesControlCharacters(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, "{\"code\":0,\"data\":{\"id\":1,\"name\":\"\x1b[2Jx\"}}")
	})
	var debug bytes.Buffer
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Debug = &debug })
	_, err := c.UserInfo(context.Background()) // a raw control character is invalid JSON
	var re *ResponseError
	if !errors.As(err, &re) || strings.Contains(err.Error(), "\x1b") {
		t.Errorf("err = %v", err)
	}
	if strings.Contains(debug.String(), "\x1b") || !strings.Contains(debug.String(), `\x1b[2Jx`) {
		t.Errorf("debug:\n%q", debug.String())
	}
}
