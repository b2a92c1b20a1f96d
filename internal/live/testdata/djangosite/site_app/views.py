from django.conf import settings
from django.middleware.csrf import get_token
from django.shortcuts import render


def home(request):
    # A real session and a CSRF cookie, as most Django sites set on the home page.
    request.session["visits"] = request.session.get("visits", 0) + 1
    get_token(request)
    extra = getattr(settings, "PROBE_EXTRA_HEAD", "")
    return render(request, "home.html", {"visits": request.session["visits"], "extra_head": extra})
