package python

import (
	"fmt"
	"sync"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tkEndmarker tokKind = iota
	tkNewline
	tkIndent
	tkDedent
	tkName
	tkNumber
	tkString
	tkError

	tkLpar
	tkRpar
	tkLsqb
	tkRsqb
	tkColon
	tkComma
	tkSemi
	tkPlus
	tkMinus
	tkStar
	tkSlash
	tkVbar
	tkAmper
	tkLess
	tkGreater
	tkEqual
	tkDot
	tkPercent
	tkLbrace
	tkRbrace
	tkEqEqual
	tkNotEqual
	tkLessEqual
	tkGreaterEqual
	tkTilde
	tkCircumflex
	tkLeftShift
	tkRightShift
	tkDoubleStar
	tkPlusEqual
	tkMinEqual
	tkStarEqual
	tkSlashEqual
	tkPercentEqual
	tkAmperEqual
	tkVbarEqual
	tkCircumflexEqual
	tkLeftShiftEqual
	tkRightShiftEqual
	tkDoubleStarEqual
	tkDoubleSlash
	tkDoubleSlashEqual
	tkAt
	tkAtEqual
	tkRarrow
	tkEllipsis
	tkColonEqual
	tkExclamation

	// keywords
	kwFalse
	kwNone
	kwTrue
	kwAnd
	kwAs
	kwAssert
	kwAsync
	kwAwait
	kwBreak
	kwClass
	kwContinue
	kwDef
	kwDel
	kwElif
	kwElse
	kwExcept
	kwFinally
	kwFor
	kwFrom
	kwGlobal
	kwIf
	kwImport
	kwIn
	kwIs
	kwLambda
	kwNonlocal
	kwNot
	kwOr
	kwPass
	kwRaise
	kwReturn
	kwTry
	kwWhile
	kwWith
	kwYield
)

var keywords = map[string]tokKind{
	"False": kwFalse, "None": kwNone, "True": kwTrue, "and": kwAnd, "as": kwAs,
	"assert": kwAssert, "async": kwAsync, "await": kwAwait, "break": kwBreak,
	"class": kwClass, "continue": kwContinue, "def": kwDef, "del": kwDel,
	"elif": kwElif, "else": kwElse, "except": kwExcept, "finally": kwFinally,
	"for": kwFor, "from": kwFrom, "global": kwGlobal, "if": kwIf,
	"import": kwImport, "in": kwIn, "is": kwIs, "lambda": kwLambda,
	"nonlocal": kwNonlocal, "not": kwNot, "or": kwOr, "pass": kwPass,
	"raise": kwRaise, "return": kwReturn, "try": kwTry, "while": kwWhile,
	"with": kwWith, "yield": kwYield,
}

var kindText = map[tokKind]string{}

func init() {
	ops := map[string]tokKind{
		"(": tkLpar, ")": tkRpar, "[": tkLsqb, "]": tkRsqb, ":": tkColon, ",": tkComma,
		";": tkSemi, "+": tkPlus, "-": tkMinus, "*": tkStar, "/": tkSlash, "|": tkVbar,
		"&": tkAmper, "<": tkLess, ">": tkGreater, "=": tkEqual, ".": tkDot, "%": tkPercent,
		"{": tkLbrace, "}": tkRbrace, "==": tkEqEqual, "!=": tkNotEqual, "<=": tkLessEqual,
		">=": tkGreaterEqual, "~": tkTilde, "^": tkCircumflex, "<<": tkLeftShift,
		">>": tkRightShift, "**": tkDoubleStar, "+=": tkPlusEqual, "-=": tkMinEqual,
		"*=": tkStarEqual, "/=": tkSlashEqual, "%=": tkPercentEqual, "&=": tkAmperEqual,
		"|=": tkVbarEqual, "^=": tkCircumflexEqual, "<<=": tkLeftShiftEqual,
		">>=": tkRightShiftEqual, "**=": tkDoubleStarEqual, "//": tkDoubleSlash,
		"//=": tkDoubleSlashEqual, "@": tkAt, "@=": tkAtEqual, "->": tkRarrow,
		"...": tkEllipsis, ":=": tkColonEqual, "!": tkExclamation,
	}
	for s, k := range ops {
		kindText[k] = s
	}
	for s, k := range keywords {
		kindText[k] = s
	}
}

// token is one token. Offsets index the tokenizer's source; line and
// column are CPython's (already shifted for f-string sub-parsers).
type token struct {
	kind    tokKind
	start   int32
	end     int32
	line    int32
	col     int32
	endLine int32
	endCol  int32
}

