package pep440_test

import (
	"math/rand"
	"testing"

	pep "github.com/aquasecurity/go-pep440-version"

	"github.com/djangoguard/djangoguard/internal/deps/pep440"
	"github.com/djangoguard/djangoguard/internal/deps/vulndb"
)

// databaseVersions returns every version string the embedded database
// mentions.
func databaseVersions(t testing.TB) []string {
	db, err := vulndb.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	all, err := db.All()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && s != "0" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, r := range all {
		for _, a := range r.Affected {
			for _, v := range a.Versions {
				add(v)
			}
			for _, rg := range a.Ranges {
				for _, e := range rg.Events {
					add(e.Introduced)
					add(e.Fixed)
					add(e.LastAffected)
				}
			}
		}
	}
	return out
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// TestAgainstReference compares parsing and ordering with
// github.com/aquasecurity/go-pep440-version on every version of the
// database and on random pairs of them.
func TestAgainstReference(t *testing.T) {
	vs := databaseVersions(t)
	extra := []string{"1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0b2.post345.dev456", "1.0rc1", "1.0+abc.5", "1.0+5", "1.0.post456.dev34",
		"1!0.1", "1.0-1", "1.0c1", "1.0.0.0", "2.0.post", "1.0-r4", "v3.2", "1.0.DEV2", "1.0_a_1", "1.0+ubuntu-1"}
	vs = append(vs, extra...)
	// A cross product of every kind of segment and separator spelling.
	for _, rel := range []string{"1", "1.0", "1.0.0", "1.2", "2!1.0", "0!1.0", "1.0.10"} {
		for _, pre := range []string{"", "a1", "b2", "rc1", ".alpha3", "-c4", "pre5", "_beta", "RC10"} {
			for _, post := range []string{"", ".post1", "-2", ".r3", "post", "-rev4"} {
				for _, dev := range []string{"", ".dev0", "dev3", "-dev"} {
					for _, local := range []string{"", "+abc", "+1.2", "+abc.5", "+ubuntu-1", "+10"} {
						vs = append(vs, rel+pre+post+dev+local)
					}
				}
			}
		}
	}
	if len(vs) < 5000 {
		t.Fatalf("only %d versions", len(vs))
	}
	type pair struct {
		ours pep440.Version
		ref  pep.Version
	}
	var ps []pair
	for _, s := range vs {
		ref, refErr := pep.Parse(s)
		ours, err := pep440.Parse(s)
		if (refErr == nil) != (err == nil) {
			t.Errorf("%q: reference error %v, ours %v", s, refErr, err)
			continue
		}
		if err == nil {
			ps = append(ps, pair{ours, ref})
		}
	}
	rng := rand.New(rand.NewSource(1))
	check := func(a, b pair) {
		want := sign(a.ref.Compare(b.ref))
		// The reference pads only one side's release segment; ask it
		// both ways and trust the answers that agree.
		if back := -sign(b.ref.Compare(a.ref)); back != want {
			return
		}
		if got := sign(a.ours.Compare(b.ours)); got != want {
			t.Errorf("compare(%s, %s) = %d, reference %d", a.ours, b.ours, got, want)
		}
	}
	for i := range ps {
		for j := 0; j < 6; j++ {
			check(ps[i], ps[rng.Intn(len(ps))])
		}
		if i > 0 {
			check(ps[i-1], ps[i])
		}
	}
}

func FuzzAgainstReference(f *testing.F) {
	for _, s := range []string{"1.0", "1!2.0rc1.post2.dev3+local.7", "1.0-1", "1.0.DEV", "v1.0a", "1.0+abc.5"} {
		f.Add(s, "1.0")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ra, e1 := pep.Parse(a)
		rb, e2 := pep.Parse(b)
		oa, e3 := pep440.Parse(a)
		ob, e4 := pep440.Parse(b)
		if (e1 == nil) != (e3 == nil) && len(a) <= 128 {
			t.Fatalf("%q: reference error %v, ours %v", a, e1, e3)
		}
		if e1 != nil || e2 != nil || e3 != nil || e4 != nil {
			return
		}
		want := sign(ra.Compare(rb))
		if -sign(rb.Compare(ra)) != want {
			return
		}
		if got := sign(oa.Compare(ob)); got != want {
			t.Fatalf("compare(%q, %q) = %d, reference %d", a, b, got, want)
		}
	})
}
