package sandbox

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// statusWriter records the status for the log line.
type statusWriter struct {
	http.ResponseWriter
	status  int
	written bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.written {
		w.status, w.written = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.written {
		w.status, w.written = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logger writes one line per request: time, method, path (never the query, which may hold
// a legacy user_token), HTTP status, API code and duration.
func (s *Server) logger(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Log == nil {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		info := &reqInfo{}
		sw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, info))
		defer func() {
			var status string
			switch {
			case sw.written:
				status = strconv.Itoa(sw.status)
			case r.Context().Err() != nil:
				status = "cancelled"
			default:
				status = "dropped"
			}
			code := "-"
			if info.code != nil {
				code = strconv.Itoa(*info.code)
			}
			line := fmt.Sprintf("%s %s %s %s code=%s %s\n", time.Now().UTC().Format("2006-01-02T15:04:05Z"),
				r.Method, r.URL.Path, status, code, time.Since(start).Round(10*time.Microsecond))
			s.logMu.Lock()
			_, _ = s.opts.Log.Write([]byte(line))
			s.logMu.Unlock()
		}()
		next.ServeHTTP(sw, r)
	})
}

// recoverer turns a panic into an error envelope (defense in depth; handlers are written
// not to panic). http.ErrAbortHandler goes through: it is how a connection is dropped.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v)
				}
				if !sw.written {
					internal(sw, r, fmt.Errorf("panic: %v", v))
				}
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

func (s *Server) latency(next http.Handler) http.Handler {
	if s.opts.Latency <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sleepCtx(r.Context(), s.opts.Latency) != nil {
			return // the client is gone
		}
		next.ServeHTTP(w, r)
	})
}

const badGatewayPage = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`

// faults answers a share of requests (FailRate) with a 502 HTML page or a dropped
// connection, half and half, before they reach the API (they are not processed).
func (s *Server) faults(next http.Handler) http.Handler {
	if s.opts.FailRate <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.randMu.Lock()
		hit := s.rand.Float64() < s.opts.FailRate
		drop := s.rand.Intn(2) == 0
		s.randMu.Unlock()
		switch {
		case !hit:
			next.ServeHTTP(w, r)
		case drop:
			dropConnection(w)
		default:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte(badGatewayPage))
		}
	})
}

// dropper is implemented by the in-memory transport's response writer.
type dropper interface{ drop() }

// dropConnection closes the connection without an answer.
func dropConnection(w http.ResponseWriter) {
	for cur := w; cur != nil; {
		if d, ok := cur.(dropper); ok {
			d.drop()
			return
		}
		u, ok := cur.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		cur = u.Unwrap()
	}
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler) // HTTP/2 or no hijacking: the server resets the stream
}

// throttle enforces RateLimit per enterprise with a sliding window. The sandbox hosts one
// enterprise, so every request counts against its window. A throttled request is not
// processed.
func (s *Server) throttle(next http.Handler) http.Handler {
	if s.limiter == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strconv.FormatInt(s.seed.Organization.ID, 10)
		allowed, wait := s.limiter.allow(key, s.now())
		if !allowed {
			secs := int(math.Ceil(wait.Seconds()))
			if secs < 1 {
				secs = 1
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte("Retry later"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limiter is a sliding-log limiter: at most n accepted requests in any window.
type limiter struct {
	mu     sync.Mutex
	n      int
	window time.Duration
	hits   map[string][]time.Time
}

func newLimiter(n int, window time.Duration) *limiter {
	return &limiter{n: n, window: window, hits: map[string][]time.Time{}}
}

// allow records a request at now if it fits; otherwise it says how long until one would.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.hits[key]
	cut := now.Add(-l.window)
	i := 0
	for i < len(h) && !h[i].After(cut) {
		i++
	}
	h = h[i:]
	if len(h) >= l.n {
		l.hits[key] = h
		return false, h[0].Add(l.window).Sub(now)
	}
	l.hits[key] = append(h, now)
	return true, 0
}