const (
	maxParenLevel = 200
	maxIndent     = 100
	tabSize       = 8
)

type tokenizer struct {
	src       []byte
	pos       int
	line      int // current physical line (CPython numbering, shifted)
	lineStart int // offset of the current line's first byte
	// f-string sub-parsers: columns on the first line are shifted.
	firstLine  int
	colShift   int
	toks       []token
	indents    []int
	altIndents []int
	parens     []parenInfo
	atBOL      bool
	errs       []*SyntaxError
	filename   string
	numStart   int
	stopped    bool
}

type parenInfo struct {
	ch        byte
	line, col int
}

func (t *tokenizer) colOf(off int) int {
	c := off - t.lineStart
	if t.line == t.firstLine {
		c += t.colShift
	}
	return c
}

func (t *tokenizer) errorAt(line, col int, format string, args ...any) {
	t.errs = append(t.errs, &SyntaxError{Filename: t.filename, Line: line, Col: col + 1, Msg: fmt.Sprintf(format, args...), tokIndex: len(t.toks), raising: true})
}

// indentError records a tokenizer error CPython reports without raising
// (the parser then stops on an error token).
func (t *tokenizer) indentError(kind, msg string) {
	col := 1
	if kind != "TabError" {
		// CPython's cursor is at the end of the line
		end := t.pos
		for end < len(t.src) && t.src[end] != '\n' {
			end++
		}
		if end < len(t.src) {
			end++
		}
		col = utf8.RuneCount(t.src[t.lineStart:end])
	}
	t.errs = append(t.errs, &SyntaxError{Filename: t.filename, Line: t.line, Col: col, Msg: msg, Kind: kind, tokIndex: len(t.toks)})
}

// eofLine is the line CPython reports as "detected at line N".
func (t *tokenizer) eofLine() int {
	if t.pos >= len(t.src) && len(t.src) > 0 && t.src[len(t.src)-1] == '\n' && t.line > t.firstLine {
		return t.line - 1
	}
	return t.line
}

func (t *tokenizer) emit(kind tokKind, start, end, line, col int) {
	t.toks = append(t.toks, token{
		kind: kind, start: int32(start), end: int32(end),
		line: int32(line), col: int32(col),
		endLine: int32(t.line), endCol: int32(t.colOf(end)),
	})
}

// tokenize splits src (UTF-8, "\n" line ends, ending in "\n") into tokens.
// On a tokenizer error it records the error and resumes at the next line.
func tokenize(filename string, src []byte, firstLine, colShift int) *tokenizer {
	t := &tokenizer{src: src, line: firstLine, firstLine: firstLine, colShift: colShift,
		indents: []int{0}, altIndents: []int{0}, atBOL: true, filename: filename}
	if bp, ok := tokenPool.Get().(*[]token); ok && cap(*bp) > 0 {
		t.toks = (*bp)[:0]
	} else {
		t.toks = make([]token, 0, len(src)/6+16)
	}
	t.run()
	return t
}

// tokenPool recycles token slices: the AST keeps no reference to tokens.
var tokenPool sync.Pool

// release returns the token slice to the pool.
func (t *tokenizer) release() {
	if cap(t.toks) <= 1<<22 {
		toks := t.toks[:0]
		tokenPool.Put(&toks)
	}
	t.toks = nil
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 128
}

func isIdentChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 128
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (t *tokenizer) peek(i int) byte {
	if t.pos+i < len(t.src) {
		return t.src[t.pos+i]
	}
	return 0
}

// newline records that the byte at off (a '\n') ends the current line.
func (t *tokenizer) newline(off int) {
	t.line++
	t.lineStart = off + 1
}

// skipToNextLine is used for error recovery.
func (t *tokenizer) skipToNextLine() {
	for t.pos < len(t.src) && t.src[t.pos] != '\n' {
		t.pos++
	}
	if t.pos < len(t.src) {
		t.newline(t.pos)
		t.pos++
	}
	t.parens = t.parens[:0]
	t.atBOL = true
	// Make sure the parser sees a statement boundary.
	if n := len(t.toks); n > 0 && t.toks[n-1].kind != tkNewline {
		t.emit(tkNewline, t.pos, t.pos, t.line, 0)
	}
}

