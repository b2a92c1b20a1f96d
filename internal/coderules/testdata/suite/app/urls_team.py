from django.urls import path

from . import views_team

# Included from urls.py under "teams/<str:team>/": the views below also
# receive team, captured by the including pattern.
urlpatterns = [
    path("report/", views_team.team_report),
    path("<int:year>/", views_team.team_year),
]
