package python

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Pathological inputs end in an error or a result, in bounded time and
// memory, never a stack overflow.
func TestPathological(t *testing.T) {
	cases := []struct {
		name    string
		src     string
		wantErr bool
	}{
		{"100k nested parens", strings.Repeat("(", 100000) + strings.Repeat(")", 100000), true},
		{"100k nested brackets unclosed", strings.Repeat("[", 100000), true},
		{"100k nested braces mixed", strings.Repeat("{[(", 40000), true},
		{"200 nested parens", "x = " + strings.Repeat("(", 199) + "1" + strings.Repeat(")", 199), false},
		{"100k unary minus", "x = " + strings.Repeat("-", 100000) + "1", true},
		{"100k not", "x = " + strings.Repeat("not ", 100000) + "y", true},
		{"100k power chain", "x = 2" + strings.Repeat("**2", 100000), true},
		{"100k lambda chain", "x = " + strings.Repeat("lambda:", 100000) + "1", true},
		{"100k ternary chain", "x = " + strings.Repeat("1 if y else ", 100000) + "2", true},
		{"100k await chain", "x = " + strings.Repeat("await ", 100000) + "y", true},
		{"100k starred targets", strings.Repeat("*", 100000) + "a, = x", true},
		{"deep f-string nesting", "x = " + strings.Repeat("f'{", 300) + "1" + strings.Repeat("}'", 300), true},
		{"1MB line of additions", "x = 1" + strings.Repeat("+1", 500000), true},
		{"2000 additions", "x = 1" + strings.Repeat("+1", 2000), false},
		{"1MB line of calls", "x = f" + strings.Repeat("()", 500000), true},
		{"1MB attribute chain", "x = a" + strings.Repeat(".b", 500000), true},
		{"1MB string literal", "x = '" + strings.Repeat("a", 1<<20) + "'", false},
		{"1MB unterminated string", "x = '" + strings.Repeat("a", 1<<20), true},
		{"1MB comment", "#" + strings.Repeat("c", 1<<20), false},
		{"98 nested blocks", func() string {
			var b strings.Builder
			for i := 0; i < 98; i++ {
				b.WriteString(strings.Repeat(" ", i) + "if x:\n")
			}
			b.WriteString(strings.Repeat(" ", 98) + "pass\n")
			return b.String()
		}(), false},
		{"too deep indentation", func() string {
			var b strings.Builder
			for i := 0; i < 120; i++ {
				b.WriteString(strings.Repeat(" ", i) + "if x:\n")
			}
			b.WriteString(strings.Repeat(" ", 120) + "pass\n")
			return b.String()
		}(), true},
		{"100k elif", "if a: pass\n" + strings.Repeat("elif b: pass\n", 100000), true},
		{"100k line continuations", "x = 1" + strings.Repeat(" \\\n", 100000) + "+ 2\n", false},
		{"100k tokens of garbage", strings.Repeat("$ ", 100000), true},
		{"100k unmatched closers", strings.Repeat(")", 100000), true},
		{"100k decorators", strings.Repeat("@d\n", 100000) + "def f(): pass\n", false},
	}
	for _, c := range cases {
		start := time.Now()
		mod, errs := ParseString("<path>", c.src)
		if mod == nil {
			t.Errorf("%s: nil module", c.name)
		}
		if (len(errs) > 0) != c.wantErr {
			var e error
			if len(errs) > 0 {
				e = errs[0]
			}
			t.Errorf("%s: got errors=%v (first: %v), want errors=%v", c.name, len(errs), e, c.wantErr)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s: took %v", c.name, d)
		} else if d > time.Second {
			t.Logf("%s: took %v", c.name, d)
		}
		// dumping and walking deep trees must not overflow either
		if len(errs) == 0 && len(c.src) < 2<<20 {
			n := 0
			Inspect(mod, func(Node) bool { n++; return true })
			_ = Dump(mod, true)
			if d := time.Since(start); d > time.Second {
				t.Logf("%s: parse+walk+dump took %v", c.name, d)
			}
		}
	}
}

func TestHugeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("50 MB file skipped in -short mode")
	}
	chunk := []byte(`class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "published", f"{prefix}_count")
    search_fields = ["title", "body__icontains"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser and not request.GET.get("all"):
            return qs.filter(author=request.user).select_related("author")[:100]
        return {k: v for k, v in qs.values_list("id", "title") if k % 2 == 0}

`)
	src := bytes.Repeat(chunk, 50<<20/len(chunk))
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	mod, errs := Parse("huge.py", src)
	d := time.Since(start)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if len(errs) > 0 {
		t.Fatal(errs[0])
	}
	if len(mod.Body) != 50<<20/len(chunk) {
		t.Errorf("%d statements", len(mod.Body))
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("50 MB file: %v, %d MB allocated, heap in use %d MB", d, alloc>>20, after.HeapInuse>>20)
	if d > 60*time.Second {
		t.Errorf("too slow: %v", d)
	}
	if alloc > 4<<30 {
		t.Errorf("allocated %d MB", alloc>>20)
	}
}