func (t *tokenizer) run() {
	src := t.src
	for {
		if t.atBOL {
			if !t.indentation() {
				t.skipToNextLine()
				continue
			}
		}
		// skip whitespace
		for t.pos < len(src) {
			c := src[t.pos]
			if c == ' ' || c == '\t' || c == '\f' {
				t.pos++
			} else {
				break
			}
		}
		if t.pos >= len(src) {
			t.finish()
			return
		}
		c := src[t.pos]
		start := t.pos
		col := t.colOf(start)
		switch {
		case c == '#':
			for t.pos < len(src) && src[t.pos] != '\n' {
				t.pos++
			}
			continue
		case c == '\n':
			blank := len(t.toks) == 0 || t.toks[len(t.toks)-1].kind == tkNewline ||
				t.toks[len(t.toks)-1].kind == tkIndent || t.toks[len(t.toks)-1].kind == tkDedent
			if len(t.parens) > 0 || blank {
				t.pos++
				t.newline(start)
				t.atBOL = true
				continue
			}
			t.pos++
			t.emit(tkNewline, start, start+1, t.line, col)
			t.toks[len(t.toks)-1].endLine = int32(t.line)
			t.toks[len(t.toks)-1].endCol = int32(col + 1)
			t.newline(start)
			t.atBOL = true
			continue
		case c == '\\':
			if t.peek(1) != '\n' {
				t.errorAt(t.line, col+1, "unexpected character after line continuation character")
				t.skipToNextLine()
				continue
			}
			bline := t.line
			t.pos += 2
			t.newline(start + 1)
			if t.pos >= len(src) {
				t.errorAt(bline, col+1, "unexpected EOF while parsing")
				t.errs[len(t.errs)-1].raising = false
				t.finish()
				return
			}
			continue
		case isIdentStart(c):
			t.nameOrString()
		case isDigit(c) || c == '.' && isDigit(t.peek(1)):
			t.number()
		case c == '"' || c == '\'':
			t.str(start, false, false)
		default:
			t.operator()
		}
		if t.stopped {
			t.stopped = false
			t.skipToNextLine()
		}
	}
}

// indentation handles the start of a logical line. It returns false after
// an indentation error.
func (t *tokenizer) indentation() bool {
	t.atBOL = false
	src := t.src
	col, altcol := 0, 0
	contCol := 0
	for {
		if t.pos >= len(src) {
			break
		}
		c := src[t.pos]
		if c == ' ' {
			col++
			altcol++
		} else if c == '\t' {
			col = (col/tabSize + 1) * tabSize
			altcol++
		} else if c == '\f' {
			col, altcol = 0, 0
		} else if c == '\\' && t.peek(1) == '\n' {
			if contCol == 0 {
				contCol = col
			}
			bline, bcol := t.line, t.colOf(t.pos)
			t.pos++
			t.newline(t.pos)
			if t.pos+1 >= len(src) {
				t.pos++
				t.errorAt(bline, bcol+1, "unexpected EOF while parsing")
				t.errs[len(t.errs)-1].raising = false
				return false
			}
		} else {
			break
		}
		t.pos++
	}
	blank := false
	if t.pos < len(src) && (src[t.pos] == '#' || src[t.pos] == '\n') {
		blank = true
	}
	if blank || len(t.parens) > 0 {
		return true
	}
	if contCol != 0 {
		col, altcol = contCol, contCol
	}
	n := len(t.indents) - 1
	if col == t.indents[n] {
		if altcol != t.altIndents[n] {
			t.indentError("TabError", "inconsistent use of tabs and spaces in indentation")
			return false
		}
	} else if col > t.indents[n] {
		if n+1 >= maxIndent {
			t.indentError("IndentationError", "too many levels of indentation")
			return false
		}
		if altcol <= t.altIndents[n] {
			t.indentError("TabError", "inconsistent use of tabs and spaces in indentation")
			return false
		}
		t.indents = append(t.indents, col)
		t.altIndents = append(t.altIndents, altcol)
		t.emit(tkIndent, t.pos, t.pos, t.line, t.colOf(t.pos))
	} else {
		m := n
		for m > 0 && col < t.indents[m] {
			m--
		}
		if col != t.indents[m] {
			t.indentError("IndentationError", "unindent does not match any outer indentation level")
			return false
		}
		for n > 0 && col < t.indents[n] {
			n--
			t.indents = t.indents[:n+1]
			t.altIndents = t.altIndents[:n+1]
			t.emit(tkDedent, t.pos, t.pos, t.line, t.colOf(t.pos))
		}
		if col != t.indents[n] {
			t.indentError("IndentationError", "unindent does not match any outer indentation level")
			return false
		}
		if altcol != t.altIndents[n] {
			t.indentError("TabError", "inconsistent use of tabs and spaces in indentation")
			return false
		}
	}
	return true
}

