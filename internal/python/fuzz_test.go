package python

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds returns seed inputs: fixed snippets covering the grammar plus,
// when the machine has it, a sample of small files of the CPython corpus.
func fuzzSeeds() [][]byte {
	seeds := []string{
		"x = 1\n",
		"def f(a, /, b=1, *c, d, e=2, **f) -> int:\n    return [i async for i in g() if i]\n",
		"class A(B, metaclass=M):\n    @property\n    def x(self): return self._x[1:2, ::3]\n",
		"x = f'{a!r:>{w}} {b=} {c:{d}.{e}}' rb'\\x00' u'\\N{EM DASH}'\n",
		"match p:\n    case Point(x=0, y=0) | [1, *rest] | {'k': v, **kw} if v > 0:\n        pass\n    case _:\n        pass\n",
		"try:\n    pass\nexcept* (A, B) as e:\n    raise X from e\nfinally:\n    del a, b[0], c.d\n",
		"with (open(a) as f, open(b) as g):\n    while x := f.read():\n        yield from g\n",
		"type X[T: int, *Ts, **P] = list[T]\ndef f[T = int](): pass\n",
		"f\"{f\"{x}\"}\" + f'''{\n  a # c\n}'''\n",
		"if a:\n\tpass\nelif b:\n        pass\nelse:\n  pass\n",
		"x = 0x_1f + 0o17 + 0b1_0 + 1_000.5e-3j + .5 + 1.\n",
		"lambda *a, k=1, **kw: (yield)\n",
		"@a.b[c](d)\nasync def f():\n    await x\n    async with a as b: pass\n    async for i in y: pass\n",
		"# -*- coding: latin-1 -*-\nx = '\xe9'\n",
		"\xef\xbb\xbfx = 1\r\ny = 2\r",
		"x = (1,\n",
		"def f(:\n",
		"  x\n",
		"'''unterminated\n",
		"\\\n",
		"print 'x'\n",
		"x = [1, 2 3]\n",
	}
	var out [][]byte
	for _, s := range seeds {
		out = append(out, []byte(s))
	}
	var files []string
	filepath.WalkDir(stdlibDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".py") {
			if info, err := d.Info(); err == nil && info.Size() < 3000 {
				files = append(files, path)
			}
		}
		return nil
	})
	sort.Strings(files)
	for i := 0; i < len(files) && i < 400; i += 1 + len(files)/200 {
		if b, err := os.ReadFile(files[i]); err == nil {
			out = append(out, b)
		}
	}
	return out
}

// FuzzTokenize checks that the tokenizer terminates without panicking and
// that token spans are well formed.
func FuzzTokenize(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		dec, err := DecodeSource(src)
		if err != nil {
			return
		}
		tz := tokenize("fuzz.py", dec, 1, 0)
		toks := tz.toks
		if len(toks) == 0 || toks[len(toks)-1].kind != tkEndmarker {
			t.Fatalf("token stream does not end in ENDMARKER")
		}
		for i, tk := range toks {
			if tk.start < 0 || tk.end < tk.start || int(tk.end) > len(dec) {
				t.Fatalf("token %d has bad span %d..%d (len %d)", i, tk.start, tk.end, len(dec))
			}
			if tk.endLine < tk.line {
				t.Fatalf("token %d ends before it starts", i)
			}
		}
	})
}

// FuzzParse checks that the parser terminates without panicking, that an
// accepted file dumps, and that node locations are ordered.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		mod, errs := Parse("fuzz.py", src)
		if mod == nil {
			t.Fatal("nil module")
		}
		for _, e := range errs {
			if e.Line < 0 || e.Msg == "" || !utf8.ValidString(e.Msg) && !strings.Contains(e.Msg, "invalid") {
				t.Fatalf("bad error %#v", e)
			}
		}
		Inspect(mod, func(n Node) bool {
			if l, ok := n.(Located); ok {
				p := l.Span()
				if p.Lineno < 1 || p.EndLineno < p.Lineno || p.EndLineno == p.Lineno && p.EndColOffset < p.ColOffset {
					t.Fatalf("bad location %+v in %s", *p, Dump(n, true))
				}
			}
			return true
		})
		if len(errs) == 0 {
			_ = Dump(mod, true)
		}
	})
}
