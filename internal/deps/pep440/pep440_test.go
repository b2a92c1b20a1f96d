package pep440

import (
	"testing"
)

func TestNormalize(t *testing.T) {
	cases := map[string]string{
		"Django":                 "django",
		"Django_REST-framework":  "django-rest-framework",
		"django.rest__framework": "django-rest-framework",
		"zope.interface":         "zope-interface",
		"PyYAML":                 "pyyaml",
		"a--b..c__d":             "a-b-c-d",
		"Pillow":                 "pillow",
	}
	for in, want := range cases {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
	for _, ok := range []string{"a", "Django", "zope.interface", "a_b-c.d9"} {
		if !ValidName(ok) {
			t.Errorf("%q rejected", ok)
		}
	}
	for _, bad := range []string{"", "-a", "a-", "a b", "a/b", "é"} {
		if ValidName(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestOrder checks PEP 440 ordering on a list that must be strictly
// increasing (from the examples of the specification).
func TestOrder(t *testing.T) {
	order := []string{
		"1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2",
		"1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7",
		"1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1", "1.1", "2.0", "1!0.1", "1!1.0",
	}
	for i := 0; i+1 < len(order); i++ {
		a, b := MustParse(order[i]), MustParse(order[i+1])
		if a.Compare(b) >= 0 || b.Compare(a) <= 0 {
			t.Errorf("%s < %s does not hold", order[i], order[i+1])
		}
	}
	eq := [][2]string{{"1.0", "1.0.0"}, {"1.0RC1", "1.0rc1"}, {"1.0-1", "1.0.post1"}, {"0!1.0", "1.0"}, {"v1.0", "1.0"}, {"1.0.0.0", "1"}, {"1.0c1", "1.0rc1"}}
	for _, p := range eq {
		if MustParse(p[0]).Compare(MustParse(p[1])) != 0 {
			t.Errorf("%s != %s", p[0], p[1])
		}
	}
	if MustParse("3.2.25").Series() != "3.2" || MustParse("5").Series() != "5.0" || MustParse("1!2.3.4").Series() != "2.3" {
		t.Error("Series")
	}
	for _, bad := range []string{"", "abc", "1.0-beta-x", "1..0"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestSpecifier(t *testing.T) {
	cases := []struct {
		spec   string
		pinned string
		admits []string
		denies []string
	}{
		{"==4.2.7", "4.2.7", []string{"4.2.7", "4.2.7.0", "4.2.7+local"}, []string{"4.2.8", "4.2.7.post1"}},
		{"===4.2.7", "4.2.7", []string{"4.2.7"}, []string{"4.2.7.0"}},
		{">=4.2,<5.0", "", []string{"4.2", "4.2.30", "4.9"}, []string{"4.1.9", "5.0", "5.0a1", "4.2rc1"}},
		{"~=4.2.0", "", []string{"4.2.0", "4.2.99"}, []string{"4.3", "4.1"}},
		{"~=4.2", "", []string{"4.2", "4.9"}, []string{"5.0", "4.1"}},
		{"==4.2.*", "", []string{"4.2", "4.2.0rc1", "4.2.5"}, []string{"4.3", "4.1.9"}},
		{"!=4.2.1,>=4.2", "", []string{"4.2", "4.2.2"}, []string{"4.2.1"}},
		{"^4.2", "", []string{"4.2", "4.9.9"}, []string{"5.0", "4.1"}},
		{"^0.4.1", "", []string{"0.4.1", "0.4.9"}, []string{"0.5.0"}},
		{"~4.2.1", "", []string{"4.2.1", "4.2.9"}, []string{"4.3"}},
		{">=5.3 <6", "", []string{"5.3", "5.9"}, []string{"6.0", "5.2"}},
		{"4.2.7", "4.2.7", []string{"4.2.7"}, []string{"4.2.8"}},
		{"", "", []string{"0.1", "99"}, nil},
		{"*", "", []string{"1.0"}, nil},
		{">= 2.0", "", []string{"2.0"}, []string{"1.9"}},
		{"<1!0", "", []string{"999"}, []string{"1!0.1"}},
	}
	for _, c := range cases {
		s, err := ParseSpecifier(c.spec)
		if err != nil {
			t.Errorf("%q: %v", c.spec, err)
			continue
		}
		if s.Pinned() != c.pinned {
			t.Errorf("%q pinned = %q, want %q", c.spec, s.Pinned(), c.pinned)
		}
		iv, ok := s.Interval()
		if !ok {
			t.Errorf("%q: empty interval", c.spec)
		}
		for _, v := range c.admits {
			if !s.Admits(MustParse(v)) {
				t.Errorf("%q should admit %s", c.spec, v)
			}
			if !iv.Contains(MustParse(v)) {
				t.Errorf("interval of %q should contain %s", c.spec, v)
			}
		}
		for _, v := range c.denies {
			if s.Admits(MustParse(v)) {
				t.Errorf("%q should not admit %s", c.spec, v)
			}
		}
	}
	for _, bad := range []string{">=", "~=1", ">=1.0.*", "==abc", "=>1.0", ">=1.0 <"} {
		if _, err := ParseSpecifier(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// Contradictions admit nothing.
	for _, empty := range []string{">=2,<1", "==1.0,!=1.0", ">1.0,<1.0"} {
		s, err := ParseSpecifier(empty)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := s.Interval(); ok {
			t.Errorf("%q should be empty", empty)
		}
	}
}

func TestIntervalIntersect(t *testing.T) {
	v := func(s string) *Version { x := MustParse(s); return &x }
	a := Interval{Lo: Bound{v("1.0"), true}, Hi: Bound{v("2.0"), false}}
	cases := []struct {
		b     Interval
		empty bool
	}{
		{Interval{Lo: Bound{v("2.0"), true}}, true},
		{Interval{Lo: Bound{v("1.9"), true}}, false},
		{Interval{Hi: Bound{v("1.0"), false}}, true},
		{Interval{Hi: Bound{v("1.0"), true}}, false},
		{Interval{}, false},
		{Interval{Lo: Bound{v("1.5"), true}, Hi: Bound{v("1.5"), true}}, false},
	}
	for i, c := range cases {
		if got := a.Intersect(c.b).Empty(); got != c.empty {
			t.Errorf("case %d: empty = %v", i, got)
		}
	}
}

func FuzzSpecifier(f *testing.F) {
	for _, s := range []string{"==4.2.7", ">=4.2,<5.0", "~=4.2.0", "==4.2.*", "^0.4.1", "~4.2", ">=5.3 <6", "!=1.0,>=0.9", "===foo"} {
		f.Add(s, "4.2.7")
	}
	f.Fuzz(func(t *testing.T, spec, ver string) {
		s, err := ParseSpecifier(spec)
		if err != nil {
			return
		}
		s.Interval()
		s.Pinned()
		if v, err := Parse(ver); err == nil {
			s.Admits(v)
		}
	})
}

func FuzzVersion(f *testing.F) {
	for _, s := range []string{"1.0", "1!2.0rc1.post2.dev3+local.7", "v1.0", "1.0-1"} {
		f.Add(s, "1.0")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		va, err1 := Parse(a)
		vb, err2 := Parse(b)
		if err1 != nil || err2 != nil {
			return
		}
		if va.Compare(vb) != -vb.Compare(va) {
			t.Fatalf("Compare not antisymmetric: %s %s", a, b)
		}
		va.Release()
		va.Series()
	})
}
