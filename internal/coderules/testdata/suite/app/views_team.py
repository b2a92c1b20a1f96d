from django.db import connection
from django.http import JsonResponse


def team_report(request, team):
    # team comes from the including pattern <str:team> in urls.py.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM app_team WHERE name = '%s'" % team)  # expect: DJG201
        rows = cursor.fetchall()
    return JsonResponse({"n": len(rows)})


def team_year(request, team, year):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM app_team WHERE year = %s" % year)  # safe: DJG201
        cursor.execute("SELECT * FROM app_team WHERE name = %s", [team])  # safe: DJG201
        rows = cursor.fetchall()
    return JsonResponse({"n": len(rows)})


def org_summary(request, org):
    # Included as a module object under "orgs/<str:org>/".
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM app_org WHERE name = '" + org + "'")  # expect: DJG201
        rows = cursor.fetchall()
    return JsonResponse({"n": len(rows)})


def inline_label(request, label):
    # Included as an inline list under "labels/<str:label>/".
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM app_label WHERE name = '{label}'")  # expect: DJG201
        rows = cursor.fetchall()
    return JsonResponse({"n": len(rows)})


def numbered_label(request, num):
    # Included as an inline list under "numbers/<int:num>/".
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM app_label WHERE num = {num}")  # safe: DJG201
        rows = cursor.fetchall()
    return JsonResponse({"n": len(rows)})
