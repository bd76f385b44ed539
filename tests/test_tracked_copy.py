"""The per-process copy of stored pages that Redis keeps true
(clinics/tracked_copy.py), on a real redis-server: it answers without a round
trip, and nothing it answers is older than what another node has written."""

import os
import pickle
import time

import pytest
import redis

from clinics import page_cache
from clinics.tracked_copy import UNKNOWN, TrackedCopy

from .helpers import get_page
from .redis_server import counting_redis_commands


@pytest.fixture
def server(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    return client


@pytest.fixture
def copy(redis_url):
    tracked = TrackedCopy(redis_url, loads=pickle.loads, max_entries=3, max_age=60)
    yield tracked
    tracked._drop()


def commands_sent(tracked):
    """Count what the copy sends on its data connection from now on."""
    sent = []
    connection = tracked._data
    original = connection.send_packed_command

    def counting(command, *args, **kwargs):
        sent.append(command)
        return original(command, *args, **kwargs)

    connection.send_packed_command = counting
    return sent


def test_a_read_key_is_answered_without_asking_redis(server, copy):
    server.set("page", pickle.dumps("v1"))
    assert copy.get("page") == "v1"
    sent = commands_sent(copy)
    assert [copy.get("page") for _ in range(5)] == ["v1"] * 5
    assert sent == []


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda r: r.set("page", pickle.dumps("v2")), "v2"),
        (lambda r: r.delete("page"), None),
        (lambda r: r.unlink("page"), None),
        (lambda r: r.rename("page", "elsewhere"), None),
        (lambda r: r.flushdb(), None),
        (lambda r: r.flushall(), None),
    ],
    ids=["set", "delete", "unlink", "rename", "flushdb", "flushall"],
)
def test_another_clients_change_is_seen_by_the_next_lookup(
    server, copy, change, expected
):
    server.set("page", pickle.dumps("v1"))
    assert copy.get("page") == "v1"
    change(server)
    assert copy.get("page") == expected


def test_a_key_absent_when_read_is_seen_once_written(server, copy):
    assert copy.get("page") is None
    server.set("page", pickle.dumps("v1"))
    assert copy.get("page") == "v1"


def test_an_entry_lapses_no_later_than_redis_expires_the_key(server, copy):
    server.set("page", pickle.dumps("v1"), px=200)
    assert copy.get("page") == "v1"
    assert copy._entries["page"][0] - time.monotonic() <= 0.2
    time.sleep(0.25)
    assert copy.get("page") is None


def test_a_killed_connection_never_leaves_a_stale_copy(server, copy):
    # The subscribed connection or the one with tracking on.
    for name in ("_notes", "_data"):
        server.set("page", pickle.dumps("v1"))
        assert copy.get("page") == "v1"
        host, port = getattr(copy, name)._sock.getsockname()
        server.client_kill(f"{host}:{port}")
        server.set("page", pickle.dumps("v2"))
        # The loss is noticed: this lookup goes to the shared cache, and once
        # the copy has reconnected it reads afresh.
        assert copy.get("page") is UNKNOWN, name
        copy._retry_at = 0.0
        assert copy.get("page") == "v2"


def test_a_redis_outage_sends_lookups_to_the_shared_cache(copy):
    copy.url = "redis://127.0.0.1:1/0"  # nothing listens there
    copy._drop()
    assert copy.get("page") is UNKNOWN
    # and no new connection is tried on every lookup meanwhile
    assert copy._retry_at > 0 and copy.get("page") is UNKNOWN


def test_only_the_most_recently_used_entries_are_kept(server, copy):
    for name in ("a", "b", "c", "d"):
        server.set(name, pickle.dumps(name))
        assert copy.get(name) == name
    assert list(copy._entries) == ["b", "c", "d"]


def test_a_forked_process_keeps_its_parents_invalidations_to_itself(server, copy):
    server.set("page", pickle.dumps("v1"))
    assert copy.get("page") == "v1"
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (runs in the child)
        try:
            server.set("page", pickle.dumps("v2"))
            os.write(write, repr(copy.get("page")).encode())
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    assert os.read(read, 100) == b"'v2'"
    # The child read on connections of its own, not the parent's sockets: the
    # parent still hears of the change.
    assert copy.get("page") == "v2"


# Through the page cache


@pytest.fixture
def redis_page_cache(redis_cache, settings, server):
    settings.PAGE_CACHE_SECONDS = 300
    page_cache._tracked_copy.cache_clear()
    yield
    copy = page_cache.tracked_copy(page_cache.cache())
    if copy is not None:
        copy._drop()
    page_cache._tracked_copy.cache_clear()


def test_a_hit_sends_nothing_to_redis_and_a_publish_is_seen_at_once(
    client, treatment_page, clinic_sites, redis_page_cache
):
    site = clinic_sites.toronto.site
    assert get_page(client, treatment_page, site)["X-Cache"] == "MISS"
    assert get_page(client, treatment_page, site)["X-Cache"] == "HIT"
    copy = page_cache.tracked_copy(page_cache.cache())
    sent = commands_sent(copy)
    with counting_redis_commands() as through_django:
        response = get_page(client, treatment_page, site)
    assert response["X-Cache"] == "HIT" and sent == [] and through_django == []

    treatment_page.title = "Prolotherapy, reviewed again"
    treatment_page.save_revision().publish()
    response = get_page(client, treatment_page, site)
    assert response["X-Cache"] == "MISS"
    assert b"Prolotherapy, reviewed again" in response.content
