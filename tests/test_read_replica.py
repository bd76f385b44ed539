"""The read replica (clinics/read_replica.py): who reads the replica and who
the primary.

First the router and middleware's judgement, on any database: the view
records where a read would go. Then the real thing on PostgreSQL: a primary
and a streaming replica (tests/pg_replica.py, ``pg_basebackup -R``) behind a
gunicorn node on production settings. With the replica's replay paused, a
title changed on the primary shows who reads what: the replica still has the
old one. A real publish, a real write and their windows are timed there too.
"""

import json
import secrets
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
import requests
from django.conf import settings
from django.core.cache import cache
from django.db import router, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from wagtail.models import Page

from clinics import read_replica
from clinics.content_changes import ContentChange, content_changed
from clinics.read_replica import CHANGED_KEY, STICKY_COOKIE, ReadReplicaMiddleware

from .installation import ROOT, Installation
from .pg_replica import PrimaryAndReplica
from .test_production_settings import production_env
from .test_production_settings import run as run_with_production_settings

# The alias is never queried in these tests: the view only asks the router.
REPLICA = "replica"
ROUTER = "clinics.read_replica.PrimaryReplicaRouter"
STICKY_SECONDS = 10


@pytest.fixture
def routed(settings):
    settings.DATABASE_ROUTERS = [ROUTER]  # Django rebuilds django.db.router
    settings.DATABASE_REPLICA_ALIAS = REPLICA
    settings.DATABASE_REPLICA_STICKY_SECONDS = STICKY_SECONDS


def serve(request, view=None):
    """Run ``request`` through the middleware; where the view's reads went."""
    seen = []

    def read_where(request):
        seen.append(router.db_for_read(Page))
        return HttpResponse()

    response = ReadReplicaMiddleware(view or read_where)(request)
    return (seen[0] if seen else None), response


rf = RequestFactory()


@pytest.mark.parametrize("method", ["get", "head", "options"])
def test_an_anonymous_read_goes_to_the_replica(routed, method):
    database, response = serve(getattr(rf, method)("/treatments/"))
    assert database == REPLICA
    assert STICKY_COOKIE not in response.cookies


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_reads_the_primary_and_marks_the_client(routed, method):
    database, response = serve(getattr(rf, method)("/api/v3/appointment-requests/"))
    assert database == "default"
    cookie = response.cookies[STICKY_COOKIE]
    assert int(cookie["max-age"]) == STICKY_SECONDS
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]


def test_the_mark_is_secure_over_https(routed):
    _, response = serve(rf.post("/api/v3/appointment-requests/", secure=True))
    assert response.cookies[STICKY_COOKIE]["secure"] is True


def test_a_write_that_fails_still_marks_the_client(routed):
    def refused(request):
        return HttpResponse(status=403)

    _, response = serve(rf.post("/admin/login/"), view=refused)
    assert STICKY_COOKIE in response.cookies


def test_a_logged_in_user_reads_the_primary(routed):
    request = rf.get("/treatments/", HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}=abc")
    assert serve(request)[0] == "default"


def test_a_token_reads_the_primary(routed):
    request = rf.get("/api/v3/pages/", HTTP_AUTHORIZATION="Bearer abc")
    assert serve(request)[0] == "default"


@pytest.mark.parametrize(
    ("path", "database"),
    [
        ("/admin/", "default"),
        ("/admin/pages/3/edit/", "default"),
        ("/admin/login/", "default"),
        ("/django-admin/", "default"),
        ("/django-admin/auth/user/", "default"),
        # Only the admins themselves: a public page named alike is public.
        ("/administration-fees/", REPLICA),
        ("/treatments/admin/", REPLICA),
    ],
)
def test_the_admins_read_the_primary(routed, path, database):
    assert serve(rf.get(path))[0] == database


def test_other_cookies_do_not_matter(routed):
    request = rf.get("/", HTTP_COOKIE="csrftoken=abc; theme=dark")
    assert serve(request)[0] == REPLICA


