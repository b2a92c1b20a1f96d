package deps

import (
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/djangoguard/djangoguard/internal/deps/pep440"
)

//go:embed data/django-support.txt
var supportData []byte

// Series is one Django release series and its security support.
type Series struct {
	Name     string // "4.2"
	Released time.Time
	End      time.Time // last day of security support
	LTS      bool
}

// SupportCalendar is Django's support calendar.
type SupportCalendar []Series

// DefaultCalendar returns the calendar compiled into the binary.
func DefaultCalendar() SupportCalendar {
	c, err := ParseCalendar(supportData)
	if err != nil {
		panic("deps: embedded support calendar: " + err.Error()) // caught by tests
	}
	return c
}

// ParseCalendar reads lines "series released end [lts]".
func ParseCalendar(b []byte) (SupportCalendar, error) {
	var c SupportCalendar
	for i, ln := range strings.Split(string(b), "\n") {
		if j := strings.IndexByte(ln, '#'); j >= 0 {
			ln = ln[:j]
		}
		fs := strings.Fields(ln)
		if len(fs) == 0 {
			continue
		}
		if len(fs) < 3 {
			return nil, fmt.Errorf("support calendar line %d: want series, release date and end date", i+1)
		}
		if _, err := pep440.Parse(fs[0]); err != nil || strings.Count(fs[0], ".") != 1 {
			return nil, fmt.Errorf("support calendar line %d: %q is not a series (major.minor)", i+1, fs[0])
		}
		rel, err1 := time.Parse("2006-01-02", fs[1])
		end, err2 := time.Parse("2006-01-02", fs[2])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("support calendar line %d: bad date", i+1)
		}
		c = append(c, Series{Name: fs[0], Released: rel, End: end, LTS: len(fs) > 3 && fs[3] == "lts"})
	}
	return c, nil
}

// Lookup returns the series of version v. ok is false for a series the
// calendar does not know; old is true when v predates every series listed
// (and so is long out of support).
func (c SupportCalendar) Lookup(v pep440.Version) (s Series, ok, old bool) {
	name := v.Series()
	for _, x := range c {
		if x.Name == name {
			return x, true, false
		}
	}
	oldest := c[len(c)-1]
	if v.Less(pep440.MustParse(oldest.Name)) {
		return Series{Name: name}, false, true
	}
	return Series{Name: name}, false, false
}

// Supported returns the series still supported on day now, newest first.
func (c SupportCalendar) Supported(now time.Time) []Series {
	var out []Series
	for _, s := range c {
		if !now.After(endOfDay(s.End)) && !now.Before(s.Released) {
			out = append(out, s)
		}
	}
	return out
}

func endOfDay(t time.Time) time.Time { return t.Add(24*time.Hour - time.Nanosecond) }
