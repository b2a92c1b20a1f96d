"""Settings shared by every environment of the notes site."""
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Left over from `startproject`, and committed.
SECRET_KEY = "django-insecure-7c1#r8p+u0u@!x9b^z3s$k2m(q5w_e4n&y6t*v1d%h8j0g=a2f"  # expect: DJG102

DEBUG = True  # overridden in production.py

ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "notes",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "mysite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "autoescape": False,  # expect: DJG141
            "debug": True,  # expect: DJG141
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "mysite.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "notes",
        "USER": "postgres",  # expect: DJG127
        "PASSWORD": "Sup3rSecret!",  # expect: DJG126
        "HOST": "db.internal",
        "PORT": "5432",
    }
}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",  # expect: DJG128
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = []  # expect: DJG129

SESSION_SERIALIZER = "django.contrib.sessions.serializers.PickleSerializer"  # expect: DJG130
SESSION_COOKIE_AGE = 60 * 60 * 24 * 90  # expect: DJG150

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "static" / "uploads"  # expect: DJG139

FILE_UPLOAD_PERMISSIONS = 0o666  # expect: DJG138
DATA_UPLOAD_MAX_MEMORY_SIZE = None  # expect: DJG137

# A file cache inside STATIC_ROOT: collectstatic serves it.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": BASE_DIR / "static" / "cache",  # expect: DJG123
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
