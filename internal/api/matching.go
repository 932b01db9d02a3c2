package api

import (
	"encoding/json"
	"strings"
	"time"
)

// CreatedSlack is how much earlier than a create's request a customer found by its name
// may seem to have been created and still be that create's (clock skew, the minute
// precision of created_at).
const CreatedSlack = 10 * time.Minute

// crmZone is the zone of the API's created_at ("2015-07-03 17:31"): China Standard Time.
var crmZone = time.FixedZone("CST", 8*3600)

// ParseCreatedAt reads a customer's created_at; ok is false when it has no known layout.
func ParseCreatedAt(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, crmZone); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// CreatedBy picks, from a matching_name answer, the customer that a create of name in
// pool, sent at sentAt, most likely made; nil when none can be. A customer created well
// before the request (more than CreatedSlack) was there already; of the others, one in
// pool is preferred, then the newest (the highest id). A zero sentAt or an unreadable
// created_at rules nobody out.
func (l *CustomerList) CreatedBy(name, pool string, sentAt time.Time) *Customer {
	name = strings.TrimSpace(name)
	var best *Customer
	bestInPool := false
	for i := range l.Customers {
		c := &l.Customers[i]
		if strings.TrimSpace(c.Name) != name {
			continue
		}
		if created, ok := ParseCreatedAt(c.CreatedAt); ok && !sentAt.IsZero() && created.Before(sentAt.Add(-CreatedSlack)) {
			continue
		}
		in := string(c.CommonID) == pool
		if best == nil || (in && !bestInPool) || (in == bestInPool && idLess(string(best.ID), string(c.ID))) {
			best, bestInPool = c, in
		}
	}
	return best
}

// idLess orders numeric ids given as strings.
func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// Match describes the customer a create would make, to find the customers that already
// answer to it: the exact name, and, when given, the mobile (Phone), the telephone (Tel)
// and the pool's id.
type Match struct {
	Name, Phone, Tel, Pool string
}

// Existing returns, in the list's order, the customers of a matching_name answer that
// the create described by m would repeat: the same name (trimmed); the same mobile and
// telephone when m gives them, unless the record carries no address to compare (it is
// not ruled out); and the same pool when the record says which: a common_id of null is
// a customer in no pool (one that a salesperson owns), ruled out when m gives a pool,
// and a record without common_id is not ruled out. Numbers are compared by their digits
// and a leading +, so "010-6488 1989" is "01064881989".
func (l *CustomerList) Existing(m Match) []Customer {
	name := strings.TrimSpace(m.Name)
	phone, tel, pool := phoneDigits(m.Phone), phoneDigits(m.Tel), strings.TrimSpace(m.Pool)
	out := []Customer{}
	for _, c := range l.Customers {
		if strings.TrimSpace(c.Name) != name {
			continue
		}
		if c.Address != nil {
			if phone != "" && phoneDigits(string(c.Address.Phone)) != phone {
				continue
			}
			if tel != "" && phoneDigits(string(c.Address.Tel)) != tel {
				continue
			}
		}
		if pool != "" && string(c.CommonID) != pool && (c.CommonID != "" || hasKey(c.Raw, "common_id")) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// phoneDigits keeps a number's digits and a leading +.
func phoneDigits(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for i, r := range s {
		if (r >= '0' && r <= '9') || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// hasKey reports whether the JSON object raw has key (null or not).
func hasKey(raw json.RawMessage, key string) bool {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return false
	}
	_, ok := obj[key]
	return ok
}
