from django.urls import path, re_path

from . import views

urlpatterns = [
    path("", views.NoteListView.as_view(), name="note-list"),
    path("notes/<int:pk>/", views.note_detail, name="note-detail"),
    path("notes/<int:pk>/delete/", views.delete_note, name="note-delete"),
    path("notes/new/", views.NoteCreateView.as_view(), name="note-create"),
    path("search/", views.search, name="search"),
    path("export/", views.export_notes, name="export"),
    path("download/", views.download, name="download"),
    path("preview/", views.preview_link, name="preview"),
    path("login/", views.login_view, name="login"),
    path("api/notes/", views.api_create_note, name="api-notes"),
    path("calc/", views.calculate, name="calculate"),
    path("greeting/", views.greeting, name="greeting"),
    path("import/", views.import_preview, name="import-preview"),
    path("export.csv", views.export_csv, name="export-csv"),
    path("filter/", views.filter_notes, name="filter"),
    re_path(r"^share/(?P<token>[^/]+)/$", views.shared_note, name="shared-note"),
]
