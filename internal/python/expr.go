package python

// ---- expressions ----

// maxASTDepth mirrors the limit of CPython's AST construction (3 x the
// default recursion limit of 1000): deeper trees raise RecursionError there.
const maxASTDepth = 3000

// chainCheck counts the nodes a left-associative loop nests and fails
// once the tree would be deeper than CPython builds.
func (p *parser) chainCheck(n *int) {
	*n++
	if *n+p.depth > maxASTDepth {
		p.failAt(p.tok(), "maximum recursion depth exceeded during ast construction")
	}
}

func (p *parser) canStartExpr() bool {
	switch p.kind() {
	case tkName, tkNumber, tkString, tkLpar, tkLsqb, tkLbrace, tkMinus, tkPlus, tkTilde,
		tkStar, kwNot, kwLambda, kwAwait, kwNone, kwTrue, kwFalse, tkEllipsis:
		return true
	}
	return false
}

func (p *parser) starExpressions() Expr {
	start := p.p
	e := p.starExpression()
	if p.kind() != tkComma {
		return e
	}
	elts := []Expr{e}
	for p.accept(tkComma) {
		if !p.canStartExpr() {
			break
		}
		elts = append(elts, p.starExpression())
	}
	return &Tuple{Pos: p.loc(start), Elts: elts, Ctx: Load}
}

func (p *parser) starExpression() Expr {
	if p.kind() == tkStar {
		start := p.p
		p.next()
		v := p.bitOr()
		return &Starred{Pos: p.loc(start), Value: v, Ctx: Load}
	}
	return p.expression()
}

func (p *parser) starNamedExpression() Expr {
	if p.kind() == tkStar {
		start := p.p
		p.next()
		v := p.bitOr()
		return &Starred{Pos: p.loc(start), Value: v, Ctx: Load}
	}
	return p.namedExpression()
}

func (p *parser) namedExpression() Expr {
	if p.kind() == tkName && p.peekKind(1) == tkColonEqual {
		start := p.p
		t := p.tok()
		p.next()
		p.next()
		target := p.al.names.put(Name{Pos: tokPos(t), Id: p.nameText(t), Ctx: Store})
		v := p.expression()
		return &NamedExpr{Pos: p.loc(start), Target: target, Value: v}
	}
	e := p.expression()
	if p.kind() == tkColonEqual {
		p.failNode(e, "cannot use assignment expressions with %s", exprName(e))
	}
	return e
}

func (p *parser) expression() Expr {
	p.enter()
	defer p.leave()
	if p.kind() == kwLambda {
		return p.lambdef()
	}
	start := p.p
	e := p.disjunction()
	if p.kind() == kwIf {
		p.next()
		test := p.disjunction()
		if p.kind() != kwElse {
			p.failNode(e, "expected 'else' after 'if' expression")
		}
		p.next()
		orelse := p.expression()
		return &IfExp{Pos: p.loc(start), Test: test, Body: e, Orelse: orelse}
	}
	return e
}

func (p *parser) lambdef() Expr {
	start := p.p
	p.next()
	args := p.parameters(tkColon, false)
	p.expect(tkColon)
	body := p.expression()
	return &Lambda{Pos: p.loc(start), Args: args, Body: body}
}

func (p *parser) yieldExpr() Expr {
	start := p.p
	p.next() // 'yield'
	if p.accept(kwFrom) {
		v := p.expression()
		return &YieldFrom{Pos: p.loc(start), Value: v}
	}
	var v Expr
	if p.canStartExpr() {
		v = p.starExpressions()
	}
	return &Yield{Pos: p.loc(start), Value: v}
}

func (p *parser) disjunction() Expr {
	start := p.p
	e := p.conjunction()
	if p.kind() != kwOr {
		return e
	}
	values := []Expr{e}
	for p.accept(kwOr) {
		values = append(values, p.conjunction())
	}
	return &BoolOp{Pos: p.loc(start), Op: Or, Values: values}
}

func (p *parser) conjunction() Expr {
	start := p.p
	e := p.inversion()
	if p.kind() != kwAnd {
		return e
	}
	values := []Expr{e}
	for p.accept(kwAnd) {
		values = append(values, p.inversion())
	}
	return &BoolOp{Pos: p.loc(start), Op: And, Values: values}
}

func (p *parser) inversion() Expr {
	if p.kind() == kwNot {
		p.enter()
		defer p.leave()
		start := p.p
		p.next()
		operand := p.inversion()
		return &UnaryOp{Pos: p.loc(start), Op: Not, Operand: operand}
	}
	return p.comparison()
}

