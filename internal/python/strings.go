package python

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ---- numbers ----

func (p *parser) parseNumber(t *token) Value {
	text := p.src[t.start:t.end]
	s := string(text)
	if strings.IndexByte(s, '_') >= 0 {
		s = strings.ReplaceAll(s, "_", "")
	}
	if len(s) > 1 && s[0] == '0' && (s[1]|0x20 == 'x' || s[1]|0x20 == 'o' || s[1]|0x20 == 'b') {
		base := 16
		switch s[1] | 0x20 {
		case 'o':
			base = 8
		case 'b':
			base = 2
		}
		return parseInt(s[2:], base)
	}
	last := s[len(s)-1]
	if last == 'j' || last == 'J' {
		return Imag(parseFloat(s[:len(s)-1]))
	}
	if strings.ContainsAny(s, ".eE") {
		return Float(parseFloat(s))
	}
	return parseInt(s, 10)
}

func parseInt(s string, base int) Value {
	if v, err := strconv.ParseInt(s, base, 64); err == nil {
		return &Int{Small: v}
	}
	b, ok := new(big.Int).SetString(s, base)
	if !ok {
		return &Int{}
	}
	return &Int{Big: b}
}

func parseFloat(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f
		}
		return math.NaN()
	}
	return f
}

// ---- string literals ----

type strTok struct {
	t                   *token
	text                []byte // the token's text
	bodyStart, bodyEnd  int    // body offsets within text
	isBytes, isRaw, isF bool
	isU                 bool // lowercase 'u' first
}

func (p *parser) splitStr(t *token) strTok {
	text := p.src[t.start:t.end]
	st := strTok{t: t, text: text}
	i := 0
	for ; i < len(text); i++ {
		c := text[i]
		if c == '\'' || c == '"' {
			break
		}
		switch c | 0x20 {
		case 'b':
			st.isBytes = true
		case 'r':
			st.isRaw = true
		case 'f':
			st.isF = true
		}
	}
	st.isU = text[0] == 'u'
	q := 1
	if len(text)-i >= 6 && text[i+1] == text[i] && text[i+2] == text[i] {
		q = 3
	}
	st.bodyStart = i + q
	st.bodyEnd = len(text) - q
	return st
}

// strings parses one or more adjacent string tokens.
func (p *parser) strings() Expr {
	first := p.p
	for p.kind() == tkString {
		p.next()
	}
	ftok, ltok := &p.toks[first], &p.toks[p.p-1]
	pos := Pos{ftok.line, ftok.col, ltok.endLine, ltok.endCol}
	n := p.p - first
	// fast path: a single plain str token
	if n == 1 {
		st := p.splitStr(ftok)
		if !st.isF {
			if st.isBytes {
				return p.al.consts.put(Constant{Pos: pos, Value: Bytes(p.decodeBytes(&st))})
			}
			c := p.al.consts.put(Constant{Pos: pos, Value: Str(p.decodeStr(&st, st.bodyStart, st.bodyEnd))})
			if st.isU {
				c.Kind = "u"
			}
			return c
		}
	}
	toks := make([]strTok, n)
	anyBytes, anyF, allBytes := false, false, true
	for i := range toks {
		toks[i] = p.splitStr(&p.toks[first+i])
		if toks[i].isBytes {
			anyBytes = true
		} else {
			allBytes = false
		}
		if toks[i].isF {
			anyF = true
		}
	}
	if anyBytes && !allBytes {
		p.failAt(ftok, "cannot mix bytes and nonbytes literals")
	}
	if allBytes {
		var b strings.Builder
		for i := range toks {
			b.WriteString(p.decodeBytes(&toks[i]))
		}
		return p.al.consts.put(Constant{Pos: pos, Value: Bytes(b.String())})
	}
	kind := ""
	if toks[0].isU {
		kind = "u"
	}
	if !anyF {
		var b strings.Builder
		for i := range toks {
			b.WriteString(p.decodeStr(&toks[i], toks[i].bodyStart, toks[i].bodyEnd))
		}
		return p.al.consts.put(Constant{Pos: pos, Value: Str(b.String()), Kind: kind})
	}
	st := &fstrState{p: p, first: ftok, last: ltok, kind: kind}
	for i := range toks {
		tk := &toks[i]
		if tk.isF {
			st.fmode = true
			s := tk.bodyStart
			st.concatFstring(tk, &s, tk.bodyEnd, 0)
		} else {
			st.addLiteral(p.decodeStr(tk, tk.bodyStart, tk.bodyEnd))
		}
	}
	return st.finish(ftok, ltok)
}

