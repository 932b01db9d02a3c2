package team

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/pace"
)

// paceScript is the shared limiter: a sliding-window log of send times in a sorted set,
// every operation one atomic run of this script. It keeps the rule of the local limiter
// (internal/pace): no N+1 consecutive sends within the window and its margin ("gap"),
// whichever machine sends them. A send first reserves a slot (the earliest time that
// keeps the rule, after every slot reserved before it), sleeps until it, then confirms
// it with the time it really goes out; a sender woken late may no longer keep the rule
// and gets a new slot instead.
//
// Times are microseconds of the Redis server's clock (TIME), so that the machines'
// clocks do not matter; tests pass their own "now".
//
//	KEYS[1] the log (member: a send's id, score: its time); KEYS[2] the hold after a
//	throttled answer (a time)
//	ARGV    op, id, n, gap, now ("" = the server's clock), arg
//	ops     reserve -> {slot, now}; confirm(arg: the slot) -> {ok, time, now};
//	        restamp(arg: when the request was written); release; throttled(arg: a wait)
var paceScript = redis.NewScript(`
local log, holdkey = KEYS[1], KEYS[2]
local op, id = ARGV[1], ARGV[2]
local n, gap = tonumber(ARGV[3]), tonumber(ARGV[4])
local now = tonumber(ARGV[5])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local function s(x) return string.format('%d', x) end
local hold = tonumber(redis.call('GET', holdkey) or '0') or 0

-- A send older than the gap before now can no longer hold any send back.
redis.call('ZREMRANGEBYSCORE', log, '-inf', '(' .. s(now - gap))

-- The earliest slot: after every recorded slot (they stay in order), a gap after the
-- n-th last one, and not before the hold.
local function earliest()
  local t = math.max(now, hold)
  local c = redis.call('ZCARD', log)
  if c > 0 then
    t = math.max(t, tonumber(redis.call('ZRANGE', log, -1, -1, 'WITHSCORES')[2]))
  end
  if c >= n then
    t = math.max(t, tonumber(redis.call('ZRANGE', log, c - n, c - n, 'WITHSCORES')[2]) + gap)
  end
  return t
end

-- record puts the send at t and keeps the log until its last send is a gap old.
local function record(t)
  redis.call('ZADD', log, s(t), id)
  local last = tonumber(redis.call('ZRANGE', log, -1, -1, 'WITHSCORES')[2])
  redis.call('PEXPIRE', log, s(math.ceil((last - now + gap) / 1000) + 1000))
end

if op == 'reserve' then
  local t = earliest()
  record(t)
  return {t, now}
elseif op == 'confirm' then
  local slot = tonumber(redis.call('ZSCORE', log, id)) or tonumber(ARGV[6])
  redis.call('ZREM', log, id)
  local at = math.max(now, slot)
  -- The n-th send at or before at.
  local before = redis.call('ZREVRANGEBYSCORE', log, s(at), '-inf', 'WITHSCORES', 'LIMIT', n - 1, 1)
  if at >= hold and (#before == 0 or at - tonumber(before[2]) >= gap) then
    record(at)
    return {1, at, now}
  end
  local t = earliest()
  record(t)
  return {0, t, now}
elseif op == 'restamp' then
  local cur = tonumber(redis.call('ZSCORE', log, id))
  local wrote = tonumber(ARGV[6])
  if (cur and wrote > cur) or (not cur and wrote > now - gap) then
    record(wrote)
  end
  return 1
elseif op == 'release' then
  redis.call('ZREM', log, id)
  return 1
elseif op == 'throttled' then
  local h = math.max(hold, now + tonumber(ARGV[6]))
  redis.call('SET', holdkey, s(h), 'PX', s(math.ceil((h - now) / 1000) + 1000))
  return 1
end
return redis.error_reply('unknown op ' .. tostring(op))
`)

// Limiter is a pace.RateLimiter shared by every machine that uses the same Redis, API
// host and account.
type Limiter struct {
	st    *Store
	rate  pace.Rate
	gap   time.Duration
	clock pace.Clock
	// fake: the clock is a test's; the script is told its time instead of the server's.
	fake bool
	keys []string

	mu   sync.Mutex
	sent map[int64]sentSlot // by the local send time WaitSlot returned, for Restamp
}

// sentSlot is a confirmed send: its id and its time on the server's clock.
type sentSlot struct {
	id string
	at int64
}

