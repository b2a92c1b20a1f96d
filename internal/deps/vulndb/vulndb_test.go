package vulndb

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/djangoguard/djangoguard/internal/deps/pep440"
)

const sharedData = "../../../../shared/data"

// TestRegenerate checks that the committed database is what `go generate`
// produces from the shared data (skipped when ../shared/data is absent).
func TestRegenerate(t *testing.T) {
	pypa := filepath.Join(sharedData, "pypa-advisory-database")
	if _, err := os.Stat(pypa); err != nil {
		t.Skipf("shared data not found at %s: %v", sharedData, err)
	}
	db, aj, err := BuildEmbedded(pypa, filepath.Join(sharedData, "django-security-archive.rst"), "data/django-security-releases.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(db, embeddedDB) {
		t.Errorf("data/pypi.vulndb is stale (%d bytes generated, %d committed): run go generate ./internal/deps/vulndb", len(db), len(embeddedDB))
	}
	if !bytes.Equal(aj, embeddedArchive) {
		t.Errorf("data/django-archive.json is stale: run go generate ./internal/deps/vulndb")
	}
}

func TestEmbeddedMeta(t *testing.T) {
	db, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	m := db.Meta()
	if m.AsOf != "2026-03-03" || len(m.Sources) != 2 || m.Sources[0].Date != "2024-10-10" {
		t.Errorf("meta = %+v", m)
	}
	if m.Sources[0].License != "CC-BY-4.0" || !strings.Contains(m.Sources[0].Attribution, "CC-BY-4.0") {
		t.Errorf("PyPA source lacks its CC-BY-4.0 attribution: %+v", m.Sources[0])
	}
	if len(embeddedDB) > 4<<20 {
		t.Errorf("embedded database is %d bytes, over 4 MB", len(embeddedDB))
	}
	if m.Records < 2000 || m.Packages < 600 {
		t.Errorf("records %d, packages %d: too few", m.Records, m.Packages)
	}
	all, err := db.All()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != m.Records {
		t.Errorf("All() = %d records, meta says %d", len(all), m.Records)
	}
	// Merged by alias: no two records share an ID or alias.
	owner := map[string]string{}
	for _, r := range all {
		for _, id := range r.IDs() {
			if o, ok := owner[id]; ok {
				t.Errorf("%s appears in %s and %s", id, o, r.ID)
			}
			owner[id] = r.ID
		}
	}
	// A Django CVE known to both sources has the PYSEC ID, the GHSA alias
	// and Django's wording.
	recs, _ := db.Records("django")
	var r *Record
	for _, x := range recs {
		if x.CVE() == "CVE-2024-42005" {
			r = x
		}
	}
	if r == nil {
		t.Fatal("CVE-2024-42005 not found")
	}
	if r.ID != "PYSEC-2024-70" || !reflect.DeepEqual(r.Sources, []string{"django-security-archive", "pypa-advisory-database"}) {
		t.Errorf("merged record = %s %v %v", r.ID, r.Aliases, r.Sources)
	}
	if !strings.Contains(r.Summary, "SQL injection") || !strings.Contains(r.URL, "djangoproject.com") {
		t.Errorf("merged record summary/url = %q %q", r.Summary, r.URL)
	}
}

