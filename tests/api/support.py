"""An API client for tests that checks every response against the published
OpenAPI schema, so the schema cannot drift from what the API returns."""

import functools
import json

from django.test import Client
from jsonschema import Draft202012Validator
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from wagtail.models import APIToken

V3_DOCUMENT = "/api/v3/openapi.json"


@functools.cache
def openapi_document():
    response = Client().get(V3_DOCUMENT)
    assert response.status_code == 200
    return response.json()


@functools.cache
def openapi():
    return OpenAPI.from_dict(openapi_document())


def component_validator(pointer):
    """A JSON Schema validator for a part of the OpenAPI document."""
    document = openapi_document()
    return Draft202012Validator({"$ref": pointer, "components": document["components"]})


def validate_v2_page(page):
    """v2 publishes no schema of its own: its page fields must match v3's."""
    if page.get("meta", {}).get("type") == "treatments.TreatmentPage":
        base = "#/components/schemas/TreatmentPageSchema/properties"
        for name in ("body", "hero_image", "summary"):
            if name in page:
                component_validator(f"{base}/{name}").validate(page[name])


def token_for(user):
    return APIToken.create_token(user=user, name="test")[1]


class APIClient:
    def __init__(self, client):
        self.client = client

    def request(self, method, path, host="toronto.localhost:8000", token=None, **kw):
        if token:
            kw["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        response = getattr(self.client, method)(path, HTTP_HOST=host, **kw)
        self.check(response, path)
        return response

    def get(self, path, data=None, **kw):
        return self.request("get", path, data=data, **kw)

    def post(self, path, payload, **kw):
        return self.request(
            "post",
            path,
            data=json.dumps(payload),
            content_type="application/json",
            **kw,
        )

    def patch(self, path, payload, **kw):
        return self.request(
            "patch",
            path,
            data=json.dumps(payload),
            content_type="application/json",
            **kw,
        )

    def check(self, response, path):
        assert response.status_code < 500, response.content[:500]
        if response.status_code in (301, 302, 304):
            return
        if response.status_code >= 400:
            # Every error says what is wrong.
            data = response.json()
            assert data.get("message") or data.get("detail"), data
            return
        if path.startswith("/api/v3/"):
            openapi().validate_response(
                DjangoOpenAPIRequest(response.wsgi_request),
                DjangoOpenAPIResponse(response),
            )
        elif path.startswith("/api/v2/pages/"):
            data = response.json()
            for page in data.get("items", [data]):
                validate_v2_page(page)
