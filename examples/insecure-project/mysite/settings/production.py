"""Production settings: imported by manage.py, wsgi.py and asgi.py."""
import os

from .base import *  # noqa: F401,F403

DEBUG = os.environ.get("DJANGO_DEBUG", "True") == "True"  # expect: DJG101, DJG125

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-key-please-change-me")  # expect: DJG102, DJG110

ALLOWED_HOSTS = ["notes.example.com", "*"]  # expect: DJG124

MIDDLEWARE += [  # expect: DJG104, DJG143
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.security.SecurityMiddleware",  # expect: DJG149
]

# HSTS only when the deployment says TLS is terminated in front of us.
# Neither SECURE_HSTS_INCLUDE_SUBDOMAINS nor SECURE_HSTS_PRELOAD is set.  # expect-file: DJG107, DJG116
SECURE_HSTS_SECONDS = 3600 if os.environ.get("DJANGO_BEHIND_TLS") else 0  # expect: DJG106, DJG140
SECURE_SSL_REDIRECT = False  # expect: DJG109
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # expect: DJG135
USE_X_FORWARDED_HOST = True  # expect: DJG136
SECURE_CONTENT_TYPE_NOSNIFF = False  # expect: DJG108
SECURE_REFERRER_POLICY = None if os.environ.get("DJANGO_NO_REFERRER_POLICY") else "same_origin"  # expect: DJG117, DJG118

SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"  # expect: DJG131
SESSION_COOKIE_SECURE = False  # expect: DJG111
SESSION_COOKIE_HTTPONLY = False  # expect: DJG112
SESSION_COOKIE_SAMESITE = "None"  # expect: DJG132
CSRF_COOKIE_SECURE = False  # expect: DJG113
CSRF_TRUSTED_ORIGINS = ["http://notes.example.com", "https://*.example.com"]  # expect: DJG134
LANGUAGE_COOKIE_SECURE = False  # expect: DJG133

X_FRAME_OPTIONS = "SAMEORIGIN"

# Django 3.2 only accepts sha1 or sha256 here.
DEFAULT_HASHING_ALGORITHM = "md5"  # expect: DJG121

EMAIL_HOST = "smtp.example.com"
EMAIL_HOST_USER = "notes@example.com"
EMAIL_HOST_PASSWORD = "mailpass-2024"  # expect: DJG126

INSTALLED_APPS += ["debug_toolbar"]  # expect: DJG148

# Left from a Jupyter experiment: turns off the ORM's async safety.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # expect: DJG122
