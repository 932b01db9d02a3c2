package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
)

// ErrDropped is the error of a round trip whose connection the fault injection dropped.
var ErrDropped = errors.New("sandbox: connection dropped by the server")

// Transport returns a RoundTripper that serves requests with Handler in memory, with no
// socket. It honours the request's context; a dropped-connection fault is a RoundTrip error
// (wrapping io.ErrUnexpectedEOF, as a real dropped connection reads).
func (s *Server) Transport() http.RoundTripper { return memTransport{s} }

type memTransport struct{ s *Server }

type memWriter struct {
	mu      sync.Mutex
	header  http.Header
	status  int
	body    bytes.Buffer
	dropped bool
}

func (m *memWriter) Header() http.Header { return m.header }

func (m *memWriter) WriteHeader(code int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.status == 0 {
		m.status = code
	}
}

func (m *memWriter) Write(b []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dropped {
		return 0, ErrDropped
	}
	if m.status == 0 {
		m.status = http.StatusOK
	}
	return m.body.Write(b)
}

func (m *memWriter) drop() {
	m.mu.Lock()
	m.dropped = true
	m.mu.Unlock()
}

func (t memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	closeBody := func() {
		if req.Body != nil {
			_ = req.Body.Close()
		}
	}
	if err := ctx.Err(); err != nil {
		closeBody()
		return nil, err
	}
	in := req.Clone(ctx)
	if in.Body == nil {
		in.Body = http.NoBody
	}
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "127.0.0.1:0"
	if in.Host == "" {
		in.Host = req.URL.Host
	}
	w := &memWriter{header: http.Header{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer closeBody()
		defer func() {
			if v := recover(); v != nil {
				// ErrAbortHandler (or anything else that escaped): the connection is gone.
				w.drop()
			}
		}()
		t.s.handler.ServeHTTP(w, in)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dropped || w.status == 0 {
		return nil, fmt.Errorf("%w: %w", ErrDropped, io.ErrUnexpectedEOF)
	}
	body := w.body.Bytes()
	h := w.header.Clone()
	h.Set("Content-Length", strconv.Itoa(len(body)))
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", w.status, http.StatusText(w.status)),
		StatusCode:    w.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}
