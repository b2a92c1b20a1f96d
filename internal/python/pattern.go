package python

// ---- match statement (PEP 634) ----

func (p *parser) tryMatchStmt() Stmt {
	start := p.p
	var subject Expr
	ok := p.try(func() {
		p.next() // 'match'
		subject = p.subjectExpr()
		if p.kind() != tkColon || p.peekKind(1) != tkNewline {
			p.syntaxError()
		}
	})
	if !ok {
		p.p = start
		return nil
	}
	hdr := &p.toks[start]
	p.next() // ':'
	p.next() // NEWLINE
	if p.kind() != tkIndent {
		p.failIndent(p.tok(), "expected an indented block after 'match' statement on line %d", hdr.line)
	}
	p.next()
	var cases []*MatchCase
	for p.kind() != tkDedent && p.kind() != tkEndmarker {
		if !p.isName("case") {
			p.syntaxError()
		}
		cases = append(cases, p.caseBlock())
	}
	p.next()
	return &Match{Pos: p.loc(start), Subject: subject, Cases: cases}
}

func (p *parser) subjectExpr() Expr {
	start := p.p
	first := p.starNamedExpression()
	if p.kind() != tkComma {
		if _, ok := first.(*Starred); ok {
			p.syntaxError()
		}
		return first
	}
	elts := []Expr{first}
	for p.accept(tkComma) {
		if p.kind() == tkColon {
			break
		}
		elts = append(elts, p.starNamedExpression())
	}
	return &Tuple{Pos: p.loc(start), Elts: elts, Ctx: Load}
}

func (p *parser) caseBlock() *MatchCase {
	hdr := p.tok()
	p.next() // 'case'
	pat := p.patterns()
	c := &MatchCase{Pattern: pat}
	if p.accept(kwIf) {
		c.Guard = p.namedExpression()
	}
	p.expect(tkColon)
	c.Body = p.block("'case' statement", hdr)
	return c
}

func (p *parser) patterns() Pattern {
	start := p.p
	first := p.maybeStarPattern()
	if p.kind() != tkComma {
		if _, ok := first.(*MatchStar); ok {
			p.syntaxError()
		}
		return first
	}
	pats := []Pattern{first}
	for p.accept(tkComma) {
		if p.kind() == tkColon || p.kind() == kwIf {
			break
		}
		pats = append(pats, p.maybeStarPattern())
	}
	return &MatchSequence{Pos: p.loc(start), Patterns: pats}
}

func (p *parser) maybeStarPattern() Pattern {
	if p.kind() == tkStar {
		start := p.p
		p.next()
		t := p.tok()
		if t.kind != tkName {
			p.syntaxError()
		}
		p.next()
		name := p.nameText(t)
		if name == "_" {
			name = ""
		}
		return &MatchStar{Pos: p.loc(start), Name: name}
	}
	return p.pattern()
}

func (p *parser) pattern() Pattern {
	p.enter()
	defer p.leave()
	start := p.p
	or := p.orPattern()
	if p.kind() == kwAs {
		p.next()
		t := p.tok()
		if t.kind != tkName {
			p.syntaxError()
		}
		name := p.nameText(t)
		if name == "_" {
			p.failAt(t, "cannot use '_' as a target")
		}
		p.next()
		if p.kind() == tkDot || p.kind() == tkLpar || p.kind() == tkEqual {
			p.failAt(t, "invalid pattern target")
		}
		return &MatchAs{Pos: p.loc(start), Pattern: or, Name: name}
	}
	return or
}

func (p *parser) orPattern() Pattern {
	start := p.p
	first := p.closedPattern()
	if p.kind() != tkVbar {
		return first
	}
	pats := []Pattern{first}
	for p.accept(tkVbar) {
		pats = append(pats, p.closedPattern())
	}
	return &MatchOr{Pos: p.loc(start), Patterns: pats}
}

// signedNumber parses NUMBER or '-' NUMBER and an optional complex tail.
func (p *parser) literalNumberExpr() Expr {
	start := p.p
	var e Expr
	if p.kind() == tkMinus {
		p.next()
		t := p.tok()
		if t.kind != tkNumber {
			p.syntaxError()
		}
		p.next()
		e = &UnaryOp{Pos: p.loc(start), Op: USub, Operand: p.al.consts.put(Constant{Pos: tokPos(t), Value: p.parseNumber(t)})}
	} else {
		t := p.tok()
		p.next()
		e = p.al.consts.put(Constant{Pos: tokPos(t), Value: p.parseNumber(t)})
	}
	if p.kind() == tkPlus || p.kind() == tkMinus {
		op := Add
		if p.kind() == tkMinus {
			op = Sub
		}
		p.next()
		t := p.tok()
		if t.kind != tkNumber {
			p.syntaxError()
		}
		p.next()
		imag := p.al.consts.put(Constant{Pos: tokPos(t), Value: p.parseNumber(t)})
		if _, ok := imag.Value.(Imag); !ok {
			p.failNode(imag, "imaginary number required in complex literal")
		}
		e = p.al.binops.put(BinOp{Pos: p.loc(start), Left: e, Op: op, Right: imag})
	}
	return e
}

