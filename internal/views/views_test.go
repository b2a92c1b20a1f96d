package views

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/rules"
)

func loadDir(t testing.TB, dir string) *rules.Target {
	t.Helper()
	var files []*rules.File
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		kind := rules.OtherFile
		switch {
		case strings.HasSuffix(p, ".py"):
			kind = rules.PythonFile
		case strings.HasSuffix(p, ".html"):
			kind = rules.TemplateFile
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, &rules.File{Path: rel, Abs: p, Kind: kind, Content: b})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return rules.NewTarget(dir, files)
}

func TestJoin(t *testing.T) {
	j, err := Load(context.Background(), loadDir(t, filepath.Join("testdata", "project")))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		file, expr string
		want       Level
	}{
		// render() with a dict built before the call.
		{"blog/templates/blog/search.html", "q|safe", Request},
		{"blog/templates/blog/search.html", "posts", Stored},
		{"blog/templates/blog/search.html", "safe_q", Unknown},
		{"blog/templates/blog/search.html", "title", Unknown},
		{"blog/templates/blog/search.html", "request.GET.q", Request},
		{"blog/templates/blog/search.html", "request.user.username|safe", Stored},
		{"blog/templates/blog/search.html", "request.LANGUAGE_CODE", Unknown},
		{"blog/templates/blog/search.html", "user.first_name", Stored},
		{"blog/templates/blog/search.html", "missing", Unknown},
		// TemplateResponse with a URL parameter and a model instance.
		{"blog/templates/blog/tag.html", "tag", Request},
		{"blog/templates/blog/tag.html", "post.body", Stored},
		{"blog/templates/blog/tag.html", "count", Unknown},
		// ListView's default template name and context names.
		{"blog/templates/blog/post_list.html", "post_list", Stored},
		{"blog/templates/blog/post_list.html", "object_list", Stored},
		{"blog/templates/blog/post_list.html", "page_obj", Stored},
		// DetailView with template_name.
		{"blog/templates/blog/detail.html", "post.body", Stored},
		{"blog/templates/blog/detail.html", "object", Stored},
		// TemplateView.get_context_data.
		{"blog/templates/blog/about.html", "ref", Request},
		{"blog/templates/blog/about.html", "version", Unknown},
	}
	for _, c := range cases {
		got := j.ForFile(c.file).Level(c.expr)
		if got != c.want {
			t.Errorf("%s {{ %s }}: level %s, want %s", c.file, c.expr, got, c.want)
		}
	}
	if j.ForFile("blog/templates/blog/unused.html") != nil {
		t.Error("a template no view renders has a context")
	}
	// The trace of a request variable runs from the source to the render.
	v := j.ForFile("blog/templates/blog/search.html").Lookup("q")
	if v == nil || len(v.Trace) < 2 {
		t.Fatalf("q has no trace: %+v", v)
	}
	if first := v.Trace[0]; first.Line != 10 || !strings.Contains(first.Message, "request.GET") {
		t.Errorf("trace starts at %d %q, want line 10 request.GET", first.Line, first.Message)
	}
	if last := v.Trace[len(v.Trace)-1]; last.Line != 13 || !strings.Contains(last.Message, `"q"`) {
		t.Errorf("trace ends at %d %q, want the render call on line 13", last.Line, last.Message)
	}
	if got := Request.Confidence(); got != rules.HighConfidence {
		t.Errorf("Request confidence %s", got)
	}
	if got := Stored.Confidence(); got != rules.MediumConfidence {
		t.Errorf("Stored confidence %s", got)
	}
}

func TestTemplateNames(t *testing.T) {
	got := strings.Join(TemplateNames("notes/templates/notes/search.html"), ",")
	if want := "notes/search.html,notes/templates/notes/search.html"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestNilSafe(t *testing.T) {
	var j *Join
	if j.ForFile("x.html").Level("q") != Unknown {
		t.Error("nil join must give Unknown")
	}
}

func TestExampleProject(t *testing.T) {
	j, err := Load(context.Background(), loadDir(t, filepath.Join("..", "..", "examples", "insecure-project")))
	if err != nil {
		t.Fatal(err)
	}
	c := j.ForFile("notes/templates/notes/search.html")
	for expr, want := range map[string]Level{"q": Request, "banner": Request, "rows": Stored} {
		if got := c.Level(expr); got != want {
			t.Errorf("search.html {{ %s }}: %s, want %s", expr, got, want)
		}
	}
	if got := j.ForFile("notes/templates/notes/note_detail.html").Level("note.body"); got != Stored {
		t.Errorf("note_detail.html {{ note.body }}: %s, want database", got)
	}
	if got := j.ForFile("notes/templates/notes/note_list.html").Level("object_list"); got != Stored {
		t.Errorf("note_list.html {{ object_list }}: %s, want database", got)
	}
}

func TestMerge(t *testing.T) {
	a := &Context{Names: []string{"a.html"}, Views: []string{"v1"}, Vars: map[string]*Var{"x": {Name: "x", Level: Stored}}}
	b := &Context{Names: []string{"b.html"}, Views: []string{"v2"}, Vars: map[string]*Var{"x": {Name: "x", Level: Request}, "y": {Name: "y"}}}
	m := Merge(nil, a, b)
	if m.Level("x.attr") != Request || m.Lookup("y") == nil || len(m.Views) != 2 {
		t.Errorf("merge: %+v", m)
	}
	if Merge(nil, nil) != nil {
		t.Error("merge of nils must be nil")
	}
}
