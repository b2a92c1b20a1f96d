import hashlib
import logging
import os
import pickle
import random
import subprocess

import requests
import yaml
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.db import connection
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import CreateView, ListView

from .forms import NoteForm
from .models import Note

logger = logging.getLogger(__name__)

API_TOKEN = "sk_live_51HxQ2kLmN8pQrStUvWxYz0123456789abcdef"


class NoteListView(ListView):
    model = Note
    template_name = "notes/note_list.html"

    def get_queryset(self):
        order = self.request.GET.get("order", "created")
        return Note.objects.raw("SELECT * FROM notes_note ORDER BY %s" % order)


class NoteCreateView(CreateView):
    form_class = NoteForm
    template_name = "notes/note_form.html"
    success_url = "/"


def note_detail(request, pk):
    note = get_object_or_404(Note, pk=pk)
    return render(request, "notes/note_detail.html", {"note": note})


@csrf_exempt
def delete_note(request, pk):
    Note.objects.filter(pk=pk).delete()
    return redirect(request.GET.get("next", "/"))


def search(request):
    q = request.GET.get("q", "")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, title FROM notes_note WHERE title LIKE '%{q}%'")
        rows = cursor.fetchall()
    return render(request, "notes/search.html", {"q": q, "rows": rows, "banner": mark_safe("Results for " + q)})


def export_notes(request):
    fmt = request.GET.get("format", "csv")
    out = subprocess.check_output("export-notes --format " + fmt, shell=True)
    if request.COOKIES.get("prefs"):
        prefs = pickle.loads(bytes.fromhex(request.COOKIES["prefs"]))
        logger.info("export prefs %s", prefs)
    return HttpResponse(out)


def download(request):
    name = request.GET["file"]
    return FileResponse(open(os.path.join(settings.MEDIA_ROOT, name), "rb"))


def preview_link(request):
    url = request.GET["url"]
    page = requests.get(url, timeout=5, verify=False)
    return HttpResponse("<h1>Preview</h1>" + page.text[:500])


def login_view(request):
    if request.method == "POST":
        username = request.POST["username"]
        password = request.POST["password"]
        logger.info("login attempt for %s with password %s", username, password)
        user = authenticate(request, username=username, password=password)
        if user is not None:
            login(request, user)
            response = HttpResponseRedirect(request.POST.get("next", "/"))
            response.set_cookie("last_login_user", username)
            return response
    return render(request, "notes/login.html")


@csrf_exempt
def api_create_note(request):
    if request.headers.get("X-Api-Token") == API_TOKEN:
        data = yaml.load(request.body, Loader=yaml.Loader)
        note = Note(**data)
        note.share_token = hashlib.md5(str(random.random()).encode()).hexdigest()
        note.save()
        return JsonResponse({"id": note.pk, "token": note.share_token})
    return JsonResponse({"error": "forbidden"}, status=403)


def shared_note(request, token):
    note = Note.objects.extra(where=["share_token = '%s'" % token]).first()
    return HttpResponse("<h1>%s</h1><div>%s</div>" % (note.title, note.body))
