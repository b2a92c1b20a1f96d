from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.http import HttpResponse
from django.views import View
from django.views.generic import CreateView, DetailView, TemplateView

from .forms import NoteSafeForm, SearchForm
from .models import Note


class GreetView(View):
    def get(self, request, *args, **kwargs):
        name = self.kwargs["name"]
        other = kwargs.get("name")
        r1 = HttpResponse("<p>Hello %s</p>" % name)  # expect: DJG202
        r2 = HttpResponse("<p>Hello %s</p>" % other)  # expect: DJG202
        return r1 if r2 else r1

    def post(self, request, *args, **kwargs):
        form = SearchForm(request.POST)
        if form.is_valid():
            limit = form.cleaned_data["limit"]
            q = form.cleaned_data["q"]
            with connection.cursor() as c:
                c.execute("SELECT * FROM app_note LIMIT %d" % limit)  # safe: DJG201
                c.execute("SELECT * FROM app_note WHERE title = '%s'" % q)  # expect: DJG201
        return HttpResponse("ok")

    def put(self, request, *args, **kwargs):
        raw = request.read()  # expect: DJG226
        again = self.request.read()  # expect: DJG226
        part = request.read(1024)  # safe: DJG226
        return HttpResponse(str(len(raw) + len(again) + len(part)))


class Helper:
    def __init__(self, request):
        self.request = request

    def term(self):
        return self.request.GET.get("term", "")


class SearchView(TemplateView):
    template_name = "search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        term = Helper(self.request).term()
        with connection.cursor() as c:
            c.execute("SELECT * FROM app_note WHERE title = '" + term + "'")  # expect: DJG201
        context["term"] = term
        return context

    def get_queryset(self):
        return Note.objects.raw("SELECT * FROM app_note ORDER BY " + self.request.GET["o"])  # expect: DJG201


class NoteCreate(CreateView):  # expect: DJG214
    model = Note
    form_class = NoteSafeForm


class NoteCreateSafe(LoginRequiredMixin, CreateView):  # safe: DJG214
    model = Note
    form_class = NoteSafeForm


class NoteDetail(DetailView):  # safe: DJG214
    model = Note


class NoteUpdate(LoginRequiredMixin, CreateView):
    model = Note
    form_class = NoteSafeForm

    def form_valid(self, form):
        title = form.cleaned_data["title"]
        owner = form.cleaned_data["owner"]
        with connection.cursor() as c:
            c.execute("UPDATE app_note SET title = '%s'" % title)  # expect: DJG201
            c.execute("UPDATE app_note SET owner_id = %s" % owner.pk)  # safe: DJG201
        return super().form_valid(form)
