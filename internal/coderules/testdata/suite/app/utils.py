from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme


def passthrough(value):
    return value.strip()


def to_int(value):
    return int(value)


def clean_html(value):
    return escape(value)


def safe_next(request, candidate):
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return "/"


def search_term(request):
    return request.GET.get("q", "")
