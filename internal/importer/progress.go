package importer

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

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
// rate limit (Summary.Rate). eta is negative while nothing tells the speed.
func speed(done, total int, elapsed time.Duration, limit string) (perSec float64, eta time.Duration) {
	if done > 0 && elapsed > 0 {
		perSec = float64(done) / elapsed.Seconds()
	}
	if r, err := pace.ParseRate(limit); err == nil && !r.IsOff() && r.N > 0 && r.Window > 0 {
		if lim := float64(r.N) / r.Window.Seconds(); perSec == 0 || perSec > lim {
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

func etaString(d time.Duration) string {
	if d < 0 {
		return "?"
	}
	return d.String()
}

// NewBar is the progress bar for a terminal: done/total, created/failed, rate, ETA.
// Messages written to Messages() while it runs appear above it.
func NewBar(w io.Writer) *Bar { return &Bar{w: w, now: time.Now} }

// Bar is the terminal progress bar.
type Bar struct {
	w     io.Writer
	bar   *progressbar.ProgressBar
	total int
	start time.Time
	now   func() time.Time
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
		progressbar.OptionSetDescription("importing"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetWidth(24),
		progressbar.OptionShowDescriptionAtLineEnd(),
	)
}

func (p *Bar) Update(s *Summary) {
	if p.bar == nil {
		return
	}
	_ = p.bar.Set(s.Done())
	perSec, eta := speed(s.Done(), p.total, p.now().Sub(p.start), s.Rate)
	p.bar.Describe(fmt.Sprintf("created %d, failed %d, %.1f rows/s, ETA %s", s.Created, s.Failed+s.Unknown, perSec, etaString(eta)))
}

func (p *Bar) Finish(s *Summary) {
	if p.bar == nil {
		return
	}
	p.Update(s)
	_ = p.bar.Exit()
	fmt.Fprintln(p.w)
}

// NewLines is the progress for a log or a pipe: one plain line every `every` rows.
func NewLines(w io.Writer, every int, now func() time.Time) Progress {
	if every <= 0 {
		every = 50
	}
	if now == nil {
		now = time.Now
	}
	return &lineProgress{w: w, every: every, now: now}
}

type lineProgress struct {
	w     io.Writer
	every int
	total int
	last  int
	start time.Time
	now   func() time.Time
}

func (p *lineProgress) Start(total int) {
	p.total, p.start = total, p.now()
	fmt.Fprintf(p.w, "importing %d row(s)\n", total)
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
	rate, eta := speed(done, p.total, p.now().Sub(p.start), s.Rate)
	fmt.Fprintf(p.w, "progress: %d/%d rows (created %d, failed %d), %.2f rows/s, ETA %s\n", done, p.total, s.Created, s.Failed+s.Unknown, rate, etaString(eta))
}

func (p *lineProgress) Finish(*Summary) {}
