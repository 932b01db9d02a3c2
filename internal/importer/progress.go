package importer

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/pace"
)

// Progress shows a run's progress.
type Progress interface {
	Start(total int)
	Update(s *Summary)
	Finish(s *Summary)
}

type nopProgress struct{}

func (nopProgress) Start(int)       {}
func (nopProgress) Update(*Summary) {}
func (nopProgress) Finish(*Summary) {}

// speed is a run's rows per second and the time its remaining rows will take. The
// average alone misleads: the limiter lets the first window's rows go at once, and a
// paced run then goes at the limit, so the speed is the average capped at the run's
// rate limit (Summary.Rate) divided by the requests each row costs (perRow: 2 with the
// check of --if-exists). eta is negative while nothing tells the speed.
func speed(done, total int, elapsed time.Duration, limit string, perRow int) (perSec float64, eta time.Duration) {
	if done > 0 && elapsed > 0 {
		perSec = float64(done) / elapsed.Seconds()
	}
	if r, err := pace.ParseRate(limit); err == nil && !r.IsOff() && r.N > 0 && r.Window > 0 {
		if lim := float64(r.N) / r.Window.Seconds() / float64(max(perRow, 1)); perSec == 0 || perSec > lim {
			perSec = lim
		}
	}
	left := total - done
	switch {
	case left <= 0:
		return perSec, 0
	case perSec <= 0:
		return 0, -1
	}
	return perSec, (time.Duration(float64(left)/perSec) * time.Second).Round(time.Second)
}

func etaString(d time.Duration) any {
	if d < 0 {
		return "?"
	}
	return i18n.Duration(d)
}

// NewBar is the progress bar for a terminal: done/total, created/failed, rate, ETA.
// Messages written to Messages() while it runs appear above it. It keeps ticking
// between rows (the elapsed time, the ETA), and says when the run waits for the rate
// limit (see Waiting and Throttled). tr is the language of its description (nil:
// English).
func NewBar(w io.Writer, tr *i18n.Printer) *Bar {
	return &Bar{w: w, tr: tr, now: time.Now, tick: time.Second}
}

// Bar is the terminal progress bar.
type Bar struct {
	w     io.Writer
	tr    *i18n.Printer
	bar   *progressbar.ProgressBar
	total int
	start time.Time
	now   func() time.Time
	tick  time.Duration // 0: no ticking (tests call refresh)

	mu             sync.Mutex
	done, created  int
	failed         int
	rate           string
	perRow         int       // requests a row (2 with --if-exists)
	waitingSince   time.Time // a request waits for a send slot since then
	throttledUntil time.Time // a throttled request is sent again then
	stop           chan struct{}
}

// waitNoteAfter is how long a wait for the rate limit lasts before the bar says so:
// the slot of a paced run is usually a moment away.
const waitNoteAfter = 500 * time.Millisecond

// Waiting tells the bar that a request waits for its send slot (on), or no longer.
func (p *Bar) Waiting(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.waitingSince = p.now()
	} else {
		p.waitingSince = time.Time{}
	}
}

// Throttled tells the bar that a throttled request will be sent again after d.
func (p *Bar) Throttled(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.throttledUntil = p.now().Add(d)
}

// Messages is a writer for lines that must not garble the bar: the bar's line is
// cleared before each write, and drawn again at the next update.
func (p *Bar) Messages() io.Writer { return barMessages{p} }

type barMessages struct{ p *Bar }

func (m barMessages) Write(b []byte) (int, error) {
	if m.p.bar != nil && !m.p.bar.IsFinished() {
		_ = m.p.bar.Clear()
	}
	return m.p.w.Write(b)
}

func (p *Bar) Start(total int) {
	p.total, p.start = total, p.now()
	// The rate and the ETA are crmctl's (see speed), in the description: the bar's own
	// follow the average, which the first window's burst makes far too fast.
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(p.tr.Sprintf("importing")),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetWidth(24),
		progressbar.OptionShowDescriptionAtLineEnd(),
	)
	if p.tick > 0 {
		p.stop = make(chan struct{})
		go p.ticking(p.stop)
	}
}

// ticking redraws the bar every tick until stop is closed, so that the elapsed time
// and the ETA move while a row waits for the rate limit.
func (p *Bar) ticking(stop chan struct{}) {
	t := time.NewTicker(p.tick)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.refresh()
		}
	}
}

func (p *Bar) Update(s *Summary) {
	if p.bar == nil {
		return
	}
	p.mu.Lock()
	p.done, p.created, p.failed, p.rate, p.perRow = s.Done(), s.Created, s.Failed+s.Unknown, s.Rate, s.RequestsPerRow
	p.mu.Unlock()
	_ = p.bar.Set(s.Done())
	p.refresh()
}

// refresh redraws the description from the last counts and the time now.
func (p *Bar) refresh() {
	if p.bar == nil {
		return
	}
	p.bar.Describe(p.describe())
}

func (p *Bar) describe() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	perSec, eta := speed(p.done, p.total, now.Sub(p.start), p.rate, p.perRow)
	d := p.tr.Sprintf("created %d, failed %d, %.1f rows/s, ETA %s", i18n.Count(p.created), i18n.Count(p.failed), perSec, etaString(eta)) + perRowNote(p.tr, p.perRow)
	if (!p.waitingSince.IsZero() && now.Sub(p.waitingSince) >= waitNoteAfter) || now.Before(p.throttledUntil) {
		d += p.tr.Sprintf(" · waiting for the rate limit")
	}
	return d
}

func (p *Bar) Finish(s *Summary) {
	if p.bar == nil {
		return
	}
	if p.stop != nil {
		close(p.stop)
		p.stop = nil
	}
	p.mu.Lock()
	p.waitingSince, p.throttledUntil = time.Time{}, time.Time{}
	p.mu.Unlock()
	p.Update(s)
	_ = p.bar.Exit()
	fmt.Fprintln(p.w)
}

// NewLines is the progress for a log or a pipe: one plain line every `every` rows, in
// tr's language (nil: English).
func NewLines(w io.Writer, tr *i18n.Printer, every int, now func() time.Time) Progress {
	if every <= 0 {
		every = 50
	}
	if now == nil {
		now = time.Now
	}
	return &lineProgress{w: w, tr: tr, every: every, now: now}
}

type lineProgress struct {
	w     io.Writer
	tr    *i18n.Printer
	every int
	total int
	last  int
	start time.Time
	now   func() time.Time
}

func (p *lineProgress) Start(total int) {
	p.total, p.start = total, p.now()
	p.tr.Fprintf(p.w, "importing %d row(s)\n", i18n.Count(total))
}

func (p *lineProgress) Update(s *Summary) {
	done := s.Done()
	if done-p.last < p.every && done != p.total {
		return
	}
	if done == p.last {
		return
	}
	p.last = done
	rate, eta := speed(done, p.total, p.now().Sub(p.start), s.Rate, s.RequestsPerRow)
	p.tr.Fprintf(p.w, "progress: %d/%d rows (created %d, failed %d), %.2f rows/s, ETA %s%s\n", i18n.Count(done), i18n.Count(p.total), i18n.Count(s.Created), i18n.Count(s.Failed+s.Unknown), rate, etaString(eta), perRowNote(p.tr, s.RequestsPerRow))
}

func (p *lineProgress) Finish(*Summary) {}

// perRowNote says, beside the ETA, that a row costs more than one request.
func perRowNote(tr *i18n.Printer, perRow int) string {
	if perRow > 1 {
		return tr.Sprintf(" (%d requests a row)", perRow)
	}
	return ""
}