class Browser:
    """Sends back the cookies it was given for their Max-Age, on its own
    clock, as a browser does."""

    def __init__(self):
        self.now = 0
        self.cookies = {}

    def request(self, method, path):
        live = {
            name: value
            for name, (value, expires) in self.cookies.items()
            if expires > self.now
        }
        header = "; ".join(f"{name}={value}" for name, value in live.items())
        database, response = serve(getattr(rf, method)(path, HTTP_COOKIE=header))
        for name, morsel in response.cookies.items():
            self.cookies[name] = (morsel.value, self.now + int(morsel["max-age"]))
        return database


def test_a_client_reads_the_primary_right_after_it_wrote(routed):
    browser = Browser()
    assert browser.request("get", "/") == REPLICA
    assert browser.request("post", "/api/v3/appointment-requests/") == "default"
    browser.now += 1
    assert browser.request("get", "/") == "default"
    browser.now += STICKY_SECONDS - 2
    assert browser.request("get", "/api/v2/pages/") == "default"
    # Its own reads do not extend the mark, so the replica serves it again.
    browser.now += 2
    assert browser.request("get", "/") == REPLICA


def test_each_write_renews_the_mark(routed):
    browser = Browser()
    browser.request("post", "/api/v3/appointment-requests/")
    browser.now += STICKY_SECONDS - 1
    browser.request("delete", "/api/v3/pages/5/")
    browser.now += STICKY_SECONDS - 1
    assert browser.request("get", "/") == "default"


def test_the_sticky_seconds_setting_is_the_cookies_age(routed, settings):
    settings.DATABASE_REPLICA_STICKY_SECONDS = 3
    _, response = serve(rf.post("/"))
    assert int(response.cookies[STICKY_COOKIE]["max-age"]) == 3


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_go_to_the_primary(routed):
    def view(request):
        before = router.db_for_read(Page)
        with transaction.atomic():
            inside = router.db_for_read(Page)
        after = router.db_for_read(Page)
        return HttpResponse(json.dumps([before, inside, after]))

    _, response = serve(rf.get("/"), view=view)
    assert json.loads(response.content) == [REPLICA, "default", REPLICA]


def test_writes_always_go_to_the_primary(routed):
    def view(request):
        return HttpResponse(router.db_for_write(Page))

    _, response = serve(rf.get("/"), view=view)
    assert response.content == b"default"


def test_without_a_replica_everything_reads_the_primary(routed, settings):
    del settings.DATABASE_REPLICA_ALIAS
    assert serve(rf.get("/treatments/"))[0] == "default"


def test_outside_a_request_everything_reads_the_primary(routed):
    # Management commands, the task worker, a shell.
    assert router.db_for_read(Page) == "default"


def test_the_judgement_ends_with_the_response(routed):
    serve(rf.get("/"))
    assert router.db_for_read(Page) == "default"

    def broken(request):
        assert router.db_for_read(Page) == REPLICA
        raise RuntimeError("the view failed")

    with pytest.raises(RuntimeError):
        serve(rf.get("/"), view=broken)
    assert router.db_for_read(Page) == "default"


def test_a_request_inside_a_request_restores_the_outer_judgement(routed):
    def outer(request):
        inner, _ = serve(rf.post("/"))
        return HttpResponse(json.dumps([inner, router.db_for_read(Page)]))

    _, response = serve(rf.get("/"), view=outer)
    assert json.loads(response.content) == ["default", REPLICA]


def announce_a_change():
    content_changed.send(
        sender=ContentChange, change=ContentChange(site_ids=frozenset({1}))
    )


@pytest.mark.django_db(transaction=True)  # the other listeners look up Sites
def test_after_a_content_change_everyone_reads_the_primary_for_a_while(
    routed, settings
):
    # The caches the change emptied must be refilled from the primary.
    settings.DATABASE_REPLICA_STICKY_SECONDS = 1
    announce_a_change()
    assert serve(rf.get("/treatments/"))[0] == "default"
    time.sleep(1.2)
    assert serve(rf.get("/treatments/"))[0] == REPLICA


@pytest.mark.django_db
def test_a_publish_is_a_content_change(routed, clinic_sites):
    cache.delete(CHANGED_KEY)  # setting up the clinics changed content too
    clinic_sites.toronto.home.save_revision().publish()
    assert cache.get(CHANGED_KEY) is not None