func (p *parser) comparison() Expr {
	start := p.p
	left := p.bitOr()
	var ops []CmpOperator
	var comps []Expr
	for {
		var op CmpOperator
		switch p.kind() {
		case tkEqEqual:
			op = Eq
		case tkNotEqual:
			if p.text(p.tok()) == "<>" {
				p.failAt(p.tok(), "invalid syntax")
			}
			op = NotEq
		case tkLess:
			op = Lt
		case tkLessEqual:
			op = LtE
		case tkGreater:
			op = Gt
		case tkGreaterEqual:
			op = GtE
		case kwIn:
			op = In
		case kwNot:
			if p.peekKind(1) != kwIn {
				goto done
			}
			p.next()
			op = NotIn
		case kwIs:
			if p.peekKind(1) == kwNot {
				p.next()
				op = IsNot
			} else {
				op = Is
			}
		default:
			goto done
		}
		p.next()
		ops = append(ops, op)
		comps = append(comps, p.bitOr())
	}
done:
	if ops == nil {
		return left
	}
	return &Compare{Pos: p.loc(start), Left: left, Ops: ops, Comparators: comps}
}

func (p *parser) bitOr() Expr {
	start := p.p
	n := 0
	e := p.bitXor()
	for p.kind() == tkVbar {
		p.next()
		r := p.bitXor()
		e = p.al.binops.put(BinOp{Pos: p.loc(start), Left: e, Op: BitOr, Right: r})
		p.chainCheck(&n)
	}
	return e
}

func (p *parser) bitXor() Expr {
	start := p.p
	n := 0
	e := p.bitAnd()
	for p.kind() == tkCircumflex {
		p.next()
		r := p.bitAnd()
		e = p.al.binops.put(BinOp{Pos: p.loc(start), Left: e, Op: BitXor, Right: r})
		p.chainCheck(&n)
	}
	return e
}

func (p *parser) bitAnd() Expr {
	start := p.p
	n := 0
	e := p.shiftExpr()
	for p.kind() == tkAmper {
		p.next()
		r := p.shiftExpr()
		e = p.al.binops.put(BinOp{Pos: p.loc(start), Left: e, Op: BitAnd, Right: r})
		p.chainCheck(&n)
	}
	return e
}

func (p *parser) shiftExpr() Expr {
	start := p.p
	n := 0
	e := p.sum()
	for {
		var op Operator
		switch p.kind() {
		case tkLeftShift:
			op = LShift
		case tkRightShift:
			op = RShift
		default:
			return e
		}
		p.next()
		r := p.sum()
		e = p.al.binops.put(BinOp{Pos: p.loc(start), Left: e, Op: op, Right: r})
		p.chainCheck(&n)
	}
}

func (p *parser) sum() Expr {
	start := p.p
	n := 0
	e := p.term()
	for {
		var op Operator
		switch p.kind() {
		case tkPlus:
			op = Add
		case tkMinus:
			op = Sub
		default:
			return e
		}
		p.next()
		r := p.term()
		e = p.al.binops.put(BinOp{Pos: p.loc(start), Left: e, Op: op, Right: r})
		p.chainCheck(&n)
	}
}

func (p *parser) term() Expr {
	start := p.p
	n := 0
	e := p.factor()
	for {
		var op Operator
		switch p.kind() {
		case tkStar:
			op = Mult
		case tkSlash:
			op = Div
		case tkDoubleSlash:
			op = FloorDiv
		case tkPercent:
			op = Mod
		case tkAt:
			op = MatMult
		default:
			return e
		}
		p.next()
		r := p.factor()
		e = p.al.binops.put(BinOp{Pos: p.loc(start), Left: e, Op: op, Right: r})
		p.chainCheck(&n)
	}
}

func (p *parser) factor() Expr {
	var op UnaryOperator
	switch p.kind() {
	case tkPlus:
		op = UAdd
	case tkMinus:
		op = USub
	case tkTilde:
		op = Invert
	default:
		return p.power()
	}
	p.enter()
	defer p.leave()
	start := p.p
	p.next()
	operand := p.factor()
	return &UnaryOp{Pos: p.loc(start), Op: op, Operand: operand}
}

func (p *parser) power() Expr {
	start := p.p
	e := p.awaitPrimary()
	if p.kind() == tkDoubleStar {
		p.enter()
		defer p.leave()
		p.next()
		r := p.factor()
		return p.al.binops.put(BinOp{Pos: p.loc(start), Left: e, Op: Pow, Right: r})
	}
	return e
}