// strError reports an error in a string literal where CPython does: at
// the token that follows the string tokens.
func (p *parser) strError(st *strTok, msg string) {
	p.failAt(p.tok(), "%s", msg)
}

// appendRune encodes r as UTF-8, writing surrogates as generalized UTF-8.
func appendRune(b []byte, r rune) []byte {
	if r >= 0xD800 && r <= 0xDFFF {
		return append(b, byte(0xE0|r>>12), byte(0x80|(r>>6)&0x3F), byte(0x80|r&0x3F))
	}
	return utf8.AppendRune(b, r)
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// decodeStr decodes the str literal body text[s:e] (escapes unless raw).
func (p *parser) decodeStr(st *strTok, s, e int) string {
	body := st.text[s:e]
	for _, c := range body {
		if c >= 0x80 {
			if i := invalidUTF8(body); i >= 0 {
				p.strError(st, fmt.Sprintf("(unicode error) 'utf-8' codec can't decode byte 0x%02x in position %d: %s", body[i], i, utf8Reason(body[i:])))
			}
			break
		}
	}
	if st.isRaw || !containsByte(body, '\\') {
		return string(body)
	}
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); {
		c := body[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		esc := i
		uerr := func(end int, what string) {
			p.strError(st, "(unicode error) 'unicodeescape' codec can't decode bytes in position "+strconv.Itoa(esc)+"-"+strconv.Itoa(end)+": "+what)
		}
		i++
		if i >= len(body) {
			p.strError(st, "(unicode error) 'unicodeescape' codec can't decode byte 0x5c in position "+strconv.Itoa(esc)+": \\ at end of string")
		}
		c = body[i]
		i++
		switch c {
		case '\n':
		case '\\':
			out = append(out, '\\')
		case '\'':
			out = append(out, '\'')
		case '"':
			out = append(out, '"')
		case 'a':
			out = append(out, 7)
		case 'b':
			out = append(out, 8)
		case 'f':
			out = append(out, 12)
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'v':
			out = append(out, 11)
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(c - '0')
			for k := 0; k < 2 && i < len(body) && body[i] >= '0' && body[i] <= '7'; k++ {
				v = v*8 + int(body[i]-'0')
				i++
			}
			out = appendRune(out, rune(v))
		case 'x', 'u', 'U':
			n := 2
			if c == 'u' {
				n = 4
			} else if c == 'U' {
				n = 8
			}
			v := 0
			for k := 0; k < n; k++ {
				if i >= len(body) || hexVal(body[i]) < 0 {
					uerr(i-1, "truncated \\"+string(c)+strings.Repeat("X", n)+" escape")
				}
				v = v*16 + hexVal(body[i])
				i++
			}
			if v > 0x10FFFF {
				uerr(i-1, "illegal Unicode character")
			}
			out = appendRune(out, rune(v))
		case 'N':
			if i >= len(body) || body[i] != '{' {
				uerr(i-1, "malformed \\N character escape")
			}
			j := i + 1
			for j < len(body) && body[j] != '}' {
				j++
			}
			if j >= len(body) {
				uerr(j-1, "malformed \\N character escape")
			}
			r, ok := lookupUnicodeName(string(body[i+1 : j]))
			if !ok {
				uerr(j, "unknown Unicode character name")
			}
			out = appendRune(out, r)
			i = j + 1
		default:
			out = append(out, '\\', c)
		}
	}
	return string(out)
}

func containsByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

func (p *parser) decodeBytes(st *strTok) string {
	body := st.text[st.bodyStart:st.bodyEnd]
	for _, c := range body {
		if c >= 128 {
			p.strError(st, "bytes can only contain ASCII literal characters")
		}
	}
	if st.isRaw || !containsByte(body, '\\') {
		return string(body)
	}
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); {
		c := body[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		i++
		if i >= len(body) {
			p.strError(st, "(value error) \\ at end of string")
		}
		c = body[i]
		i++
		switch c {
		case '\n':
		case '\\':
			out = append(out, '\\')
		case '\'':
			out = append(out, '\'')
		case '"':
			out = append(out, '"')
		case 'a':
			out = append(out, 7)
		case 'b':
			out = append(out, 8)
		case 'f':
			out = append(out, 12)
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'v':
			out = append(out, 11)
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(c - '0')
			for k := 0; k < 2 && i < len(body) && body[i] >= '0' && body[i] <= '7'; k++ {
				v = v*8 + int(body[i]-'0')
				i++
			}
			out = append(out, byte(v))
		case 'x':
			if i+1 >= len(body) || hexVal(body[i]) < 0 || hexVal(body[i+1]) < 0 {
				p.strError(st, "(value error) invalid \\x escape at position "+strconv.Itoa(i-2))
			}
			out = append(out, byte(hexVal(body[i])*16+hexVal(body[i+1])))
			i += 2
		default:
			out = append(out, '\\', c)
		}
	}
	return string(out)
}

// ---- f-strings (CPython 3.11's string_parser.c) ----

type fstrState struct {
	p       *parser
	first   *token
	last    *token
	kind    string
	lastStr []byte
	hasLast bool
	exprs   []Expr
	fmode   bool
}

func (s *fstrState) addLiteral(lit string) {
	if lit == "" {
		return
	}
	s.lastStr = append(s.lastStr, lit...)
	s.hasLast = true
}

func (s *fstrState) strNode(first, last *token) Expr {
	c := s.p.al.consts.put(Constant{Pos: Pos{first.line, first.col, last.endLine, last.endCol}, Value: Str(s.lastStr), Kind: s.kind})
	s.lastStr = nil
	s.hasLast = false
	return c
}

func (s *fstrState) finish(first, last *token) Expr {
	if !s.fmode {
		if !s.hasLast {
			s.lastStr = []byte{}
		}
		return s.strNode(first, last)
	}
	if s.hasLast {
		s.exprs = append(s.exprs, s.strNode(first, last))
	}
	vals := s.exprs
	if vals == nil {
		vals = []Expr{}
	}
	return &JoinedStr{Pos: Pos{first.line, first.col, last.endLine, last.endCol}, Values: vals}
}

// concatFstring parses the f-string body tk.text[*i:end].
func (s *fstrState) concatFstring(tk *strTok, i *int, end int, recurse int) {
	p := s.p
	for {
		lit, more := s.findLiteral(tk, i, end, recurse)
		s.addLiteral(lit)
		if more {
			continue
		}
		if *i >= end || tk.text[*i] == '}' {
			break
		}
		// at '{'
		exprText, fv := s.findExpr(tk, i, end, recurse)
		s.addLiteral(exprText)
		if s.hasLast {
			s.exprs = append(s.exprs, s.strNode(s.first, s.last))
		}
		s.exprs = append(s.exprs, fv)
	}
	if recurse == 0 && *i < end {
		p.failAt(p.tok(), "f-string: single '}' is not allowed")
	}
	if recurse != 0 && (*i >= end || tk.text[*i] != '}') {
		p.failAt(p.tok(), "f-string: expecting '}'")
	}
}

// findLiteral returns the literal text up to the next '{' / '}' (or end);
// more reports a doubled brace that was folded into the literal.
func (s *fstrState) findLiteral(tk *strTok, i *int, end int, recurse int) (string, bool) {
	text := tk.text
	start := *i
	j := *i
	raw := tk.isRaw
	for j < end {
		c := text[j]
		j++
		if !raw && c == '\\' && j < end {
			c = text[j]
			j++
			if c == 'N' {
				if j < end && text[j] == '{' {
					j++
					for j < end {
						ch := text[j]
						j++
						if ch == '}' {
							break
						}
					}
					continue
				}
				continue
			}
		}
		if c == '{' || c == '}' {
			if recurse == 0 {
				if j < end && text[j] == c {
					*i = j + 1
					return s.decodeLit(tk, start, j), true
				}
				if c == '}' {
					*i = j - 1
					s.p.failAt(s.p.tok(), "f-string: single '}' is not allowed")
				}
			}
			j--
			break
		}
	}
	*i = j
	if start == j {
		return "", false
	}
	return s.decodeLit(tk, start, j), false
}

func (s *fstrState) decodeLit(tk *strTok, a, b int) string {
	if tk.isRaw {
		return string(tk.text[a:b])
	}
	return s.p.decodeStr(tk, a, b)
}

// findExpr parses a replacement field starting at the '{' at *i.
func (s *fstrState) findExpr(tk *strTok, i *int, end int, recurse int) (string, Expr) {
	p := s.p
	text := tk.text
	if recurse >= 2 {
		p.failAt(p.tok(), "f-string: expressions nested too deeply")
	}
	brace := *i
	*i++
	exprStart := *i
	var quote byte
	strType := 0
	var stack []byte
	for ; *i < end; *i++ {
		ch := text[*i]
		if quote != 0 {
			if ch == '\\' {
				*i++ // PEP 701 allows escapes in nested strings
				continue
			}
			if ch == quote {
				if strType == 3 {
					if *i+2 < end && text[*i+1] == ch && text[*i+2] == ch {
						*i += 2
						strType, quote = 0, 0
					}
				} else {
					strType, quote = 0, 0
				}
			}
			continue
		}
		if ch == '\'' || ch == '"' {
			if *i+2 < end && text[*i+1] == ch && text[*i+2] == ch {
				strType = 3
				*i += 2
			} else {
				strType = 1
			}
			quote = ch
			continue
		}
		if ch == '[' || ch == '{' || ch == '(' {
			if len(stack) >= maxParenLevel {
				p.failAt(p.tok(), "f-string: too many nested parenthesis")
			}
			stack = append(stack, ch)
			continue
		}
		if ch == '#' {
			// a comment (PEP 701): skip to the end of the line
			for *i < end && text[*i] != '\n' {
				*i++
			}
			continue
		}
		if len(stack) == 0 && (ch == '!' || ch == ':' || ch == '}' || ch == '=' || ch == '>' || ch == '<') {
			if *i+1 < end {
				next := text[*i+1]
				if ch == '!' && next == '=' || ch == '=' && next == '=' || ch == '<' && next == '=' || ch == '>' && next == '=' {
					*i++
					continue
				}
			}
			if ch == '>' || ch == '<' {
				continue
			}
			break
		}
		if ch == ']' || ch == '}' || ch == ')' {
			if len(stack) == 0 {
				p.failAt(p.tok(), "f-string: unmatched '%c'", ch)
			}
			open := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if !(open == '(' && ch == ')' || open == '[' && ch == ']' || open == '{' && ch == '}') {
				p.failAt(p.tok(), "f-string: closing parenthesis '%c' does not match opening parenthesis '%c'", ch, open)
			}
		}
	}
	exprEnd := *i
	if quote != 0 {
		p.failAt(p.tok(), "f-string: unterminated string")
	}
	if len(stack) > 0 {
		p.failAt(p.tok(), "f-string: unmatched '%c'", stack[len(stack)-1])
	}
	if *i >= end {
		p.failAt(p.tok(), "f-string: expecting '}'")
	}
	expr := s.compileExpr(tk, brace, exprStart, exprEnd)
	exprText := ""
	if text[*i] == '=' {
		*i++
		for *i < end && isPySpace(text[*i]) {
			*i++
		}
		if *i >= end {
			p.failAt(p.tok(), "f-string: expecting '}'")
		}
		exprText = string(text[exprStart:*i])
	}
	conversion := -1
	if text[*i] == '!' {
		*i++
		if *i >= end {
			p.failAt(p.tok(), "f-string: expecting '}'")
		}
		conversion = int(text[*i])
		*i++
		if !(conversion == 's' || conversion == 'r' || conversion == 'a') {
			p.failAt(p.tok(), "f-string: invalid conversion character: expected 's', 'r', or 'a'")
		}
	}
	var spec Expr
	if *i >= end {
		p.failAt(p.tok(), "f-string: expecting '}'")
	}
	if text[*i] == ':' {
		*i++
		if *i >= end {
			p.failAt(p.tok(), "f-string: expecting '}'")
		}
		sub := &fstrState{p: p, first: s.first, last: s.last, kind: s.kind, fmode: true}
		sub.concatFstring(tk, i, end, recurse+1)
		spec = sub.finish(tk.t, tk.t)
	}
	if *i >= end || text[*i] != '}' {
		p.failAt(p.tok(), "f-string: expecting '}'")
	}
	*i++
	if exprText != "" && spec == nil && conversion == -1 {
		conversion = 'r'
	}
	fv := &FormattedValue{Pos: Pos{s.first.line, s.first.col, s.last.endLine, s.last.endCol}, Value: expr, Conversion: conversion, FormatSpec: spec}
	return exprText, fv
}

func isPySpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// compileExpr parses the expression text[a:b] of a replacement field whose
// '{' is at brace, placing its nodes where CPython 3.11 places them.
func (s *fstrState) compileExpr(tk *strTok, brace, a, b int) Expr {
	p := s.p
	text := tk.text
	allSpace := true
	for _, c := range text[a:b] {
		if !(c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r') {
			allSpace = false
			break
		}
	}
	if allSpace {
		p.failAt(p.tok(), "f-string: empty expression not allowed")
	}
	// fstring_find_expr_location
	lines, cols := 0, 0
	newlineAfterBrace := true
	for k := brace + 1; k < len(text) && text[k] != '}' && text[k] != '\n'; k++ {
		if text[k] != ' ' && text[k] != '\t' && text[k] != '\f' {
			newlineAfterBrace = false
			break
		}
	}
	if !newlineAfterBrace {
		k := brace
		for k > 0 && text[k] != '\n' {
			k--
		}
		cols = brace - k
		if text[k] == '\n' {
			cols--
		}
	}
	for k := 0; k < brace; k++ {
		if text[k] == '\n' {
			lines++
		}
	}
	startLine := int(tk.t.line) + lines
	shift := cols
	if lines == 0 {
		shift += int(tk.t.col)
	}
	src := make([]byte, 0, b-a+3)
	src = append(src, '(')
	src = append(src, text[a:b]...)
	src = append(src, ')', '\n')
	if p.fdepth > 50 {
		p.failAt(p.tok(), "f-string: expressions nested too deeply")
	}
	tz := tokenize(p.filename, src, startLine, shift)
	if len(tz.errs) > 0 {
		e := tz.errs[0]
		e.Msg = "f-string: " + e.Msg
		panic(parseError{e})
	}
	sub := &parser{toks: tz.toks, src: src, filename: p.filename, depth: p.depth, fdepth: p.fdepth + 1, names: p.names, al: p.al}
	var result Expr
	func() {
		defer func() {
			if r := recover(); r != nil {
				if pe, ok := r.(parseError); ok {
					if !strings.HasPrefix(pe.err.Msg, "f-string") {
						pe.err.Msg = "f-string: " + pe.err.Msg
					}
					panic(pe)
				}
				panic(r)
			}
		}()
		result = sub.starExpressions()
		if sub.kind() != tkNewline {
			sub.syntaxError()
		}
	}()
	if p.names == nil {
		p.names = sub.names
	}
	sub.toks = nil
	tz.release()
	return result
}

// lookupUnicodeName resolves \N{...} escapes; see unicodenames.go.
var lookupUnicodeName = func(name string) (rune, bool) {
	return lookupBuiltinName(name)
}
