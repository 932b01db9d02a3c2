package api

import (
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
