package python

import (
	"bytes"
	"fmt"
	"sort"
	"sync"
)

// maxDepth bounds the parser's recursion (CPython fails at roughly the
// same nesting with "too complex" / RecursionError).
const maxDepth = 1500

type parser struct {
	toks     []token
	src      []byte
	p        int
	filename string
	errs     []*SyntaxError
	depth    int
	// extraIndents counts INDENT tokens skipped by error recovery whose
	// DEDENT is still to come.
	extraIndents int
	// far is the furthest token index reached (CPython's last token fetched)
	far int
	// fstring sub-parsers
	fdepth int
	names  map[string]string
	al     *allocator
}

// allocator hands out nodes of the most common kinds from slabs, which
// cuts the number of heap allocations several times over.
type allocator struct {
	names  slab[Name]
	consts slab[Constant]
	attrs  slab[Attribute]
	calls  slab[Call]
	kws    slab[Keyword]
	args   slab[Arg]
	subs   slab[Subscript]
	binops slab[BinOp]
	exprs  slab[ExprStmt]
	assign slab[Assign]
}

type slab[T any] struct{ buf []T }

func (s *slab[T]) put(v T) *T {
	if len(s.buf) == 0 {
		s.buf = make([]T, 32)
	}
	x := &s.buf[0]
	*x = v
	s.buf = s.buf[1:]
	return x
}

// namesPool recycles the identifier intern tables (the strings themselves
// stay referenced by the AST).
var namesPool sync.Pool

func (p *parser) intern(b []byte) string {
	if s, ok := p.names[string(b)]; ok {
		return s
	}
	if p.names == nil {
		p.names = make(map[string]string, 256)
	}
	s := string(b)
	p.names[s] = s
	return s
}

// Parse parses a Python source file (raw bytes, decoded per PEP 263). It
// returns the module, possibly partial, and the syntax errors found; the
// parser recovers at the next statement after an error.
func Parse(filename string, src []byte) (*Module, []*SyntaxError) {
	if i := bytes.IndexByte(src, 0); i >= 0 {
		line := 1 + bytes.Count(src[:i], []byte("\n"))
		return &Module{Body: []Stmt{}, TypeIgnores: []*TypeIgnore{}}, []*SyntaxError{{Filename: filename, Line: line, Col: 1, Msg: "source code string cannot contain null bytes"}}
	}
	dec, err := DecodeSource(src)
	if err != nil {
		se := err.(*SyntaxError)
		se.Filename = filename
		return &Module{Body: []Stmt{}, TypeIgnores: []*TypeIgnore{}}, []*SyntaxError{se}
	}
	return parseDecoded(filename, dec)
}

// ParseString parses source text that is already decoded.
func ParseString(filename, src string) (*Module, []*SyntaxError) {
	return parseDecoded(filename, translateNewlines([]byte(src)))
}

func parseDecoded(filename string, src []byte) (*Module, []*SyntaxError) {
	tz := tokenize(filename, src, 1, 0)
	p := &parser{toks: tz.toks, src: src, filename: filename, al: &allocator{}}
	if m, ok := namesPool.Get().(map[string]string); ok {
		p.names = m
	}
	mod := p.parseModule()
	p.toks = nil
	tz.release()
	if p.names != nil && len(p.names) < 1<<16 {
		clear(p.names)
		namesPool.Put(p.names)
	}
	return mod, orderErrors(tz.errs, p.errs)
}

// orderErrors puts first the error CPython would report and the others
// after it in source order. CPython stops at the first tokenizer error it
// meets; after a parser error it tokenizes the rest of the file, and an
// error the tokenizer raises there replaces the parser's (except
// "unexpected indent"/"unindent"), as does an unclosed bracket opened
// before the line of the parser error.
func orderErrors(tokErrs, parseErrs []*SyntaxError) []*SyntaxError {
	if len(tokErrs) == 0 {
		return parseErrs
	}
	if len(parseErrs) == 0 {
		return tokErrs
	}
	t, p := tokErrs[0], parseErrs[0]
	tokFirst := false
	switch {
	case t.tokIndex <= p.tokIndex && !t.unclosed:
		tokFirst = true
	case p.override:
		tokFirst = false
	case t.raising:
		tokFirst = true
	case t.unclosed && p.farLine > t.Line:
		tokFirst = true
	}
	// A parser error at the end of input after an unclosed bracket is the
	// same problem seen twice.
	for _, e := range tokErrs {
		if e.unclosed {
			kept := parseErrs[:0:0]
			for _, pe := range parseErrs {
				if pe.atEOF {
					continue
				}
				kept = append(kept, pe)
			}
			parseErrs = kept
			if len(parseErrs) == 0 {
				return tokErrs
			}
			p = parseErrs[0]
		}
	}
	var first *SyntaxError
	rest := make([]*SyntaxError, 0, len(tokErrs)+len(parseErrs)-1)
	if tokFirst {
		first = t
		rest = append(rest, tokErrs[1:]...)
		rest = append(rest, parseErrs...)
	} else {
		first = p
		rest = append(rest, tokErrs...)
		rest = append(rest, parseErrs[1:]...)
	}
	sort.SliceStable(rest, func(i, j int) bool {
		if rest[i].Line != rest[j].Line {
			return rest[i].Line < rest[j].Line
		}
		return rest[i].Col < rest[j].Col
	})
	return append([]*SyntaxError{first}, rest...)
}

