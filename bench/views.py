"""The ceiling the harness compares every scenario with: a fixed response
through the same middleware and server, no database and no template.
Mounted by bench/urls.py, which only bench/settings.py uses."""

from django.http import HttpResponse

BODY = b"<!DOCTYPE html><title>bare</title><p>A fixed response.</p>"


def bare(request):
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")
