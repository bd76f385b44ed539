"""Django's messages through clinics.middleware.LazyMessageMiddleware: the
storage is built only when a request reads or adds a message, and what
editors see of their messages is exactly what Django's own middleware gives."""

import itertools

import pytest
from django.contrib import messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from clinics import middleware as clinic_middleware
from clinics.middleware import LazyMessageMiddleware

from .helpers import get_page, host_of, make_editor

pytestmark = pytest.mark.django_db


def adds(request):
    messages.success(request, "Page published.")
    messages.warning(request, "Review due in 30 days.")
    return HttpResponse("added")


def reads(request):
    return HttpResponse(" | ".join(str(m) for m in messages.get_messages(request)))


def peeks(request):
    # Iterating without marking used: the messages stay for the next request.
    storage = messages.get_messages(request)
    storage.used = False
    return HttpResponse(str(len(list(storage))))


def untouched(request):
    return HttpResponse("nothing")


VIEWS = {"adds": adds, "reads": reads, "peeks": peeks, "untouched": untouched}


def browse(middleware_class, steps):
    """Each step's view through sessions and the messages middleware, the
    cookies kept from one response to the next as a browser would."""
    factory = RequestFactory()
    cookies, bodies = {}, []
    for step in steps:
        chain = SessionMiddleware(middleware_class(VIEWS[step]))
        request = factory.get("/")
        request.COOKIES.update(cookies)
        response = chain(request)
        for name, morsel in response.cookies.items():
            if morsel["max-age"] == 0:
                cookies.pop(name, None)
            else:
                cookies[name] = morsel.value
        bodies.append(response.content.decode())
    return bodies, sorted(cookies)


@pytest.mark.parametrize(
    "storage",
    [
        "django.contrib.messages.storage.fallback.FallbackStorage",
        "django.contrib.messages.storage.cookie.CookieStorage",
        "django.contrib.messages.storage.session.SessionStorage",
    ],
)
def test_every_sequence_of_views_sees_what_djangos_middleware_gives(settings, storage):
    settings.MESSAGE_STORAGE = storage
    for steps in itertools.product(VIEWS, repeat=3):
        assert browse(LazyMessageMiddleware, steps) == browse(
            MessageMiddleware, steps
        ), steps


def test_an_anonymous_page_view_builds_no_message_storage(
    client, monkeypatch, treatment_page, clinic_sites
):
    built = []
    real = clinic_middleware.default_storage
    monkeypatch.setattr(
        clinic_middleware,
        "default_storage",
        lambda request: built.append(request.path) or real(request),
    )
    response = get_page(client, treatment_page, clinic_sites.toronto.site)
    assert response.status_code == 200
    assert built == []
    assert "messages" not in response.cookies


def test_an_editors_message_shows_on_the_next_admin_page(client, clinic_sites):
    client.force_login(make_editor(clinic_sites.toronto, "toronto-editor"))
    response = client.post(
        "/admin/logout/", HTTP_HOST=host_of(clinic_sites.toronto.site), follow=True
    )
    # Added by Wagtail's logout view, shown by the login page it redirects to.
    assert response.redirect_chain[-1][0].startswith("/admin/login/")
    assert "You have been successfully logged out." in response.content.decode()