@pytest.mark.django_db
def test_without_a_replica_a_change_is_not_noted(routed, settings):
    del settings.DATABASE_REPLICA_ALIAS
    announce_a_change()
    assert cache.get(CHANGED_KEY) is None


class CountingCache:
    def __init__(self, fail=False):
        self.gets = 0
        self.fail = fail

    def get(self, key):
        self.gets += 1
        if self.fail:
            raise ConnectionError("the cache is down")


def test_the_cache_is_asked_once_and_only_when_the_request_reads(routed, monkeypatch):
    counting = CountingCache()
    monkeypatch.setattr(read_replica, "cache", counting)

    def reads_three_times(request):
        for _ in range(3):
            assert router.db_for_read(Page) == REPLICA
        return HttpResponse()

    serve(rf.get("/"), view=lambda request: HttpResponse())  # a page cache hit
    assert counting.gets == 0
    serve(rf.get("/"), view=reads_three_times)
    assert counting.gets == 1


def test_without_the_cache_reads_go_to_the_primary(routed, monkeypatch):
    monkeypatch.setattr(read_replica, "cache", CountingCache(fail=True))
    assert serve(rf.get("/"))[0] == "default"


def test_migrations_and_relations(routed):
    replica_router = router.routers[0]
    assert replica_router.allow_migrate("default", "home") is True
    assert replica_router.allow_migrate(REPLICA, "home") is False
    assert replica_router.allow_relation(object(), object()) is True


# The settings

PRINT_DATABASES = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({
    "databases": {alias: {"NAME": db["NAME"], "PORT": db["PORT"], "MIRROR": db["TEST"].get("MIRROR")} for alias, db in settings.DATABASES.items()},
    "routers": settings.DATABASE_ROUTERS,
    "middleware": settings.MIDDLEWARE,
    "alias": getattr(settings, "DATABASE_REPLICA_ALIAS", None),
    "sticky": getattr(settings, "DATABASE_REPLICA_STICKY_SECONDS", None),
}))
"""


def settings_with(**env):
    result = run_with_production_settings(
        ["-c", PRINT_DATABASES], **production_env(), **env
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_without_a_replica_url_the_settings_are_unchanged():
    values = settings_with(DATABASE_REPLICA_URL=None)
    assert list(values["databases"]) == ["default"]
    assert values["routers"] == []
    assert not any("read_replica" in name for name in values["middleware"])
    assert values["alias"] is None


def test_a_replica_url_adds_the_replica_router_and_middleware():
    values = settings_with(
        DATABASE_URL="postgres://app@db1.internal:5432/clinic_cms",
        DATABASE_REPLICA_URL="postgres://app@db2.internal:5433/clinic_cms",
        DATABASE_REPLICA_STICKY_SECONDS="4",
    )
    assert values["databases"] == {
        "default": {"NAME": "clinic_cms", "PORT": 5432, "MIRROR": None},
        "replica": {"NAME": "clinic_cms", "PORT": 5433, "MIRROR": "default"},
    }
    assert values["routers"] == [ROUTER]
    assert values["alias"] == "replica"
    assert values["sticky"] == 4
    middleware = values["middleware"]
    assert middleware[0] == "clinics.read_replica.ReadReplicaMiddleware"
    assert middleware.index(middleware[0]) < middleware.index(
        "clinics.page_cache.PageCacheMiddleware"
    )
    assert middleware[-1] == "axes.middleware.AxesMiddleware"


def test_check_deploy_is_clean_with_a_replica():
    result = run_with_production_settings(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **production_env(),
        DATABASE_URL="postgres://app@db1.internal:5432/clinic_cms",
        DATABASE_REPLICA_URL="postgres://app@db2.internal:5432/clinic_cms",
    )
    assert result.returncode == 0, result.stdout + result.stderr


# A real streaming replica

HOST = "toronto.localhost"
PATIENT = {
    "name": "Avery Quinlan-Marsh",
    "email": "avery.qm@example.com",
    "phone": "+1 250-555-0142",
    "preferred_times": "Tuesday mornings",
    "reason": "Sore left shoulder",
    "consent": True,
}
# A client that wrote reads the primary this long (short, to see it expire).
REAL_STICKY_SECONDS = 3

SET_UP = """
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from wagtail.models import APIToken, Site
from home.clinic_setup import publish_new_child
from home.models import ClinicSettings, ContentPage

