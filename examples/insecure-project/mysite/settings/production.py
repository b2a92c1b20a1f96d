"""Production settings: imported by manage.py, wsgi.py and asgi.py."""
import os

from .base import *  # noqa: F401,F403

DEBUG = os.environ.get("DJANGO_DEBUG", "True") == "True"

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-key-please-change-me-0123456789abcdefghijklmnopqrstuv")

ALLOWED_HOSTS = ["notes.example.com", "*"]

MIDDLEWARE += [
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.security.SecurityMiddleware",
]

SECURE_HSTS_SECONDS = 3600
SECURE_SSL_REDIRECT = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = True

SESSION_COOKIE_SECURE = False
SESSION_COOKIE_SAMESITE = "None"
CSRF_COOKIE_SECURE = False
CSRF_TRUSTED_ORIGINS = ["http://notes.example.com", "https://*.example.com"]

X_FRAME_OPTIONS = "SAMEORIGIN"

EMAIL_HOST = "smtp.example.com"
EMAIL_HOST_USER = "notes@example.com"
EMAIL_HOST_PASSWORD = "mailpass-2024"

INSTALLED_APPS += ["debug_toolbar"]
