import hashlib
import hmac
import json
import logging
import random
import re
import secrets

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .models import Note

logger = logging.getLogger(__name__)

WEBHOOK_SECRET = "whsec_8f2d9a7c1b3e4f5a6b7c8d9e"  # expect: DJG220
PLACEHOLDER_TOKEN = "changeme"  # safe: DJG220
TOKEN_HEADER = "HTTP_X_TOKEN_VALUE_NAME"  # safe: DJG220


def note_detail(request, pk):
    note = get_object_or_404(Note, pk=pk)  # expect: DJG215
    return JsonResponse({"title": note.title})


@login_required
def note_detail_owned(request, pk):
    note = get_object_or_404(Note, pk=pk, owner=request.user)  # safe: DJG215
    return JsonResponse({"title": note.title})


@csrf_exempt  # expect: DJG213
def delete_note(request, pk):  # expect: DJG214
    Note.objects.filter(pk=pk).delete()  # expect: DJG215
    return HttpResponse(status=204)


@login_required  # safe: DJG213
@require_POST
def delete_note_safe(request, pk):  # safe: DJG214
    get_object_or_404(Note, pk=pk, owner=request.user).delete()  # safe: DJG215
    return HttpResponse(status=204)


def webhook(request):
    signature = request.headers.get("X-Signature", "")
    expected = hmac.new(settings.SECRET_KEY.encode(), request.body, hashlib.sha256).hexdigest()
    if signature == expected:  # expect: DJG219
        return HttpResponse("ok")
    if hmac.compare_digest(signature, expected):  # safe: DJG219
        return HttpResponse("ok")
    if request.headers.get("X-Api-Key") != settings.API_KEY:  # expect: DJG219
        return HttpResponse(status=403)
    if constant_time_compare(request.headers.get("X-Api-Key", ""), settings.API_KEY):  # safe: DJG219
        return HttpResponse("ok")
    if signature == "":  # safe: DJG219
        return HttpResponse(status=400)
    return HttpResponse(status=403)


def make_tokens(request):
    reset_token = hashlib.md5(str(request.user.pk).encode()).hexdigest()  # expect: DJG217
    checksum = hashlib.md5(b"static file contents").hexdigest()  # safe: DJG217
    etag = hashlib.sha1(b"x", usedforsecurity=False).hexdigest()  # safe: DJG217
    api_key = "".join(random.choice("abcdef0123456789") for _ in range(32))  # expect: DJG218
    colour = random.choice(["red", "green"])  # safe: DJG218
    session_key = secrets.token_urlsafe(32)  # safe: DJG218
    return JsonResponse({"r": reset_token, "c": checksum, "e": etag, "a": api_key, "o": colour, "s": session_key})


def login_view(request):
    username = request.POST.get("username", "")
    password = request.POST["password"]  # expect: DJG223
    logger.info("login for %s with password %s", username, password)  # expect: DJG212, DJG222
    logger.info("login attempt for %r", len(username))  # safe: DJG212, DJG222
    logger.debug("POST data: %s", request.POST)  # expect: DJG212, DJG222
    return HttpResponse("ok")


@sensitive_post_parameters("password")
def login_marked(request):
    password = request.POST["password"]  # safe: DJG223
    user = request.POST.get("username", "")
    logger.info("login attempt %s", user)  # expect: DJG212
    return HttpResponse(str(len(password)))


def cookies(request):
    response = HttpResponse("ok")
    response.set_cookie("theme", "dark")  # expect: DJG227
    response.set_cookie("theme", "dark", secure=True, httponly=True, samesite="Lax")  # safe: DJG227
    response.set_cookie("theme", "dark", secure=True, httponly=False, samesite="Lax")  # expect: DJG227
    return response


def search_regex(request):
    q = request.GET.get("q", "")
    m1 = re.search(q, "some text")  # expect: DJG225
    m2 = re.search(re.escape(q), "some text")  # safe: DJG225
    m3 = re.match(r"^(\w+\s?)*$", q)  # expect: DJG225
    m4 = re.match(r"^\w+$", q)  # safe: DJG225
    return JsonResponse({"a": bool(m1), "b": bool(m2), "c": bool(m3), "d": bool(m4)})


def listing(request):
    n = int(request.GET.get("n", "10"))
    items = [i for i in range(n)]  # expect: DJG226
    bounded = min(int(request.GET.get("n", "10")), 100)
    items2 = [i for i in range(bounded)]  # safe: DJG226
    per_page = int(request.GET.get("per_page", "20"))
    page = Paginator(Note.objects.all(), per_page).page(1)  # expect: DJG226
    page2 = Paginator(Note.objects.all(), 20).page(1)  # safe: DJG226
    limit = request.GET.get("limit", "10")
    rows = Note.objects.all()[: int(limit)]  # expect: DJG226
    return JsonResponse({"a": items, "b": items2, "c": len(page), "d": len(page2), "e": len(rows)})


def create(request):  # expect: DJG214
    note = Note(**request.POST.dict())  # expect: DJG216
    note.save()
    Note.objects.create(title=request.POST["title"], owner=request.user)  # safe: DJG216
    return HttpResponse("ok")


@login_required
def create_safe(request):  # safe: DJG214
    Note.objects.create(title=request.POST["title"], owner=request.user)
    return HttpResponse("ok")


def fetch_internal(request):
    import requests

    r = requests.get("https://internal.example.com/api", verify=False, timeout=5)  # expect: DJG221
    r2 = requests.get("https://internal.example.com/api", verify="/etc/ssl/ca.pem", timeout=5)  # safe: DJG221
    return HttpResponse(str(r.status_code + r2.status_code))


def upload(request):
    from django.core.files.storage import default_storage

    f = request.FILES["doc"]
    default_storage.save(f.name, f)  # expect: DJG224
    default_storage.save("uploads/" + secrets.token_hex(8), f)  # safe: DJG224
    return HttpResponse("ok")


@login_required
@require_POST
def ingest(request):
    data = json.loads(request.read())  # expect: DJG226
    chunk = request.read(65536)  # safe: DJG226
    body = json.loads(request.body)  # safe: DJG226
    return JsonResponse({"n": len(data) + len(chunk) + len(body)})
