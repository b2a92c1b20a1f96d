package vulndb

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/deps/pep440"
)

// TestMatchTable checks the embedded database against expected advisory
// IDs derived from the PyPA records by an independent implementation
// (testdata/derive_match_table.py, using Python's packaging library). It
// covers pre-releases, post-releases, dev releases, epochs, local
// versions, last_affected ranges, unsorted events and name spellings.
func TestMatchTable(t *testing.T) {
	db, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/match_table.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	rows := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Fields(line)
		pkg, ver, want := fs[0], fs[1], fs[2:]
		if len(want) == 1 && want[0] == "-" {
			want = nil
		}
		rows++
		t.Run(pkg+"@"+ver, func(t *testing.T) {
			v, err := pep440.Parse(ver)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := db.Query(pkg, v)
			if err != nil {
				t.Fatal(err)
			}
			// Records merged by alias carry the IDs of their duplicates
			// (the same CVE filed for tensorflow and tensorflow-cpu), so
			// compare by overlap: every expected ID is in a returned
			// record, and every returned record holds an expected ID.
			wantSet := map[string]bool{}
			for _, id := range want {
				wantSet[id] = true
			}
			found := map[string]bool{}
			for _, r := range recs {
				if isArchive(r) {
					continue // newer than the PyPA snapshot: see TestArchiveMatches
				}
				hit := false
				for _, id := range r.IDs() {
					if wantSet[id] {
						found[id] = true
						hit = true
					}
				}
				if !hit {
					t.Errorf("%s %s: unexpected %s %v", pkg, ver, r.ID, r.Aliases)
				}
			}
			for _, id := range want {
				if !found[id] {
					t.Errorf("%s %s: missing %s", pkg, ver, id)
				}
			}
		})
	}
	if rows < 50 {
		t.Fatalf("match table has %d rows, want at least 50", rows)
	}
}

// TestArchiveMatches checks records that come only from Django's security
// archive (newer than the PyPA snapshot), against the fixed releases read
// from the archive and the release table.
func TestArchiveMatches(t *testing.T) {
	db, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		version string
		has     []string
		hasNot  []string
	}{
		{"4.2.16", []string{"CVE-2024-53907", "CVE-2024-53908", "CVE-2026-25674"}, []string{"CVE-2024-45231"}},
		{"4.2.15", []string{"CVE-2024-45231", "CVE-2024-45230"}, nil},
		{"5.1.4", []string{"CVE-2024-56374"}, []string{"CVE-2024-53907"}},
		{"5.2", []string{"CVE-2025-32873", "CVE-2025-48432", "CVE-2026-25673"}, []string{"CVE-2025-27556", "CVE-2025-26699"}},
		{"5.2.12", nil, []string{"CVE-2026-25673", "CVE-2026-25674", "CVE-2026-1207"}},
		{"5.2.11", []string{"CVE-2026-25673", "CVE-2026-25674"}, []string{"CVE-2026-1207"}},
		{"6.0rc1", []string{"CVE-2025-13372", "CVE-2025-64459"}, nil},
		{"6.0", []string{"CVE-2026-1207"}, []string{"CVE-2025-13372", "CVE-2025-64460"}},
		{"6.0.3", nil, []string{"CVE-2026-25673"}},
		{"4.2.29", nil, []string{"CVE-2026-25673", "CVE-2026-25674"}},
		{"5.0.14", nil, []string{"CVE-2025-27556"}},
		{"5.0.13", []string{"CVE-2025-27556"}, nil},
	}
	for _, c := range cases {
		recs, err := db.Query("Django", pep440.MustParse(c.version))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, r := range recs {
			for _, id := range r.IDs() {
				got[id] = true
			}
		}
		for _, id := range c.has {
			if !got[id] {
				t.Errorf("Django %s: missing %s", c.version, id)
			}
		}
		for _, id := range c.hasNot {
			if got[id] {
				t.Errorf("Django %s: unexpected %s", c.version, id)
			}
		}
	}
}
