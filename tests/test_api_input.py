"""API input is parsed before it reaches the database: every parameter of
both versions, enumerated from the code, answers bad values with a 4xx in
JSON, never a 500 and never an HTML page.

- v2: every endpoint of the router, each page type, every field its
  ``get_available_fields`` lets callers filter by, and the shared
  parameters (limit, offset, search, site, find's id ...);
- v3: every operation of the published OpenAPI document (listings, details,
  ``find/``, revisions, actions, writes), each of its query and path
  parameters, and every API field of the models its listings filter.

A parameter or endpoint added later is covered without being listed here.
"""

import io
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.api import APIField
from wagtail.images import get_image_model
from wagtail.models import get_page_models

from cms.api import v2_router

from .api.support import openapi_document, token_for
from .helpers import make_document, make_image

pytestmark = pytest.mark.django_db

TORONTO = "toronto.localhost:8000"

# Values no parameter accepts as they stand, each of a kind that once
# reached the database or the search parser: words where numbers go, numbers
# beyond any column, impossible dates, NULs, bad hostnames and ports, long
# and deeply nested searches.
HOSTILE = [
    "abc",
    "-1",
    "1.5",
    "99999999999999999999999",
    "2020-02-31",
    "notadate",
    "2026-11-22T25:61",
    "\x00",
    "toronto.localhost:abc",
    "toronto.localhost:99999",
    "bad host name",
    "(" * 40 + "pain",
    " ".join(["pain"] * 150),
    "x" * 2000,
]


def url(path, **params):
    query = "&".join(
        f"{quote(name, safe='')}={quote(value, safe='')}"
        for name, value in params.items()
    )
    return f"{path}?{query}" if query else path


def assert_clear_answer(response, request):
    assert response.status_code < 500, (
        f"{request} -> {response.status_code}: {response.content[:300]!r}"
    )
    if response.status_code >= 400:
        assert response["Content-Type"].startswith(
            ("application/json", "application/problem+json")
        ), f"{request} -> {response.status_code} {response['Content-Type']}"
        data = response.json()
        assert data.get("message") or data.get("detail"), (request, data)


@pytest.fixture
def content(clinic_sites, treatment_page, kelowna_treatment):
    make_image(title="Input image", collection=clinic_sites.toronto.collection)
    make_document("Input document", clinic_sites.toronto.collection)
    return clinic_sites


# v2: derived from the router's endpoints and their field lists


SHARED_V2_PARAMETERS = [
    "limit",
    "offset",
    "order",
    "search",
    "search_operator",
    "site",
    "child_of",
    "descendant_of",
    "ancestor_of",
    "type",
    "fields",
    "locale",
    "translation_of",
]


def v2_cases():
    """(listing path, extra params, parameter) for every filterable field of
    every v2 endpoint and page type, and the shared parameters."""
    cases = []
    for name, endpoint in v2_router._endpoints.items():
        path = f"/api/v2/{name}/"
        models = [endpoint.model]
        if name == "pages":
            models = get_page_models()
        for model in models:
            extra = {"type": model._meta.label} if name == "pages" else {}
            for field in endpoint.get_available_fields(model, db_fields_only=True):
                cases.append((path, extra, field))
        for parameter in SHARED_V2_PARAMETERS:
            cases.append((path, {}, parameter))
        cases.append((f"{path}find/", {}, "id"))
        cases.append((f"{path}find/", {}, "html_path"))
    return sorted({(p, tuple(e.items()), f) for p, e, f in cases})


def test_v2_every_parameter_is_checked(client, content):
    cases = v2_cases()
    assert len(cases) > 40  # every page type's fields are in
    for path, extra, parameter in cases:
        for value in HOSTILE:
            request = url(path, **dict(extra), **{parameter: value})
            assert_clear_answer(client.get(request, HTTP_HOST=TORONTO), request)


@pytest.mark.parametrize(
    ("request_path", "expected"),
    [
        ("/api/v2/pages/?first_published_at=notadate", "first_published_at"),
        (
            "/api/v2/pages/?type=treatments.TreatmentPage&last_reviewed=2020-02-31",
            "last_reviewed",
        ),
        ("/api/v2/pages/find/?id=abc", "id"),
        ("/api/v2/images/find/?id=abc", "id"),
        ("/api/v2/documents/find/?id=abc", "id"),
        ("/api/v2/images/?site=toronto.localhost:abc", "site"),
        ("/api/v2/documents/?site=toronto.localhost:abc", "site"),
        ("/api/v3/clinic/?site=toronto.localhost:abc", "site"),
        ("/api/v3/pages/find/?html_path=/&site=toronto.localhost:abc", "site"),
        ("/api/v2/pages/?search=" + "+".join(["pain"] * 150), "search"),
        ("/api/v3/pages/?search=" + "+".join(["pain"] * 150), "search"),
    ],
)
def test_bad_values_are_named_in_the_answer(client, content, request_path, expected):
    response = client.get(request_path, HTTP_HOST=TORONTO)
    assert response.status_code == 400, response.content
    assert expected in response.content.decode()


