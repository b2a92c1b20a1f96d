// Package python is a pure-Go parser for Python 3.8–3.13 source whose AST
// mirrors CPython's ast module node for node and field for field.
//
// Node types carry the CPython class name as their Go type name; their
// exported fields carry a `py` tag with the CPython field name. Tags:
//
//	py:"name"      a field that ast.dump always prints
//	py:"name,opt"  an optional field (expr?, identifier?): omitted when nil/""
//	py:"name,new"  a field added after Python 3.11: omitted when empty, so
//	               that dumps of 3.11 syntax stay byte-identical to 3.11's
//
// Positions follow CPython: 1-based lines and 0-based UTF-8 byte columns.
package python

import "math/big"

// Node is any AST node.
type Node interface{ node() }

// Pos holds CPython's location attributes.
type Pos struct {
	Lineno       int32
	ColOffset    int32
	EndLineno    int32
	EndColOffset int32
}

// Span returns the node's location.
func (p *Pos) Span() *Pos { return p }

// Located is a node with location attributes.
type Located interface {
	Node
	Span() *Pos
}

// Expr is an expression node.
type Expr interface {
	Located
	expr()
}

// Stmt is a statement node.
type Stmt interface {
	Located
	stmt()
}

// Pattern is a match-statement pattern node.
type Pattern interface {
	Located
	pattern()
}

// TypeParam is a PEP 695 type parameter (3.12+).
type TypeParam interface {
	Located
	typeParam()
}

// ---- module ----

// Module is the root of a parsed file.
type Module struct {
	Body        []Stmt        `py:"body"`
	TypeIgnores []*TypeIgnore `py:"type_ignores"`
}

// TypeIgnore is a `# type: ignore` comment (never produced by Parse).
type TypeIgnore struct {
	Lineno int    `py:"lineno"`
	Tag    string `py:"tag"`
}

// ---- statements ----

type FunctionDef struct {
	Pos
	Name          string      `py:"name"`
	Args          *Arguments  `py:"args"`
	Body          []Stmt      `py:"body"`
	DecoratorList []Expr      `py:"decorator_list"`
	Returns       Expr        `py:"returns,opt"`
	TypeComment   string      `py:"type_comment,opt"`
	TypeParams    []TypeParam `py:"type_params,new"`
}

type AsyncFunctionDef struct {
	Pos
	Name          string      `py:"name"`
	Args          *Arguments  `py:"args"`
	Body          []Stmt      `py:"body"`
	DecoratorList []Expr      `py:"decorator_list"`
	Returns       Expr        `py:"returns,opt"`
	TypeComment   string      `py:"type_comment,opt"`
	TypeParams    []TypeParam `py:"type_params,new"`
}

type ClassDef struct {
	Pos
	Name          string      `py:"name"`
	Bases         []Expr      `py:"bases"`
	Keywords      []*Keyword  `py:"keywords"`
	Body          []Stmt      `py:"body"`
	DecoratorList []Expr      `py:"decorator_list"`
	TypeParams    []TypeParam `py:"type_params,new"`
}

type Return struct {
	Pos
	Value Expr `py:"value,opt"`
}

type Delete struct {
	Pos
	Targets []Expr `py:"targets"`
}

type Assign struct {
	Pos
	Targets     []Expr `py:"targets"`
	Value       Expr   `py:"value"`
	TypeComment string `py:"type_comment,opt"`
}

// TypeAlias is `type X[T] = ...` (3.12+).
type TypeAlias struct {
	Pos
	Name       Expr        `py:"name"`
	TypeParams []TypeParam `py:"type_params"`
	Value      Expr        `py:"value"`
}

type AugAssign struct {
	Pos
	Target Expr     `py:"target"`
	Op     Operator `py:"op"`
	Value  Expr     `py:"value"`
}

type AnnAssign struct {
	Pos
	Target     Expr `py:"target"`
	Annotation Expr `py:"annotation"`
	Value      Expr `py:"value,opt"`
	Simple     int  `py:"simple"`
}

type For struct {
	Pos
	Target      Expr   `py:"target"`
	Iter        Expr   `py:"iter"`
	Body        []Stmt `py:"body"`
	Orelse      []Stmt `py:"orelse"`
	TypeComment string `py:"type_comment,opt"`
}

