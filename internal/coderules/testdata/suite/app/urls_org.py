from django.urls import path

from . import views_team

urlpatterns = [
    path("summary/", views_team.org_summary),
]
