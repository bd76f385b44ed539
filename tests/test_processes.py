"""Several processes, one installation: a clinic added or changed by one
process is served correctly by every other at once, with or without Redis.

Real processes, not the test client: two gunicorn app nodes (one worker
each, so which process answers is certain) on production settings, sharing a
database and a cache, and ``manage.py`` commands run beside them, as an
operator would. Wagtail keeps the sites' root paths in the cache;
with a per-process cache a new clinic's home page answered 500 (its Site was
unknown to the workers) until every worker restarted.
"""

import os
import shutil

import pytest

from .installation import Installation, redis_is_up


@pytest.fixture
def installation(tmp_path, request):
    cache = request.param
    if cache == "redis" and not redis_is_up():
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    redis = {"REDIS_URL": "redis://127.0.0.1:6379/0"} if cache == "redis" else {}
    site = Installation(tmp_path, **redis)
    site.set_up("toronto.localhost")
    site.start()
    yield site
    site.stop()
    shutil.rmtree(tmp_path / "cache", ignore_errors=True)


@pytest.mark.parametrize("installation", ["files", "redis"], indirect=True)
def test_a_clinic_added_by_a_command_is_served_by_every_node(installation):
    # Both nodes have read the sites (and cached Toronto's pages).
    for node in (0, 1):
        for path in ("/", "/treatments/"):
            assert installation.get("toronto.localhost", path, node=node)[0] == 200
    installation.manage(
        "add_clinic",
        "--name=Vancouver Clinic",
        "--hostname=vancouver.localhost",
        f"--port={installation.port}",
    )
    home = f"http://vancouver.localhost:{installation.port}/"
    for node in (0, 1):
        status, body = installation.get("vancouver.localhost", "/", node=node)
        assert status == 200, body[-2000:]
        assert "Vancouver Clinic" in body
        assert f'<link rel="canonical" href="{home}">' in body
        assert '"@id": "None' not in body
        status, body = installation.get(
            "vancouver.localhost", "/treatments/", node=node
        )
        assert status == 200 and "Vancouver Clinic" in body


@pytest.mark.parametrize("installation", ["files", "redis"], indirect=True)
def test_a_changed_site_is_seen_by_every_node(installation):
    for node in (0, 1):
        assert installation.get("toronto.localhost", "/", node=node)[0] == 200
    installation.manage(
        "shell",
        "-c",
        "from wagtail.models import Site; "
        "site = Site.objects.get(hostname='toronto.localhost'); "
        "site.hostname = 'downtown.localhost'; site.save()",
    )
    canonical = f"http://downtown.localhost:{installation.port}/"
    for node in (0, 1):
        status, body = installation.get("downtown.localhost", "/", node=node)
        assert status == 200
        assert f'<link rel="canonical" href="{canonical}">' in body
