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
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PYTHON = sys.executable
GUNICORN = Path(sys.executable).with_name("gunicorn")
REDIS = ("127.0.0.1", 6379)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_is_up():
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


class Installation:
    """A database, a cache and two gunicorn app nodes, on loopback. Sites are
    at ``self.port``, the port every request's Host header names."""

    def __init__(self, folder, cache):
        self.folder = folder
        self.port = free_port()
        self.nodes = [free_port(), free_port()]
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": ".localhost",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            "MEDIA_ROOT": str(folder / "media"),
            "CACHE_DIR": str(folder / "cache"),
            "CACHE_KEY_PREFIX": f"processes-{secrets.token_hex(4)}",
            "REDIS_URL": "",
            "LOG_LEVEL": "ERROR",
            "APPOINTMENT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        }
        if cache == "redis":
            self.env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
        self.servers = []

    def manage(self, *args):
        result = subprocess.run(  # noqa: S603 (our own manage.py)
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def start(self):
        for number, node in enumerate(self.nodes):
            log = open(self.folder / f"node{number}.log", "w")  # noqa: SIM115
            self.servers.append(
                (
                    subprocess.Popen(  # noqa: S603 (our own gunicorn)
                        [str(GUNICORN), "cms.wsgi", "--bind", f"127.0.0.1:{node}"],
                        cwd=ROOT,
                        env=self.env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    ),
                    log,
                )
            )
        for node in range(len(self.nodes)):
            for _ in range(100):
                try:
                    self.get("toronto.localhost", "/", node=node)
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                raise AssertionError(f"node {node} did not start")

    def stop(self):
        for server, log in self.servers:
            server.terminate()
            server.wait(timeout=30)
            log.close()

    def get(self, hostname, path, node=0):
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.nodes[node]}{path}",
            headers={"Host": f"{hostname}:{self.port}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


@pytest.fixture
def installation(tmp_path, request):
    cache = request.param
    if cache == "redis" and not redis_is_up():
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    site = Installation(tmp_path, cache)
    site.manage("migrate", "--noinput", "-v0")
    site.manage("collectstatic", "--noinput", "-v0")
    site.manage(
        "add_clinic",
        "--name=Toronto Clinic",
        "--hostname=toronto.localhost",
        f"--port={site.port}",
        "--default",
    )
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