site = Site.objects.get(hostname={host!r})
home = site.root_page.specific
page = publish_new_child(home, ContentPage(title="Visit us", slug="visit-us"))
settings = ClinicSettings.for_site(site)
settings.privacy_page = publish_new_child(
    home, ContentPage(title="Privacy notice", slug="privacy")
)
settings.save()
user = get_user_model().objects.create_superuser("operator", "op@example.com", {password!r})
token = APIToken.create_token(user=user, name="replica test")[1]
# A logged-in browser's session, as the admin's login makes it.
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
print(token, session.session_key, page.pk)
"""


@pytest.fixture(scope="module")
def replicated(tmp_path_factory):
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip(
            "a streaming replica needs PostgreSQL: this run's DATABASE_URL is "
            f"{settings.DATABASES['default']['ENGINE']} (CI's PostgreSQL pass runs it)"
        )
    folder = tmp_path_factory.mktemp("replica-site")
    with PrimaryAndReplica(database="clinic_replica_test") as databases:
        site = Installation(
            folder,
            nodes=1,
            DATABASE_URL=databases.primary_url,
            DATABASE_REPLICA_URL=databases.replica_url,
            DATABASE_REPLICA_STICKY_SECONDS=str(REAL_STICKY_SECONDS),
            # A page cache hit would hide where the page was read from.
            PAGE_CACHE_SECONDS="0",
        )
        try:
            site.set_up(HOST)
            out = site.shell(
                SET_UP.format(host=HOST, password=secrets.token_urlsafe(12))
            )
            token, session, page_id = out.split()[-3:]
            databases.wait_for_replay()
            site.start()
            # The set-up's publishes are content changes: let their window pass.
            time.sleep(REAL_STICKY_SECONDS + 0.5)
            yield SimpleNamespace(
                site=site,
                databases=databases,
                token=token,
                session=session,
                page_id=int(page_id),
            )
        finally:
            site.stop()


def url(replicated, path):
    return f"http://127.0.0.1:{replicated.site.nodes[0]}{path}"


def headers(replicated, **extra):
    return {"Host": f"{HOST}:{replicated.site.port}", **extra}


def title_seen(replicated, client=requests, **extra_headers):
    """The page's title in the API and on its page, as this client sees it."""
    api = client.get(
        url(replicated, f"/api/v2/pages/{replicated.page_id}/"),
        headers=headers(replicated, **extra_headers),
        timeout=30,
    )
    assert api.status_code == 200, api.text[:500]
    page = client.get(
        url(replicated, "/visit-us/"),
        headers=headers(replicated, **extra_headers),
        timeout=30,
    )
    assert page.status_code == 200, page.text[:500]
    assert page.headers.get("X-Cache") != "HIT"
    title = api.json()["title"]
    assert f"<h1>{title}</h1>" in page.text, (title, page.text[:2000])
    return title


def rename_on_the_primary(replicated, title):
    # Straight into the primary's table: no cache, signal or router involved.
    replicated.databases.on_primary(
        "UPDATE wagtailcore_page SET title = %s WHERE id = %s",
        (title, replicated.page_id),
    )


def title_on_replica(replicated):
    return replicated.databases.on_replica(
        "SELECT title FROM wagtailcore_page WHERE id = %s", (replicated.page_id,)
    )


def test_anonymous_reads_come_from_the_replica_everyone_else_reads_the_primary(
    replicated,
):
    databases = replicated.databases
    databases.wait_for_replay()
    old = title_seen(replicated)
    new = f"Visit us {secrets.token_hex(3)}"
    databases.pause_replay()
    try:
        rename_on_the_primary(replicated, new)
        assert title_on_replica(replicated) == old  # the replica really is behind
        assert title_seen(replicated) == old
        assert title_seen(replicated, Authorization=f"Bearer {replicated.token}") == new
        cookie = f"{settings.SESSION_COOKIE_NAME}={replicated.session}"
        assert title_seen(replicated, Cookie=cookie) == new
        assert title_seen(replicated, Cookie=f"{STICKY_COOKIE}=1") == new
        # A command (here a shell) reads the primary.
        shown = replicated.site.shell(
            "from wagtail.models import Page\n"
            f"print(Page.objects.get(pk={replicated.page_id}).title)"
        )
        assert shown.strip().splitlines()[-1] == new
        assert title_seen(replicated) == old
    finally:
        databases.resume_replay()
    databases.wait_for_replay()
    assert title_seen(replicated) == new