func TestParseArchive(t *testing.T) {
	src, err := os.ReadFile("testdata/archive.rst")
	if err != nil {
		t.Fatal(err)
	}
	es, err := ParseArchive(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 4 {
		t.Fatalf("got %d entries, want 4: %+v", len(es), es)
	}
	e := es[0]
	if e.Date.Format("2006-01-02") != "2026-03-03" || !reflect.DeepEqual(e.CVEs, []string{"CVE-2026-25673"}) ||
		e.Summary != "Potential denial-of-service vulnerability in URLField via Unicode normalization on Windows." ||
		e.URL != "https://www.djangoproject.com/weblog/2026/mar/03/security-releases/" ||
		!reflect.DeepEqual(e.Series, []string{"6.0", "5.2"}) || e.Line != 12 {
		t.Errorf("entry 0 = %+v", e)
	}
	if !reflect.DeepEqual(es[1].Releases, []string{"5.2.3", "4.2.23"}) || !reflect.DeepEqual(es[1].Series, []string{"5.2"}) {
		t.Errorf("entry 1 = %+v", es[1])
	}
	if !reflect.DeepEqual(es[2].CVEs, []string{"CVE-2013-1664", "CVE-2013-1665"}) || !reflect.DeepEqual(es[2].Series, []string{"1.3", "1.4"}) {
		t.Errorf("entry 2 = %+v", es[2])
	}
	if es[3].NoCVE != "No CVE 2" || len(es[3].CVEs) != 0 {
		t.Errorf("entry 3 = %+v", es[3])
	}

	table, err := ParseReleaseTable([]byte("2026-03-03 6.0.3 5.2.12\n2025-06-04 5.2.2\n2013-02-19 1.4.4 1.3=none\n2012-12-10 1.4.3\n"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := ArchiveRecords(es, table, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if recs[3].ID != "DJANGO-2012-12-10-2" || recs[2].ID != "CVE-2013-1664" || !reflect.DeepEqual(recs[2].Aliases, []string{"CVE-2013-1665"}) {
		t.Errorf("ids: %s %s %v", recs[3].ID, recs[2].ID, recs[2].Aliases)
	}
	// 5.2 from the table (5.2.2), 4.2 from the release the entry names.
	got := fmt.Sprint(recs[1].Affected[0].Ranges)
	if got != "[{[{5.2.dev0   } { 5.2.2  }]} {[{4.2.dev0   } { 4.2.23  }]}]" {
		t.Errorf("ranges of entry 1 = %s", got)
	}
	if !recs[0].Affects("django", pep440.MustParse("6.0.2")) || recs[0].Affects("django", pep440.MustParse("6.0.3")) ||
		!recs[0].Affects("django", pep440.MustParse("5.2rc1")) || recs[0].Affects("django", pep440.MustParse("5.1.9")) {
		t.Error("entry 0 ranges wrong")
	}
	// A known CVE keeps no ranges of its own.
	recs, err = ArchiveRecords(es, table, map[string]bool{"CVE-2026-25673": true}, true)
	if err != nil || len(recs[0].Affected[0].Ranges) != 0 {
		t.Errorf("known entry kept ranges: %v %v", err, recs[0].Affected)
	}
	// A missing row is an error naming the entry.
	_, err = ArchiveRecords(es, ReleaseTable{}, nil, true)
	if err == nil || !strings.Contains(err.Error(), "CVE-2026-25673 (line 12, 2026-03-03): no fixed release for Django 6.0") {
		t.Errorf("missing row error = %v", err)
	}
}

func TestParseArchiveErrors(t *testing.T) {
	for name, src := range map[string]string{
		"empty":   "",
		"bad id":  "May 1, 2020 - something\n-----------------------\n",
		"bad day": "Smarch 1, 2020 - :cve:`2020-1`\n------------------------------\n",
	} {
		if _, err := ParseArchive([]byte(src)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestCVSS(t *testing.T) {
	cases := []struct {
		v    string
		want float64
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
		{"CVSS:3.1/AV:L/AC:L/PR:L/UI:R/S:U/C:L/I:N/A:N", 2.8},
		{"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N", 3.3},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
		{"CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H", 5.9},
		{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0},
	}
	for _, c := range cases {
		got, ok := cvss3Score(c.v)
		if !ok || got != c.want {
			t.Errorf("%s = %v %v, want %v", c.v, got, ok, c.want)
		}
	}
	for _, bad := range []string{"", "CVSS:2.0/AV:N", "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N"} {
		if _, ok := cvss3Score(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestMergeByAlias(t *testing.T) {
	a := &Record{ID: "PYSEC-1", Aliases: []string{"CVE-1"}, Severity: "medium", Published: "2020-01-02", Sources: []string{"pypa"},
		Affected: []Affected{{Package: "x", Ranges: []Range{{Events: []Event{{Introduced: "0"}, {Fixed: "1.0"}}}}}}}
	b := &Record{ID: "GHSA-1", Aliases: []string{"CVE-1", "CVE-2"}, Severity: "high", Published: "2020-01-01", Sources: []string{"osv"},
		Affected: []Affected{{Package: "y", Ranges: []Range{{Events: []Event{{Introduced: "2.0"}, {Fixed: "2.1"}}}}}}}
	c := &Record{ID: "PYSEC-9", Aliases: []string{"CVE-2"}, Sources: []string{"pypa"}, Affected: []Affected{{Package: "x", Versions: []string{"5.0"}}}}
	d := &Record{ID: "PYSEC-2", Sources: []string{"pypa"}, Affected: []Affected{{Package: "z"}}}
	out := Merge([]*Record{a, b, c, d})
	if len(out) != 2 {
		t.Fatalf("got %d records", len(out))
	}
	m := out[0]
	if m.ID != "PYSEC-1" || !reflect.DeepEqual(m.Aliases, []string{"CVE-1", "CVE-2", "GHSA-1", "PYSEC-9"}) || m.Severity != "high" || m.Published != "2020-01-01" {
		t.Errorf("merged = %+v", m)
	}
	for _, c := range []struct {
		pkg, v string
		want   bool
	}{{"x", "0.9", true}, {"x", "1.0", false}, {"x", "5.0", true}, {"y", "2.0.1", true}, {"y", "2.1", false}} {
		if got := m.Affects(c.pkg, pep440.MustParse(c.v)); got != c.want {
			t.Errorf("%s %s: %v", c.pkg, c.v, got)
		}
	}
}

func TestRangeEvents(t *testing.T) {
	// Events out of order, as in PYSEC-2024-70, and a last_affected range.
	r := &Record{Affected: []Affected{
		{Package: "p", Ranges: []Range{{Events: []Event{{Introduced: "5.0"}, {Fixed: "5.0.8"}, {Introduced: "4.2"}, {Fixed: "4.2.15"}}}}},
		{Package: "q", Ranges: []Range{{Events: []Event{{Introduced: "0"}, {LastAffected: "1.11.0"}}}}},
		{Package: "l", Ranges: []Range{{Events: []Event{{Introduced: "1.0"}, {Limit: "2.0"}}}}},
	}}
	cases := []struct {
		pkg, v string
		want   bool
	}{
		{"p", "4.1.9", false}, {"p", "4.2", true}, {"p", "4.2.14", true}, {"p", "4.2.15", false}, {"p", "4.2.15+local", false},
		{"p", "4.2.14+local", true}, {"p", "4.3", false}, {"p", "5.0a1", false}, {"p", "5.0", true}, {"p", "5.0.7.post1", true},
		{"p", "5.0.8", false}, {"p", "5.0.8rc1", true}, {"p", "1!4.2.1", false}, {"p", "0!4.2.1", true},
		{"q", "1.11.0", true}, {"q", "1.11.0.post1", false}, {"q", "0.0.1.dev1", true},
		{"l", "1.5", true}, {"l", "2.0", false}, {"l", "0.9", false},
	}
	for _, c := range cases {
		if got := r.Affects(c.pkg, pep440.MustParse(c.v)); got != c.want {
			t.Errorf("%s %s = %v, want %v", c.pkg, c.v, got, c.want)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	var good bytes.Buffer
	if err := Encode(&good, Meta{AsOf: "2026-01-01"}, []*Record{{ID: "X-1", Affected: []Affected{{Package: "p", Versions: []string{"1.0"}}}}}); err != nil {
		t.Fatal(err)
	}
	db, err := Decode(good.Bytes(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if rs, err := db.Query("P", pep440.MustParse("1.0")); err != nil || len(rs) != 1 {
		t.Fatalf("query = %v %v", rs, err)
	}
	cases := map[string][]byte{
		"empty":     nil,
		"magic":     []byte("PK\x03\x04 not a database"),
		"truncated": good.Bytes()[:len(magic)+5],
		"schema":    []byte(magic + `{"meta":{"schema":9},"index":{}}` + "\n"),
		"span":      []byte(magic + `{"meta":{"schema":1},"index":{"p":[0,999,10]}}` + "\n"),
		"raw span":  []byte(magic + `{"meta":{"schema":1},"encoding":"raw","index":{"p":[0,4,10]}}` + "\nabcd"),
		"encoding":  []byte(magic + `{"meta":{"schema":1},"encoding":"zstd","index":{}}` + "\n"),
	}
	for name, b := range cases {
		if _, err := Decode(b, "test"); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A corrupt body fails the lookup of that package only.
	bad := []byte(magic + `{"meta":{"schema":1},"index":{"p":[0,4,10]}}` + "\nabcd")
	db, err = Decode(bad, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Records("p"); err == nil {
		t.Error("corrupt body accepted")
	}
	badRaw := []byte(magic + `{"meta":{"schema":1},"encoding":"raw","index":{"p":[0,4,4]}}` + "\nabcd")
	if db, err = Decode(badRaw, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Records("p"); err == nil {
		t.Error("corrupt raw body accepted")
	}
}

// deflated rewrites a database file with raw bodies as one with DEFLATE
// bodies, the encoding of files written before raw bodies.
func deflated(t *testing.T, b []byte) []byte {
	t.Helper()
	rest := b[len(magic):]
	nl := bytes.IndexByte(rest, '\n')
	var h header
	if err := json.Unmarshal(rest[:nl], &h); err != nil {
		t.Fatal(err)
	}
	if h.Encoding != encodingRaw {
		t.Fatalf("encoding %q, want raw", h.Encoding)
	}
	body := rest[nl+1:]
	pkgs := make([]string, 0, len(h.Index))
	for p := range h.Index {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	var out bytes.Buffer
	for _, p := range pkgs {
		span := h.Index[p]
		start := out.Len()
		zw, _ := flate.NewWriter(&out, flate.BestCompression)
		zw.Write(body[span[0] : span[0]+span[1]])
		zw.Close()
		h.Index[p] = [3]int{start, out.Len() - start, span[1]}
	}
	h.Encoding = ""
	hb, _ := json.Marshal(h)
	return append(append(append([]byte(magic), hb...), '\n'), out.Bytes()...)
}

// TestDeflateBodiesStillRead: a database cached by an older djangoguard
// (DEFLATE bodies) decodes to the same records as the raw one.
func TestDeflateBodiesStillRead(t *testing.T) {
	old := deflated(t, embeddedDB)
	if len(old) >= len(embeddedDB) {
		t.Fatalf("deflated copy is %d bytes, raw %d: not compressed", len(old), len(embeddedDB))
	}
	a, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Decode(old, "deflated")
	if err != nil {
		t.Fatal(err)
	}
	ra, err := a.All()
	if err != nil {
		t.Fatal(err)
	}
	rb, err := b.All()
	if err != nil {
		t.Fatal(err)
	}
	if len(ra) == 0 || len(ra) != len(rb) {
		t.Fatalf("%d records raw, %d deflated", len(ra), len(rb))
	}
	for i := range ra {
		ja, _ := json.Marshal(ra[i])
		jb, _ := json.Marshal(rb[i])
		if !bytes.Equal(ja, jb) {
			t.Fatalf("record %d differs:\nraw     %s\ndeflate %s", i, ja, jb)
		}
	}
}

// osvZip builds an OSV export zip from records given as JSON strings.
func osvZip(t testing.TB, entries map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range entries {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func osvJSON(id, pkg, introduced, fixed, modified string, aliases ...string) string {
	b, _ := json.Marshal(map[string]any{
		"id": id, "modified": modified + "T00:00:00Z", "published": "2026-01-01T00:00:00Z", "aliases": aliases,
		"summary":           "Test advisory " + id,
		"database_specific": map[string]any{"severity": "MODERATE"},
		"affected": []any{map[string]any{
			"package": map[string]any{"ecosystem": "PyPI", "name": pkg},
			"ranges":  []any{map[string]any{"type": "ECOSYSTEM", "events": []any{map[string]any{"introduced": introduced}, map[string]any{"fixed": fixed}}}},
		}},
	})
	return string(b)
}

func validExport(t testing.TB) []byte {
	return osvZip(t, map[string]string{
		"GHSA-aaaa-bbbb-cccc.json": osvJSON("GHSA-aaaa-bbbb-cccc", "Some_Package", "0", "2.0", "2026-11-20"),
		"PYSEC-2026-1.json":        osvJSON("PYSEC-2026-1", "django", "6.1.dev0", "6.1.4", "2026-11-01", "CVE-2026-99999"),
		"GHSA-dddd-eeee-ffff.json": osvJSON("GHSA-dddd-eeee-ffff", "django", "5.2", "5.2.12", "2026-03-03", "CVE-2026-25673"),
	})
}

func TestImportZip(t *testing.T) {
	b, st, err := ImportZip(context.Background(), validExport(t), "test.zip")
	if err != nil {
		t.Fatal(err)
	}
	if st.Entries != 3 || st.Records != 3 || st.Invalid != 0 {
		t.Errorf("stats = %+v", st)
	}
	db, err := Decode(b, "imported")
	if err != nil {
		t.Fatal(err)
	}
	if db.Meta().Sources[0].Date != "2026-11-20" || db.Meta().AsOf != "2026-11-20" {
		t.Errorf("meta = %+v", db.Meta())
	}
	rs, _ := db.Query("some-package", pep440.MustParse("1.9"))
	if len(rs) != 1 || rs[0].Severity != "medium" {
		t.Errorf("some-package 1.9 = %v", rs)
	}
	// The archive is merged in: its CVE-2026-25673 joins the GHSA record.
	rs, _ = db.Query("django", pep440.MustParse("5.2.11"))
	ids := map[string]bool{}
	for _, r := range rs {
		for _, id := range r.IDs() {
			ids[id] = true
		}
		if r.ID == "GHSA-dddd-eeee-ffff" && !strings.Contains(r.Summary, "URLField") {
			t.Errorf("archive summary not merged: %q", r.Summary)
		}
	}
	if !ids["GHSA-dddd-eeee-ffff"] || !ids["CVE-2026-25673"] || !ids["CVE-2026-25674"] {
		t.Errorf("django 5.2.11 = %v", ids)
	}
}

func TestImportZipRejects(t *testing.T) {
	ctx := context.Background()
	// A zip bomb: one entry inflating past the per-record limit.
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.Create("BOMB-1.json")
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for i := 0; i < 5; i++ {
		w.Write(chunk)
	}
	zw.Close()
	cases := map[string][]byte{
		"not a zip": []byte("<html>not found</html>"),
		"empty zip": osvZip(t, map[string]string{}),
		"bomb":      bomb.Bytes(),
		"all bad": osvZip(t, map[string]string{
			"a.json": "{", "b.json": `{"id": ""}`, "c.json": osvJSON("GHSA-x", "p", "0", "1", "2026-01-01"),
		}),
	}
	for name, b := range cases {
		if _, _, err := ImportZip(ctx, b, name); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestUpdate serves exports from a loopback server and checks that a good
// one replaces the cache, and that bad, failing and interrupted ones leave
// the previous database in place.
func TestUpdate(t *testing.T) {
	good := validExport(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/all.zip", func(w http.ResponseWriter, r *http.Request) { w.Write(good) })
	mux.HandleFunc("/broken.zip", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("PK garbage")) })
	mux.HandleFunc("/missing.zip", http.NotFound)
	mux.HandleFunc("/cut.zip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(good)))
		w.Write(good[:len(good)/2])
		// Returning with fewer bytes than announced breaks the connection.
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()

	dir := t.TempDir()
	ctx := context.Background()
	client := &http.Client{Timeout: 30 * time.Second}
	st, err := Update(ctx, client, srv.URL+"/all.zip", dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 3 {
		t.Errorf("stats = %+v", st)
	}
	before, err := os.ReadFile(filepath.Join(dir, CacheFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"/broken.zip", "/missing.zip", "/cut.zip"} {
		if _, err := Update(ctx, client, srv.URL+bad, dir); err == nil {
			t.Errorf("%s: update succeeded", bad)
		}
		after, err := os.ReadFile(filepath.Join(dir, CacheFile))
		if err != nil || !bytes.Equal(before, after) {
			t.Errorf("%s: the previous database was changed (%v)", bad, err)
		}
	}
	// A cancelled update changes nothing either.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Update(cctx, client, srv.URL+"/all.zip", dir); err == nil {
		t.Error("cancelled update succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("leftover files in the cache: %v", entries)
	}

	// The store prefers the newer database and says so.
	s := NewStore(dir)
	db, err := s.DB()
	if err != nil {
		t.Fatal(err)
	}
	if db.Origin() == "embedded" || !strings.Contains(s.Note(), "updated database") {
		t.Errorf("store chose %s: %s", db.Origin(), s.Note())
	}
	// From a file as well.
	zipPath := filepath.Join(t.TempDir(), "all.zip")
	os.WriteFile(zipPath, good, 0o644)
	if _, err := Update(ctx, nil, zipPath, t.TempDir()); err != nil {
		t.Errorf("update from a file: %v", err)
	}
}

func TestStoreFallsBack(t *testing.T) {
	dir := t.TempDir()
	// No cache: embedded.
	if db, err := NewStore(dir).DB(); err != nil || db.Origin() != "embedded" {
		t.Fatalf("empty cache: %v %v", db, err)
	}
	// A damaged cache is ignored with a note.
	os.WriteFile(filepath.Join(dir, CacheFile), []byte("garbage"), 0o644)
	s := NewStore(dir)
	if db, err := s.DB(); err != nil || db.Origin() != "embedded" || !strings.Contains(s.Note(), "ignoring the cached database") {
		t.Errorf("damaged cache: %v %v %q", db, err, s.Note())
	}
	// An older cache loses to the embedded copy.
	var old bytes.Buffer
	Encode(&old, Meta{AsOf: "2020-01-01", Sources: []Source{{Date: "2020-01-01"}}}, []*Record{{ID: "X", Affected: []Affected{{Package: "p", Versions: []string{"1"}}}}})
	os.WriteFile(filepath.Join(dir, CacheFile), old.Bytes(), 0o644)
	s = NewStore(dir)
	if db, err := s.DB(); err != nil || db.Origin() != "embedded" || !strings.Contains(s.Note(), "newer than the cached one") {
		t.Errorf("old cache: %v %v %q", db, err, s.Note())
	}
}

func FuzzParseArchive(f *testing.F) {
	if b, err := os.ReadFile("testdata/archive.rst"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("May 1, 2020 - :cve:`2020-1`\n---------------------------\n\nx.\n\n* Django 3.0\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := ParseArchive(b)
		if err != nil {
			return
		}
		table := ReleaseTable{}
		ArchiveRecords(es, table, nil, true)
	})
}

func FuzzDecode(f *testing.F) {
	var good bytes.Buffer
	Encode(&good, Meta{AsOf: "2026-01-01"}, []*Record{{ID: "X-1", Affected: []Affected{{Package: "p", Versions: []string{"1.0"}}}}})
	f.Add(good.Bytes())
	f.Add(embeddedDB[:4096])
	f.Fuzz(func(t *testing.T, b []byte) {
		db, err := Decode(b, "fuzz")
		if err != nil {
			return
		}
		for p := range db.index {
			db.Query(p, pep440.MustParse("1.0"))
		}
	})
}

func FuzzImportZip(f *testing.F) {
	f.Add(validExport(f))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, b []byte) {
		ImportZip(context.Background(), b, "fuzz")
	})
}

func FuzzParseReleaseTable(f *testing.F) {
	if b, err := os.ReadFile("data/django-security-releases.txt"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("2026-03-03 6.0.3 5.2.12 0.91=none\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tb, err := ParseReleaseTable(b)
		if err != nil {
			return
		}
		for d := range tb {
			tb.fixedIn(d, "5.2")
		}
	})
}

// TestConcurrentLookups: several goroutines decoding and querying the same
// packages at once (as deps' matchAll does) see what one goroutine sees.
func TestConcurrentLookups(t *testing.T) {
	db, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []string
	for p := range db.index {
		pkgs = append(pkgs, p)
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range pkgs {
				db.Query(p, pep440.MustParse("1.0"))
			}
		}()
	}
	wg.Wait()
	seq, _ := Embedded()
	for _, p := range pkgs {
		a, err1 := db.Records(p)
		b, err2 := seq.Records(p)
		if err1 != nil || err2 != nil || len(a) != len(b) {
			t.Fatalf("%s: %d/%v records vs %d/%v", p, len(a), err1, len(b), err2)
		}
	}
}
