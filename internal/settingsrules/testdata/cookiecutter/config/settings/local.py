from .base import *  # noqa
from .base import INSTALLED_APPS, MIDDLEWARE, env

DEBUG = True
SECRET_KEY = env("DJANGO_SECRET_KEY", default="mLtVn5xgqS7Zj4lhT3cO0YvR8PwE2uKaQiDbN6fJ1sH9yGzXpW")
ALLOWED_HOSTS = ["localhost", "0.0.0.0", "127.0.0.1"]
INSTALLED_APPS += ["debug_toolbar", "django_extensions"]
MIDDLEWARE += ["debug_toolbar.middleware.DebugToolbarMiddleware"]
EMAIL_HOST = env("EMAIL_HOST", default="mailpit")
