"""Print Django's own lexing of stdin as JSON, with byte offsets.

Used by lexer_test.go to compare our lexer with Django's DebugLexer.
"""
import json
import sys

import django
from django.conf import settings

settings.configure()
from django.template.base import DebugLexer  # noqa: E402

src = sys.stdin.buffer.read().decode("utf-8")
out = []
for t in DebugLexer(src).tokenize():
    start, end = t.position
    bstart = len(src[:start].encode("utf-8"))
    bend = bstart + len(src[start:end].encode("utf-8"))
    out.append([t.token_type.name, t.contents, bstart, bend])
json.dump(out, sys.stdout)
print("django", django.get_version(), file=sys.stderr)
