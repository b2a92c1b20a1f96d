package vulndb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Attribution texts shown by `djangoguard db info` and kept in NOTICE.
const (
	PyPAAttribution = "Vulnerability data from the Python Packaging Advisory Database " +
		"(https://github.com/pypa/advisory-database), licensed under CC-BY-4.0 " +
		"(https://creativecommons.org/licenses/by/4.0/). Records were reduced to the fields djangoguard uses and merged by alias."
	OSVAttribution = "Vulnerability data from OSV (https://osv.dev), PyPI ecosystem export; " +
		"the records come from their sources under their licences (PyPA advisory database: CC-BY-4.0; GitHub Advisory Database: CC-BY-4.0)."
	DjangoAttribution = "Django security archive (docs/releases/security.txt), Copyright (c) Django Software Foundation " +
		"and individual contributors, BSD-3-Clause."
)

// maxYAML bounds one advisory file of the PyPA database.
const maxYAML = 1 << 20

// ReadPyPA reads every vulns/<package>/<ID>.yaml of a checkout of the PyPA
// advisory database. Files that do not parse are errors: the input is a
// curated snapshot.
func ReadPyPA(dir string) ([]*Record, string, error) {
	root := filepath.Join(dir, "vulns")
	var paths []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("reading the PyPA advisory database: %w", err)
	}
	sort.Strings(paths)
	var out []*Record
	newest := ""
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, "", err
		}
		if len(b) > maxYAML {
			return nil, "", fmt.Errorf("%s: over %d bytes", p, maxYAML)
		}
		var o OSV
		if err := yaml.Unmarshal(b, &o); err != nil {
			return nil, "", fmt.Errorf("%s: %w", p, err)
		}
		r, err := Convert(&o, "pypa-advisory-database")
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", p, err)
		}
		if d := day(o.Modified); d > newest {
			newest = d
		}
		if r != nil {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, "", fmt.Errorf("reading the PyPA advisory database: no records under %s", root)
	}
	return out, newest, nil
}

// ArchiveInput is the parsed Django archive and release table as embedded
// in the binary (data/django-archive.json), so that `db update` can merge
// them into a database built from OSV's export.
type ArchiveInput struct {
	Entries []ArchiveEntry `json:"entries"`
	Table   ReleaseTable   `json:"table"`
}

// Newest returns the date of the newest archive entry.
func (a *ArchiveInput) Newest() string {
	n := ""
	for _, e := range a.Entries {
		if d := e.Date.Format("2006-01-02"); d > n {
			n = d
		}
	}
	return n
}

// Combine merges records from an OSV source with the Django archive and
// returns the merged records and the database meta.
func Combine(osvRecords []*Record, osvSource Source, archive *ArchiveInput, strict bool) ([]*Record, Meta, error) {
	known := map[string]bool{}
	for _, r := range osvRecords {
		for _, a := range r.Affected {
			if a.Package == "django" {
				for _, id := range r.IDs() {
					known[id] = true
				}
			}
		}
	}
	arch, err := ArchiveRecords(archive.Entries, archive.Table, known, strict)
	if err != nil {
		return nil, Meta{}, err
	}
	all := append(append([]*Record(nil), osvRecords...), arch...)
	merged := Merge(all)
	osvSource.Records = len(osvRecords)
	meta := Meta{Sources: []Source{osvSource, {
		Name:        "Django security archive",
		URL:         "https://docs.djangoproject.com/en/dev/releases/security/",
		Date:        archive.Newest(),
		Records:     len(arch),
		License:     "BSD-3-Clause",
		Attribution: DjangoAttribution,
	}}}
	for _, s := range meta.Sources {
		if s.Date > meta.AsOf {
			meta.AsOf = s.Date
		}
	}
	return merged, meta, nil
}

// BuildEmbedded builds the embedded database from a PyPA advisory database
// checkout, Django's security archive and the release table. It returns
// the database file and the archive input file (data/django-archive.json).
func BuildEmbedded(pypaDir, archivePath, tablePath string) (db, archiveJSON []byte, err error) {
	recs, newest, err := ReadPyPA(pypaDir)
	if err != nil {
		return nil, nil, err
	}
	src, err := os.ReadFile(archivePath)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the Django security archive: %w", err)
	}
	entries, err := ParseArchive(src)
	if err != nil {
		return nil, nil, err
	}
	tb, err := os.ReadFile(tablePath)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the release table: %w", err)
	}
	table, err := ParseReleaseTable(tb)
	if err != nil {
		return nil, nil, err
	}
	in := &ArchiveInput{Entries: entries, Table: table}
	merged, meta, err := Combine(recs, Source{
		Name:        "PyPA advisory database",
		URL:         "https://github.com/pypa/advisory-database",
		Date:        newest,
		License:     "CC-BY-4.0",
		Attribution: PyPAAttribution,
	}, in, true)
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	if err := Encode(&buf, meta, merged); err != nil {
		return nil, nil, err
	}
	aj, err := json.MarshalIndent(in, "", " ")
	if err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), append(aj, '\n'), nil
}