func (t *tokenizer) finish() {
	if len(t.parens) > 0 {
		p := t.parens[len(t.parens)-1]
		t.errorAt(p.line, p.col, "'%c' was never closed", p.ch)
		t.errs[len(t.errs)-1].raising = false
		t.errs[len(t.errs)-1].unclosed = true
		t.parens = t.parens[:0]
	}
	if n := len(t.toks); n > 0 && t.toks[n-1].kind != tkNewline && t.toks[n-1].kind != tkDedent && t.toks[n-1].kind != tkIndent {
		t.emit(tkNewline, t.pos, t.pos, t.line, t.colOf(t.pos))
	}
	for len(t.indents) > 1 {
		t.indents = t.indents[:len(t.indents)-1]
		t.emit(tkDedent, t.pos, t.pos, t.line, t.colOf(t.pos))
	}
	t.emit(tkEndmarker, t.pos, t.pos, t.line, t.colOf(t.pos))
}

func (t *tokenizer) nameOrString() {
	src := t.src
	start := t.pos
	// string prefixes
	sawB, sawR, sawU, sawF := false, false, false, false
	for t.pos < len(src) {
		c := src[t.pos]
		if !(sawB || sawU || sawF) && (c == 'b' || c == 'B') {
			sawB = true
		} else if !(sawB || sawU || sawR || sawF) && (c == 'u' || c == 'U') {
			sawU = true
		} else if !(sawR || sawU) && (c == 'r' || c == 'R') {
			sawR = true
		} else if !(sawF || sawB || sawU) && (c == 'f' || c == 'F') {
			sawF = true
		} else {
			break
		}
		t.pos++
		if t.pos < len(src) && (src[t.pos] == '"' || src[t.pos] == '\'') {
			t.str(start, sawF, sawR)
			return
		}
	}
	ascii := true
	for t.pos < len(src) && isIdentChar(src[t.pos]) {
		if src[t.pos] >= 128 {
			ascii = false
		}
		t.pos++
	}
	if !ascii && !t.verifyIdentifier(start, t.pos) {
		t.stopped = true
		return
	}
	kind := tkName
	if n := t.pos - start; n >= 2 && n <= 8 {
		if k, ok := keywords[string(src[start:t.pos])]; ok {
			kind = k
		}
	}
	t.emit(kind, start, t.pos, t.line, t.colOf(start))
}

func (t *tokenizer) verifyIdentifier(start, end int) bool {
	s := t.src[start:end]
	first := true
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRune(s[i:])
		ok := r != utf8.RuneError || size > 1
		if ok {
			if first {
				ok = isXIDStart(r)
			} else {
				ok = isXIDContinue(r)
			}
		}
		if !ok {
			if r == utf8.RuneError && size <= 1 {
				t.errorAt(t.line, t.colOf(start+i), "(unicode error) 'utf-8' codec can't decode byte 0x%02x in position %d: %s", s[i], i, utf8Reason(s[i:]))
			} else if unicode.IsPrint(r) {
				t.errorAt(t.line, t.colOf(start+i), "invalid character '%c' (U+%04X)", r, r)
			} else {
				t.errorAt(t.line, t.colOf(start+i), "invalid non-printable character U+%04X", r)
			}
			t.pos = start + i + size
			return false
		}
		first = false
		i += size
	}
	return true
}

func isXIDStart(r rune) bool {
	if r < 128 {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_'
	}
	return unicode.In(r, unicode.L, unicode.Nl, unicode.Other_ID_Start) && !unicode.In(r, unicode.Pattern_Syntax, unicode.Pattern_White_Space)
}

func isXIDContinue(r rune) bool {
	if r < 128 {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_'
	}
	return unicode.In(r, unicode.L, unicode.Nl, unicode.Other_ID_Start, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Other_ID_Continue) && !unicode.In(r, unicode.Pattern_Syntax, unicode.Pattern_White_Space)
}

