package python

import (
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestReprFloat(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{
		{0, "0.0"}, {1, "1.0"}, {0.1, "0.1"}, {1e16, "1e+16"}, {1e15, "1000000000000000.0"},
		{123456789012345678, "1.2345678901234568e+17"}, {1e-5, "1e-05"}, {0.0001, "0.0001"},
		{1.5e-7, "1.5e-07"}, {math.Inf(1), "inf"}, {1e308, "1e+308"}, {5e-324, "5e-324"},
		{2.5, "2.5"}, {100.0, "100.0"}, {1.0 / 3, "0.3333333333333333"},
	} {
		if got := formatFloat(c.f, true); got != c.want {
			t.Errorf("repr(%v) = %s, want %s", c.f, got, c.want)
		}
	}
	for _, c := range []struct {
		f    float64
		want string
	}{
		{1, "1j"}, {1.5, "1.5j"}, {1e16, "1e+16j"}, {1e15, "1000000000000000j"}, {math.Inf(1), "infj"}, {0, "0j"},
	} {
		if got := ReprValue(Imag(c.f)); got != c.want {
			t.Errorf("repr(%vj) = %s, want %s", c.f, got, c.want)
		}
	}
}

func TestReprStr(t *testing.T) {
	for _, c := range []struct{ s, want string }{
		{"abc", "'abc'"}, {"it's", `"it's"`}, {`say "hi"`, `'say "hi"'`}, {`it's "x"`, `'it\'s "x"'`},
		{"a\tb\nc\rd\x00\x7f", `'a\tb\nc\rd\x00\x7f'`}, {"\\", `'\\'`}, {"café", "'café'"},
		{"\u00a0\u2028\U0001F600\u200b", `'\xa0\u2028😀\u200b'`}, {"\xed\xa0\x80", `'\ud800'`},
	} {
		if got := ReprStr(c.s); got != c.want {
			t.Errorf("ReprStr(%q) = %s, want %s", c.s, got, c.want)
		}
	}
	for _, c := range []struct{ s, want string }{
		{"abc", "b'abc'"}, {"\x00\xff'", `b"\x00\xff'"`}, {"\t\n\r\\", `b'\t\n\r\\'`},
	} {
		if got := ReprBytes(c.s); got != c.want {
			t.Errorf("ReprBytes(%q) = %s, want %s", c.s, got, c.want)
		}
	}
}

// TestReprAgainstCPython checks the float and str reprs against the
// reference interpreter on values that stress the formatting rules.
func TestReprAgainstCPython(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	literals := []string{"0.1", "1e22", "1e-7", "123.456e300", "9007199254740993.0", "0.000123", "1e16", "9999999999999998.0",
		"2.5e-5", "1.7976931348623157e308", "4.9e-324", "12345678901234567890.0", "0.5", "3.14159265358979"}
	strs := []string{`'\u0378'`, `'\u00ad'`, `'\U000e0001'`, `'\u3000'`, `'\u1680'`, `'\ufeff'`, `'\U0001f3fb'`, `'\u0600'`, `'\U00010fff'`, `'\u0085'`}
	script := "import sys\nfor l in sys.stdin.read().split('\\n'):\n    print(repr(eval(l)) if l else '')\n"
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(strings.Join(append(literals, strs...), "\n"))
	out, err := cmd.Output()
	if err != nil {
		t.Skip(err)
	}
	want := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	for i, lit := range append(literals, strs...) {
		mod, errs := ParseString("<r>", lit)
		if len(errs) > 0 {
			t.Fatal(errs[0])
		}
		got := ReprValue(mod.Body[0].(*ExprStmt).Value.(*Constant).Value)
		if i < len(want) && got != want[i] {
			t.Errorf("repr(%s) = %s, CPython %s", lit, got, want[i])
		}
	}
}
