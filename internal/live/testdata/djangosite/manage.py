#!/usr/bin/env python3
"""The djangoguard probe's test site: a tiny real Django project."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_app.settings_hardened")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
