"""The project's own database helpers: a wrapper around cursor.execute."""
from django.db import connection


def run_query(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def run_query_twice_removed(sql):
    return run_query(sql)


def safe_lookup(title):
    return run_query("SELECT id FROM app_note WHERE title = %s", [title])


def quote_ident(name):
    return '"' + name.replace('"', '""') + '"'