// ---- token access ----

func (p *parser) tok() *token   { return &p.toks[p.p] }
func (p *parser) kind() tokKind { return p.toks[p.p].kind }
func (p *parser) peekKind(n int) tokKind {
	if p.p+n < len(p.toks) {
		if p.p+n > p.far {
			p.far = p.p + n
		}
		return p.toks[p.p+n].kind
	}
	return tkEndmarker
}
func (p *parser) peekKindAt(i int) tokKind {
	if i < len(p.toks) {
		return p.toks[i].kind
	}
	return tkEndmarker
}
func (p *parser) text(t *token) string { return string(p.src[t.start:t.end]) }
func (p *parser) next() {
	if p.p < len(p.toks)-1 {
		p.p++
		if p.p > p.far {
			p.far = p.p
		}
	}
}
func (p *parser) accept(k tokKind) bool {
	if p.toks[p.p].kind == k {
		p.next()
		return true
	}
	return false
}

// isName reports whether the current token is the soft keyword / name s.
func (p *parser) isName(s string) bool {
	t := &p.toks[p.p]
	return t.kind == tkName && int(t.end-t.start) == len(s) && string(p.src[t.start:t.end]) == s
}

// ---- errors ----

func (p *parser) failAt(t *token, format string, args ...any) {
	panic(parseError{&SyntaxError{Filename: p.filename, Line: int(t.line), Col: int(t.col) + 1, Msg: fmt.Sprintf(format, args...), tokIndex: p.p}})
}

func (p *parser) failNode(n Located, format string, args ...any) {
	s := n.Span()
	panic(parseError{&SyntaxError{Filename: p.filename, Line: int(s.Lineno), Col: int(s.ColOffset) + 1, Msg: fmt.Sprintf(format, args...), tokIndex: p.p}})
}

func (p *parser) failIndent(t *token, format string, args ...any) {
	panic(parseError{&SyntaxError{Filename: p.filename, Line: int(t.line), Col: int(t.col) + 1, Msg: fmt.Sprintf(format, args...), Kind: "IndentationError", tokIndex: p.p}})
}

// syntaxError reports a generic error at the current token.
func (p *parser) syntaxError() {
	t := p.tok()
	switch t.kind {
	case tkIndent, tkDedent:
		msg := "unexpected indent"
		if t.kind == tkDedent {
			msg = "unexpected unindent"
		}
		panic(parseError{&SyntaxError{Filename: p.filename, Line: int(t.line), Col: int(t.col), Msg: msg, Kind: "IndentationError", tokIndex: p.p, override: true}})
	case tkEndmarker:
		p.failAt(t, "unexpected EOF while parsing")
	}
	// CPython places a generic error at the last token it fetched.
	if p.far > p.p && p.far < len(p.toks) {
		t = &p.toks[p.far]
	}
	p.failAt(t, "invalid syntax")
}

func (p *parser) expect(k tokKind) {
	if p.toks[p.p].kind != k {
		if k == tkColon && p.toks[p.p].kind == tkNewline {
			p.failAt(p.tok(), "expected ':'")
		}
		p.syntaxError()
	}
	p.next()
}

func (p *parser) prevTok() *token {
	if p.p > 0 {
		return &p.toks[p.p-1]
	}
	return &p.toks[0]
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.failAt(p.tok(), "too many nested parentheses")
	}
}

func (p *parser) leave() { p.depth-- }

// ---- positions ----

// lastReal returns the last consumed token that is not NEWLINE, INDENT or
// DEDENT.
func (p *parser) lastReal() *token {
	i := p.p - 1
	for i > 0 {
		k := p.toks[i].kind
		if k != tkNewline && k != tkIndent && k != tkDedent {
			break
		}
		i--
	}
	if i < 0 {
		i = 0
	}
	return &p.toks[i]
}

// loc spans from token index start to the last consumed token.
func (p *parser) loc(start int) Pos {
	s := &p.toks[start]
	e := p.lastReal()
	return Pos{s.line, s.col, e.endLine, e.endCol}
}

func tokPos(t *token) Pos {
	return Pos{t.line, t.col, t.endLine, t.endCol}
}

// ---- module and statements ----

