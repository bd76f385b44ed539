"""A database outage answers 503 with Retry-After, not a 500 stack trace.

Django has nothing for this: an OperationalError from a view becomes the
generic 500, which tells clients and caches the fault is ours and permanent.
A 503 with Retry-After tells browsers, crawlers and front-ends to come back
shortly, and the page says so in plain words without any detail of the fault.
Django closes the broken connection at the end of the request, and
CONN_HEALTH_CHECKS reconnects on the next one once the database is back.
"""

import contextlib
import logging

from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject, empty

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
MESSAGE = "The service is briefly unavailable. Please try again in a few seconds."

# Self-contained on purpose: no template, settings or database lookup, any of
# which could fail in the same outage.
PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Back in a moment</title>
</head>
<body>
<main>
<h1>Back in a moment</h1>
<p>{MESSAGE}</p>
</main>
</body>
</html>
"""


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "Database unavailable, answering 503 to %s %s: %s: %s",
            request.method,
            request.path,
            type(exception).__name__,
            exception,
        )
        if request.path.startswith("/api/"):
            response = JsonResponse({"message": MESSAGE}, status=503)
        else:
            response = HttpResponse(PAGE, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        add_never_cache_headers(response)
        return response


class ClinicSiteMiddleware:
    """Finds the request's clinic from the cached Sites (boundary.request_site)
    before Wagtail's serve view would query the database for it. Only for the
    views that serve a clinic's pages or API; a view that needs no clinic
    (static files, health checks) costs nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from .boundary import API_PATH_PREFIX, read_cached_lists, request_site

        match = request.resolver_match
        if request.path.startswith(API_PATH_PREFIX) or (
            match is not None and match.url_name == "wagtail_serve"
        ):
            read_cached_lists()
            # In an outage the view looks again and meets it where
            # DatabaseUnavailableMiddleware answers it.
            with contextlib.suppress(OperationalError, InterfaceError):
                request_site(request)


class LazyMessageMiddleware(MessageMiddleware):
    """Django's messages, with the storage built only when something reads or
    adds a message. Django's middleware builds it (a cookie signer and two
    backends) on every request, which is a tenth of what an anonymous public
    GET costs through the middleware; most of them never touch messages.
    Nothing changes for a request that does: the first access builds the
    same storage, and the response stores it as Django's would."""

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = getattr(request, "_messages", None)
        # Untouched storage: Django's update() would store nothing either.
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)
