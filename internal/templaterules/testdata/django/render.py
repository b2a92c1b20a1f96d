"""Render Django templates given as a JSON list on stdin; print a JSON list
of outputs ("!error: ..." when rendering raises). Used by filters_test.go
to check what djangoguard assumes about Django's filters."""
import json
import sys

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
)
django.setup()
from django.template import engines  # noqa: E402

engine = engines["django"]
req = json.load(sys.stdin)
out = []
for src in req["templates"]:
    try:
        out.append(engine.from_string(src).render(req["context"]))
    except Exception as e:  # noqa: BLE001 - any failure is an answer
        out.append("!error: %s" % e)
json.dump(out, sys.stdout)
