package python

import (
	"os"
	"testing"
)

func BenchmarkParseCorpus(b *testing.B) {
	files := corpusFiles(b)
	var srcs [][]byte
	total := 0
	for _, f := range files {
		s, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		srcs = append(srcs, s)
		total += len(s)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, s := range srcs {
			Parse("x.py", s)
		}
	}
}
