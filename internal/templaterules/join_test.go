package templaterules

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// TestViewJoinSetsConfidence: the same |safe output is high confidence when
// the view passes request data, medium for a model instance, and keeps the
// rule's own confidence in a template no view renders.
func TestViewJoinSetsConfidence(t *testing.T) {
	files := []*rules.File{
		{Path: "shop/__init__.py", Kind: rules.PythonFile, Content: []byte("")},
		{Path: "shop/views.py", Kind: rules.PythonFile, Content: []byte(`from django.shortcuts import render, get_object_or_404
from .models import Post


def search(request):
    q = request.GET.get("q", "")
    return render(request, "shop/search.html", {"q": q})


def detail(request, pk):
    post = get_object_or_404(Post, pk=pk)
    return render(request, "shop/detail.html", {"post": post})
`)},
		{Path: "shop/models.py", Kind: rules.PythonFile, Content: []byte("from django.db import models\n\n\nclass Post(models.Model):\n    body = models.TextField()\n")},
		{Path: "shop/templates/shop/search.html", Kind: rules.TemplateFile, Content: []byte("<p>{{ q|safe }}</p>\n")},
		{Path: "shop/templates/shop/detail.html", Kind: rules.TemplateFile, Content: []byte("<p>{{ post.body|safe }}</p>\n")},
		{Path: "shop/templates/shop/orphan.html", Kind: rules.TemplateFile, Content: []byte("<p>{{ thing|safe }}</p>\n")},
	}
	target := rules.NewTarget("/p", files)
	var got []string
	var traced bool
	pass := rules.NewPass(context.Background(), SafeFilter, target, nil, func(f rules.Finding) {
		got = append(got, f.Path+" "+f.Confidence.String())
		if strings.HasSuffix(f.Path, "search.html") && len(f.Trace) > 0 && strings.Contains(f.Message, "request data") {
			traced = true
		}
	})
	if err := SafeFilter.Run(pass); err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	want := []string{
		"shop/templates/shop/detail.html medium",
		"shop/templates/shop/orphan.html " + SafeFilter.Confidence.String(),
		"shop/templates/shop/search.html high",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !traced {
		t.Error("the request-data finding carries no trace from the view")
	}
}

// TestViewJoinFollowsLoopsIncludesAndExtends: a loop variable takes the
// level of what it iterates, {% with %} of what it binds, an included
// template the context at its include tag (with its "with" bindings), and
// a parent template the context of the templates extending it.
func TestViewJoinFollowsLoopsIncludesAndExtends(t *testing.T) {
	files := []*rules.File{
		{Path: "shop/__init__.py", Kind: rules.PythonFile, Content: []byte("")},
		{Path: "shop/views.py", Kind: rules.PythonFile, Content: []byte(`from django.shortcuts import render
from .models import Post


def listing(request):
    q = request.GET.get("q", "")
    posts = Post.objects.all()
    return render(request, "shop/list.html", {"q": q, "posts": posts, "title": "Posts"})
`)},
		{Path: "shop/models.py", Kind: rules.PythonFile, Content: []byte("from django.db import models\n\n\nclass Post(models.Model):\n    body = models.TextField()\n")},
		{Path: "shop/templates/shop/base.html", Kind: rules.TemplateFile, Content: []byte(
			"<h1>{{ q|safe }}</h1>\n{% block content %}{% endblock %}\n")},
		{Path: "shop/templates/shop/list.html", Kind: rules.TemplateFile, Content: []byte(
			"{% extends \"shop/base.html\" %}{% block content %}\n" +
				"{% for p in posts %}<p>{{ p.body|safe }}</p>{% include \"shop/row.html\" %}{% endfor %}\n" +
				"{% with term=q %}<b>{{ term|safe }}</b>{% endwith %}\n" +
				"{% include \"shop/box.html\" with item=q only %}\n" +
				"{% include \"shop/closed.html\" only %}\n" +
				"{% endblock %}\n")},
		{Path: "shop/templates/shop/row.html", Kind: rules.TemplateFile, Content: []byte("<i>{{ p.title|safe }}</i>\n")},
		{Path: "shop/templates/shop/box.html", Kind: rules.TemplateFile, Content: []byte("<div>{{ item|safe }}</div>\n")},
		{Path: "shop/templates/shop/closed.html", Kind: rules.TemplateFile, Content: []byte("<div>{{ q|safe }}</div>\n")},
	}
	target := rules.NewTarget("/p", files)
	var got []string
	pass := rules.NewPass(context.Background(), SafeFilter, target, nil, func(f rules.Finding) {
		got = append(got, fmt.Sprintf("%s:%d %s", f.Path, f.Line, f.Confidence))
	})
	if err := SafeFilter.Run(pass); err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	want := []string{
		"shop/templates/shop/base.html:1 high",                                // q, from the extending list.html
		"shop/templates/shop/box.html:1 high",                                 // item=q at the include
		"shop/templates/shop/closed.html:1 " + SafeFilter.Confidence.String(), // "only": nothing passed
		"shop/templates/shop/list.html:2 medium",                              // p in posts
		"shop/templates/shop/list.html:3 high",                                // term=q
		"shop/templates/shop/row.html:1 medium",                               // p, at the include inside the loop
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestViewJoinIncludeWebBounded: 32 templates that all include each other
// would take 32^8 lookups for a name no view passes; the step budget ends
// the scan at once.
func TestViewJoinIncludeWebBounded(t *testing.T) {
	var files []*rules.File
	for i := 0; i < 32; i++ {
		src := fmt.Sprintf("<p>{{ thing%d|safe }}</p>\n", i)
		for j := 0; j < 32; j++ {
			src += fmt.Sprintf("{%% include \"web/t%d.html\" %%}\n", j)
		}
		files = append(files, &rules.File{Path: fmt.Sprintf("app/templates/web/t%d.html", i), Kind: rules.TemplateFile, Content: []byte(src)})
	}
	target := rules.NewTarget("/p", files)
	n := 0
	pass := rules.NewPass(context.Background(), SafeFilter, target, nil, func(rules.Finding) { n++ })
	done := make(chan error, 1)
	go func() { done <- SafeFilter.Run(pass) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the view join did not end in 60 s")
	}
	if n != 32 {
		t.Errorf("%d findings, want 32", n)
	}
}