func (t *tokenizer) operator() {
	src := t.src
	start := t.pos
	c := src[start]
	c1, c2 := t.peek(1), t.peek(2)
	kind := tkError
	n := 1
	switch c {
	case '(':
		kind = tkLpar
	case ')':
		kind = tkRpar
	case '[':
		kind = tkLsqb
	case ']':
		kind = tkRsqb
	case '{':
		kind = tkLbrace
	case '}':
		kind = tkRbrace
	case ':':
		kind = tkColon
		if c1 == '=' {
			kind, n = tkColonEqual, 2
		}
	case ',':
		kind = tkComma
	case ';':
		kind = tkSemi
	case '+':
		kind = tkPlus
		if c1 == '=' {
			kind, n = tkPlusEqual, 2
		}
	case '-':
		kind = tkMinus
		if c1 == '=' {
			kind, n = tkMinEqual, 2
		} else if c1 == '>' {
			kind, n = tkRarrow, 2
		}
	case '*':
		kind = tkStar
		if c1 == '*' {
			kind, n = tkDoubleStar, 2
			if c2 == '=' {
				kind, n = tkDoubleStarEqual, 3
			}
		} else if c1 == '=' {
			kind, n = tkStarEqual, 2
		}
	case '/':
		kind = tkSlash
		if c1 == '/' {
			kind, n = tkDoubleSlash, 2
			if c2 == '=' {
				kind, n = tkDoubleSlashEqual, 3
			}
		} else if c1 == '=' {
			kind, n = tkSlashEqual, 2
		}
	case '|':
		kind = tkVbar
		if c1 == '=' {
			kind, n = tkVbarEqual, 2
		}
	case '&':
		kind = tkAmper
		if c1 == '=' {
			kind, n = tkAmperEqual, 2
		}
	case '<':
		kind = tkLess
		if c1 == '=' {
			kind, n = tkLessEqual, 2
		} else if c1 == '<' {
			kind, n = tkLeftShift, 2
			if c2 == '=' {
				kind, n = tkLeftShiftEqual, 3
			}
		} else if c1 == '>' {
			kind, n = tkNotEqual, 2 // only valid with barry_as_FLUFL; parser rejects
		}
	case '>':
		kind = tkGreater
		if c1 == '=' {
			kind, n = tkGreaterEqual, 2
		} else if c1 == '>' {
			kind, n = tkRightShift, 2
			if c2 == '=' {
				kind, n = tkRightShiftEqual, 3
			}
		}
	case '=':
		kind = tkEqual
		if c1 == '=' {
			kind, n = tkEqEqual, 2
		}
	case '.':
		kind = tkDot
		if c1 == '.' && c2 == '.' {
			kind, n = tkEllipsis, 3
		}
	case '%':
		kind = tkPercent
		if c1 == '=' {
			kind, n = tkPercentEqual, 2
		}
	case '~':
		kind = tkTilde
	case '^':
		kind = tkCircumflex
		if c1 == '=' {
			kind, n = tkCircumflexEqual, 2
		}
	case '@':
		kind = tkAt
		if c1 == '=' {
			kind, n = tkAtEqual, 2
		}
	case '!':
		kind = tkExclamation
		if c1 == '=' {
			kind, n = tkNotEqual, 2
		}
	}
	col := t.colOf(start)
	if kind == tkError {
		r, size := utf8.DecodeRune(src[start:])
		if c == '$' || c == '?' || c == '`' {
			t.errorAt(t.line, col, "invalid syntax")
		} else if r == utf8.RuneError && size <= 1 || !unicode.IsPrint(r) {
			t.errorAt(t.line, col, "invalid non-printable character U+%04X", r)
		} else {
			t.errorAt(t.line, col, "invalid character '%c' (U+%04X)", r, r)
		}
		t.stopped = true
		return
	}
	switch kind {
	case tkLpar, tkLsqb, tkLbrace:
		if len(t.parens) >= maxParenLevel {
			t.errorAt(t.line, col, "too many nested parentheses")
			t.stopped = true
			return
		}
		t.parens = append(t.parens, parenInfo{c, t.line, col})
	case tkRpar, tkRsqb, tkRbrace:
		if len(t.parens) == 0 {
			t.errorAt(t.line, col, "unmatched '%c'", c)
			t.stopped = true
			return
		}
		p := t.parens[len(t.parens)-1]
		if !(p.ch == '(' && c == ')' || p.ch == '[' && c == ']' || p.ch == '{' && c == '}') {
			if p.line != t.line {
				t.errorAt(t.line, col, "closing parenthesis '%c' does not match opening parenthesis '%c' on line %d", c, p.ch, p.line)
			} else {
				t.errorAt(t.line, col, "closing parenthesis '%c' does not match opening parenthesis '%c'", c, p.ch)
			}
			t.stopped = true
			return
		}
		t.parens = t.parens[:len(t.parens)-1]
	}
	t.pos += n
	t.emit(kind, start, t.pos, t.line, col)
}

// ---- numbers ----

// numErr reports an error the way CPython's syntaxerror() places it: the
// offset is the number of characters before the cursor (t.pos).
func (t *tokenizer) numErr(msg string) {
	t.errorAt(t.line, t.colOf(t.pos)-1, "%s", msg)
	t.stopped = true
}

// numErrAfter reports an error with the cursor just past the byte at t.pos.
func (t *tokenizer) numErrAfter(msg string) {
	t.errorAt(t.line, t.colOf(t.pos), "%s", msg)
	t.stopped = true
}

