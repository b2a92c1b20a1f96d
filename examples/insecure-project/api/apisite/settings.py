"""Settings of the notes API, a separate deployment on Django 4.2."""
import os

SECRET_KEY = os.environ["API_SECRET_KEY"]
SECRET_KEY_FALLBACKS = ["old-api-key"]  # expect: DJG102, DJG120

DEBUG = False
ALLOWED_HOSTS = []  # expect: DJG115

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework.authtoken",
    "corsheaders",
    "csp",
]

BASE_MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# The API gateway adds the security headers, so some deployments drop SecurityMiddleware.
MIDDLEWARE = BASE_MIDDLEWARE if os.environ.get("API_BEHIND_GATEWAY") else ["django.middleware.security.SecurityMiddleware"] + BASE_MIDDLEWARE  # expect: DJG103, DJG105

ROOT_URLCONF = "apisite.urls"

SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same_origin"  # expect: DJG119
X_FRAME_OPTIONS = "SAMEORIGIN"  # expect: DJG114
CSRF_TRUSTED_ORIGINS = ["api.example.com"]  # expect: DJG134

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

CORS_ALLOW_ALL_ORIGINS = True  # expect: DJG142
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://.*\.example\.com$"]  # expect: DJG142

CSP_DEFAULT_SRC = ("'none'",)
CSP_SCRIPT_SRC = ("'self'", "'unsafe-inline'")  # expect: DJG144

REST_FRAMEWORK = {  # expect: DJG147
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.AllowAny",  # expect: DJG146
    ],
}