// nameOrAttr parses NAME ('.' NAME)*.
func (p *parser) nameOrAttr() Expr {
	start := p.p
	t := p.tok()
	p.next()
	var e Expr = p.al.names.put(Name{Pos: tokPos(t), Id: p.nameText(t), Ctx: Load})
	for p.kind() == tkDot {
		p.next()
		a := p.tok()
		if a.kind != tkName {
			p.syntaxError()
		}
		p.next()
		e = p.al.attrs.put(Attribute{Pos: p.loc(start), Value: e, Attr: p.nameText(a), Ctx: Load})
	}
	return e
}

func (p *parser) closedPattern() Pattern {
	start := p.p
	t := p.tok()
	switch t.kind {
	case tkNumber, tkMinus:
		e := p.literalNumberExpr()
		return &MatchValue{Pos: *e.Span(), Value: e}
	case tkString:
		e := p.strings()
		return &MatchValue{Pos: *e.Span(), Value: e}
	case kwNone:
		p.next()
		return &MatchSingleton{Pos: tokPos(t), Value: None}
	case kwTrue:
		p.next()
		return &MatchSingleton{Pos: tokPos(t), Value: Bool(true)}
	case kwFalse:
		p.next()
		return &MatchSingleton{Pos: tokPos(t), Value: Bool(false)}
	case tkName:
		if p.peekKind(1) == tkDot || p.peekKind(1) == tkLpar {
			cls := p.nameOrAttr()
			if p.kind() == tkLpar {
				return p.classPattern(start, cls)
			}
			return &MatchValue{Pos: *cls.Span(), Value: cls}
		}
		p.next()
		name := p.nameText(t)
		if name == "_" {
			return &MatchAs{Pos: tokPos(t)}
		}
		return &MatchAs{Pos: tokPos(t), Name: name}
	case tkLpar:
		p.next()
		if p.accept(tkRpar) {
			return &MatchSequence{Pos: p.loc(start), Patterns: []Pattern{}}
		}
		first := p.maybeStarPattern()
		if p.kind() == tkRpar {
			if _, ok := first.(*MatchStar); !ok {
				p.next()
				return first // group
			}
		}
		pats := []Pattern{first}
		if p.kind() != tkComma {
			p.syntaxError()
		}
		for p.accept(tkComma) {
			if p.kind() == tkRpar {
				break
			}
			pats = append(pats, p.maybeStarPattern())
		}
		p.expect(tkRpar)
		return &MatchSequence{Pos: p.loc(start), Patterns: pats}
	case tkLsqb:
		p.next()
		pats := []Pattern{}
		for p.kind() != tkRsqb {
			pats = append(pats, p.maybeStarPattern())
			if !p.accept(tkComma) {
				break
			}
		}
		p.expect(tkRsqb)
		return &MatchSequence{Pos: p.loc(start), Patterns: pats}
	case tkLbrace:
		return p.mappingPattern()
	}
	p.syntaxError()
	return nil
}

func (p *parser) mappingPattern() Pattern {
	start := p.p
	p.next()
	keys := []Expr{}
	pats := []Pattern{}
	rest := ""
	for p.kind() != tkRbrace {
		if p.kind() == tkDoubleStar {
			p.next()
			t := p.tok()
			if t.kind != tkName {
				p.syntaxError()
			}
			p.next()
			rest = p.nameText(t)
			p.accept(tkComma)
			break
		}
		var key Expr
		t := p.tok()
		switch t.kind {
		case tkNumber, tkMinus:
			key = p.literalNumberExpr()
		case tkString:
			key = p.strings()
		case kwNone:
			p.next()
			key = p.al.consts.put(Constant{Pos: tokPos(t), Value: None})
		case kwTrue:
			p.next()
			key = p.al.consts.put(Constant{Pos: tokPos(t), Value: Bool(true)})
		case kwFalse:
			p.next()
			key = p.al.consts.put(Constant{Pos: tokPos(t), Value: Bool(false)})
		case tkName:
			if p.peekKind(1) != tkDot {
				p.syntaxError()
			}
			key = p.nameOrAttr()
		default:
			p.syntaxError()
		}
		p.expect(tkColon)
		keys = append(keys, key)
		pats = append(pats, p.pattern())
		if !p.accept(tkComma) {
			break
		}
	}
	p.expect(tkRbrace)
	return &MatchMapping{Pos: p.loc(start), Keys: keys, Patterns: pats, Rest: rest}
}

func (p *parser) classPattern(start int, cls Expr) Pattern {
	p.next() // '('
	pats := []Pattern{}
	kwAttrs := []string{}
	kwPats := []Pattern{}
	for p.kind() != tkRpar {
		if p.kind() == tkName && p.peekKind(1) == tkEqual {
			t := p.tok()
			p.next()
			p.next()
			kwAttrs = append(kwAttrs, p.nameText(t))
			kwPats = append(kwPats, p.pattern())
		} else {
			pat := p.pattern()
			if len(kwAttrs) > 0 {
				p.failNode(pat, "positional patterns follow keyword patterns")
			}
			pats = append(pats, pat)
		}
		if !p.accept(tkComma) {
			break
		}
	}
	p.expect(tkRpar)
	return &MatchClass{Pos: p.loc(start), Cls: cls, Patterns: pats, KwdAttrs: kwAttrs, KwdPatterns: kwPats}
}
