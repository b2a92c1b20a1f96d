from django.db import connection
from django.db import models as m
from django.db.models.expressions import RawSQL
from django.http import JsonResponse

from . import db
from .helpers import q as run
from .models import Note


def by_title(request, title):
    # URL parameter captured by <str:...>: any character but "/".
    rows = Note.objects.raw("SELECT * FROM app_note WHERE title = '%s'" % title)  # expect: DJG201
    return JsonResponse({"n": len(list(rows))})


def by_slug(request, slug):
    # <slug:...> only lets through letters, digits, - and _.
    rows = Note.objects.raw("SELECT * FROM app_note WHERE slug = '%s'" % slug)  # safe: DJG201
    return JsonResponse({"n": len(list(rows))})


def by_tag(request, tag):
    rows = Note.objects.raw("SELECT * FROM app_note WHERE tag = '" + tag + "'")  # safe: DJG201
    return JsonResponse({"n": len(list(rows))})


def by_term(request, term):
    rows = Note.objects.extra(where=["title = '%s'" % term])  # expect: DJG201
    return JsonResponse({"n": rows.count()})


def search(request):
    q = request.GET.get("q", "")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM app_note WHERE title LIKE '%{q}%'")  # expect: DJG201
        cursor.execute("SELECT id FROM app_note WHERE title LIKE %s", [f"%{q}%"])  # safe: DJG201
        cursor.execute("SELECT id FROM app_note WHERE title = '{}'".format(q))  # expect: DJG201
        parts = ["SELECT id FROM app_note WHERE title = '", q, "'"]
        cursor.execute("".join(parts))  # expect: DJG201
    return JsonResponse({})


def search_order(request):
    order = request.GET.get("order", "id")
    qs = Note.objects.annotate(v=RawSQL("SELECT %s" % order, []))  # expect: DJG201
    qs2 = Note.objects.annotate(v=m.RawSQL("SELECT %s", [order]))  # safe: DJG201
    return JsonResponse({"n": qs.count() + qs2.count()})


def search_int(request):
    n = int(request.GET.get("n", "1"))
    rows = Note.objects.raw("SELECT * FROM app_note LIMIT %d" % n)  # safe: DJG201
    return JsonResponse({"n": len(list(rows))})


def search_allowlist(request):
    order = request.GET.get("order", "id")
    if order not in {"id", "title", "-id"}:
        order = "id"
    rows = Note.objects.raw("SELECT * FROM app_note ORDER BY %s" % order)  # safe: DJG201
    return JsonResponse({"n": len(list(rows))})


def via_wrapper(request):
    # The project's own wrapper around cursor.execute, called through a
    # module attribute, a re-export with an alias, and a second wrapper.
    title = request.POST["title"]
    db.run_query("SELECT id FROM app_note WHERE title = '%s'" % title)  # expect: DJG201
    run("DELETE FROM app_note WHERE title = '" + title + "'")  # expect: DJG201
    db.run_query_twice_removed(f"SELECT '{title}'")  # expect: DJG201
    db.run_query("SELECT id FROM app_note WHERE title = %s", [title])  # safe: DJG201
    db.safe_lookup(title)  # safe: DJG201
    return JsonResponse({})


def via_dict(request):
    filters = {"title": request.GET["t"], "fixed": "x"}
    sql = "SELECT * FROM app_note WHERE title = '%(title)s'" % filters
    rows = Note.objects.raw(sql)  # expect: DJG201
    return JsonResponse({"n": len(list(rows))})


def via_class_constant(request):
    rows = Note.objects.raw("SELECT * FROM app_note WHERE id = %s", [request.GET["id"]])  # safe: DJG201
    return JsonResponse({"n": len(list(rows))})


class Upper(m.Func):
    function = "UPPER"


def annotate_func(request):
    fn = request.GET.get("fn", "LOWER")
    qs = Note.objects.annotate(t=m.Func(m.F("title"), function=fn))  # expect: DJG201
    qs2 = Note.objects.annotate(t=m.Func(m.F("title"), template="%(function)s(%(expressions)s) " + request.GET["x"]))  # expect: DJG201
    qs3 = Note.objects.annotate(t=m.Func(m.F("title"), function="LOWER"))  # safe: DJG201
    qs4 = Note.objects.annotate(t=m.Func(m.F(request.GET["field"]), function="LOWER"))  # safe: DJG201
    qs5 = Note.objects.annotate(t=Upper(m.F("title")))  # safe: DJG201
    return JsonResponse({"n": qs.count() + qs2.count() + qs3.count() + qs4.count() + qs5.count()})