func (p *parser) parseModule() *Module {
	mod := &Module{Body: []Stmt{}, TypeIgnores: []*TypeIgnore{}}
	for p.kind() != tkEndmarker {
		if p.kind() == tkDedent {
			// only after recovery
			p.next()
			if p.extraIndents > 0 {
				p.extraIndents--
			}
			continue
		}
		mod.Body = append(mod.Body, p.statementRecover()...)
	}
	return mod
}

func (p *parser) statementRecover() (stmts []Stmt) {
	start := p.p
	depth := p.depth
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(parseError)
			if !ok {
				panic(r)
			}
			p.depth = depth
			if pe.err.farLine == 0 {
				pe.err.farLine = int(p.toks[p.far].line)
			}
			if p.toks[p.far].kind == tkEndmarker {
				pe.err.atEOF = true
			}
			p.errs = append(p.errs, pe.err)
			p.recoverFrom(start)
			stmts = nil
		}
	}()
	return p.parseStatement()
}

// recoverFrom skips to the end of the logical line where an error occurred.
func (p *parser) recoverFrom(start int) {
	if p.p < start {
		p.p = start
	}
	moved := false
	for {
		k := p.kind()
		if k == tkEndmarker {
			return
		}
		if k == tkNewline {
			p.next()
			return
		}
		if k == tkIndent {
			p.extraIndents++
		} else if k == tkDedent {
			if p.extraIndents > 0 {
				p.extraIndents--
			} else if moved || p.p > start {
				return
			}
		}
		p.next()
		moved = true
	}
}

func (p *parser) parseStatement() []Stmt {
	switch p.kind() {
	case kwDef, kwIf, kwClass, kwWith, kwFor, kwTry, kwWhile, tkAt:
		return []Stmt{p.compoundStmt()}
	case kwAsync:
		switch p.peekKind(1) {
		case kwDef, kwWith, kwFor:
			return []Stmt{p.compoundStmt()}
		}
	case tkName:
		if p.isName("match") {
			if s := p.tryMatchStmt(); s != nil {
				return []Stmt{s}
			}
		}
	case tkIndent:
		p.syntaxError()
	}
	return p.simpleStmts()
}

func (p *parser) simpleStmts() []Stmt {
	var out []Stmt
	for {
		out = append(out, p.simpleStmt())
		if p.accept(tkSemi) {
			if p.kind() == tkNewline {
				break
			}
			continue
		}
		break
	}
	if p.kind() != tkNewline {
		p.syntaxError()
	}
	p.next()
	return out
}

// block parses a suite after ':'. what/line describe the statement for
// "expected an indented block" errors.
func (p *parser) block(what string, hdr *token) []Stmt {
	if p.kind() == tkNewline {
		nl := p.tok()
		p.next()
		if p.kind() != tkIndent {
			at := nl
			if k := p.kind(); k != tkDedent && k != tkEndmarker && k != tkNewline {
				at = p.tok()
			}
			p.failIndent(at, "expected an indented block after %s on line %d", what, hdr.line)
		}
		p.next()
		var body []Stmt
		for {
			k := p.kind()
			if k == tkEndmarker {
				break
			}
			if k == tkDedent {
				if p.extraIndents > 0 {
					p.extraIndents--
					p.next()
					continue
				}
				p.next()
				break
			}
			body = append(body, p.statementRecover()...)
		}
		if body == nil {
			body = []Stmt{}
		}
		return body
	}
	return p.simpleStmts()
}

func (p *parser) compoundStmt() Stmt {
	p.enter()
	defer p.leave()
	switch p.kind() {
	case tkAt:
		return p.decorated()
	case kwDef:
		return p.funcDef(p.p, nil, false)
	case kwAsync:
		start := p.p
		p.next()
		switch p.kind() {
		case kwDef:
			return p.funcDef(start, nil, true)
		case kwWith:
			return p.withStmt(start, true)
		case kwFor:
			return p.forStmt(start, true)
		}
		p.syntaxError()
	case kwClass:
		return p.classDef(p.p, nil)
	case kwIf:
		return p.ifStmt()
	case kwWhile:
		return p.whileStmt()
	case kwFor:
		return p.forStmt(p.p, false)
	case kwTry:
		return p.tryStmt()
	case kwWith:
		return p.withStmt(p.p, false)
	}
	p.syntaxError()
	return nil
}

func (p *parser) decorated() Stmt {
	var decos []Expr
	for p.kind() == tkAt {
		p.next()
		decos = append(decos, p.namedExpression())
		if p.kind() != tkNewline {
			p.syntaxError()
		}
		p.next()
	}
	switch p.kind() {
	case kwDef:
		return p.funcDef(p.p, decos, false)
	case kwAsync:
		if p.peekKind(1) == kwDef {
			start := p.p
			p.next()
			return p.funcDef(start, decos, true)
		}
	case kwClass:
		return p.classDef(p.p, decos)
	}
	p.syntaxError()
	return nil
}

