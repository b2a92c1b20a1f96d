package python

import "testing"

// Syntax newer than 3.11, dumped the way CPython 3.12/3.13's ast.dump
// prints it (fields added after 3.11 appear only when present, so 3.11
// syntax keeps its 3.11 dump).
var newSyntaxCases = []struct {
	name  string
	src   string
	attrs bool
	want  string
}{
	{"3.12 type alias", "type X = int", false,
		"Module(body=[TypeAlias(name=Name(id='X', ctx=Store()), type_params=[], value=Name(id='int', ctx=Load()))], type_ignores=[])"},
	{"3.12 generic type alias", "type ListOrSet[T] = list[T] | set[T]", false,
		"Module(body=[TypeAlias(name=Name(id='ListOrSet', ctx=Store()), type_params=[TypeVar(name='T')], value=BinOp(left=Subscript(value=Name(id='list', ctx=Load()), slice=Name(id='T', ctx=Load()), ctx=Load()), op=BitOr(), right=Subscript(value=Name(id='set', ctx=Load()), slice=Name(id='T', ctx=Load()), ctx=Load())))], type_ignores=[])"},
	{"3.12 type alias with locations", "type X[T: int] = list[T]", true,
		"Module(body=[TypeAlias(name=Name(id='X', ctx=Store(), lineno=1, col_offset=5, end_lineno=1, end_col_offset=6), type_params=[TypeVar(name='T', bound=Name(id='int', ctx=Load(), lineno=1, col_offset=10, end_lineno=1, end_col_offset=13), lineno=1, col_offset=7, end_lineno=1, end_col_offset=13)], value=Subscript(value=Name(id='list', ctx=Load(), lineno=1, col_offset=17, end_lineno=1, end_col_offset=21), slice=Name(id='T', ctx=Load(), lineno=1, col_offset=22, end_lineno=1, end_col_offset=23), ctx=Load(), lineno=1, col_offset=17, end_lineno=1, end_col_offset=24), lineno=1, col_offset=0, end_lineno=1, end_col_offset=24)], type_ignores=[])"},
	{"3.12 generic function", "def f[T: int, *Ts, **P](x: T) -> T: pass", false,
		"Module(body=[FunctionDef(name='f', args=arguments(posonlyargs=[], args=[arg(arg='x', annotation=Name(id='T', ctx=Load()))], kwonlyargs=[], kw_defaults=[], defaults=[]), body=[Pass()], decorator_list=[], returns=Name(id='T', ctx=Load()), type_params=[TypeVar(name='T', bound=Name(id='int', ctx=Load())), TypeVarTuple(name='Ts'), ParamSpec(name='P')])], type_ignores=[])"},
	{"3.12 generic function with locations", "def f[**P, *Ts](*args: *Ts): pass", true,
		"Module(body=[FunctionDef(name='f', args=arguments(posonlyargs=[], args=[], vararg=arg(arg='args', annotation=Starred(value=Name(id='Ts', ctx=Load(), lineno=1, col_offset=24, end_lineno=1, end_col_offset=26), ctx=Load(), lineno=1, col_offset=23, end_lineno=1, end_col_offset=26), lineno=1, col_offset=17, end_lineno=1, end_col_offset=26), kwonlyargs=[], kw_defaults=[], defaults=[]), body=[Pass(lineno=1, col_offset=29, end_lineno=1, end_col_offset=33)], decorator_list=[], type_params=[ParamSpec(name='P', lineno=1, col_offset=6, end_lineno=1, end_col_offset=9), TypeVarTuple(name='Ts', lineno=1, col_offset=11, end_lineno=1, end_col_offset=14)], lineno=1, col_offset=0, end_lineno=1, end_col_offset=33)], type_ignores=[])"},
	{"3.12 generic async function", "async def f[T](): pass", false,
		"Module(body=[AsyncFunctionDef(name='f', args=arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]), body=[Pass()], decorator_list=[], type_params=[TypeVar(name='T')])], type_ignores=[])"},
	{"3.12 generic class", "class C[T](Base): pass", false,
		"Module(body=[ClassDef(name='C', bases=[Name(id='Base', ctx=Load())], keywords=[], body=[Pass()], decorator_list=[], type_params=[TypeVar(name='T')])], type_ignores=[])"},
	{"3.12 type soft keyword as a name", "type = 5; type(x)", false,
		"Module(body=[Assign(targets=[Name(id='type', ctx=Store())], value=Constant(value=5)), Expr(value=Call(func=Name(id='type', ctx=Load()), args=[Name(id='x', ctx=Load())], keywords=[]))], type_ignores=[])"},
	{"3.12 PEP 701 nested same quotes", `f"{"a"}"`, false,
		"Module(body=[Expr(value=JoinedStr(values=[FormattedValue(value=Constant(value='a'), conversion=-1)]))], type_ignores=[])"},
	{"3.12 PEP 701 backslash in expression", `f"{'\n'.join(x)}"`, false,
		"Module(body=[Expr(value=JoinedStr(values=[FormattedValue(value=Call(func=Attribute(value=Constant(value='\\n'), attr='join', ctx=Load()), args=[Name(id='x', ctx=Load())], keywords=[]), conversion=-1)]))], type_ignores=[])"},
	{"3.12 PEP 701 arbitrary nesting", `f"{f"{f"{x}"}"}"`, false,
		"Module(body=[Expr(value=JoinedStr(values=[FormattedValue(value=JoinedStr(values=[FormattedValue(value=JoinedStr(values=[FormattedValue(value=Name(id='x', ctx=Load()), conversion=-1)]), conversion=-1)]), conversion=-1)]))], type_ignores=[])"},
	{"3.12 PEP 701 comment in multi-line replacement field", "f\"\"\"{x # comment\n}\"\"\"", false,
		"Module(body=[Expr(value=JoinedStr(values=[FormattedValue(value=Name(id='x', ctx=Load()), conversion=-1)]))], type_ignores=[])"},
	{"3.12 PEP 701 nested quotes in format spec and conversion", `f"{x!r:{"<"}10}" f"{"nested"!s}"`, false,
		"Module(body=[Expr(value=JoinedStr(values=[FormattedValue(value=Name(id='x', ctx=Load()), conversion=114, format_spec=JoinedStr(values=[FormattedValue(value=Constant(value='<'), conversion=-1), Constant(value='10')])), FormattedValue(value=Constant(value='nested'), conversion=115)]))], type_ignores=[])"},
	{"PEP 701 inner expression locations (JoinedStr pieces keep 3.11-style spans)", `x = f"{"a" + b}"`, true,
		"Module(body=[Assign(targets=[Name(id='x', ctx=Store(), lineno=1, col_offset=0, end_lineno=1, end_col_offset=1)], value=JoinedStr(values=[FormattedValue(value=BinOp(left=Constant(value='a', lineno=1, col_offset=7, end_lineno=1, end_col_offset=10), op=Add(), right=Name(id='b', ctx=Load(), lineno=1, col_offset=13, end_lineno=1, end_col_offset=14), lineno=1, col_offset=7, end_lineno=1, end_col_offset=14), conversion=-1, lineno=1, col_offset=4, end_lineno=1, end_col_offset=16)], lineno=1, col_offset=4, end_lineno=1, end_col_offset=16), lineno=1, col_offset=0, end_lineno=1, end_col_offset=16)], type_ignores=[])"},
	{"3.13 type parameter defaults", "type A[T = int, *Ts = *tuple[int], **P = [int]] = list[T]", false,
		"Module(body=[TypeAlias(name=Name(id='A', ctx=Store()), type_params=[TypeVar(name='T', default_value=Name(id='int', ctx=Load())), TypeVarTuple(name='Ts', default_value=Starred(value=Subscript(value=Name(id='tuple', ctx=Load()), slice=Name(id='int', ctx=Load()), ctx=Load()), ctx=Load())), ParamSpec(name='P', default_value=List(elts=[Name(id='int', ctx=Load())], ctx=Load()))], value=Subscript(value=Name(id='list', ctx=Load()), slice=Name(id='T', ctx=Load()), ctx=Load()))], type_ignores=[])"},
	{"3.13 bounded type parameter with default", "class C[T: (int, str) = int]: pass", false,
		"Module(body=[ClassDef(name='C', bases=[], keywords=[], body=[Pass()], decorator_list=[], type_params=[TypeVar(name='T', bound=Tuple(elts=[Name(id='int', ctx=Load()), Name(id='str', ctx=Load())], ctx=Load()), default_value=Name(id='int', ctx=Load()))])], type_ignores=[])"},
	{"3.13 type parameter default with locations", "def f[T = int](): pass", true,
		"Module(body=[FunctionDef(name='f', args=arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]), body=[Pass(lineno=1, col_offset=18, end_lineno=1, end_col_offset=22)], decorator_list=[], type_params=[TypeVar(name='T', default_value=Name(id='int', ctx=Load(), lineno=1, col_offset=10, end_lineno=1, end_col_offset=13), lineno=1, col_offset=6, end_lineno=1, end_col_offset=13)], lineno=1, col_offset=0, end_lineno=1, end_col_offset=22)], type_ignores=[])"},
}

func TestNewSyntax(t *testing.T) {
	for _, c := range newSyntaxCases {
		mod, errs := ParseString("<test>", c.src)
		if len(errs) > 0 {
			t.Errorf("%s: %q: unexpected error %v", c.name, c.src, errs[0])
			continue
		}
		if got := Dump(mod, c.attrs); got != c.want {
			t.Errorf("%s: %q\n got  %s\n want %s", c.name, c.src, got, c.want)
		}
	}
}

func TestNewSyntaxErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"type X[] = int", "Type parameter list cannot be empty"},
		{"def f[*Ts: int](): pass", "cannot use bound with TypeVarTuple"},
		{"def f[**P: int](): pass", "cannot use bound with ParamSpec"},
		{"class C[T: int = ](): pass", "invalid syntax"},
	} {
		_, errs := ParseString("<test>", c.src)
		if len(errs) == 0 {
			t.Errorf("%q: accepted", c.src)
			continue
		}
		if errs[0].Msg != c.want {
			t.Errorf("%q: got %q, want %q", c.src, errs[0].Msg, c.want)
		}
	}
}
