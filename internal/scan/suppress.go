package scan

import (
	"bytes"
	"regexp"
	"strings"
	"sync"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// A suppression comment: `# djangoguard: ignore[DJG101,DJG205]` in Python
// and other hash-comment files, `{# djangoguard: ignore[DJG301] #}` in
// templates. Without codes it suppresses everything on its line and is
// itself reported as DJG001.
var suppressRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?:#|\{#)\s*djangoguard:\s*ignore(?:\[([^\]]*)\])?`) })

type suppression struct {
	codes []string // nil: all codes (bare)
	line  int      // line the comment is on
	own   bool     // the comment stands alone on its line (applies to the next line)
	col   int
}

// suppressions returns the suppression comments of a file, keyed by the
// line they apply to.
func suppressions(f *rules.File) map[int][]suppression {
	if !bytes.Contains(f.Content, []byte("djangoguard:")) {
		return nil
	}
	out := map[int][]suppression{}
	for n := 1; n <= f.LineCount(); n++ {
		text := f.LineText(n)
		if !strings.Contains(text, "djangoguard:") {
			continue
		}
		loc := suppressRE().FindStringSubmatchIndex(text)
		if loc == nil {
			continue
		}
		s := suppression{line: n, col: loc[0] + 1}
		if loc[2] >= 0 {
			for _, c := range strings.Split(text[loc[2]:loc[3]], ",") {
				if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
					s.codes = append(s.codes, c)
				}
			}
			if s.codes == nil {
				s.codes = []string{} // "ignore[]" suppresses nothing
			}
		}
		s.own = strings.TrimSpace(text[:loc[0]]) == ""
		out[n] = append(out[n], s)
		if s.own {
			out[n+1] = append(out[n+1], s)
		}
	}
	return out
}

// covers reports whether s suppresses a finding of code.
func (s suppression) covers(code string) bool {
	if s.codes == nil {
		return true
	}
	for _, c := range s.codes {
		if c == code {
			return true
		}
	}
	return false
}