// decimalTail consumes digits with single underscores. It returns false
// after an error.
func (t *tokenizer) decimalTail() bool {
	for {
		for t.pos < len(t.src) && isDigit(t.src[t.pos]) {
			t.pos++
		}
		if t.peek(0) != '_' {
			return true
		}
		t.pos++
		if !isDigit(t.peek(0)) {
			t.numErr("invalid decimal literal")
			return false
		}
	}
}

func (t *tokenizer) lookahead(s string) bool {
	for i := 0; i < len(s); i++ {
		if t.peek(1+i) != s[i] {
			return false
		}
	}
	return true
}

// verifyEnd checks what follows a number (t.pos points at it).
func (t *tokenizer) verifyEnd(kind string) bool {
	c := t.peek(0)
	r := false
	switch c {
	case 'a':
		r = t.lookahead("nd")
	case 'e':
		r = t.lookahead("lse")
	case 'f':
		r = t.lookahead("or")
	case 'i':
		c2 := t.peek(1)
		r = c2 == 'f' || c2 == 'n' || c2 == 's'
	case 'o':
		r = t.lookahead("r")
	case 'n':
		r = t.lookahead("ot")
	}
	if r {
		return true
	}
	if isIdentChar(c) {
		t.numErr("invalid " + kind + " literal")
		return false
	}
	return true
}