func (p *parser) identifier() string {
	t := p.tok()
	if t.kind != tkName {
		p.syntaxError()
	}
	p.next()
	return p.nameText(t)
}

// nameText returns an identifier, NFKC-normalized like CPython's.
func (p *parser) nameText(t *token) string {
	s := p.src[t.start:t.end]
	for _, c := range s {
		if c >= 128 {
			return nfkc(string(s))
		}
	}
	return p.intern(s)
}

func (p *parser) funcDef(start int, decos []Expr, async bool) Stmt {
	hdr := p.tok() // 'def'
	p.next()
	name := p.identifier()
	var tparams []TypeParam
	if p.kind() == tkLsqb {
		tparams = p.typeParams()
	}
	if p.kind() != tkLpar {
		p.failAt(p.tok(), "expected '('")
	}
	p.next()
	args := p.parameters(tkRpar, true)
	p.expect(tkRpar)
	var returns Expr
	if p.accept(tkRarrow) {
		returns = p.expression()
	}
	p.expect(tkColon)
	what := "function definition"
	body := p.block(what, hdr)
	if decos == nil {
		decos = []Expr{}
	}
	pos := p.loc(start)
	if async {
		return &AsyncFunctionDef{Pos: pos, Name: name, Args: args, Body: body, DecoratorList: decos, Returns: returns, TypeParams: tparams}
	}
	return &FunctionDef{Pos: pos, Name: name, Args: args, Body: body, DecoratorList: decos, Returns: returns, TypeParams: tparams}
}

func (p *parser) classDef(start int, decos []Expr) Stmt {
	hdr := p.tok()
	p.next()
	name := p.identifier()
	var tparams []TypeParam
	if p.kind() == tkLsqb {
		tparams = p.typeParams()
	}
	bases := []Expr{}
	kws := []*Keyword{}
	if p.accept(tkLpar) {
		if p.kind() != tkRpar {
			bases, kws = p.callArgs()
		}
		p.expect(tkRpar)
	}
	p.expect(tkColon)
	body := p.block("class definition", hdr)
	if decos == nil {
		decos = []Expr{}
	}
	return &ClassDef{Pos: p.loc(start), Name: name, Bases: bases, Keywords: kws, Body: body, DecoratorList: decos, TypeParams: tparams}
}

// typeParams parses a PEP 695 type parameter list '[' ... ']'.
func (p *parser) typeParams() []TypeParam {
	p.next() // '['
	var out []TypeParam
	for p.kind() != tkRsqb {
		start := p.p
		switch p.kind() {
		case tkStar:
			p.next()
			name := p.identifier()
			if p.kind() == tkColon {
				p.failAt(p.tok(), "cannot use bound with TypeVarTuple")
			}
			tv := &TypeVarTuple{Name: name}
			if p.accept(tkEqual) {
				tv.DefaultValue = p.starExpression()
			}
			tv.Pos = p.loc(start)
			out = append(out, tv)
		case tkDoubleStar:
			p.next()
			name := p.identifier()
			if p.kind() == tkColon {
				p.failAt(p.tok(), "cannot use bound with ParamSpec")
			}
			ps := &ParamSpec{Name: name}
			if p.accept(tkEqual) {
				ps.DefaultValue = p.expression()
			}
			ps.Pos = p.loc(start)
			out = append(out, ps)
		default:
			name := p.identifier()
			tv := &TypeVar{Name: name}
			if p.accept(tkColon) {
				tv.Bound = p.expression()
			}
			if p.accept(tkEqual) {
				tv.DefaultValue = p.expression()
			}
			tv.Pos = p.loc(start)
			out = append(out, tv)
		}
		if !p.accept(tkComma) {
			break
		}
	}
	if len(out) == 0 {
		p.failAt(p.tok(), "Type parameter list cannot be empty")
	}
	p.expect(tkRsqb)
	return out
}

