package api

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/crmctl/crmctl/internal/i18n"
)

// What an unanswered create did is decided from facts, never from clocks: the
// created_at of a customer and the local clock need not agree (a server clock off by
// minutes, another zone), so a time window adopts the wrong customer or none.
//
// A customer found by matching_name after the create counts as the create's only if
//
//   - its identifying fields match what was sent: the name, every one of the mobile,
//     the telephone and the email that the create had (read from the customer itself
//     when matching_name does not carry them), and the pool where the answer names one;
//   - nobody else owns it (Sent.Owned: another row of the import, in the journal or the
//     ledger);
//   - it did not exist before the create was sent: its id is not one a matching_name
//     showed before sending (Sent.Before), and is greater than the highest id known
//     before sending (Sent.Floor) — ids grow.
//
// One such customer: Created. None, and no doubt about any other: NotFound. Anything
// else — two such customers, one whose contact details cannot be read, or one that
// passes every test but nothing was known of the ids before sending — is Unknown: it
// is reported with its candidates, never adopted.

// Sent is what a create sent, and what was known before it left.
type Sent struct {
	Name, Pool        string
	Phone, Tel, Email string // as sent ("" when the create had none)
	// Floor is the highest customer id known to exist before the create was sent: every
	// id up to it was there already (0: none known).
	Floor int64
	// Before are the ids a matching_name of the name showed before the create was sent;
	// Checked says such a check was made (Before may then be empty).
	Before  []string
	Checked bool
	// Owned reports whether customer id belongs to another row or create; nil: none.
	Owned func(ctx context.Context, id string) (bool, error)
}

// Finding is what a reconciliation concluded.
type Finding int

const (
	// NotFound: no customer can be the create's; none is in doubt.
	NotFound Finding = iota
	// Created: exactly one customer is the create's.
	Created
	// Unknown: the facts do not decide; see Candidates.
	Unknown
)

func (f Finding) String() string {
	switch f {
	case Created:
		return "created"
	case Unknown:
		return "unknown"
	}
	return "not found"
}

// Candidate is a customer that may be a create's, and why it is in doubt.
type Candidate struct {
	ID     string
	Reason string
}

func (c Candidate) String() string { return c.ID + " (" + c.Reason + ")" }

// Reconciliation is the outcome of Reconcile.
type Reconciliation struct {
	Finding    Finding
	ID         string      // Created: the create's customer
	Candidates []Candidate // Unknown: the customers in doubt
	// Seen are the ids of the matching_name answer (they all exist now: a later send
	// may count them as "before").
	Seen []string
	// MaxID is the highest numeric id in the answer (a floor for later creates).
	MaxID int64
}

// CandidateList names the candidates for a message.
func (r *Reconciliation) CandidateList() string {
	s := make([]string, len(r.Candidates))
	for i, c := range r.Candidates {
		s[i] = c.String()
	}
	return strings.Join(s, ", ")
}

// Reconcile decides what an unanswered create s did from list, a matching_name answer
// for s.Name received after the create. fetch reads a customer (for its mobile,
// telephone and email when the answer lacks them); it is called only for customers that
// pass every other test. A fetch that fails otherwise than with "no such customer or no
// permission" (code 100100) fails the reconciliation: nothing can be decided.
func Reconcile(ctx context.Context, s Sent, list *CustomerList, fetch func(ctx context.Context, id string) (*Customer, error)) (*Reconciliation, error) {
	rc := &reconciler{s: s, name: strings.TrimSpace(s.Name), fetch: fetch, before: map[string]bool{},
		known: s.Checked || s.Floor > 0, out: &Reconciliation{}}
	for _, id := range s.Before {
		rc.before[strings.TrimSpace(id)] = true
	}
	for i := range list.Customers {
		if err := rc.consider(ctx, &list.Customers[i]); err != nil {
			return nil, err
		}
	}
	return rc.conclude(), nil
}

// reconciler holds one reconciliation as it goes through the customers of an answer.
type reconciler struct {
	s      Sent
	name   string
	fetch  func(ctx context.Context, id string) (*Customer, error)
	before map[string]bool
	// known says something was known of the ids before the create was sent.
	known   bool
	out     *Reconciliation
	created []string // the customers that pass every test
}

