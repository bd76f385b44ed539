"""An installation of real processes on loopback, as an operator runs it:
gunicorn app nodes on production settings, task workers, and ``manage.py``
commands beside them, sharing a database, a cache and a media store.

Used by tests/test_processes.py, tests/test_task_worker.py and the cluster
test (scripts/cluster_test.py), so it imports nothing of Django.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
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
    """Sites are at ``self.port``, the port every request's Host header
    names; app node ``n`` listens on ``self.nodes[n]``."""

    def __init__(self, folder, nodes=2, **env):
        self.folder = Path(folder)
        self.port = free_port()
        self.nodes = [free_port() for _ in range(nodes)]
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": ".localhost",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"sqlite:///{self.folder / 'db.sqlite3'}",
            "MEDIA_ROOT": str(self.folder / "media"),
            "CACHE_DIR": str(self.folder / "cache"),
            "CACHE_KEY_PREFIX": f"installation-{secrets.token_hex(4)}",
            "REDIS_URL": "",
            "LOG_LEVEL": "ERROR",
            "APPOINTMENT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "PYTHONUNBUFFERED": "1",
            "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",  # the test receivers
            **env,
        }
        self.servers = []
        self.workers = []

    def manage(self, *args, timeout=300):
        result = subprocess.run(  # noqa: S603 (our own manage.py)
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def shell(self, code):
        return self.manage("shell", "--no-imports", "-c", code)

    def set_up(self, *clinics):
        """Migrate, collect static files and add the clinics (hostnames; the
        first is the default)."""
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        for number, hostname in enumerate(clinics):
            self.add_clinic(hostname, default=number == 0)

    def add_clinic(self, hostname, default=False):
        name = hostname.split(".")[0].capitalize() + " Clinic"
        self.manage(
            "add_clinic",
            f"--name={name}",
            f"--hostname={hostname}",
            f"--port={self.port}",
            *(["--default"] if default else []),
        )

    def _spawn(self, name, command):
        log = open(self.folder / f"{name}.log", "a")  # noqa: SIM115
        process = subprocess.Popen(  # noqa: S603 (our own programs)
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        return process, log

    def start(self):
        """The app nodes, one gunicorn worker each (so which process answers
        is certain)."""
        for number, node in enumerate(self.nodes):
            self.servers.append(
                self._spawn(
                    f"node{number}",
                    [str(GUNICORN), "cms.wsgi", "--bind", f"127.0.0.1:{node}"],
                )
            )
        for node in range(len(self.nodes)):
            for _ in range(150):
                try:
                    self.get(self.first_hostname(), "/", node=node)
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                raise AssertionError(f"node {node} did not start")

    def first_hostname(self):
        return self.env.get("INSTALLATION_HOST", "toronto.localhost")

    def start_worker(self):
        worker = self._spawn(
            f"worker{len(self.workers)}", [PYTHON, "manage.py", "run_worker"]
        )
        self.workers.append(worker)
        return worker[0]

    def kill_worker(self, process):
        """As a machine that dies: no chance to finish or clean up."""
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self):
        for process, log in [*self.servers, *self.workers]:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
            log.close()
        self.servers, self.workers = [], []

    def request(self, hostname, path, node=0, method="GET", data=None, headers=()):
        headers = {"Host": f"{hostname}:{self.port}", **dict(headers)}
        body = None
        if data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.nodes[node]}{path}",
            data=body,
            headers=headers,
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, hostname, path, node=0, headers=()):
        return self.request(hostname, path, node=node, headers=headers)