func (p *parser) awaitPrimary() Expr {
	if p.kind() == kwAwait {
		p.enter()
		defer p.leave()
		start := p.p
		p.next()
		v := p.primary()
		return &Await{Pos: p.loc(start), Value: v}
	}
	return p.primary()
}

func (p *parser) primary() Expr {
	start := p.p
	e := p.atom()
	n := 0
	for {
		p.chainCheck(&n)
		switch p.kind() {
		case tkDot:
			p.next()
			t := p.tok()
			if t.kind != tkName {
				p.syntaxError()
			}
			p.next()
			e = p.al.attrs.put(Attribute{Pos: p.loc(start), Value: e, Attr: p.nameText(t), Ctx: Load})
		case tkLpar:
			e = p.call(start, e)
		case tkLsqb:
			p.next()
			s := p.slices()
			p.expect(tkRsqb)
			e = p.al.subs.put(Subscript{Pos: p.loc(start), Value: e, Slice: s, Ctx: Load})
		default:
			return e
		}
	}
}

func (p *parser) call(start int, fn Expr) Expr {
	lpar := p.p
	p.next()
	if p.kind() == tkRpar {
		p.next()
		return p.al.calls.put(Call{Pos: p.loc(start), Func: fn, Args: []Expr{}, Keywords: []*Keyword{}})
	}
	args, kws := p.callArgsFrom(lpar)
	p.expect(tkRpar)
	return p.al.calls.put(Call{Pos: p.loc(start), Func: fn, Args: args, Keywords: kws})
}

// callArgs parses call arguments (class bases) up to ')'.
func (p *parser) callArgs() ([]Expr, []*Keyword) {
	return p.callArgsFrom(p.p - 1)
}

func (p *parser) callArgsFrom(lpar int) ([]Expr, []*Keyword) {
	args := []Expr{}
	kws := []*Keyword{}
	sawKw, sawDoubleStar := false, false
	firstDoubleStar := -1
	for p.kind() != tkRpar {
		start := p.p
		switch {
		case p.kind() == tkStar:
			p.next()
			v := p.expression()
			if sawDoubleStar {
				p.failAt(&p.toks[firstDoubleStar], "iterable argument unpacking follows keyword argument unpacking")
			}
			args = append(args, &Starred{Pos: p.loc(start), Value: v, Ctx: Load})
		case p.kind() == tkDoubleStar:
			p.next()
			v := p.expression()
			kws = append(kws, p.al.kws.put(Keyword{Pos: p.loc(start), Value: v}))
			if !sawDoubleStar {
				firstDoubleStar = start
			}
			sawDoubleStar = true
		case p.kind() == tkName && p.peekKind(1) == tkEqual:
			t := p.tok()
			p.next()
			p.next()
			v := p.expression()
			kws = append(kws, p.al.kws.put(Keyword{Pos: p.loc(start), Arg: p.nameText(t), Value: v}))
			sawKw = true
		default:
			e := p.namedExpression()
			if p.kind() == kwFor || p.kind() == kwAsync && p.peekKind(1) == kwFor {
				gens := p.comprehensionClauses()
				if len(args) == 0 && len(kws) == 0 && p.kind() == tkRpar {
					l, r := &p.toks[lpar], p.tok()
					args = append(args, &GeneratorExp{Pos: Pos{l.line, l.col, r.endLine, r.endCol}, Elt: e, Generators: gens})
					return args, kws
				}
				p.failNode(e, "Generator expression must be parenthesized")
			}
			if p.kind() == tkEqual {
				p.failNode(e, "expression cannot contain assignment, perhaps you meant \"==\"?")
			}
			if sawDoubleStar || sawKw {
				// CPython reports these at the last token it read.
				for p.kind() != tkRpar && p.kind() != tkComma && p.kind() != tkNewline && p.kind() != tkEndmarker {
					p.next()
				}
				msg := "positional argument follows keyword argument"
				if sawDoubleStar {
					msg += " unpacking"
				}
				p.failAt(p.tok(), "%s", msg)
			}
			args = append(args, e)
		}
		if !p.accept(tkComma) {
			if p.kind() != tkRpar {
				var last Expr
				if len(kws) > 0 && p.toks[start].kind != tkDoubleStar && p.toks[start].kind == tkName && p.peekKindAt(start+1) == tkEqual {
					last = kws[len(kws)-1].Value
				} else if len(args) > 0 {
					last = args[len(args)-1]
				} else if len(kws) > 0 {
					last = kws[len(kws)-1].Value
				}
				p.closeBracket(tkRpar, last)
			}
			break
		}
	}
	if p.kind() != tkRpar {
		p.syntaxError()
	}
	return args, kws
}