// parameters parses a def (annotations allowed) or lambda parameter list
// up to the closing token (not consumed).
func (p *parser) parameters(closer tokKind, annotations bool) *Arguments {
	a := &Arguments{PosOnlyArgs: []*Arg{}, Args: []*Arg{}, KwOnlyArgs: []*Arg{}, KwDefaults: []Expr{}, Defaults: []Expr{}}
	sawDefault := false
	sawStar := false
	sawSlash := false
	param := func(starAnn bool) *Arg {
		start := p.p
		t := p.tok()
		if t.kind != tkName {
			p.syntaxError()
		}
		p.next()
		arg := p.al.args.put(Arg{Arg: p.nameText(t)})
		if annotations && p.accept(tkColon) {
			if starAnn && p.kind() == tkStar {
				arg.Annotation = p.starExpression()
			} else {
				arg.Annotation = p.expression()
			}
		}
		arg.Pos = p.loc(start)
		return arg
	}
	for p.kind() != closer {
		switch p.kind() {
		case tkSlash:
			if sawSlash {
				p.failAt(p.tok(), "/ may appear only once")
			}
			if sawStar {
				p.failAt(p.tok(), "/ must be ahead of *")
			}
			if len(a.Args) == 0 {
				p.failAt(p.tok(), "at least one argument must precede /")
			}
			p.next()
			sawSlash = true
			a.PosOnlyArgs = a.Args
			a.Args = []*Arg{}
		case tkStar:
			if sawStar {
				p.failAt(p.tok(), "* argument may appear only once")
			}
			p.next()
			sawStar = true
			if p.kind() == tkName {
				a.Vararg = param(true)
			} else if p.kind() == tkComma && (p.peekKind(1) == closer || p.peekKind(1) == tkDoubleStar) {
				p.failAt(p.prevTok(), "named arguments must follow bare *")
			} else if p.kind() == closer {
				p.failAt(p.prevTok(), "named arguments must follow bare *")
			}
		case tkDoubleStar:
			p.next()
			a.Kwarg = param(false)
			if p.kind() == tkEqual {
				p.failAt(p.tok(), "var-keyword argument cannot have default value")
			}
			p.accept(tkComma)
			if p.kind() != closer {
				p.failAt(p.tok(), "arguments cannot follow var-keyword argument")
			}
			return a
		default:
			arg := param(false)
			var def Expr
			if p.accept(tkEqual) {
				def = p.expression()
			}
			if sawStar {
				a.KwOnlyArgs = append(a.KwOnlyArgs, arg)
				a.KwDefaults = append(a.KwDefaults, def)
			} else {
				a.Args = append(a.Args, arg)
				if def != nil {
					a.Defaults = append(a.Defaults, def)
					sawDefault = true
				} else if sawDefault {
					p.failNode(arg, "non-default argument follows default argument")
				}
			}
		}
		if !p.accept(tkComma) {
			break
		}
	}
	if p.kind() != closer {
		p.syntaxError()
	}
	return a
}

func (p *parser) ifStmt() Stmt {
	start := p.p
	hdr := p.tok()
	p.next() // 'if' or 'elif'
	test := p.namedExpression()
	p.expect(tkColon)
	what := "'if' statement"
	if hdr.kind == kwElif {
		what = "'elif' statement"
	}
	body := p.block(what, hdr)
	orelse := []Stmt{}
	if p.kind() == kwElif {
		p.enter()
		orelse = []Stmt{p.ifStmt()}
		p.leave()
	} else if p.kind() == kwElse {
		eh := p.tok()
		p.next()
		p.expect(tkColon)
		orelse = p.block("'else' statement", eh)
	}
	return &If{Pos: p.loc(start), Test: test, Body: body, Orelse: orelse}
}

func (p *parser) whileStmt() Stmt {
	start := p.p
	hdr := p.tok()
	p.next()
	test := p.namedExpression()
	p.expect(tkColon)
	body := p.block("'while' statement", hdr)
	orelse := p.elseBlock()
	return &While{Pos: p.loc(start), Test: test, Body: body, Orelse: orelse}
}

func (p *parser) elseBlock() []Stmt {
	if p.kind() == kwElse {
		eh := p.tok()
		p.next()
		p.expect(tkColon)
		return p.block("'else' statement", eh)
	}
	return []Stmt{}
}

func (p *parser) forStmt(start int, async bool) Stmt {
	hdr := p.tok()
	p.next() // 'for'
	target := p.starTargets(Store)
	if p.kind() != kwIn {
		p.failAt(p.tok(), "invalid syntax")
	}
	p.next()
	iter := p.starExpressions()
	p.expect(tkColon)
	body := p.block("'for' statement", hdr)
	orelse := p.elseBlock()
	if async {
		return &AsyncFor{Pos: p.loc(start), Target: target, Iter: iter, Body: body, Orelse: orelse}
	}
	return &For{Pos: p.loc(start), Target: target, Iter: iter, Body: body, Orelse: orelse}
}

func (p *parser) withStmt(start int, async bool) Stmt {
	hdr := p.tok()
	p.next() // 'with'
	var items []*WithItem
	parsed := false
	if p.kind() == tkLpar {
		// 'with' '(' ','.with_item+ ','? ')' ':'
		save := p.p
		ok := p.try(func() {
			p.next()
			var its []*WithItem
			for {
				its = append(its, p.withItem(true))
				if !p.accept(tkComma) {
					break
				}
				if p.kind() == tkRpar {
					break
				}
			}
			if p.kind() != tkRpar || p.peekKind(1) != tkColon {
				p.syntaxError()
			}
			p.next()
			items = its
		})
		if ok {
			parsed = true
		} else {
			p.p = save
		}
	}
	if !parsed {
		for {
			items = append(items, p.withItem(false))
			if !p.accept(tkComma) {
				break
			}
		}
	}
	p.expect(tkColon)
	body := p.block("'with' statement", hdr)
	if async {
		return &AsyncWith{Pos: p.loc(start), Items: items, Body: body}
	}
	return &With{Pos: p.loc(start), Items: items, Body: body}
}

