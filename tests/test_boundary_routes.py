"""No route crosses the clinic boundary: a walk of Django's URL resolver.

Every route the project resolves (the admin, the APIs, documents, pages,
search, sitemaps) is requested by each kind of viewer, with its parameters
filled with the objects of the clinic the viewer must never reach, by GET and
by every writing method. For each response: no server error, no marker of
that clinic anywhere in it, and no change to that clinic's objects. A route
added later is walked too; one whose parameters the walk cannot fill fails
until ``boundary_routes.filler`` learns them.

Viewers: an anonymous visitor, each clinic's editor (session and token), a
medical reviewer, a token whose user has no permissions, a revoked token and
the token of a deactivated editor. Each requests on its own clinic's host,
and its target is the other clinic.
"""

from http import HTTPStatus

import pytest
from django.test import Client

from .boundary_routes import (
    UnknownParameter,
    all_routes,
    build_path,
    extra_objects,
    filler,
    fingerprint,
    make_viewers,
    marked,
    post_data_for,
    query_for,
)

pytestmark = pytest.mark.django_db

VIEWERS = [
    "anonymous",
    "toronto-editor",
    "kelowna-editor",
    "reviewer",
    "token-without-permissions",
    "revoked-token",
    "inactive-user-token",
]

# Not walked, each for its reason.
NOT_WALKED = {
    "wagtailadmin_logout": "ends the viewer's session; it shows no content",
    "admin:logout": "ends the viewer's session; it shows no content",
    "wagtailadmin_error_test": "Wagtail's deliberate 500, for testing error reports",
}

# Deliberately shared, for the viewers named: a medical reviewer reviews
# every clinic's treatments, so belongs to every clinic in the admin
# (clinics/boundary.py). On a clinic's host and in the API they still see
# that clinic only.
# Appointment requests are not: only the clinic's reception reads them.
SHARED_FOR = {
    "reviewer": lambda route: (
        route.is_admin and not (route.name or "").startswith("appointment_requests:")
    )
}

WRITE_METHODS = ["post", "put", "patch", "delete"]


def body_of(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.fixture
def two_clinics(clinic_sites, editors, reviewer):
    objects = {
        key: marked(getattr(clinic_sites, key), key, getattr(editors, key))
        for key in ("toronto", "kelowna")
    }
    extras = {key: extra_objects(clinic_sites, key) for key in objects}
    return objects, extras, make_viewers(clinic_sites, objects)


@pytest.mark.parametrize("viewer_name", VIEWERS)
def test_no_route_crosses_the_clinic_boundary(two_clinics, viewer_name):
    objects, extras, viewers = two_clinics
    viewer = viewers[viewer_name]
    target = objects[viewer.target]
    own_marker = objects[{"toronto": "kelowna", "kelowna": "toronto"}[viewer.target]][
        "marker"
    ]
    fill = filler(target, extras[viewer.target])
    shared = SHARED_FOR.get(viewer.name, lambda route: False)
    client = Client(raise_request_exception=False)
    if viewer.user is not None:
        client.force_login(viewer.user)

    unknown, errors, leaks, changes = [], [], [], []
    own_seen = 0
    before = fingerprint(target)
    routes = [r for r in all_routes() if r.name not in NOT_WALKED]
    for route in routes:
        try:
            path = build_path(route, fill) + query_for(route, target)
        except UnknownParameter as error:
            unknown.append(f"{route.pattern} ({route.name}): {error}")
            continue
        for method in ["get", *WRITE_METHODS]:
            headers = {"HTTP_HOST": viewer.host}
            if viewer.token and route.is_api:
                headers["HTTP_AUTHORIZATION"] = f"Bearer {viewer.token}"
            data = {}
            if method != "get" and route.is_api:
                data = {"data": "{}", "content_type": "application/json"}
            elif method == "post":
                data = {"data": post_data_for(route, target)}
            response = getattr(client, method)(path, **data, **headers)
            where = f"{method.upper()} {path} ({route.name}) -> {response.status_code}"
            if response.status_code >= HTTPStatus.INTERNAL_SERVER_ERROR:
                errors.append(where)
            body = body_of(response)
            own_seen += own_marker in body
            if shared(route):
                # The viewer may change this clinic here; later writes are
                # compared with what it is now.
                before = fingerprint(target) if method != "get" else before
                continue
            if target["marker"] in body:
                leaks.append(where)
            if method != "get":
                now = fingerprint(target)
                if now != before:
                    changes.append(where)
                    before = now

    assert not unknown, "routes the walk cannot fill:\n" + "\n".join(unknown)
    assert not errors, "server errors:\n" + "\n".join(errors)
    assert not leaks, f"{viewer.name} sees {viewer.target}'s content:\n" + "\n".join(
        leaks
    )
    assert not changes, f"{viewer.name} changed {viewer.target}'s objects:\n" + (
        "\n".join(changes)
    )
    # The walk reached real content: the viewer's own clinic shows up.
    assert own_seen >= 3, f"{viewer.name} never saw its own clinic's content"
