#!/usr/bin/env python
"""The notes API: a second Django project deployed on its own."""
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apisite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
