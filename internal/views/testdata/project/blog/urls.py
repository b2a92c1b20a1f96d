from django.urls import path

from . import views

urlpatterns = [
    path("", views.PostList.as_view()),
    path("<int:pk>/", views.PostDetail.as_view()),
    path("search/", views.search),
    path("tag/<str:tag>/", views.by_tag),
    path("about/", views.About.as_view()),
]
