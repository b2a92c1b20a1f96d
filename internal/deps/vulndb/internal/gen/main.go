// Command gen builds the embedded vulnerability database of package vulndb
// from the PyPA advisory database, Django's security archive and the
// release table. Run it with `go generate ./internal/deps/vulndb`.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/djangoguard/djangoguard/internal/deps/vulndb"
)

func main() {
	pypa := flag.String("pypa", "../../../../shared/data/pypa-advisory-database", "PyPA advisory database checkout")
	archive := flag.String("archive", "../../../../shared/data/django-security-archive.rst", "Django security archive (security.txt)")
	table := flag.String("table", "data/django-security-releases.txt", "release table")
	out := flag.String("out", "data/pypi.vulndb", "database file to write")
	archOut := flag.String("archive-out", "data/django-archive.json", "parsed archive to write")
	flag.Parse()
	db, aj, err := vulndb.BuildEmbedded(*pypa, *archive, *table)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, db, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*archOut, aj, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("gen: wrote %s (%d bytes) and %s\n", *out, len(db), *archOut)
}
