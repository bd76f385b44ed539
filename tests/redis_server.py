"""A real redis-server for the tests that need one, and the product's shared
cache on it."""

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from unittest import mock

import pytest
import redis


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A redis-server of the test run's own on loopback, stopped after (its
    connections can be killed and its data flushed without touching
    anything else on the machine)."""
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(  # noqa: S603 (a fixed command on loopback)
        [executable, "--port", str(port), "--bind", "127.0.0.1"]
        + ["--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(10)


@pytest.fixture
def redis_cache(redis_url, settings):
    """The product's shared cache on that server, emptied first."""
    redis.Redis.from_url(redis_url).flushdb()
    default = settings.CACHES["default"]
    settings.CACHES = {
        "default": {
            "BACKEND": "clinics.cache_backends.RequestMemoRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": default.get("KEY_PREFIX", ""),
            "OPTIONS": {"REQUEST_MEMO_KEYS": settings.REQUEST_MEMO_KEYS},
        },
        "renditions": {
            "BACKEND": "clinics.cache_backends.RenditionRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": default.get("KEY_PREFIX", ""),
        },
    }
    yield


@contextmanager
def counting_redis_commands():
    """Every command this process sends to Redis, pipelined ones included."""
    sent = []
    execute_command = redis.Redis.execute_command
    execute_pipeline = redis.client.Pipeline.execute

    def command(self, *args, **options):
        sent.append(args[0])
        return execute_command(self, *args, **options)

    def pipeline(self, *args, **kwargs):
        sent.extend(args[0] for args, _ in self.command_stack)
        return execute_pipeline(self, *args, **kwargs)

    with (
        mock.patch.object(redis.Redis, "execute_command", command),
        mock.patch.object(redis.client.Pipeline, "execute", pipeline),
    ):
        yield sent