// consider notes the customer's id and, unless a fact rules it out, counts it as
// created or as a candidate.
func (rc *reconciler) consider(ctx context.Context, c *Customer) error {
	id := strings.TrimSpace(string(c.ID))
	n, numErr := strconv.ParseInt(id, 10, 64)
	if id != "" {
		rc.out.Seen = append(rc.out.Seen, id)
	}
	if numErr == nil && n > rc.out.MaxID {
		rc.out.MaxID = n
	}
	if strings.TrimSpace(c.Name) != rc.name || id == "" || rc.before[id] {
		return nil
	}
	if numErr == nil && n <= rc.s.Floor {
		return nil // there before the create
	}
	if !samePool(c, rc.s.Pool) {
		return nil
	}
	if rc.s.Owned != nil {
		owned, err := rc.s.Owned(ctx, id)
		if err != nil || owned {
			return err
		}
	}
	if ok, err := rc.sameContacts(ctx, c, id); !ok || err != nil {
		return err
	}
	switch {
	case numErr != nil:
		rc.doubt(id, "matches, but its id is not a number to compare")
	case !rc.known:
		rc.doubt(id, "matches, but may have been there before the create: no id was known before it was sent")
	default:
		rc.created = append(rc.created, id)
	}
	return nil
}

// sameContacts reports whether customer c has the contact details the create sent (any
// customer does when it sent none), reading the customer when the answer lacks them. A
// customer whose details cannot be read is a candidate, not a match.
func (rc *reconciler) sameContacts(ctx context.Context, c *Customer, id string) (bool, error) {
	s := rc.s
	if s.Phone == "" && s.Tel == "" && s.Email == "" {
		return true, nil
	}
	full := c
	if c.Address == nil && rc.fetch != nil {
		got, err := rc.fetch(ctx, id)
		var apiErr *Error
		switch {
		case errors.As(err, &apiErr) && apiErr.IsNotFound():
			rc.doubt(id, "same name; its details cannot be read (code 100100)")
			return false, nil
		case err != nil:
			return false, i18n.Errorf("reading customer %s: %w", id, err)
		}
		full = got
	}
	if full.Address == nil {
		rc.doubt(id, "same name; the CRM sent no contact details to compare")
		return false, nil
	}
	return sameContacts(full.Address, s) && samePool(full, s.Pool), nil
}

// doubt adds a candidate.
func (rc *reconciler) doubt(id, reason string) {
	rc.out.Candidates = append(rc.out.Candidates, Candidate{ID: id, Reason: reason})
}

// conclude decides: one created customer and no doubt is Created, none at all is
// NotFound, anything else Unknown.
func (rc *reconciler) conclude() *Reconciliation {
	out := rc.out
	switch {
	case len(rc.created) == 1 && len(out.Candidates) == 0:
		out.Finding, out.ID = Created, rc.created[0]
	case len(rc.created) == 0 && len(out.Candidates) == 0:
		out.Finding = NotFound
	default:
		for _, id := range rc.created {
			rc.doubt(id, "matches, created after the request was sent")
		}
		out.Finding = Unknown
	}
	return out
}

// samePool: a customer whose record names a pool must be in pool.
func samePool(c *Customer, pool string) bool {
	got := strings.TrimSpace(string(c.CommonID))
	return got == "" || got == "0" || pool == "" || got == strings.TrimSpace(pool)
}

// sameContacts: each of the mobile, the telephone and the email that s has is the
// customer's (phone numbers ignoring spaces and dashes, emails ignoring case).
func sameContacts(a *Address, s Sent) bool {
	if s.Phone != "" && PhoneKey(string(a.Phone)) != PhoneKey(s.Phone) {
		return false
	}
	if s.Tel != "" && PhoneKey(string(a.Tel)) != PhoneKey(s.Tel) {
		return false
	}
	if s.Email != "" && !strings.EqualFold(strings.TrimSpace(a.Email), strings.TrimSpace(s.Email)) {
		return false
	}
	return true
}

// PhoneKey is a phone number as compared: without spaces (ideographic ones too) and
// dashes.
func PhoneKey(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u3000' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
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
