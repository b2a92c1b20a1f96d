from django.urls import path

from . import views

urlpatterns = [
    path("", views.NoteListView.as_view(), name="note-list"),
    path("notes/<uuid:pk>/", views.note_detail, name="note-detail"),
    path("notes/<uuid:pk>/delete/", views.delete_note, name="note-delete"),
    path("notes/new/", views.NoteCreateView.as_view(), name="note-create"),
    path("search/", views.search, name="search"),
    path("export/", views.export_notes, name="export"),
    path("download/<uuid:pk>/", views.download, name="download"),
    path("login/", views.login_view, name="login"),
    path("share/<slug:token>/", views.shared_note, name="shared-note"),
]
