"""clinics.csp builds django-csp's headers once per process: every answer must
carry exactly the headers django-csp itself would give it."""

import itertools

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE, SELF
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from clinics.csp import ClinicCSPMiddleware

REPORT_ONLY = {"DIRECTIVES": {"default-src": [SELF], "script-src": [SELF, NONCE]}}


def answer(middleware_class, case, nonce):
    path, use_nonce, exempt, preset, customised, status = case
    request = RequestFactory().get(path)
    middleware = middleware_class(lambda request: None)
    middleware.process_request(request)
    if use_nonce:
        # The same nonce on both sides, so the headers can be compared.
        request._csp_nonce = nonce
    response = HttpResponse("page", status=status)
    if exempt:
        response._csp_exempt = True
    if preset:
        response[HEADER] = "default-src 'none'"
    if customised:
        response._csp_update = {"img-src": ["https://images.example"]}
    response = middleware.process_response(request, response)
    return {name: response.get(name) for name in (HEADER, HEADER_REPORT_ONLY)}, request


CASES = list(
    itertools.product(
        ["/treatments/prolotherapy/", "/admin/pages/", "/django-admin/"],
        [False, True],  # the page used the nonce
        [False, True],  # the view exempted itself
        [False, True],  # the view set its own header
        [False, True],  # a decorator changed the policy
        [200, 404],
    )
)


@pytest.mark.parametrize("report_only", [False, True])
@pytest.mark.parametrize("debug", [False, True])
def test_every_answer_gets_django_csps_own_headers(settings, report_only, debug):
    settings.DEBUG = debug
    if report_only:
        settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = REPORT_ONLY
    for number, case in enumerate(CASES):
        nonce = f"bm9uY2U{number}"
        ours, request = answer(ClinicCSPMiddleware, case, nonce)
        theirs, _ = answer(CSPMiddleware, case, nonce)
        assert ours == theirs, case
        if not case[1] and not (debug and case[-1] == 404):
            # As django-csp: a nonce asked for after the header is written
            # could never be in it.
            with pytest.raises(Exception, match="not available"):
                str(request.csp_nonce)


def test_the_nonce_of_each_answer_is_its_own(client, clinic_sites):
    first, second = (
        client.get("/", HTTP_HOST="toronto.localhost")[HEADER] for _ in range(2)
    )
    assert "'nonce-" in first
    assert first != second
    assert first.replace(first.split("'nonce-")[1], "") == second.replace(
        second.split("'nonce-")[1], ""
    )


def test_a_changed_policy_setting_is_used_at_once(settings):
    case = ("/", False, False, False, False, 200)
    before, _ = answer(ClinicCSPMiddleware, case, "")
    with override_settings(
        CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}
    ):
        changed, _ = answer(ClinicCSPMiddleware, case, "")
    after, _ = answer(ClinicCSPMiddleware, case, "")
    assert changed[HEADER] == "default-src 'none'"
    assert before == after != changed
