"""Every mistake the probe must find, as they happen in real deployments."""
from .settings_base import *  # noqa: F401,F403
from .settings_base import MIDDLEWARE

DEBUG = True
SESSION_COOKIE_HTTPONLY = False
SESSION_COOKIE_SAMESITE = None
CSRF_COOKIE_SAMESITE = None
SECURE_CONTENT_TYPE_NOSNIFF = False
SECURE_REFERRER_POLICY = None
MIDDLEWARE = [m for m in MIDDLEWARE if not m.endswith("XFrameOptionsMiddleware")]
# A third-party script over http: mixed content, and no Subresource Integrity.
PROBE_EXTRA_HEAD = '<script src="http://cdn.example.org/lib.js"></script>'
