// Command scangen generates a synthetic Django project for the end-to-end
// scan benchmark (bench/scan.sh): apps with models, forms, views, URLconfs,
// admin, service modules that call each other, and templates. The output
// is deterministic for a given -apps and -seed.
//
//	go run ./bench/scangen -out /tmp/bigproject -apps 100
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	out := flag.String("out", "", "directory to create (must not exist)")
	apps := flag.Int("apps", 100, "number of Django apps (20 Python modules each)")
	services := flag.Int("services", 13, "service modules per app")
	funcs := flag.Int("funcs", 36, "functions per service module")
	seed := flag.Int64("seed", 1, "random seed")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "scangen: -out is required")
		os.Exit(2)
	}
	if _, err := os.Stat(*out); err == nil {
		fmt.Fprintf(os.Stderr, "scangen: %s exists\n", *out)
		os.Exit(2)
	}
	g := &gen{root: *out, rnd: rand.New(rand.NewSource(*seed)), services: *services, funcs: *funcs}
	if err := g.project(*apps); err != nil {
		fmt.Fprintln(os.Stderr, "scangen:", err)
		os.Exit(1)
	}
	fmt.Printf("%d Python modules, %d lines of Python, %d templates\n", g.modules, g.lines, g.templates)
}

type gen struct {
	root                      string
	rnd                       *rand.Rand
	services, funcs           int
	modules, lines, templates int
}

