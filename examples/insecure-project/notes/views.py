import hashlib
import logging
import os
import pickle
import random
import re
import subprocess
import xml.etree.ElementTree as ET

import requests
import yaml
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.db import connection
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import Context, Template
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import CreateView, ListView

from .forms import NoteForm
from .models import Note

logger = logging.getLogger(__name__)

API_TOKEN = "sk_live_51HxQ2kLmN8pQrStUvWxYz0123456789abcdef"  # expect: DJG220


class NoteListView(ListView):
    model = Note
    template_name = "notes/note_list.html"

    def get_queryset(self):
        order = self.request.GET.get("order", "created")
        return Note.objects.raw("SELECT * FROM notes_note ORDER BY %s" % order)  # expect: DJG201


class NoteCreateView(CreateView):  # expect: DJG214
    form_class = NoteForm
    template_name = "notes/note_form.html"
    success_url = "/"


def note_detail(request, pk):
    note = get_object_or_404(Note, pk=pk)  # expect: DJG215
    return render(request, "notes/note_detail.html", {"note": note})


@csrf_exempt  # expect: DJG213
def delete_note(request, pk):  # expect: DJG214
    Note.objects.filter(pk=pk).delete()  # expect: DJG215
    return redirect(request.GET.get("next", "/"))  # expect: DJG203


def search(request):
    q = request.GET.get("q", "")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, title FROM notes_note WHERE title LIKE '%{q}%'")  # expect: DJG201
        rows = cursor.fetchall()
    return render(request, "notes/search.html", {"q": q, "rows": rows, "banner": mark_safe("Results for " + q)})  # expect: DJG202


def export_notes(request):
    fmt = request.GET.get("format", "csv")
    out = subprocess.check_output("export-notes --format " + fmt, shell=True)  # expect: DJG204
    if request.COOKIES.get("prefs"):
        prefs = pickle.loads(bytes.fromhex(request.COOKIES["prefs"]))  # expect: DJG207
        logger.info("export prefs %s", prefs)  # expect: DJG212
    return HttpResponse(out)


def download(request):
    name = request.GET["file"]
    return FileResponse(open(os.path.join(settings.MEDIA_ROOT, name), "rb"))  # expect: DJG208


def preview_link(request):
    url = request.GET["url"]
    page = requests.get(url, timeout=5, verify=False)  # expect: DJG209, DJG221
    return HttpResponse("<h1>Preview</h1>" + page.text[:500])  # expect: DJG202


def login_view(request):
    if request.method == "POST":
        username = request.POST["username"]
        password = request.POST["password"]  # expect: DJG223
        logger.info("login attempt for %s with password %s", username, password)  # expect: DJG212, DJG222
        user = authenticate(request, username=username, password=password)
        if user is not None:
            login(request, user)
            response = HttpResponseRedirect(request.POST.get("next", "/"))  # expect: DJG203
            response.set_cookie("last_login_user", username)  # expect: DJG227
            return response
    return render(request, "notes/login.html")


@csrf_exempt  # expect: DJG213
def api_create_note(request):
    if request.headers.get("X-Api-Token") == API_TOKEN:  # expect: DJG219
        data = yaml.load(request.body, Loader=yaml.Loader)  # expect: DJG207
        note = Note(**data)  # expect: DJG216
        note.share_token = hashlib.md5(str(random.random()).encode()).hexdigest()  # expect: DJG217, DJG218
        note.save()
        return JsonResponse({"id": note.pk, "token": note.share_token})
    return JsonResponse({"error": "forbidden"}, status=403)


def shared_note(request, token):
    note = Note.objects.extra(where=["share_token = '%s'" % token]).first()  # expect: DJG201
    return HttpResponse("<h1>%s</h1><div>%s</div>" % (note.title, note.body))  # expect: DJG202


def calculate(request):
    expr = request.GET.get("expr", "0")
    return JsonResponse({"result": eval(expr)})  # expect: DJG205


def greeting(request):
    name = request.GET.get("name", "")
    return HttpResponse(Template("<p>Hello " + name + "</p>").render(Context()))  # expect: DJG206


def import_preview(request):
    root = ET.fromstring(request.body)  # expect: DJG210
    return JsonResponse({"titles": [el.text for el in root.iter("title")]})


def export_csv(request):
    name = request.GET.get("name", "notes")
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="%s.csv"' % name  # expect: DJG211
    return response


def filter_notes(request):
    pattern = request.GET.get("pattern", "")
    limit = int(request.GET.get("limit", "50"))
    notes = Note.objects.filter(is_public=True)[:limit]  # expect: DJG226
    return JsonResponse({"ids": [n.pk for n in notes if re.search(pattern, n.title)]})  # expect: DJG225
