from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),  # expect: DJG145, DJG151
    path("__debug__/", include("debug_toolbar.urls")),  # expect: DJG153
    path("", include("notes.urls")),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)  # expect: DJG152