func (p *parser) withItem(inParens bool) *WithItem {
	e := p.expression()
	item := &WithItem{ContextExpr: e}
	if p.accept(kwAs) {
		item.OptionalVars = p.starTarget(Store)
		k := p.kind()
		if !(k == tkComma || k == tkColon || inParens && k == tkRpar) {
			p.syntaxError()
		}
	}
	return item
}

// try runs f; it reports false (discarding the error) if f fails.
func (p *parser) try(f func()) (ok bool) {
	depth := p.depth
	defer func() {
		if r := recover(); r != nil {
			if _, isPE := r.(parseError); !isPE {
				panic(r)
			}
			p.depth = depth
			ok = false
		}
	}()
	f()
	return true
}

func (p *parser) tryStmt() Stmt {
	start := p.p
	hdr := p.tok()
	p.next()
	p.expect(tkColon)
	body := p.block("'try' statement", hdr)
	handlers := []*ExceptHandler{}
	star := false
	for p.kind() == kwExcept {
		hstart := p.p
		eh := p.tok()
		p.next()
		isStar := false
		if p.kind() == tkStar {
			p.next()
			isStar = true
		}
		if len(handlers) == 0 {
			star = isStar
		} else if isStar != star {
			p.failAt(eh, "cannot have both 'except' and 'except*' on the same 'try'")
		}
		h := &ExceptHandler{}
		if p.kind() != tkColon {
			h.Type = p.expression()
			if p.kind() == tkComma {
				p.failNode(h.Type, "multiple exception types must be parenthesized")
			}
			if p.accept(kwAs) {
				h.Name = p.identifier()
			}
		} else if isStar {
			p.failAt(p.tok(), "expected one or more exception types")
		}
		p.expect(tkColon)
		what := "'except' statement"
		if isStar {
			what = "'except*' statement"
		}
		h.Body = p.block(what, eh)
		h.Pos = p.loc(hstart)
		handlers = append(handlers, h)
	}
	orelse := []Stmt{}
	if len(handlers) > 0 {
		orelse = p.elseBlock()
	}
	final := []Stmt{}
	if p.kind() == kwFinally {
		fh := p.tok()
		p.next()
		p.expect(tkColon)
		final = p.block("'finally' statement", fh)
	}
	if len(handlers) == 0 && len(final) == 0 {
		p.failAt(p.tok(), "expected 'except' or 'finally' block")
	}
	if star {
		return &TryStar{Pos: p.loc(start), Body: body, Handlers: handlers, Orelse: orelse, Finalbody: final}
	}
	return &Try{Pos: p.loc(start), Body: body, Handlers: handlers, Orelse: orelse, Finalbody: final}
}

// ---- simple statements ----

func (p *parser) simpleStmt() Stmt {
	start := p.p
	switch p.kind() {
	case kwPass:
		p.next()
		return &Pass{Pos: p.loc(start)}
	case kwBreak:
		p.next()
		return &Break{Pos: p.loc(start)}
	case kwContinue:
		p.next()
		return &Continue{Pos: p.loc(start)}
	case kwReturn:
		p.next()
		var v Expr
		if !p.atStmtEnd() {
			v = p.starExpressions()
		}
		return &Return{Pos: p.loc(start), Value: v}
	case kwRaise:
		p.next()
		r := &Raise{}
		if !p.atStmtEnd() {
			r.Exc = p.expression()
			if p.accept(kwFrom) {
				r.Cause = p.expression()
			}
		}
		r.Pos = p.loc(start)
		return r
	case kwGlobal, kwNonlocal:
		k := p.kind()
		p.next()
		var names []string
		for {
			names = append(names, p.identifier())
			if !p.accept(tkComma) {
				break
			}
		}
		if k == kwGlobal {
			return &Global{Pos: p.loc(start), Names: names}
		}
		return &Nonlocal{Pos: p.loc(start), Names: names}
	case kwDel:
		p.next()
		var targets []Expr
		for {
			targets = append(targets, p.delTarget())
			if !p.accept(tkComma) {
				break
			}
			if p.atStmtEnd() {
				break
			}
		}
		if !p.atStmtEnd() {
			p.syntaxError()
		}
		return &Delete{Pos: p.loc(start), Targets: targets}
	case kwAssert:
		p.next()
		a := &Assert{Test: p.expression()}
		if p.accept(tkComma) {
			a.Msg = p.expression()
		}
		a.Pos = p.loc(start)
		return a
	case kwImport:
		return p.importName()
	case kwFrom:
		return p.importFrom()
	case kwYield:
		y := p.yieldExpr()
		return p.al.exprs.put(ExprStmt{Pos: p.loc(start), Value: y})
	case tkName:
		if p.isName("type") && p.peekKind(1) == tkName && (p.peekKind(2) == tkLsqb || p.peekKind(2) == tkEqual) {
			return p.typeAlias()
		}
	}
	return p.exprOrAssign()
}

