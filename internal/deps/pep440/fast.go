package pep440

import (
	"strings"
)

// key is the PEP 440 sort key of a version, computed once at parse time so
// that comparisons do not allocate (release components missing on one side
// compare as zeros). It follows the key of the reference
// implementation (pypa/packaging's _cmpkey): epoch, release without
// trailing zeros, pre-release (absent sorts after any pre-release, except
// for a bare dev release), post-release (absent sorts first), dev release
// (absent sorts last), local label (absent sorts first).
type key struct {
	epoch   int64
	release []int64
	preKind int8 // -2: dev-only (before any pre-release), 0 a, 1 b, 2 rc, 3 none
	preN    int64
	post    int64 // -1: none
	dev     int64 // max: none
	local   []localPart
}

type localPart struct {
	num   int64
	str   string
	isNum bool
}

const noDev = int64(^uint64(0) >> 1)

// parseKey reads a version the way PEP 440 normalisation does. ok is false
// for anything that is not a valid version.
func parseKey(s string) (k key, ok bool) {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			s = strings.ToLower(s)
			break
		}
	}
	p := &scanner{s: s}
	if p.peek() == 'v' {
		p.i++
	}
	n, ok := p.num()
	if !ok {
		return k, false
	}
	if p.peek() == '!' {
		p.i++
		k.epoch = n
		if n, ok = p.num(); !ok {
			return k, false
		}
	}
	k.release = make([]int64, 1, 4)
	k.release[0] = n
	for p.peek() == '.' && p.i+1 < len(p.s) && isDigit(p.s[p.i+1]) {
		p.i++
		n, _ = p.num()
		k.release = append(k.release, n)
	}
	k.preKind, k.post, k.dev = 3, -1, noDev
	// Pre-release.
	save := p.i
	p.sep()
	if kind, ok := p.word(preWords); ok {
		k.preKind = kind
		save2 := p.i
		p.sep()
		if n, ok := p.num(); ok {
			k.preN = n
		} else {
			p.i = save2
		}
	} else {
		p.i = save
	}
	// Post-release: "-N" or [sep](post|rev|r)[sep]N?
	save = p.i
	if p.peek() == '-' && p.i+1 < len(p.s) && isDigit(p.s[p.i+1]) {
		p.i++
		k.post, _ = p.num()
	} else {
		p.sep()
		if _, ok := p.word(postWords); ok {
			k.post = 0
			save2 := p.i
			p.sep()
			if n, ok := p.num(); ok {
				k.post = n
			} else {
				p.i = save2
			}
		} else {
			p.i = save
		}
	}
	// Dev release.
	save = p.i
	p.sep()
	if _, ok := p.word(devWords); ok {
		k.dev = 0
		save2 := p.i
		p.sep()
		if n, ok := p.num(); ok {
			k.dev = n
		} else {
			p.i = save2
		}
	} else {
		p.i = save
	}
	// Local label.
	if p.peek() == '+' {
		p.i++
		start := p.i
		for p.i < len(p.s) && (isAlnum(p.s[p.i]) || p.s[p.i] == '.' || p.s[p.i] == '-' || p.s[p.i] == '_') {
			p.i++
		}
		lbl := p.s[start:p.i]
		if lbl == "" {
			return k, false
		}
		for _, part := range strings.FieldsFunc(lbl, func(r rune) bool { return r == '.' || r == '-' || r == '_' }) {
			if allDigits(part) {
				n, _ := (&scanner{s: part}).num()
				k.local = append(k.local, localPart{num: n, isNum: true})
			} else {
				k.local = append(k.local, localPart{str: part})
			}
		}
		if len(k.local) == 0 || strings.Contains(lbl, "..") || !isAlnum(lbl[0]) || !isAlnum(lbl[len(lbl)-1]) {
			return k, false
		}
	}
	if p.i != len(p.s) {
		return k, false
	}
	if k.preKind == 3 && k.post < 0 && k.dev != noDev {
		k.preKind = -2
	}
	return k, true
}

var (
	preWords  = []string{"alpha", "beta", "preview", "pre", "rc", "a", "b", "c"}
	postWords = []string{"post", "rev", "r"}
	devWords  = []string{"dev"}
)

func preKindOf(w string) int8 {
	switch w {
	case "a", "alpha":
		return 0
	case "b", "beta":
		return 1
	}
	return 2 // rc, c, pre, preview
}

type scanner struct {
	s string
	i int
}

func (p *scanner) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *scanner) sep() {
	if c := p.peek(); c == '.' || c == '-' || c == '_' {
		p.i++
	}
}

// num reads decimal digits; values are capped (absurdly long numbers still
// order sensibly among themselves only up to the cap).
func (p *scanner) num() (int64, bool) {
	start := p.i
	var n int64
	for p.i < len(p.s) && isDigit(p.s[p.i]) {
		if n < 1<<58 {
			n = n*10 + int64(p.s[p.i]-'0')
		}
		p.i++
	}
	return n, p.i > start
}

func (p *scanner) word(words []string) (int8, bool) {
	for _, w := range words {
		if strings.HasPrefix(p.s[p.i:], w) {
			p.i += len(w)
			if len(words) == len(preWords) {
				return preKindOf(w), true
			}
			return 0, true
		}
	}
	return 0, false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'z' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (a *key) compare(b *key) int {
	if c := cmpInt(a.epoch, b.epoch); c != 0 {
		return c
	}
	n := len(a.release)
	if len(b.release) > n {
		n = len(b.release)
	}
	for i := 0; i < n; i++ {
		var x, y int64
		if i < len(a.release) {
			x = a.release[i]
		}
		if i < len(b.release) {
			y = b.release[i]
		}
		if c := cmpInt(x, y); c != 0 {
			return c
		}
	}
	if c := cmpInt(int64(a.preKind), int64(b.preKind)); c != 0 {
		return c
	}
	if a.preKind >= 0 && a.preKind < 3 {
		if c := cmpInt(a.preN, b.preN); c != 0 {
			return c
		}
	}
	if c := cmpInt(a.post, b.post); c != 0 {
		return c
	}
	if c := cmpInt(a.dev, b.dev); c != 0 {
		return c
	}
	// Local: none sorts first; numbers after strings; shorter first.
	if len(a.local) == 0 || len(b.local) == 0 {
		return cmpInt(int64(len(a.local)), int64(len(b.local)))
	}
	for i := 0; i < len(a.local) && i < len(b.local); i++ {
		x, y := a.local[i], b.local[i]
		switch {
		case x.isNum && y.isNum:
			if c := cmpInt(x.num, y.num); c != 0 {
				return c
			}
		case x.isNum != y.isNum:
			if x.isNum {
				return 1
			}
			return -1
		default:
			if c := strings.Compare(x.str, y.str); c != 0 {
				return c
			}
		}
	}
	return cmpInt(int64(len(a.local)), int64(len(b.local)))
}