def test_a_client_that_wrote_reads_the_primary_until_its_mark_expires(replicated):
    databases = replicated.databases
    databases.wait_for_replay()
    old = title_seen(replicated)
    new = f"Visit us {secrets.token_hex(3)}"
    count = "SELECT count(*) FROM appointments_appointmentrequest"
    requests_before = databases.on_primary(count)
    databases.pause_replay()
    try:
        rename_on_the_primary(replicated, new)
        with requests.Session() as browser:
            assert title_seen(replicated, browser) == old
            response = browser.post(
                url(replicated, "/api/v3/appointment-requests/"),
                headers=headers(replicated),
                json=PATIENT,
                timeout=30,
            )
            assert response.status_code == 201, response.text[:500]
            mark = response.headers["Set-Cookie"]
            assert f"{STICKY_COOKIE}=1" in mark
            assert f"Max-Age={REAL_STICKY_SECONDS}" in mark
            assert "HttpOnly" in mark and "SameSite=Lax" in mark
            assert "Secure" not in mark  # plain HTTP here
            # The write is on the primary; the paused replica has not got it.
            assert databases.on_primary(count) == requests_before + 1
            assert databases.on_replica(count) == requests_before
            assert title_seen(replicated, browser) == new
            assert title_seen(replicated) == old  # anyone else: the replica
            time.sleep(REAL_STICKY_SECONDS + 1.5)
            assert title_seen(replicated, browser) == old
    finally:
        databases.resume_replay()
    databases.wait_for_replay()
    assert title_seen(replicated) == new


def test_after_a_publish_everyone_reads_the_primary_until_the_replica_can_be_trusted(
    replicated,
):
    # A headless front-end fetches the page its publish webhook names; the
    # caches the publish emptied are refilled by the next visitor.
    databases = replicated.databases
    databases.wait_for_replay()
    old = title_seen(replicated)
    new = f"Visit us {secrets.token_hex(3)}"
    databases.pause_replay()
    try:
        response = requests.patch(
            url(replicated, f"/api/v3/pages/{replicated.page_id}/"),
            headers=headers(replicated, Authorization=f"Bearer {replicated.token}"),
            json={
                "meta": {"type": "home.ContentPage", "action": "publish"},
                "title": new,
            },
            timeout=30,
        )
        assert response.status_code == 200, response.text[:500]
        assert title_on_replica(replicated) == old
        assert title_seen(replicated) == new  # anonymous, without any cookie
        time.sleep(REAL_STICKY_SECONDS + 1.5)
        assert title_seen(replicated) == old  # the paused replica again
    finally:
        databases.resume_replay()
    databases.wait_for_replay()
    assert title_seen(replicated) == new


def test_migrations_ran_on_the_primary_and_reached_the_replica(replicated):
    tables = (
        "SELECT count(*) FROM information_schema.tables WHERE table_name = "
        "'wagtailcore_page'"
    )
    assert replicated.databases.on_primary(tables) == 1
    assert replicated.databases.on_replica(tables) == 1
    assert replicated.databases.on_replica("SELECT pg_is_in_recovery()") is True
    # Asked to migrate the replica, Django does nothing there (and the
    # read-only standby would refuse anything it tried).
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--database", "replica", "-v0"],
        cwd=ROOT,
        env=replicated.site.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_boundarys_cached_lists_are_filled_from_the_primary(
    clinic_sites, monkeypatch
):
    """The clinic Sites and the restricted pages are cached until the next
    change: filled from a replica that lags, they would stay stale (a new
    restriction missing) until then. Every read is sent to the alias
    "replica" here, which has no database: a read that goes there fails."""
    from clinics import boundary

    monkeypatch.setattr(router, "db_for_read", lambda model, **hints: REPLICA)
    cache.clear()
    assert len(boundary.all_sites()) == 2
    assert boundary.restricted_paths() == []