func (p *parser) atStmtEnd() bool {
	k := p.kind()
	return k == tkNewline || k == tkSemi || k == tkEndmarker
}

func (p *parser) typeAlias() Stmt {
	start := p.p
	p.next() // 'type'
	nt := p.tok()
	name := p.al.names.put(Name{Pos: tokPos(nt), Id: p.identifier(), Ctx: Store})
	tparams := []TypeParam{}
	if p.kind() == tkLsqb {
		tparams = p.typeParams()
	}
	p.expect(tkEqual)
	v := p.expression()
	return &TypeAlias{Pos: p.loc(start), Name: name, TypeParams: tparams, Value: v}
}

func (p *parser) dottedName() string {
	name := p.identifier()
	for p.kind() == tkDot {
		p.next()
		name += "." + p.identifier()
	}
	return name
}

func (p *parser) importName() Stmt {
	start := p.p
	p.next()
	var names []*Alias
	for {
		astart := p.p
		a := &Alias{Name: p.dottedName()}
		if p.accept(kwAs) {
			a.Asname = p.identifier()
		}
		a.Pos = p.loc(astart)
		names = append(names, a)
		if !p.accept(tkComma) {
			break
		}
	}
	return &Import{Pos: p.loc(start), Names: names}
}

func (p *parser) importFrom() Stmt {
	start := p.p
	p.next()
	level := 0
	for {
		if p.kind() == tkDot {
			level++
		} else if p.kind() == tkEllipsis {
			level += 3
		} else {
			break
		}
		p.next()
	}
	module := ""
	if p.kind() != kwImport {
		module = p.dottedName()
	} else if level == 0 {
		p.syntaxError()
	}
	if p.kind() != kwImport {
		p.failAt(p.tok(), "invalid syntax")
	}
	p.next()
	var names []*Alias
	if p.kind() == tkStar {
		t := p.tok()
		p.next()
		names = []*Alias{{Pos: tokPos(t), Name: "*"}}
	} else {
		paren := p.accept(tkLpar)
		for {
			astart := p.p
			a := &Alias{Name: p.identifier()}
			if p.accept(kwAs) {
				a.Asname = p.identifier()
			}
			a.Pos = p.loc(astart)
			names = append(names, a)
			if !p.accept(tkComma) {
				break
			}
			if paren && p.kind() == tkRpar {
				break
			}
			if !paren && p.atStmtEnd() {
				p.failAt(p.tok(), "trailing comma not allowed without surrounding parentheses")
			}
		}
		if paren {
			p.expect(tkRpar)
		}
	}
	return &ImportFrom{Pos: p.loc(start), Module: module, Names: names, Level: level}
}

var augOps = map[tokKind]Operator{
	tkPlusEqual: Add, tkMinEqual: Sub, tkStarEqual: Mult, tkAtEqual: MatMult,
	tkSlashEqual: Div, tkPercentEqual: Mod, tkAmperEqual: BitAnd, tkVbarEqual: BitOr,
	tkCircumflexEqual: BitXor, tkLeftShiftEqual: LShift, tkRightShiftEqual: RShift,
	tkDoubleStarEqual: Pow, tkDoubleSlashEqual: FloorDiv,
}

