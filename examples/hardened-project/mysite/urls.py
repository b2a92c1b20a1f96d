import os

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

# The admin lives at an address given by the deployment, not at /admin/.
ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "staff-7f3c/")

urlpatterns = [
    path(ADMIN_PATH, admin.site.urls),
    path("", include("notes.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
