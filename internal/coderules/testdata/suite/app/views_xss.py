from django.core.mail import send_mail
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import safestring as s
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .helpers import clean_html, passthrough
from .models import Note
from .utils import search_term


def greet(request):
    name = request.GET.get("name", "")
    a = s.mark_safe("<b>%s</b>" % name)  # expect: DJG202
    b = mark_safe("<b>%s</b>" % escape(name))  # safe: DJG202
    c = format_html("<b>{}</b>", name)  # safe: DJG202
    d = format_html("<b>%s</b>" % name)  # expect: DJG202
    e = SafeString(f"<i>{name}</i>")  # expect: DJG202
    f = mark_safe(clean_html(name))  # safe: DJG202
    g = mark_safe(passthrough(name))  # expect: DJG202
    return render(request, "greet.html", {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g})


def raw_response(request):
    q = search_term(request)
    if not q:
        return HttpResponseBadRequest("<p>missing " + request.GET.get("field", "") + "</p>")  # expect: DJG202
    return HttpResponse("<h1>Results for %s</h1>" % q)  # expect: DJG202


def text_response(request):
    q = request.GET.get("q", "")
    return HttpResponse("Results for %s" % q, content_type="text/plain")  # safe: DJG202


def stored(request, pk):
    note = get_object_or_404(Note, pk=pk, owner=request.user)
    return HttpResponse("<h1>%s</h1>" % note.title)  # expect: DJG202


def stored_escaped(request, pk):
    note = get_object_or_404(Note, pk=pk, owner=request.user)
    return HttpResponse(format_html("<h1>{}</h1>", note.title))  # safe: DJG202


def mail(request):
    body = request.POST["body"]
    send_mail("Hi", body, "a@example.com", ["b@example.com"], html_message="<p>" + body + "</p>")  # expect: DJG202
    send_mail("Hi", body, "a@example.com", ["b@example.com"], html_message=format_html("<p>{}</p>", body))  # safe: DJG202
    return HttpResponse("ok")  # safe: DJG202


class Badge:
    # Django trusts __html__: conditional_escape(), templates and
    # format_html() insert what it returns as it is.
    def __init__(self, label, colour):
        self.label = label
        self.colour = colour

    def __html__(self):
        return f'<span class="badge {self.colour}">{self.label}</span>'  # expect: DJG202


class RawBadge:
    def __init__(self, markup):
        self.markup = markup

    def __html__(self):
        return self.markup  # expect: DJG202


class SafeBadge:
    def __init__(self, label):
        self.label = label

    def __html__(self):
        html = format_html('<span class="badge">{}</span>', self.label)
        return html  # safe: DJG202


class EscapedBadge:
    def __init__(self, label):
        self.label = label

    def __html__(self):
        out = "<span>"
        out += escape(self.label)
        return mark_safe(out + "</span>")  # safe: DJG202


class CountBadge:
    def __init__(self, n):
        self.n = n

    def __html__(self):
        return "<span>%d</span>" % int(self.n)  # safe: DJG202