type AsyncFor struct {
	Pos
	Target      Expr   `py:"target"`
	Iter        Expr   `py:"iter"`
	Body        []Stmt `py:"body"`
	Orelse      []Stmt `py:"orelse"`
	TypeComment string `py:"type_comment,opt"`
}

type While struct {
	Pos
	Test   Expr   `py:"test"`
	Body   []Stmt `py:"body"`
	Orelse []Stmt `py:"orelse"`
}

type If struct {
	Pos
	Test   Expr   `py:"test"`
	Body   []Stmt `py:"body"`
	Orelse []Stmt `py:"orelse"`
}

type With struct {
	Pos
	Items       []*WithItem `py:"items"`
	Body        []Stmt      `py:"body"`
	TypeComment string      `py:"type_comment,opt"`
}

type AsyncWith struct {
	Pos
	Items       []*WithItem `py:"items"`
	Body        []Stmt      `py:"body"`
	TypeComment string      `py:"type_comment,opt"`
}

type Match struct {
	Pos
	Subject Expr         `py:"subject"`
	Cases   []*MatchCase `py:"cases"`
}

type Raise struct {
	Pos
	Exc   Expr `py:"exc,opt"`
	Cause Expr `py:"cause,opt"`
}

type Try struct {
	Pos
	Body      []Stmt           `py:"body"`
	Handlers  []*ExceptHandler `py:"handlers"`
	Orelse    []Stmt           `py:"orelse"`
	Finalbody []Stmt           `py:"finalbody"`
}

type TryStar struct {
	Pos
	Body      []Stmt           `py:"body"`
	Handlers  []*ExceptHandler `py:"handlers"`
	Orelse    []Stmt           `py:"orelse"`
	Finalbody []Stmt           `py:"finalbody"`
}

type Assert struct {
	Pos
	Test Expr `py:"test"`
	Msg  Expr `py:"msg,opt"`
}

type Import struct {
	Pos
	Names []*Alias `py:"names"`
}

type ImportFrom struct {
	Pos
	Module string   `py:"module,opt"`
	Names  []*Alias `py:"names"`
	Level  int      `py:"level"`
}

type Global struct {
	Pos
	Names []string `py:"names"`
}

type Nonlocal struct {
	Pos
	Names []string `py:"names"`
}

// ExprStmt is CPython's Expr statement (an expression used as a statement).
type ExprStmt struct {
	Pos
	Value Expr `py:"value"`
}

type Pass struct{ Pos }
type Break struct{ Pos }
type Continue struct{ Pos }

// ---- expressions ----

type BoolOp struct {
	Pos
	Op     BoolOperator `py:"op"`
	Values []Expr       `py:"values"`
}

type NamedExpr struct {
	Pos
	Target Expr `py:"target"`
	Value  Expr `py:"value"`
}

type BinOp struct {
	Pos
	Left  Expr     `py:"left"`
	Op    Operator `py:"op"`
	Right Expr     `py:"right"`
}

type UnaryOp struct {
	Pos
	Op      UnaryOperator `py:"op"`
	Operand Expr          `py:"operand"`
}

type Lambda struct {
	Pos
	Args *Arguments `py:"args"`
	Body Expr       `py:"body"`
}

type IfExp struct {
	Pos
	Test   Expr `py:"test"`
	Body   Expr `py:"body"`
	Orelse Expr `py:"orelse"`
}

// Dict is a dict display; a nil key stands for `**value`.
type Dict struct {
	Pos
	Keys   []Expr `py:"keys"`
	Values []Expr `py:"values"`
}

type Set struct {
	Pos
	Elts []Expr `py:"elts"`
}

type ListComp struct {
	Pos
	Elt        Expr             `py:"elt"`
	Generators []*Comprehension `py:"generators"`
}

type SetComp struct {
	Pos
	Elt        Expr             `py:"elt"`
	Generators []*Comprehension `py:"generators"`
}

type DictComp struct {
	Pos
	Key        Expr             `py:"key"`
	Value      Expr             `py:"value"`
	Generators []*Comprehension `py:"generators"`
}

type GeneratorExp struct {
	Pos
	Elt        Expr             `py:"elt"`
	Generators []*Comprehension `py:"generators"`
}

type Await struct {
	Pos
	Value Expr `py:"value"`
}

type Yield struct {
	Pos
	Value Expr `py:"value,opt"`
}

type YieldFrom struct {
	Pos
	Value Expr `py:"value"`
}

