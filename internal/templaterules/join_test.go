package templaterules

import (
	"context"
	"sort"
	"strings"
	"testing"

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