func (p *parser) slices() Expr {
	start := p.p
	first := p.slice()
	if p.kind() != tkComma {
		if _, ok := first.(*Starred); !ok {
			return first
		}
	}
	elts := []Expr{first}
	for p.accept(tkComma) {
		if p.kind() == tkRsqb {
			break
		}
		elts = append(elts, p.slice())
	}
	return &Tuple{Pos: p.loc(start), Elts: elts, Ctx: Load}
}

func (p *parser) slice() Expr {
	start := p.p
	if p.kind() == tkStar {
		p.next()
		v := p.expression()
		return &Starred{Pos: p.loc(start), Value: v, Ctx: Load}
	}
	var lower, upper, step Expr
	if p.kind() != tkColon {
		e := p.namedExpression()
		if p.kind() != tkColon {
			return e
		}
		lower = e
	}
	p.next() // ':'
	if k := p.kind(); k != tkColon && k != tkComma && k != tkRsqb {
		upper = p.expression()
	}
	if p.accept(tkColon) {
		if k := p.kind(); k != tkComma && k != tkRsqb {
			step = p.expression()
		}
	}
	return &Slice{Pos: p.loc(start), Lower: lower, Upper: upper, Step: step}
}

func (p *parser) comprehensionClauses() []*Comprehension {
	var gens []*Comprehension
	for p.kind() == kwFor || p.kind() == kwAsync && p.peekKind(1) == kwFor {
		c := &Comprehension{Ifs: []Expr{}}
		if p.accept(kwAsync) {
			c.IsAsync = 1
		}
		p.next() // 'for'
		c.Target = p.starTargets(Store)
		if p.kind() != kwIn {
			p.syntaxError()
		}
		p.next()
		c.Iter = p.disjunction()
		for p.kind() == kwIf {
			p.next()
			c.Ifs = append(c.Ifs, p.disjunction())
		}
		gens = append(gens, c)
	}
	return gens
}

func (p *parser) isCompFor() bool {
	return p.kind() == kwFor || p.kind() == kwAsync && p.peekKind(1) == kwFor
}

func (p *parser) atom() Expr {
	t := p.tok()
	switch t.kind {
	case tkName:
		p.next()
		return p.al.names.put(Name{Pos: tokPos(t), Id: p.nameText(t), Ctx: Load})
	case kwTrue:
		p.next()
		return p.al.consts.put(Constant{Pos: tokPos(t), Value: Bool(true)})
	case kwFalse:
		p.next()
		return p.al.consts.put(Constant{Pos: tokPos(t), Value: Bool(false)})
	case kwNone:
		p.next()
		return p.al.consts.put(Constant{Pos: tokPos(t), Value: None})
	case tkEllipsis:
		p.next()
		return p.al.consts.put(Constant{Pos: tokPos(t), Value: Ellipsis})
	case tkNumber:
		p.next()
		return p.al.consts.put(Constant{Pos: tokPos(t), Value: p.parseNumber(t)})
	case tkString:
		return p.strings()
	case tkLpar:
		p.enter()
		defer p.leave()
		start := p.p
		p.next()
		if p.kind() == tkRpar {
			p.next()
			return &Tuple{Pos: p.loc(start), Elts: []Expr{}, Ctx: Load}
		}
		if p.kind() == kwYield {
			y := p.yieldExpr()
			p.expect(tkRpar)
			return y
		}
		first := p.starNamedExpression()
		if p.isCompFor() {
			if _, ok := first.(*Starred); ok {
				p.failNode(first, "iterable unpacking cannot be used in comprehension")
			}
			gens := p.comprehensionClauses()
			p.expect(tkRpar)
			return &GeneratorExp{Pos: p.loc(start), Elt: first, Generators: gens}
		}
		if p.kind() == tkComma {
			elts := []Expr{first}
			for p.accept(tkComma) {
				if p.kind() == tkRpar {
					break
				}
				elts = append(elts, p.starNamedExpression())
			}
			p.closeBracket(tkRpar, elts[len(elts)-1])
			return &Tuple{Pos: p.loc(start), Elts: elts, Ctx: Load}
		}
		p.closeBracket(tkRpar, first)
		if _, ok := first.(*Starred); ok {
			p.failNode(first, "cannot use starred expression here")
		}
		return first
	case tkLsqb:
		p.enter()
		defer p.leave()
		start := p.p
		p.next()
		if p.accept(tkRsqb) {
			return &List{Pos: p.loc(start), Elts: []Expr{}, Ctx: Load}
		}
		first := p.starNamedExpression()
		if p.isCompFor() {
			if _, ok := first.(*Starred); ok {
				p.failNode(first, "iterable unpacking cannot be used in comprehension")
			}
			gens := p.comprehensionClauses()
			p.expect(tkRsqb)
			return &ListComp{Pos: p.loc(start), Elt: first, Generators: gens}
		}
		elts := []Expr{first}
		for p.accept(tkComma) {
			if p.kind() == tkRsqb {
				break
			}
			elts = append(elts, p.starNamedExpression())
		}
		p.closeBracket(tkRsqb, elts[len(elts)-1])
		return &List{Pos: p.loc(start), Elts: elts, Ctx: Load}
	case tkLbrace:
		p.enter()
		defer p.leave()
		return p.dictOrSet()
	}
	p.syntaxError()
	return nil
}

