from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from . import cbv, urls_org, views_access, views_sql, views_team

urlpatterns = [
    path("notes/<int:pk>/", views_access.note_detail),
    path("notes/<int:pk>/owned/", views_access.note_detail_owned),
    path("notes/<int:pk>/delete/", views_access.delete_note),
    path("notes/<int:pk>/delete-safe/", views_access.delete_note_safe),
    path("by-title/<str:title>/", views_sql.by_title),
    path("by-slug/<slug:slug>/", views_sql.by_slug),
    re_path(r"^tag/(?P<tag>[a-z0-9-]+)/$", views_sql.by_tag),
    re_path(r"^raw/(?P<term>[^/]+)/$", views_sql.by_term),
    path("hook/", csrf_exempt(views_access.webhook)),  # expect: DJG213
    path("create/", views_access.create),
    path("create-safe/", views_access.create_safe),
    path("cbv/<str:name>/", cbv.GreetView.as_view()),
    path("cbv/create/", cbv.NoteCreate.as_view()),
    path("cbv/create-safe/", cbv.NoteCreateSafe.as_view()),
    path("teams/<str:team>/", include("app.urls_team")),
    path("orgs/<str:org>/", include((urls_org, "orgs"))),
    path("labels/<str:label>/", include([path("", views_team.inline_label)])),
    path("numbers/<int:num>/", include([path("", views_team.numbered_label)])),
]
