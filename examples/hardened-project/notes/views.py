import logging
import secrets
import subprocess

from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, ListView

from .forms import NoteForm
from .models import Note

logger = logging.getLogger(__name__)

ALLOWED_ORDERS = {"created": "created", "title": "title", "-created": "-created"}
EXPORT_FORMATS = {"csv", "json"}


def safe_next(request, candidate):
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


class NoteListView(LoginRequiredMixin, ListView):
    template_name = "notes/note_list.html"

    def get_queryset(self):
        order = ALLOWED_ORDERS.get(self.request.GET.get("order", ""), "created")
        return Note.objects.filter(owner=self.request.user).order_by(order)


class NoteCreateView(LoginRequiredMixin, CreateView):
    form_class = NoteForm
    template_name = "notes/note_form.html"
    success_url = "/"

    def form_valid(self, form):
        form.instance.owner = self.request.user
        form.instance.share_token = secrets.token_urlsafe(32)
        return super().form_valid(form)


@login_required
def note_detail(request, pk):
    note = get_object_or_404(Note, pk=pk, owner=request.user)
    return render(request, "notes/note_detail.html", {"note": note})


@login_required
@require_POST
def delete_note(request, pk):
    get_object_or_404(Note, pk=pk, owner=request.user).delete()
    return redirect(safe_next(request, request.POST.get("next")))


@login_required
def search(request):
    q = request.GET.get("q", "")
    notes = Note.objects.filter(owner=request.user, title__icontains=q)[:50]
    banner = format_html("Results for <b>{}</b>", q)
    return render(request, "notes/search.html", {"q": q, "notes": notes, "banner": banner})


@login_required
def export_notes(request):
    fmt = request.GET.get("format", "csv")
    if fmt not in EXPORT_FORMATS:
        fmt = "csv"
    out = subprocess.run(["export-notes", "--format", fmt, "--user", str(request.user.pk)],
                         capture_output=True, check=True, timeout=30)
    return FileResponse(iter([out.stdout]), as_attachment=True, filename=f"notes.{fmt}")


@login_required
def download(request, pk):
    note = get_object_or_404(Note, pk=pk, owner=request.user)
    return FileResponse(note.attachment.open("rb"), as_attachment=True)


@sensitive_post_parameters("password")
def login_view(request):
    if request.method == "POST":
        username = request.POST.get("username", "")
        user = authenticate(request, username=username, password=request.POST.get("password", ""))
        if user is not None:
            login(request, user)
            logger.info("login succeeded for user id %s", user.pk)
            return HttpResponseRedirect(safe_next(request, request.POST.get("next")))
        logger.info("login failed")
    return render(request, "notes/login.html")


def shared_note(request, token):
    note = get_object_or_404(Note, share_token=token, is_public=True)
    return render(request, "notes/note_detail.html", {"note": note})
