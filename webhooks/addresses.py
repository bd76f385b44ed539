"""Where a webhook may be sent: the public internet, and only the private
networks the operator names (``WEBHOOK_ALLOWED_NETWORKS``).

A clinic's web administrator types the URL, and the worker that POSTs to it
sits inside the installation's network, beside the database, Redis and the
object store: without this, an endpoint such as http://127.0.0.1:6379/ or
the cloud's metadata address would make the worker a way in. The check runs
when the endpoint is saved and again before each delivery (a name may
resolve elsewhere later); deliveries never follow redirects.
"""

import ipaddress
import socket
import urllib.request
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


@lru_cache(maxsize=8)
def _networks(names):
    return tuple(ipaddress.ip_network(name, strict=False) for name in names)


def allowed_networks():
    return _networks(tuple(settings.WEBHOOK_ALLOWED_NETWORKS))


def refusal(url):
    """Why ``url`` may not receive deliveries, or None if it may."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("Use an http:// or https:// address.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError):
        return _("%(host)s could not be found.") % {"host": parts.hostname}
    networks = allowed_networks()
    for *_ignored, address in found:
        ip = ipaddress.ip_address(address[0].split("%")[0])
        if ip.is_global or any(ip in network for network in networks):
            continue
        return _(
            "%(host)s is an address inside a private network (%(ip)s); "
            "webhooks go to public addresses only."
        ) % {"host": parts.hostname, "ip": ip}
    return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx is the answer, recorded as a failed attempt


opener = urllib.request.build_opener(_NoRedirects)