func (g *gen) write(rel, content string) error {
	p := filepath.Join(g.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if strings.HasSuffix(rel, ".py") {
		g.modules++
		g.lines += strings.Count(content, "\n")
	} else if strings.HasSuffix(rel, ".html") {
		g.templates++
	}
	return os.WriteFile(p, []byte(content), 0o644)
}

func (g *gen) project(apps int) error {
	var urls strings.Builder
	urls.WriteString("from django.contrib import admin\nfrom django.urls import include, path\n\nurlpatterns = [\n    path(\"admin/\", admin.site.urls),\n")
	var installed []string
	for a := 0; a < apps; a++ {
		app := fmt.Sprintf("app%03d", a)
		installed = append(installed, fmt.Sprintf("    %q,", app))
		fmt.Fprintf(&urls, "    path(%q, include(\"%s.urls\")),\n", app+"/", app)
		if err := g.app(app, a, apps); err != nil {
			return err
		}
	}
	urls.WriteString("]\n")
	if err := g.write("manage.py", "#!/usr/bin/env python\nimport os\nimport sys\n\nif __name__ == \"__main__\":\n    os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"site_config.settings\")\n    from django.core.management import execute_from_command_line\n\n    execute_from_command_line(sys.argv)\n"); err != nil {
		return err
	}
	if err := g.write("site_config/__init__.py", ""); err != nil {
		return err
	}
	settings := "import os\n\nSECRET_KEY = os.environ[\"SECRET_KEY\"]\nDEBUG = False\nALLOWED_HOSTS = [\"example.com\"]\nROOT_URLCONF = \"site_config.urls\"\nINSTALLED_APPS = [\n    \"django.contrib.admin\",\n    \"django.contrib.auth\",\n    \"django.contrib.contenttypes\",\n    \"django.contrib.sessions\",\n" + strings.Join(installed, "\n") + "\n]\n"
	if err := g.write("site_config/settings.py", settings); err != nil {
		return err
	}
	return g.write("site_config/urls.py", urls.String())
}

var fieldTypes = []string{
	"models.CharField(max_length=200)", "models.TextField(blank=True)", "models.IntegerField(default=0)",
	"models.BooleanField(default=False)", "models.DateTimeField(auto_now_add=True)", "models.SlugField(unique=True)",
	"models.DecimalField(max_digits=10, decimal_places=2)", "models.EmailField(blank=True)",
}

func (g *gen) app(app string, idx, apps int) error {
	nModels := 8
	if err := g.write(app+"/__init__.py", ""); err != nil {
		return err
	}
	if err := g.write(app+"/apps.py", fmt.Sprintf("from django.apps import AppConfig\n\n\nclass %sConfig(AppConfig):\n    default_auto_field = \"django.db.models.BigAutoField\"\n    name = %q\n", "App"+strings.TrimPrefix(app, "app"), app)); err != nil {
		return err
	}
	// models.py
	var b strings.Builder
	b.WriteString("from django.contrib.auth.models import User\nfrom django.db import models\n\n")
	for m := 0; m < nModels; m++ {
		fmt.Fprintf(&b, "\nclass Item%d(models.Model):\n    owner = models.ForeignKey(User, on_delete=models.CASCADE)\n", m)
		for f := 0; f < 10; f++ {
			fmt.Fprintf(&b, "    field_%d = %s\n", f, fieldTypes[g.rnd.Intn(len(fieldTypes))])
		}
		fmt.Fprintf(&b, "\n    class Meta:\n        ordering = [\"-id\"]\n\n    def __str__(self):\n        return str(self.field_0)\n\n    def summary(self, length=80):\n        text = \"%%s: %%s\" %% (self.pk, self.field_1)\n        return text[:length]\n\n")
	}
	if err := g.write(app+"/models.py", b.String()); err != nil {
		return err
	}
	// forms.py
	b.Reset()
	b.WriteString("from django import forms\n\nfrom .models import " + modelList(nModels) + "\n\n")
	for m := 0; m < nModels; m++ {
		fmt.Fprintf(&b, "\nclass Item%dForm(forms.ModelForm):\n    class Meta:\n        model = Item%d\n        fields = [\"field_0\", \"field_1\", \"field_2\"]\n\n    def clean_field_0(self):\n        value = self.cleaned_data[\"field_0\"]\n        if not value:\n            raise forms.ValidationError(\"required\")\n        return value\n\n", m, m)
	}
	if err := g.write(app+"/forms.py", b.String()); err != nil {
		return err
	}
	// admin.py
	b.Reset()
	b.WriteString("from django.contrib import admin\n\nfrom .models import " + modelList(nModels) + "\n\n")
	for m := 0; m < nModels; m++ {
		fmt.Fprintf(&b, "\n@admin.register(Item%d)\nclass Item%dAdmin(admin.ModelAdmin):\n    list_display = [\"id\", \"field_0\", \"field_1\"]\n    search_fields = [\"field_0\"]\n\n", m, m)
	}
	if err := g.write(app+"/admin.py", b.String()); err != nil {
		return err
	}
	// services
	for s := 0; s < g.services; s++ {
		if err := g.service(app, s, idx, apps); err != nil {
			return err
		}
	}
	// views.py and urls.py
	return g.views(app, nModels)
}

func modelList(n int) string {
	var parts []string
	for i := 0; i < n; i++ {
		parts = append(parts, fmt.Sprintf("Item%d", i))
	}
	return strings.Join(parts, ", ")
}

// service writes a module of helper functions that build strings, query
// the ORM and call functions of other modules, the shape that makes the
// taint engine work (summaries across modules).
func (g *gen) service(app string, s, idx, apps int) error {
	var b strings.Builder
	other := fmt.Sprintf("app%03d", (idx+1)%apps)
	fmt.Fprintf(&b, "import json\nimport logging\nimport os\n\nfrom django.db import connection\nfrom django.utils.html import escape, format_html\n\nfrom %s import service_%02d as peer\nfrom .models import Item0, Item1\n\nlogger = logging.getLogger(__name__)\n\nLIMITS = {\"small\": 10, \"medium\": 50, \"large\": 100}\n\n", other, (s+1)%g.services)
	for f := 0; f < g.funcs; f++ {
		switch g.rnd.Intn(6) {
		case 0:
			fmt.Fprintf(&b, "\ndef format_%d(value, prefix=\"item\"):\n    text = \"%%s-%%s\" %% (prefix, value)\n    parts = [p.strip() for p in text.split(\",\") if p]\n    joined = \", \".join(parts)\n    if len(joined) > 200:\n        joined = joined[:200]\n    return joined.upper()\n\n", f)
		case 1:
			fmt.Fprintf(&b, "\ndef lookup_%d(owner, term):\n    qs = Item0.objects.filter(owner=owner, field_0__icontains=term)\n    result = []\n    for item in qs[:50]:\n        result.append({\"id\": item.pk, \"label\": escape(item.field_0)})\n    logger.debug(\"lookup_%d found %%d items\", len(result))\n    return result\n\n", f, f)
		case 2:
			fmt.Fprintf(&b, "\ndef report_%d(rows, size=\"small\"):\n    limit = LIMITS.get(size, 10)\n    out = []\n    for i, row in enumerate(rows):\n        if i >= limit:\n            break\n        out.append(format_html(\"<li>{}</li>\", row))\n    return \"\".join(str(x) for x in out)\n\n", f)
		case 3:
			fmt.Fprintf(&b, "\ndef count_%d(table_suffix, owner_id):\n    with connection.cursor() as cursor:\n        cursor.execute(\"SELECT COUNT(*) FROM app_item WHERE owner_id = %%s\", [owner_id])\n        row = cursor.fetchone()\n    return row[0] if row else 0\n\n", f)
		case 4:
			fmt.Fprintf(&b, "\ndef relay_%d(value):\n    cleaned = peer.format_0(value) if hasattr(peer, \"format_0\") else str(value)\n    data = json.dumps({\"value\": cleaned})\n    return data\n\n", f)
		default:
			fmt.Fprintf(&b, "\nclass Processor%d:\n    def __init__(self, base_dir):\n        self.base_dir = base_dir\n        self.items = []\n\n    def add(self, name):\n        safe = os.path.basename(name)\n        self.items.append(os.path.join(self.base_dir, safe))\n        return len(self.items)\n\n    def describe(self):\n        return \", \".join(self.items)\n\n", f)
		}
	}
	return g.write(fmt.Sprintf("%s/service_%02d.py", app, s), b.String())
}

func (g *gen) views(app string, nModels int) error {
	var b, u strings.Builder
	b.WriteString("from django.contrib.auth.decorators import login_required\nfrom django.contrib.auth.mixins import LoginRequiredMixin\nfrom django.db import connection\nfrom django.http import HttpResponse, JsonResponse\nfrom django.shortcuts import get_object_or_404, redirect, render\nfrom django.utils.safestring import mark_safe\nfrom django.views.generic import DetailView, ListView\n\nfrom . import service_00\nfrom .forms import Item0Form\nfrom .models import " + modelList(nModels) + "\n\n")
	u.WriteString("from django.urls import path\n\nfrom . import views\n\nurlpatterns = [\n")
	for m := 0; m < nModels; m++ {
		fmt.Fprintf(&b, "\nclass Item%dList(LoginRequiredMixin, ListView):\n    model = Item%d\n    paginate_by = 25\n\n    def get_queryset(self):\n        return Item%d.objects.filter(owner=self.request.user)\n\n", m, m, m)
		fmt.Fprintf(&b, "\nclass Item%dDetail(LoginRequiredMixin, DetailView):\n    model = Item%d\n\n    def get_queryset(self):\n        return Item%d.objects.filter(owner=self.request.user)\n\n", m, m, m)
		fmt.Fprintf(&b, "\n@login_required\ndef item%d_search(request):\n    q = request.GET.get(\"q\", \"\")\n    items = Item%d.objects.filter(owner=request.user, field_0__icontains=q)[:50]\n    return render(request, \"%s/item%d_search.html\", {\"q\": q, \"items\": items})\n\n", m, m, app, m)
		fmt.Fprintf(&u, "    path(\"item%d/\", views.Item%dList.as_view()),\n    path(\"item%d/<int:pk>/\", views.Item%dDetail.as_view()),\n    path(\"item%d/search/\", views.item%d_search),\n", m, m, m, m, m, m)
		for _, suffix := range []string{"_list", "_detail", "_search"} {
			tpl := fmt.Sprintf("{%% extends \"base.html\" %%}\n{%% block content %%}\n<h1>{{ view.title }}</h1>\n<form method=\"get\"><input name=\"q\" value=\"{{ q }}\"></form>\n<ul>{%% for item in object_list %%}<li><a href=\"{{ item.get_absolute_url }}\">{{ item.field_0 }}</a></li>{%% endfor %%}</ul>\n{%% endblock %%}\n")
			if err := g.write(fmt.Sprintf("%s/templates/%s/item%d%s.html", app, app, m, suffix), tpl); err != nil {
				return err
			}
		}
	}
	// A few deliberate mistakes per app so the scan has findings to report.
	fmt.Fprintf(&b, "\ndef legacy_search(request):\n    term = request.GET.get(\"term\", \"\")\n    with connection.cursor() as cursor:\n        cursor.execute(\"SELECT id FROM %s_item0 WHERE field_0 = '%%s'\" %% term)\n        rows = cursor.fetchall()\n    return HttpResponse(mark_safe(\"<p>%%d results for %%s</p>\" %% (len(rows), term)))\n\n", app)
	fmt.Fprintf(&b, "\ndef legacy_go(request):\n    return redirect(request.GET.get(\"next\", \"/\"))\n\n")
	fmt.Fprintf(&b, "\n@login_required\ndef export(request, pk):\n    item = get_object_or_404(Item0, pk=pk, owner=request.user)\n    return JsonResponse({\"id\": item.pk, \"summary\": service_00.format_0(item.field_0) if hasattr(service_00, \"format_0\") else \"\"})\n")
	u.WriteString("    path(\"legacy/search/\", views.legacy_search),\n    path(\"legacy/go/\", views.legacy_go),\n    path(\"export/<int:pk>/\", views.export),\n]\n")
	if err := g.write(app+"/views.py", b.String()); err != nil {
		return err
	}
	return g.write(app+"/urls.py", u.String())
}