# v3: derived from the published OpenAPI document


def v3_operations():
    document = openapi_document()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def v3_listing_models():
    """The models whose API fields v3 listings filter by (raw parameters
    that the OpenAPI document does not list)."""
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.documents import get_document_model

    return {
        "/api/v3/pages/": get_page_models(),
        "/api/v3/images/": [get_image_model()],
        "/api/v3/documents/": [get_document_model()],
        "/api/v3/redirects/": [Redirect],
    }


def fill(path, value="1"):
    import re

    return re.sub(r"\{[^}]+\}", value, path)


@pytest.fixture
def token(editors):
    return token_for(editors.toronto)


def test_v3_every_parameter_is_checked(client, content, token):
    checked = 0
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_HOST": TORONTO}
    for path, method, operation in v3_operations():
        parameters = operation.get("parameters", [])
        concrete = fill(path, str(content.toronto.index.pk))
        for parameter in parameters:
            for value in HOSTILE:
                if parameter["in"] == "query":
                    request = url(concrete, **{parameter["name"]: value})
                elif parameter["in"] == "path":
                    request = fill(path, quote(value, safe=""))
                else:
                    continue
                body = {} if method == "get" else {"data": "{}"}
                response = getattr(client, method)(
                    request, content_type="application/json", **body, **auth
                )
                assert_clear_answer(response, f"{method.upper()} {request}")
                checked += 1
    assert checked > 500


def test_v3_every_filterable_field_is_checked(client, content):
    for path, models in v3_listing_models().items():
        for model in models:
            names = {
                f.name
                for f in APIField.get_fields_for_model(model, db_fields_only=True)
            }
            names |= {"id", "title", "first_published_at", "last_published_at"}
            extra = {"type": model._meta.label} if path.endswith("/pages/") else {}
            for name in sorted(names):
                for value in HOSTILE:
                    request = url(path, **extra, **{name: value})
                    assert_clear_answer(client.get(request, HTTP_HOST=TORONTO), request)


def test_v3_actions_on_the_tree_root_are_refused(client, content, token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_HOST": TORONTO}
    destination = content.toronto.index.pk
    for path, method, _ in v3_operations():
        if "/actions/" not in path or "{page_id}" not in path:
            continue
        request = fill(path, "1")
        response = getattr(client, method)(
            request,
            data=f'{{"destination_id": {destination}}}',
            content_type="application/json",
            **auth,
        )
        assert response.status_code == 404, (request, response.content)
        assert_clear_answer(response, request)


def test_unknown_api_urls_answer_json(client, content):
    for request in ["/api/v2/nothing/", "/api/v3/nothing/", "/api/nothing/"]:
        response = client.get(request, HTTP_HOST=TORONTO)
        assert response.status_code == 404
        assert_clear_answer(response, request)


# Uploads


def png_bytes(size=(400, 300)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "teal").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("keep", [200, 0.6])
def test_a_truncated_png_is_a_form_error_everywhere(
    client, clinic_sites, editors, keep
):
    whole = png_bytes()
    broken = whole[: keep if isinstance(keep, int) else int(len(whole) * keep)]
    before = get_image_model().objects.count()

    def upload(name="broken.png"):
        return SimpleUploadedFile(name, broken, content_type="image/png")

    response = client.post(
        "/api/v3/images/",
        {
            "file": upload(),
            "title": "Broken",
            "collection_id": clinic_sites.toronto.collection.pk,
        },
        HTTP_HOST=TORONTO,
        HTTP_AUTHORIZATION=f"Bearer {token_for(editors.toronto)}",
    )
    assert response.status_code == 422, response.content
    assert "valid image" in response.content.decode()

    client.force_login(editors.toronto)
    response = client.post(
        reverse("wagtailimages:add"),
        {
            "file": upload(),
            "title": "Broken",
            "collection": clinic_sites.toronto.collection.pk,
        },
    )
    assert response.status_code == 200
    assert "valid image" in response.content.decode()
    response = client.post(
        reverse("wagtailimages:add_multiple"),
        {"files[]": upload(), "collection": clinic_sites.toronto.collection.pk},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.json()["success"] is False
    assert get_image_model().objects.count() == before


def test_a_whole_png_still_uploads(client, clinic_sites, editors):
    response = client.post(
        "/api/v3/images/",
        {
            "file": SimpleUploadedFile(
                "whole.png", png_bytes(), content_type="image/png"
            ),
            "title": "Whole",
            "collection_id": clinic_sites.toronto.collection.pk,
        },
        HTTP_HOST=TORONTO,
        HTTP_AUTHORIZATION=f"Bearer {token_for(editors.toronto)}",
    )
    assert response.status_code == 201, response.content