func (p *parser) exprOrAssign() Stmt {
	start := p.p
	e := p.starExpressions()
	switch k := p.kind(); k {
	case tkColon:
		// annotated assignment
		simple := 0
		switch t := e.(type) {
		case *Name:
			if p.toks[start].kind == tkName {
				simple = 1
			}
			t.Ctx = Store
		case *Attribute:
			t.Ctx = Store
		case *Subscript:
			t.Ctx = Store
		case *Tuple:
			p.failNode(e, "only single target (not tuple) can be annotated")
		case *List:
			p.failNode(e, "only single target (not list) can be annotated")
		default:
			p.failNode(e, "illegal target for annotation")
		}
		p.next()
		ann := p.expression()
		var value Expr
		if p.accept(tkEqual) {
			value = p.annotatedRHS()
		}
		return &AnnAssign{Pos: p.loc(start), Target: e, Annotation: ann, Value: value, Simple: simple}
	case tkEqual:
		targets := []Expr{e}
		var value Expr
		for {
			p.next() // '='
			v := p.annotatedRHS()
			if p.kind() == tkEqual {
				targets = append(targets, v)
				continue
			}
			value = v
			break
		}
		for _, t := range targets {
			switch t.(type) {
			case *Yield, *YieldFrom:
				p.failNode(t, "assignment to yield expression not possible")
			}
			if len(targets) == 1 && !validTarget(t) {
				switch t.(type) {
				case *List, *Tuple, *GeneratorExp:
				default:
					if c, ok := t.(*Constant); !ok || (c.Value != None && c.Value != Bool(true) && c.Value != Bool(false)) {
						p.failNode(t, "cannot assign to %s here. Maybe you meant '==' instead of '='?", exprName(t))
					}
				}
			}
			p.setContext(t, Store)
		}
		return p.al.assign.put(Assign{Pos: p.loc(start), Targets: targets, Value: value})
	default:
		if op, ok := augOps[k]; ok {
			switch t := e.(type) {
			case *Name:
				t.Ctx = Store
			case *Attribute:
				t.Ctx = Store
			case *Subscript:
				t.Ctx = Store
			default:
				p.failNode(e, "'%s' is an illegal expression for augmented assignment", exprName(e))
			}
			p.next()
			v := p.annotatedRHS()
			return &AugAssign{Pos: p.loc(start), Target: e, Op: op, Value: v}
		}
	}
	if !p.atStmtEnd() {
		if n, ok := e.(*Name); ok && (n.Id == "print" || n.Id == "exec") && p.canStartExpr() {
			p.failNode(e, "Missing parentheses in call to '%s'. Did you mean %s(...)?", n.Id, n.Id)
		}
		p.syntaxError()
	}
	return p.al.exprs.put(ExprStmt{Pos: p.loc(start), Value: e})
}

func (p *parser) annotatedRHS() Expr {
	if p.kind() == kwYield {
		return p.yieldExpr()
	}
	return p.starExpressions()
}

// exprName mirrors CPython's _PyPegen_get_expr_name.
func exprName(e Expr) string {
	switch t := e.(type) {
	case *Attribute:
		return "attribute"
	case *Subscript:
		return "subscript"
	case *Starred:
		return "starred"
	case *Name:
		return "name"
	case *List:
		return "list"
	case *Tuple:
		return "tuple"
	case *Lambda:
		return "lambda"
	case *Call:
		return "function call"
	case *BoolOp, *BinOp, *UnaryOp:
		return "expression"
	case *GeneratorExp:
		return "generator expression"
	case *Yield, *YieldFrom:
		return "yield expression"
	case *Await:
		return "await expression"
	case *ListComp:
		return "list comprehension"
	case *SetComp:
		return "set comprehension"
	case *DictComp:
		return "dict comprehension"
	case *Dict:
		return "dict literal"
	case *Set:
		return "set display"
	case *JoinedStr, *FormattedValue:
		return "f-string expression"
	case *Constant:
		switch t.Value.(type) {
		case NoneType:
			return "None"
		case Bool:
			if t.Value.(Bool) {
				return "True"
			}
			return "False"
		case EllipsisType:
			return "ellipsis"
		}
		return "literal"
	case *Compare:
		return "comparison"
	case *IfExp:
		return "conditional expression"
	case *NamedExpr:
		return "named expression"
	}
	return "expression"
}

// validTarget reports whether setContext would accept e.
func validTarget(e Expr) bool {
	switch t := e.(type) {
	case *Name, *Attribute, *Subscript:
		return true
	case *Starred:
		return validTarget(t.Value)
	case *Tuple:
		for _, el := range t.Elts {
			if !validTarget(el) {
				return false
			}
		}
		return true
	case *List:
		for _, el := range t.Elts {
			if !validTarget(el) {
				return false
			}
		}
		return true
	}
	return false
}

// setContext turns a parsed expression into an assignment or del target.
func (p *parser) setContext(e Expr, ctx ExprContext) {
	switch t := e.(type) {
	case *Name:
		t.Ctx = ctx
	case *Attribute:
		t.Ctx = ctx
	case *Subscript:
		t.Ctx = ctx
	case *Starred:
		if ctx == Del {
			p.failNode(e, "cannot delete starred")
		}
		t.Ctx = ctx
		p.setContext(t.Value, ctx)
	case *Tuple:
		t.Ctx = ctx
		for _, el := range t.Elts {
			p.setContext(el, ctx)
		}
	case *List:
		t.Ctx = ctx
		for _, el := range t.Elts {
			p.setContext(el, ctx)
		}
	default:
		verb := "assign to"
		if ctx == Del {
			verb = "delete"
		}
		p.failNode(e, "cannot %s %s", verb, exprName(e))
	}
}
