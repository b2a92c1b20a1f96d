from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

urlpatterns = [
    path("api-token-auth/", obtain_auth_token),  # expect: DJG145
    path("api-token-auth/<int:pk>/", obtain_auth_token),  # expect: DJG154
]