type Compare struct {
	Pos
	Left        Expr          `py:"left"`
	Ops         []CmpOperator `py:"ops"`
	Comparators []Expr        `py:"comparators"`
}

type Call struct {
	Pos
	Func     Expr       `py:"func"`
	Args     []Expr     `py:"args"`
	Keywords []*Keyword `py:"keywords"`
}

// FormattedValue is one replacement field of an f-string. Conversion is -1
// (none) or the code of 's', 'r' or 'a'.
type FormattedValue struct {
	Pos
	Value      Expr `py:"value"`
	Conversion int  `py:"conversion"`
	FormatSpec Expr `py:"format_spec,opt"`
}

type JoinedStr struct {
	Pos
	Values []Expr `py:"values"`
}

// Constant is a literal. Kind is "u" for a string with a lowercase u prefix.
type Constant struct {
	Pos
	Value Value  `py:"value"`
	Kind  string `py:"kind,opt"`
}

type Attribute struct {
	Pos
	Value Expr        `py:"value"`
	Attr  string      `py:"attr"`
	Ctx   ExprContext `py:"ctx"`
}

type Subscript struct {
	Pos
	Value Expr        `py:"value"`
	Slice Expr        `py:"slice"`
	Ctx   ExprContext `py:"ctx"`
}

type Starred struct {
	Pos
	Value Expr        `py:"value"`
	Ctx   ExprContext `py:"ctx"`
}

type Name struct {
	Pos
	Id  string      `py:"id"`
	Ctx ExprContext `py:"ctx"`
}

type List struct {
	Pos
	Elts []Expr      `py:"elts"`
	Ctx  ExprContext `py:"ctx"`
}

type Tuple struct {
	Pos
	Elts []Expr      `py:"elts"`
	Ctx  ExprContext `py:"ctx"`
}

type Slice struct {
	Pos
	Lower Expr `py:"lower,opt"`
	Upper Expr `py:"upper,opt"`
	Step  Expr `py:"step,opt"`
}

// ---- enums ----

// ExprContext is Load, Store or Del.
type ExprContext uint8

const (
	Load ExprContext = iota
	Store
	Del
)

// BoolOperator is And or Or.
type BoolOperator uint8

const (
	And BoolOperator = iota
	Or
)

// Operator is a binary operator.
type Operator uint8

const (
	Add Operator = iota
	Sub
	Mult
	MatMult
	Div
	Mod
	Pow
	LShift
	RShift
	BitOr
	BitXor
	BitAnd
	FloorDiv
)

// UnaryOperator is a unary operator.
type UnaryOperator uint8

const (
	Invert UnaryOperator = iota
	Not
	UAdd
	USub
)

// CmpOperator is a comparison operator.
type CmpOperator uint8

const (
	Eq CmpOperator = iota
	NotEq
	Lt
	LtE
	Gt
	GtE
	Is
	IsNot
	In
	NotIn
)

var (
	exprContextNames = [...]string{"Load", "Store", "Del"}
	boolOpNames      = [...]string{"And", "Or"}
	operatorNames    = [...]string{"Add", "Sub", "Mult", "MatMult", "Div", "Mod", "Pow", "LShift", "RShift", "BitOr", "BitXor", "BitAnd", "FloorDiv"}
	unaryOpNames     = [...]string{"Invert", "Not", "UAdd", "USub"}
	cmpOpNames       = [...]string{"Eq", "NotEq", "Lt", "LtE", "Gt", "GtE", "Is", "IsNot", "In", "NotIn"}
	operatorSymbols  = [...]string{"+", "-", "*", "@", "/", "%", "**", "<<", ">>", "|", "^", "&", "//"}
)

func (c ExprContext) String() string   { return exprContextNames[c] }
func (o BoolOperator) String() string  { return boolOpNames[o] }
func (o Operator) String() string      { return operatorNames[o] }
func (o UnaryOperator) String() string { return unaryOpNames[o] }
func (o CmpOperator) String() string   { return cmpOpNames[o] }

// Symbol returns the operator's source spelling, e.g. "+".
func (o Operator) Symbol() string { return operatorSymbols[o] }

// ---- other node types ----

type Comprehension struct {
	Target  Expr   `py:"target"`
	Iter    Expr   `py:"iter"`
	Ifs     []Expr `py:"ifs"`
	IsAsync int    `py:"is_async"`
}

type ExceptHandler struct {
	Pos
	Type Expr   `py:"type,opt"`
	Name string `py:"name,opt"`
	Body []Stmt `py:"body"`
}

