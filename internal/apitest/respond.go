package apitest

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
)

// JSON answers 200 with body, as written, as application/json.
func JSON(body string) Responder {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, body)
	}
}

// Data answers the envelope {"code":0,"data":<data>} with data, raw JSON, as written.
func Data(data string) Responder {
	return JSON(`{"code":0,"data":` + data + `}`)
}

// OK answers the envelope {"code":0,"data":<v>} with v encoded as JSON.
func OK(v any) Responder {
	b, err := json.Marshal(v)
	if err != nil {
		return func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "apitest: OK: "+err.Error(), http.StatusInternalServerError)
		}
	}
	return Data(string(b))
}

// APIError answers an envelope with a non-zero code, the API's message and its "error"
// key (left out when empty).
func APIError(code int, message, key string) Responder {
	env := map[string]any{"code": code, "data": nil, "message": message}
	if key != "" {
		env["error"] = key
	}
	b, _ := json.Marshal(env)
	return JSON(string(b))
}

// TokenExpired answers as the API does to a missing, wrong or expired token (100401).
func TokenExpired() Responder {
	return APIError(100401, "您的登录已经过期,请重新登录!", "")
}

// Status answers with the HTTP status and body (text/plain; none when empty).
func Status(code int, body string) Responder {
	return func(w http.ResponseWriter, _ *http.Request) {
		if body != "" {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		}
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

// HangUp closes the connection after reading the request, without an answer. net/http
// may send a GET again by itself when a reused connection closes so: a HangUp stub for
// a GET is best registered Always.
func HangUp() Responder {
	return func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, "apitest: hang up: "+err.Error(), http.StatusInternalServerError)
			return
		}
		conn.Close()
	}
}

// Sequence answers the first call with the first responder, the second with the
// second, and every later call with the last.
func Sequence(rs ...Responder) Responder {
	var mu sync.Mutex
	next := 0
	return func(w http.ResponseWriter, r *http.Request) {
		if len(rs) == 0 {
			http.Error(w, "apitest: empty sequence", http.StatusInternalServerError)
			return
		}
		mu.Lock()
		i := min(next, len(rs)-1)
		next++
		mu.Unlock()
		rs[i](w, r)
	}
}