func isHex(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func (t *tokenizer) number() {
	start := t.pos
	t.numStart = start
	line := t.line
	col := t.colOf(start)
	ok := t.scanNumber()
	if !ok {
		return
	}
	t.emit(tkNumber, start, t.pos, line, col)
}

func (t *tokenizer) scanNumber() bool {
	src := t.src
	c := src[t.pos]
	if c == '.' {
		t.pos++
		return t.fraction()
	}
	if c == '0' {
		t.pos++
		c = t.peek(0)
		switch c {
		case 'x', 'X':
			t.pos++
			for {
				if t.peek(0) == '_' {
					t.pos++
				}
				if !isHex(t.peek(0)) {
					t.numErr("invalid hexadecimal literal")
					return false
				}
				for isHex(t.peek(0)) {
					t.pos++
				}
				if t.peek(0) != '_' {
					break
				}
			}
			return t.verifyEnd("hexadecimal")
		case 'o', 'O':
			t.pos++
			for {
				if t.peek(0) == '_' {
					t.pos++
				}
				d := t.peek(0)
				if d < '0' || d > '7' {
					if isDigit(d) {
						t.numErrAfter(fmt.Sprintf("invalid digit '%c' in octal literal", d))
					} else {
						t.numErr("invalid octal literal")
					}
					return false
				}
				for d := t.peek(0); d >= '0' && d <= '7'; d = t.peek(0) {
					t.pos++
				}
				if t.peek(0) != '_' {
					break
				}
			}
			if isDigit(t.peek(0)) {
				t.numErrAfter(fmt.Sprintf("invalid digit '%c' in octal literal", t.peek(0)))
				return false
			}
			return t.verifyEnd("octal")
		case 'b', 'B':
			t.pos++
			for {
				if t.peek(0) == '_' {
					t.pos++
				}
				d := t.peek(0)
				if d != '0' && d != '1' {
					if isDigit(d) {
						t.numErrAfter(fmt.Sprintf("invalid digit '%c' in binary literal", d))
					} else {
						t.numErr("invalid binary literal")
					}
					return false
				}
				for d := t.peek(0); d == '0' || d == '1'; d = t.peek(0) {
					t.pos++
				}
				if t.peek(0) != '_' {
					break
				}
			}
			if isDigit(t.peek(0)) {
				t.numErrAfter(fmt.Sprintf("invalid digit '%c' in binary literal", t.peek(0)))
				return false
			}
			return t.verifyEnd("binary")
		}
		nonzero := false
		for {
			if t.peek(0) == '_' {
				t.pos++
				if !isDigit(t.peek(0)) {
					t.numErr("invalid decimal literal")
					return false
				}
			}
			if t.peek(0) != '0' {
				break
			}
			t.pos++
		}
		if isDigit(t.peek(0)) {
			nonzero = true
			if !t.decimalTail() {
				return false
			}
		}
		c = t.peek(0)
		if c == '.' {
			t.pos++
			return t.fraction()
		} else if c == 'e' || c == 'E' {
			return t.exponent()
		} else if c == 'j' || c == 'J' {
			t.pos++
			return t.verifyEnd("imaginary")
		} else if nonzero {
			t.errorAt(t.line, t.colOf(t.numStart), "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers")
			t.stopped = true
			return false
		}
		return t.verifyEnd("decimal")
	}
	if !t.decimalTail() {
		return false
	}
	if t.peek(0) == '.' {
		t.pos++
		return t.fraction()
	}
	return t.afterFraction()
}

// fraction: t.pos is just after the '.'.
func (t *tokenizer) fraction() bool {
	if isDigit(t.peek(0)) {
		if !t.decimalTail() {
			return false
		}
	}
	return t.afterFraction()
}

func (t *tokenizer) afterFraction() bool {
	c := t.peek(0)
	if c == 'e' || c == 'E' {
		return t.exponent()
	}
	if c == 'j' || c == 'J' {
		t.pos++
		return t.verifyEnd("imaginary")
	}
	return t.verifyEnd("decimal")
}

// exponent: t.pos points at 'e'.
func (t *tokenizer) exponent() bool {
	e := t.pos
	t.pos++
	c := t.peek(0)
	if c == '+' || c == '-' {
		t.pos++
		if !isDigit(t.peek(0)) {
			t.numErr("invalid decimal literal")
			return false
		}
	} else if !isDigit(c) {
		t.pos = e
		// "1else": the number ends before the 'e'.
		if !t.verifyEnd("decimal") {
			return false
		}
		return true
	}
	if !t.decimalTail() {
		return false
	}
	if c := t.peek(0); c == 'j' || c == 'J' {
		t.pos++
		return t.verifyEnd("imaginary")
	}
	return t.verifyEnd("decimal")
}

// ---- strings ----

// str scans a string literal whose prefix starts at start; t.pos points at
// the opening quote.
func (t *tokenizer) str(start int, isF, isRaw bool) {
	line := t.line
	col := t.colOf(start)
	if !t.scanString(isF, isRaw, 0) {
		t.stopped = true
		return
	}
	t.toks = append(t.toks, token{kind: tkString, start: int32(start), end: int32(t.pos),
		line: int32(line), col: int32(col), endLine: int32(t.line), endCol: int32(t.colOf(t.pos))})
}

// scanString scans from the opening quote at t.pos to just past the closing
// quote. F-strings are scanned the PEP 701 way (replacement fields may hold
// strings with the same quote), which accepts the same tokens as CPython
// 3.11 on all code 3.11 accepts.
func (t *tokenizer) scanString(isF, isRaw bool, depth int) bool {
	src := t.src
	q := src[t.pos]
	startLine := t.line
	startCol := t.colOf(t.pos)
	triple := t.peek(1) == q && t.peek(2) == q
	if triple {
		t.pos += 3
	} else {
		t.pos++
	}
	if depth > maxParenLevel {
		t.errorAt(startLine, startCol, "f-string: expressions nested too deeply")
		return false
	}
	unterminated := func() bool {
		if triple {
			t.errorAt(startLine, startCol, "unterminated triple-quoted string literal (detected at line %d)", t.eofLine())
		} else {
			t.errorAt(startLine, startCol, "unterminated string literal (detected at line %d)", t.line)
		}
		return false
	}
	if !isF {
		for {
			if t.pos >= len(src) {
				return unterminated()
			}
			c := src[t.pos]
			switch c {
			case q:
				if !triple {
					t.pos++
					return true
				}
				if t.peek(1) == q && t.peek(2) == q {
					t.pos += 3
					return true
				}
				t.pos++
			case '\n':
				if !triple {
					return unterminated()
				}
				t.newline(t.pos)
				t.pos++
			case '\\':
				t.pos++
				if t.pos < len(src) {
					if src[t.pos] == '\n' {
						t.newline(t.pos)
					}
					t.pos++
				}
			default:
				t.pos++
			}
		}
	}
	// f-string: literal mode at top level.
	ok, _ := t.scanFLiteral(q, triple, isRaw, false, depth, unterminated)
	return ok
}

// scanFLiteral scans the literal part of an f-string (or of a format spec
// when spec is true). It returns at the closing quote (consumed) or, for a
// spec, at the '}' that ends it (not consumed; closed=false).
func (t *tokenizer) scanFLiteral(q byte, triple, isRaw, spec bool, depth int, unterminated func() bool) (ok bool, closed bool) {
	src := t.src
	for {
		if t.pos >= len(src) {
			return unterminated(), false
		}
		c := src[t.pos]
		switch c {
		case q:
			if !triple {
				t.pos++
				return true, true
			}
			if t.peek(1) == q && t.peek(2) == q {
				t.pos += 3
				return true, true
			}
			t.pos++
		case '\n':
			if !triple {
				return unterminated(), false
			}
			t.newline(t.pos)
			t.pos++
		case '\\':
			t.pos++
			if t.pos < len(src) {
				d := src[t.pos]
				if d == '\n' {
					t.newline(t.pos)
					t.pos++
				} else if d == '{' || d == '}' {
					// not escaped: handled by the next iteration
				} else if d == 'N' && !isRaw && t.peek(1) == '{' {
					t.pos += 2
					for t.pos < len(src) && src[t.pos] != '}' && src[t.pos] != q && src[t.pos] != '\n' {
						t.pos++
					}
					if t.pos < len(src) && src[t.pos] == '}' {
						t.pos++
					}
				} else {
					t.pos++
				}
			}
		case '{':
			if !spec && t.peek(1) == '{' {
				t.pos += 2
				continue
			}
			t.pos++
			ok, closed := t.scanFExpr(q, triple, isRaw, depth+1, unterminated)
			if !ok {
				return false, false
			}
			if closed {
				return true, true
			}
		case '}':
			if spec {
				return true, false
			}
			if t.peek(1) == '}' {
				t.pos += 2
				continue
			}
			t.pos++
		default:
			t.pos++
		}
	}
}

// scanFExpr scans a replacement field after its '{' up to and including the
// matching '}'. closed reports that the enclosing string's closing quote was
// met instead (an error the f-string parser will report).
func (t *tokenizer) scanFExpr(q byte, triple, isRaw bool, depth int, unterminated func() bool) (ok bool, closed bool) {
	src := t.src
	var stack []byte
	if depth > maxParenLevel {
		t.errorAt(t.line, t.colOf(t.pos), "f-string: expressions nested too deeply")
		return false, false
	}
	for {
		if t.pos >= len(src) {
			return unterminated(), false
		}
		c := src[t.pos]
		switch {
		case c == q && (!triple || t.peek(1) == q && t.peek(2) == q) && len(stack) == 0 && !t.quoteStartsNested():
			// The string ends inside a replacement field: let the
			// f-string parser report it.
			if triple {
				t.pos += 3
			} else {
				t.pos++
			}
			return true, true
		case c == '"' || c == '\'':
			// nested string literal; find its prefix
			p := t.pos
			isF2, isRaw2 := false, false
			for p > 0 && isIdentChar(src[p-1]) {
				p--
			}
			if p < t.pos && t.pos-p <= 2 {
				pre := src[p:t.pos]
				for _, b := range pre {
					switch b {
					case 'f', 'F':
						isF2 = true
					case 'r', 'R':
						isRaw2 = true
					}
				}
			}
			if !t.scanString(isF2, isRaw2, depth) {
				return false, false
			}
		case c == '\n':
			t.newline(t.pos)
			t.pos++
		case c == '\\':
			t.pos++
			if t.pos < len(src) && src[t.pos] == '\n' {
				t.newline(t.pos)
			}
			t.pos++
		case c == '#':
			// A comment (3.12) or an error (3.11): skip to end of line.
			for t.pos < len(src) && src[t.pos] != '\n' && !(src[t.pos] == q && !triple) {
				t.pos++
			}
		case c == '(' || c == '[' || c == '{':
			stack = append(stack, c)
			t.pos++
		case c == ')' || c == ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			t.pos++
		case c == '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
				t.pos++
				continue
			}
			t.pos++
			return true, false
		case c == ':' && len(stack) == 0:
			t.pos++
			ok, closed := t.scanFLiteral(q, triple, isRaw, true, depth, unterminated)
			if !ok || closed {
				return ok, closed
			}
			// at the '}' ending the spec
			t.pos++
			return true, false
		case c == '!' && len(stack) == 0 && t.peek(1) != '=':
			t.pos++
		default:
			t.pos++
		}
	}
}

// quoteStartsNested reports whether the quote at t.pos begins a nested
// string (PEP 701) rather than closing the f-string: that is when it
// directly follows an operator or opening bracket where an expression
// is expected. The rule is a heuristic for error recovery only; a quote
// that follows an expression closes the string.
func (t *tokenizer) quoteStartsNested() bool {
	p := t.pos - 1
	for p >= 0 && (t.src[p] == ' ' || t.src[p] == '\t') {
		p--
	}
	for p >= 0 && isIdentChar(t.src[p]) && p >= t.pos-3 && (t.src[p]|0x20 == 'f' || t.src[p]|0x20 == 'r' || t.src[p]|0x20 == 'b' || t.src[p]|0x20 == 'u') {
		p--
	}
	if p < 0 {
		return false
	}
	switch t.src[p] {
	case '(', '[', '{', ',', '=', '+', '-', '*', '/', '%', '<', '>', '|', '&', '^', '~', ':':
		return true
	}
	return false
}