// Arguments is a parameter list. KwDefaults has one entry per KwOnlyArgs
// entry, nil where the parameter has no default.
type Arguments struct {
	PosOnlyArgs []*Arg `py:"posonlyargs"`
	Args        []*Arg `py:"args"`
	Vararg      *Arg   `py:"vararg,opt"`
	KwOnlyArgs  []*Arg `py:"kwonlyargs"`
	KwDefaults  []Expr `py:"kw_defaults"`
	Kwarg       *Arg   `py:"kwarg,opt"`
	Defaults    []Expr `py:"defaults"`
}

type Arg struct {
	Pos
	Arg         string `py:"arg"`
	Annotation  Expr   `py:"annotation,opt"`
	TypeComment string `py:"type_comment,opt"`
}

// Keyword is a keyword argument; Arg is "" for `**value`.
type Keyword struct {
	Pos
	Arg   string `py:"arg,opt"`
	Value Expr   `py:"value"`
}

type Alias struct {
	Pos
	Name   string `py:"name"`
	Asname string `py:"asname,opt"`
}

type WithItem struct {
	ContextExpr  Expr `py:"context_expr"`
	OptionalVars Expr `py:"optional_vars,opt"`
}

type MatchCase struct {
	Pattern Pattern `py:"pattern"`
	Guard   Expr    `py:"guard,opt"`
	Body    []Stmt  `py:"body"`
}

// ---- patterns ----

type MatchValue struct {
	Pos
	Value Expr `py:"value"`
}

type MatchSingleton struct {
	Pos
	Value Value `py:"value"`
}

type MatchSequence struct {
	Pos
	Patterns []Pattern `py:"patterns"`
}

type MatchMapping struct {
	Pos
	Keys     []Expr    `py:"keys"`
	Patterns []Pattern `py:"patterns"`
	Rest     string    `py:"rest,opt"`
}

type MatchClass struct {
	Pos
	Cls         Expr      `py:"cls"`
	Patterns    []Pattern `py:"patterns"`
	KwdAttrs    []string  `py:"kwd_attrs"`
	KwdPatterns []Pattern `py:"kwd_patterns"`
}

type MatchStar struct {
	Pos
	Name string `py:"name,opt"`
}

type MatchAs struct {
	Pos
	Pattern Pattern `py:"pattern,opt"`
	Name    string  `py:"name,opt"`
}

type MatchOr struct {
	Pos
	Patterns []Pattern `py:"patterns"`
}

// ---- type parameters (3.12+; DefaultValue 3.13+) ----

type TypeVar struct {
	Pos
	Name         string `py:"name"`
	Bound        Expr   `py:"bound,opt"`
	DefaultValue Expr   `py:"default_value,opt"`
}

type ParamSpec struct {
	Pos
	Name         string `py:"name"`
	DefaultValue Expr   `py:"default_value,opt"`
}

type TypeVarTuple struct {
	Pos
	Name         string `py:"name"`
	DefaultValue Expr   `py:"default_value,opt"`
}

// ---- constant values ----

// Value is the value of a Constant: one of None, Ellipsis, Bool, *Int,
// Float, Imag, Str or Bytes.
type Value interface{ constValue() }

type NoneType struct{}
type EllipsisType struct{}

// Bool is True or False.
type Bool bool

// Int is an arbitrary-size integer: Big is set when the value does not fit
// in Small.
type Int struct {
	Small int64
	Big   *big.Int
}

// Float is a Python float.
type Float float64

// Imag is an imaginary literal such as 2j (real part 0).
type Imag float64

// Str is a Python str. It is UTF-8, except that lone surrogates (which
// Python strings may hold) are encoded as their 3-byte generalized UTF-8
// sequences.
type Str string

// Bytes is a Python bytes value.
type Bytes string

var (
	None     Value = NoneType{}
	Ellipsis Value = EllipsisType{}
)

func (NoneType) constValue()     {}
func (EllipsisType) constValue() {}
func (Bool) constValue()         {}
func (*Int) constValue()         {}
func (Float) constValue()        {}
func (Imag) constValue()         {}
func (Str) constValue()          {}
func (Bytes) constValue()        {}

// BigInt returns the integer as a *big.Int.
func (i *Int) BigInt() *big.Int {
	if i.Big != nil {
		return i.Big
	}
	return big.NewInt(i.Small)
}
