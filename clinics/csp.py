"""django-csp's middleware with each policy header built once per process.

Why our own subclass: django-csp 4 rebuilds both headers from settings for
every response (a deep copy of the settings and a walk of every directive,
about 35 µs, a quarter of what a small response costs in this process), yet
the policy only changes with the settings, with a view's own ``@csp_update``,
``@csp_replace`` or ``@csp`` decorators, and with the nonce. Here the header
for "settings, with or without a nonce" is built once, with a placeholder in
the nonce's place, and a response gets a copy with its own nonce. Responses a
decorator customised go through django-csp unchanged, and a settings change
(tests' ``override_settings``) rebuilds the headers.
"""

import functools

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed

# base64 never contains these characters, so it cannot collide with a nonce.
NONCE_PLACEHOLDER = "<nonce>"
# Response attributes django-csp's decorators set.
CUSTOMISED = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
POLICIES = (
    # (header, setting, response attribute that exempts it, report only)
    (HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt", False),
    (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro", True),
)


@functools.cache
def policy_headers(with_nonce):
    """(header, value with the nonce placeholder, excluded path prefixes, the
    exempting attribute) for each policy the settings define."""
    headers = []
    for header, setting, exempt, report_only in POLICIES:
        value = build_policy(
            nonce=NONCE_PLACEHOLDER if with_nonce else None, report_only=report_only
        )
        if value:
            policy = getattr(settings, setting, None) or {}
            excluded = tuple(policy.get("EXCLUDE_URL_PREFIXES", None) or ())
            headers.append((header, value, excluded, exempt))
    return tuple(headers)


def forget_policy_headers(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        policy_headers.cache_clear()


setting_changed.connect(forget_policy_headers, dispatch_uid="clinic_csp_headers")


class ClinicCSPMiddleware(CSPMiddleware):
    """Drop-in for ``csp.middleware.CSPMiddleware``, with the same rules
    (DEBUG 404/500 pages, exempt responses, excluded prefixes, a header a
    view already set, the nonce unavailable after the header is written)."""

    def process_response(self, request, response):
        if any(getattr(response, name, None) is not None for name in CUSTOMISED):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response
        nonce = getattr(request, "_csp_nonce", None)
        for header, value, excluded, exempt in policy_headers(nonce is not None):
            if (
                header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(excluded)
            ):
                response[header] = (
                    value.replace(NONCE_PLACEHOLDER, nonce) if nonce else value
                )
        if nonce is None:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
