package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// A parameter tree is what Rails makes of a request's parameters: maps of string keys
// to strings, lists, nested maps, and (from JSON bodies) json.Number, bool and nil.

// parseForm parses a form-encoded string with Rails bracket names
// (customer[address_attributes][tel], customer[contacts_attributes][0][name],
// a[]=1&a[]=2, a[][k]=v) into tree, which it extends. Pairs are applied in order.
func parseForm(tree map[string]any, raw string) error {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return fmt.Errorf("bad form encoding in %q: %w", k, err)
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return fmt.Errorf("bad form encoding in value of %q: %w", key, err)
		}
		path, err := splitKey(key)
		if err != nil {
			return err
		}
		if err := setPath(tree, path, val, key); err != nil {
			return err
		}
	}
	return nil
}

// splitKey turns `a[b][0][c]` into [a b 0 c] and `a[]` into [a ""].
func splitKey(key string) ([]string, error) {
	i := strings.IndexByte(key, '[')
	if i < 0 {
		if strings.IndexByte(key, ']') >= 0 {
			return nil, fmt.Errorf("malformed parameter name %q", key)
		}
		return []string{key}, nil
	}
	if i == 0 {
		return nil, fmt.Errorf("malformed parameter name %q", key)
	}
	path := []string{key[:i]}
	rest := key[i:]
	for rest != "" {
		if rest[0] != '[' {
			return nil, fmt.Errorf("malformed parameter name %q", key)
		}
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			return nil, fmt.Errorf("malformed parameter name %q", key)
		}
		seg := rest[1:j]
		if strings.ContainsAny(seg, "[") {
			return nil, fmt.Errorf("malformed parameter name %q", key)
		}
		path = append(path, seg)
		rest = rest[j+1:]
	}
	return path, nil
}

func setPath(node map[string]any, path []string, val, full string) error {
	conflict := func() error { return fmt.Errorf("conflicting parameter %q", full) }
	head := path[0]
	if len(path) == 1 {
		switch node[head].(type) {
		case nil, string:
			node[head] = val // the last value wins, as in Rails
			return nil
		default:
			return conflict()
		}
	}
	if path[1] == "" { // head[] ...
		list, ok := node[head].([]any)
		if !ok && node[head] != nil {
			return conflict()
		}
		if len(path) == 2 {
			node[head] = append(list, val)
			return nil
		}
		// head[][k]...: start a new element when the last one already has k (Rails' rule).
		var last map[string]any
		if n := len(list); n > 0 {
			last, _ = list[n-1].(map[string]any)
		}
		if last == nil || last[path[2]] != nil && len(path) == 3 {
			last = map[string]any{}
			list = append(list, last)
		}
		node[head] = list
		return setPath(last, path[2:], val, full)
	}
	child, ok := node[head].(map[string]any)
	if !ok {
		if node[head] != nil {
			return conflict()
		}
		child = map[string]any{}
		node[head] = child
	}
	return setPath(child, path[1:], val, full)
}

// parseJSONObject decodes a JSON object with numbers kept as json.Number.
func parseJSONObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("malformed JSON body: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("malformed JSON body: data after the top-level value")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("malformed JSON body: not an object")
	}
	return m, nil
}

func decodeJSONValue(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// scalarString returns a parameter as text: strings as they are, JSON numbers as written.
// ok is false for maps, lists and booleans.
func scalarString(v any) (s string, ok bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case nil:
		return "", true
	}
	return "", false
}