func (p *parser) dictOrSet() Expr {
	start := p.p
	p.next()
	if p.accept(tkRbrace) {
		return &Dict{Pos: p.loc(start), Keys: []Expr{}, Values: []Expr{}}
	}
	var keys, values []Expr
	if p.kind() == tkDoubleStar {
		p.next()
		keys = append(keys, nil)
		values = append(values, p.bitOr())
	} else {
		first := p.starNamedExpression()
		if p.kind() == tkColon {
			p.next()
			v := p.expression()
			if p.isCompFor() {
				gens := p.comprehensionClauses()
				p.expect(tkRbrace)
				return &DictComp{Pos: p.loc(start), Key: first, Value: v, Generators: gens}
			}
			keys = append(keys, first)
			values = append(values, v)
		} else {
			// set
			if p.isCompFor() {
				if _, ok := first.(*Starred); ok {
					p.failNode(first, "iterable unpacking cannot be used in comprehension")
				}
				gens := p.comprehensionClauses()
				p.expect(tkRbrace)
				return &SetComp{Pos: p.loc(start), Elt: first, Generators: gens}
			}
			elts := []Expr{first}
			for p.accept(tkComma) {
				if p.kind() == tkRbrace {
					break
				}
				elts = append(elts, p.starNamedExpression())
			}
			p.closeBracket(tkRbrace, elts[len(elts)-1])
			return &Set{Pos: p.loc(start), Elts: elts}
		}
	}
	for p.accept(tkComma) {
		if p.kind() == tkRbrace {
			break
		}
		if p.accept(tkDoubleStar) {
			keys = append(keys, nil)
			values = append(values, p.bitOr())
			continue
		}
		k := p.expression()
		p.expect(tkColon)
		keys = append(keys, k)
		values = append(values, p.expression())
	}
	p.closeBracket(tkRbrace, values[len(values)-1])
	return &Dict{Pos: p.loc(start), Keys: keys, Values: values}
}

// closeBracket consumes the closing bracket k of a display or call that
// started at token start; when an expression follows an element instead,
// it reports CPython's "Perhaps you forgot a comma?".
func (p *parser) closeBracket(k tokKind, last Expr) {
	if p.kind() == k {
		p.next()
		return
	}
	if last != nil && p.canStartExpr() && p.kind() != tkStar {
		if n, ok := last.(*Name); !ok || (n.Id != "print" && n.Id != "exec") {
			save := p.p
			if p.try(func() { p.expression() }) {
				p.p = save
				p.failNode(last, "invalid syntax. Perhaps you forgot a comma?")
			}
			p.p = save
		}
	}
	p.syntaxError()
}

// ---- targets ----

func (p *parser) canStartTarget() bool {
	switch p.kind() {
	case tkName, tkLpar, tkLsqb, tkStar:
		return true
	}
	return false
}

func (p *parser) starTargets(ctx ExprContext) Expr {
	start := p.p
	first := p.starTarget(ctx)
	if p.kind() != tkComma {
		if _, ok := first.(*Starred); ok {
			p.failNode(first, "starred assignment target must be in a list or tuple")
		}
		return first
	}
	elts := []Expr{first}
	for p.accept(tkComma) {
		if !p.canStartTarget() {
			break
		}
		elts = append(elts, p.starTarget(ctx))
	}
	return &Tuple{Pos: p.loc(start), Elts: elts, Ctx: ctx}
}

func (p *parser) starTarget(ctx ExprContext) Expr {
	start := p.p
	if p.kind() == tkStar {
		p.enter()
		defer p.leave()
		p.next()
		v := p.starTarget(ctx)
		return &Starred{Pos: p.loc(start), Value: v, Ctx: ctx}
	}
	e := p.primary()
	p.setContext(e, ctx)
	return e
}

func (p *parser) delTarget() Expr {
	e := p.primary()
	p.setContext(e, Del)
	return e
}