// maxRemembered bounds Limiter.sent: a send whose request was never written is never
// restamped.
const maxRemembered = 64

// Limiter returns the scope's shared limiter at rate, with margin as for
// pace.NewLimiter. A nil clock is the real one (the server's clock decides); a test's
// clock is used for the slots too.
func (s *Store) Limiter(rate pace.Rate, margin float64, clock pace.Clock) (*Limiter, error) {
	if rate.IsOff() || rate.N <= 0 || rate.Window <= 0 {
		return nil, i18n.Errorf("shared pacing: the rate must be positive, not %s", rate)
	}
	_, serverClock := clock.(pace.RealClock)
	if clock == nil {
		clock, serverClock = pace.RealClock{}, true
	}
	return &Limiter{
		st: s, rate: rate, gap: pace.Gap(rate, margin), clock: clock, fake: !serverClock,
		keys: []string{s.key("pace"), s.key("pace", "hold")},
		sent: map[int64]sentSlot{},
	}, nil
}

// Rate is the limiter's rate.
func (l *Limiter) Rate() pace.Rate { return l.rate }

// Now is the limiter's clock.
func (l *Limiter) Now() time.Time { return l.clock.Now() }

// call runs one operation of the script; it returns its integers.
func (l *Limiter) call(ctx context.Context, op, id string, arg int64) ([]int64, error) {
	now := ""
	if l.fake {
		now = strconv.FormatInt(l.clock.Now().UnixMicro(), 10)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	res, err := paceScript.Run(ctx, l.st.rdb, l.keys, op, id, l.rate.N, l.gap.Microseconds(), now, arg).Result()
	if err != nil {
		return nil, l.st.unavailable(err)
	}
	switch v := res.(type) {
	case int64:
		return []int64{v}, nil
	case []any:
		out := make([]int64, len(v))
		for i, x := range v {
			n, ok := x.(int64)
			if !ok {
				return nil, l.st.unavailable(i18n.Errorf("unexpected answer %v to %s", res, op))
			}
			out[i] = n
		}
		return out, nil
	}
	return nil, l.st.unavailable(i18n.Errorf("unexpected answer %v to %s", res, op))
}

// WaitSlot reserves the next send slot, sleeps until it and confirms it (see the
// script). It returns the send time on the local clock, which Restamp takes back.
func (l *Limiter) WaitSlot(ctx context.Context) (time.Time, error) {
	id := newID()
	r, err := l.call(ctx, "reserve", id, 0)
	if err != nil {
		return time.Time{}, err
	}
	slot, now := r[0], r[1]
	for {
		if d := time.Duration(slot-now) * time.Microsecond; d > 0 {
			if err := l.clock.Sleep(ctx, d); err != nil {
				l.release(id)
				return time.Time{}, err
			}
		}
		if err := ctx.Err(); err != nil {
			l.release(id)
			return time.Time{}, err
		}
		// The local time before the confirmation: the server's time of the send is later,
		// so a restamp from it never records the send earlier than it was.
		local := l.clock.Now()
		r, err := l.call(context.WithoutCancel(ctx), "confirm", id, slot)
		if err != nil {
			return time.Time{}, err
		}
		if r[0] == 1 {
			l.remember(local, sentSlot{id: id, at: r[1]})
			return local, nil
		}
		slot, now = r[1], r[2]
	}
}

func (l *Limiter) remember(local time.Time, s sentSlot) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.sent) >= maxRemembered {
		for k := range l.sent {
			delete(l.sent, k)
			break
		}
	}
	l.sent[local.UnixNano()] = s
}

// Restamp moves the send WaitSlot returned as at to wrote (both local times), when the
// request was written, if later.
func (l *Limiter) Restamp(at, wrote time.Time) {
	l.mu.Lock()
	s, ok := l.sent[at.UnixNano()]
	delete(l.sent, at.UnixNano())
	l.mu.Unlock()
	if !ok || !wrote.After(at) {
		return
	}
	_, _ = l.call(context.Background(), "restamp", s.id, s.at+wrote.Sub(at).Microseconds())
}

// release gives back a slot that will not be used (the wait was cancelled).
func (l *Limiter) release(id string) {
	_, _ = l.call(context.Background(), "release", id, 0)
}

// Throttled holds every machine's next send back by d.
func (l *Limiter) Throttled(d time.Duration) {
	_, _ = l.call(context.Background(), "throttled", "", d.Microseconds())
}
