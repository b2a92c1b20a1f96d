import importlib
import os
import pickle
import shlex
import subprocess
import xml.etree.ElementTree as ET
from urllib.request import urlopen

import requests
import yaml
from defusedxml import ElementTree as SafeET
from django.conf import settings
from django.contrib.sessions.serializers import PickleSerializer
from django.core import signing
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.template import Template
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import get_valid_filename
from lxml import etree

from .utils import safe_next

ALLOWED_HOSTS_FOR_PREVIEW = {"example.com", "docs.example.com"}
REPORTS = {"daily": "daily.csv", "weekly": "weekly.csv"}


def go(request):
    nxt = request.GET.get("next", "/")
    if request.GET.get("a"):
        return redirect(nxt)  # expect: DJG203
    if request.GET.get("b"):
        return HttpResponseRedirect(safe_next(request, nxt))  # safe: DJG203
    if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)  # safe: DJG203
    if request.GET.get("c"):
        return redirect(reverse("home") + "?tab=" + nxt)  # safe: DJG203
    if request.GET.get("d"):
        return redirect(f"/search/?q={nxt}")  # safe: DJG203
    if request.GET.get("e"):
        return redirect("https://" + nxt)  # expect: DJG203
    return redirect(reverse("home"))  # safe: DJG203


def go_checked(request):
    nxt = request.POST.get("next")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts=None):
        nxt = "/"
    return redirect(nxt)  # safe: DJG203


def run_cmd(request):
    name = request.GET["name"]
    os.system("convert " + name)  # expect: DJG204
    subprocess.run("ls " + name, shell=True)  # expect: DJG204
    subprocess.run(["ls", name])  # safe: DJG204
    subprocess.run("ls " + shlex.quote(name), shell=True)  # safe: DJG204
    subprocess.run([name, "-l"])  # expect: DJG204
    out = subprocess.check_output(["ls", "-l"])  # safe: DJG204
    return HttpResponse(out, content_type="text/plain")


def calc(request):
    expr = request.GET["expr"]
    value = eval(expr)  # expect: DJG205
    other = eval("1 + 2")  # safe: DJG205
    mod = importlib.import_module(request.GET["mod"])  # expect: DJG205
    exec(compile("x = 1", "<s>", "exec"))  # safe: DJG205
    return JsonResponse({"v": value, "o": other, "m": str(mod)})


def export_daily(request):
    return HttpResponse("daily")


def dispatch(request):
    handler = globals()["export_" + request.GET["kind"]]  # expect: DJG205
    fixed = globals()["export_daily"]  # safe: DJG205
    chosen = globals()[REPORT_HANDLERS.get(request.GET["kind"], "export_daily")]  # safe: DJG205
    return handler(request) if fixed and chosen else fixed(request)


REPORT_HANDLERS = {"daily": "export_daily"}


def page(request):
    title = request.GET.get("title", "")
    t = Template("<h1>" + title + "</h1>")  # expect: DJG206
    t2 = Template("<h1>{{ title }}</h1>")  # safe: DJG206
    return HttpResponse(t.render({}) + t2.render({"title": title}))


def prefs(request):
    data = pickle.loads(bytes.fromhex(request.COOKIES["prefs"]))  # expect: DJG207
    conf = yaml.load(request.body, Loader=yaml.SafeLoader)  # safe: DJG207
    conf2 = yaml.safe_load(request.body)  # safe: DJG207
    with open("/etc/app/defaults.yaml") as f:
        defaults = yaml.load(f, Loader=yaml.Loader)  # expect: DJG207
    cached = pickle.loads(settings.CACHED_BLOB)  # expect: DJG207
    return JsonResponse({"d": data, "c": conf, "c2": conf2, "x": defaults, "y": cached})


def remembered(request):
    cart = signing.loads(request.COOKIES["cart"], serializer=PickleSerializer)  # expect: DJG207
    cart2 = signing.loads(request.COOKIES["cart"])  # safe: DJG207
    cart3 = signing.loads(request.COOKIES["cart"], serializer=signing.JSONSerializer)  # safe: DJG207
    return JsonResponse({"c": cart, "c2": cart2, "c3": cart3})


def download(request):
    name = request.GET["file"]
    path = os.path.join(settings.MEDIA_ROOT, name)
    f1 = open(path, "rb")  # expect: DJG208
    f2 = open(os.path.join(settings.MEDIA_ROOT, os.path.basename(name)), "rb")  # safe: DJG208
    f3 = open(os.path.join(settings.MEDIA_ROOT, get_valid_filename(name)), "rb")  # safe: DJG208
    f4 = open(os.path.join(settings.MEDIA_ROOT, REPORTS.get(name, "daily.csv")), "rb")  # safe: DJG208
    os.remove(settings.MEDIA_ROOT + "/" + name)  # expect: DJG208
    return FileResponse(f1 if f2 and f3 else f4)


def preview(request):
    url = request.GET["url"]
    r1 = requests.get(url, timeout=5)  # expect: DJG209
    r2 = urlopen(url)  # expect: DJG209
    r3 = requests.post("https://api.example.com/hook", json={"url": url}, timeout=5)  # safe: DJG209
    host = request.GET["host"]
    if host in ALLOWED_HOSTS_FOR_PREVIEW:
        r4 = requests.get("https://" + host + "/", timeout=5)  # safe: DJG209
    return JsonResponse({"a": r1.status_code, "b": r2.status, "c": r3.status_code, "d": r4.status_code})


def upload_xml(request):
    root = ET.fromstring(request.body)  # expect: DJG210
    root2 = etree.fromstring(request.body)  # expect: DJG210
    root3 = SafeET.fromstring(request.body)  # safe: DJG210
    parser = etree.XMLParser()  # expect: DJG210
    parser2 = etree.XMLParser(resolve_entities=False)  # safe: DJG210
    return JsonResponse({"a": root.tag, "b": root2.tag, "c": root3.tag, "p": str(parser), "q": str(parser2)})


def export(request):
    name = request.GET["name"]
    response = HttpResponse("data", content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="%s.csv"' % name  # expect: DJG211
    response["X-Report"] = "static"  # safe: DJG211
    response["X-Count"] = str(len(name))  # safe: DJG211
    return response


def go_query(request):
    nxt = request.GET.get("next", "")
    if request.GET.get("a"):
        return redirect("%s?next=%s" % (reverse("login"), nxt))  # safe: DJG203
    if request.GET.get("b"):
        return redirect(reverse("login") + "?next=" + nxt)  # safe: DJG203
    if request.GET.get("c"):
        return redirect("%s?page=1" % nxt)  # expect: DJG203
    if request.GET.get("d"):
        return redirect(nxt + "?page=1")  # expect: DJG203
    if request.GET.get("e"):
        return redirect(request.get_full_path())  # safe: DJG203
    return redirect(f"{nxt}#top")  # expect: DJG203


def run_list(request):
    name = request.GET["name"]
    cmd = ["ls", "-l", name]
    subprocess.run(cmd)  # safe: DJG204
    subprocess.run(cmd, shell=True)  # expect: DJG204
    return HttpResponse("ok")
