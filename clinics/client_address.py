"""The visitor's address, for rate limits and the admin's login lockout
(django-axes reads it through ``AXES_CLIENT_IP_CALLABLE``).

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies every connection comes from
the nearest proxy, and each proxy appends the address it saw to
``X-Forwarded-For``; the visitor is the entry that many places from the right.
Entries further left are whatever the client sent and are never trusted.
(Our own: django-ipware is not a dependency, and this is all we need of it.)
"""

from django.conf import settings


def client_address(request):
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count:
        forwarded = [
            entry.strip()
            for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if entry.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")
