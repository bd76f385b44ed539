"""``make cluster-test``: the product on several machines, on loopback.

Starts two gunicorn app nodes, one task worker, a PostgreSQL primary with a
streaming replica (``pg_basebackup -R``), Redis and an S3 server (SeaweedFS),
checks what an operator relies on, prints one line per check naming the part
it exercised, stops everything it started and exits non-zero on a failure.
"""

import contextlib
import io
import re
import secrets
import sys
import tempfile
import time
import traceback
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from tests.installation import Installation, redis_is_up  # noqa: E402
from tests.object_store import ObjectStore  # noqa: E402
from tests.pg_replica import PrimaryAndReplica  # noqa: E402
from tests.webhook_receiver import Receiver  # noqa: E402

HOST = "toronto.localhost"
RESULTS = []


def check(parts, description):
    """Run one check and print its line: PASS or FAIL, the parts it
    exercised, what it shows."""

    def run(function):
        started = time.monotonic()
        try:
            function()
        except Exception as error:  # noqa: BLE001 (reported, then the next check)
            outcome = f"FAIL  [{parts}] {description}: {error!r}"
            traceback.print_exc(file=sys.stderr)
            RESULTS.append(False)
        else:
            RESULTS.append(True)
            outcome = f"PASS  [{parts}] {description}"
        print(f"{outcome} ({time.monotonic() - started:.1f} s)", flush=True)
        return function

    return run


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"not within {timeout} s: {what}")


class Cluster:
    def __init__(self, folder, store, databases):
        self.store = store
        self.databases = databases
        self.installation = Installation(
            folder,
            nodes=2,
            DATABASE_URL=databases.primary_url,
            DATABASE_REPLICA_URL=databases.replica_url,
            REDIS_URL="redis://127.0.0.1:6379/0",
            CACHE_KEY_PREFIX=f"cluster-{secrets.token_hex(4)}",
            TASKS_BACKEND="database",
            SCHEDULER_INTERVAL="1",
            WEBHOOK_TIMEOUT="2",
            DATABASE_REPLICA_STICKY_SECONDS="2",
            **store.env,
        )

    def url(self, node, path):
        return f"http://127.0.0.1:{self.installation.nodes[node]}{path}"

    def headers(self, hostname=HOST, **extra):
        return {"Host": f"{hostname}:{self.installation.port}", **extra}

    def get(self, node, path, hostname=HOST, **headers):
        return requests.get(
            self.url(node, path), headers=self.headers(hostname, **headers), timeout=30
        )

    def api(self, node, method, path, body=None):
        return requests.request(
            method,
            self.url(node, path),
            headers=self.headers(Authorization=f"Bearer {self.token}"),
            json=body,
            timeout=30,
        )

    def set_up(self, receiver):
        site = self.installation
        site.set_up(HOST)
        self.password = secrets.token_urlsafe(12)
        out = site.shell(
            "from django.contrib.auth import get_user_model\n"
            "from wagtail.models import APIToken, Site\n"
            "from home.models import ContentPage\n"
            "from webhooks.models import WebhookEndpoint\n"
            "User = get_user_model()\n"
            f"user = User.objects.create_superuser('operator', 'op@example.com', {self.password!r})\n"
            "home = Site.objects.get(is_default_site=True).root_page\n"
            "page = home.add_child(instance=ContentPage(title='Visit us', slug='visit-us'))\n"
            "page.save_revision().publish()\n"
            "endpoint = WebhookEndpoint.objects.create(site=Site.objects.get(is_default_site=True),"
            f" name='Front-end', url={receiver.url!r}, events=['publish'])\n"
            "print(APIToken.create_token(user=user, name='cluster')[1], page.pk, endpoint.secret)"
        )
        self.token, page_id, self.webhook_secret = out.split()[-3:]
        self.page_id = int(page_id)

    def publish_title(self, node, title):
        response = self.api(
            node,
            "PATCH",
            f"/api/v3/pages/{self.page_id}/",
            {"meta": {"type": "home.ContentPage", "action": "publish"}, "title": title},
        )
        assert response.status_code == 200, response.text[:500]

    def log_in(self, node):
        """An admin session on ``node``, behind a TLS proxy as in production
        (its cookies are Secure, so they are carried by hand over loopback)."""
        return AdminSession(self, node)


class AdminSession:
    def __init__(self, cluster, node):
        self.cluster = cluster
        self.cookies = {}
        self.origin = f"https://{HOST}:{cluster.installation.port}"
        self.get(node, "/admin/login/")
        response = self.post(
            node,
            "/admin/login/",
            data={"username": "operator", "password": cluster.password},
        )
        assert "sessionid" in self.cookies, response.text[:300]

    def _send(self, method, node, path, **kw):
        headers = self.cluster.headers(
            **{"X-Forwarded-Proto": "https", "Referer": self.origin + path}
        )
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            kw.setdefault("data", {})["csrfmiddlewaretoken"] = self.cookies["csrftoken"]
        response = requests.request(
            method,
            self.cluster.url(node, path),
            headers=headers,
            allow_redirects=False,
            timeout=30,
            **kw,
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def get(self, node, path):
        return self._send("GET", node, path)

    def post(self, node, path, **kw):
        return self._send("POST", node, path, **kw)


def run_checks(cluster, receiver):
    site = cluster.installation
    page_path = "/visit-us/"

    @check("node A, node B", "both app nodes serve the clinic")
    def _():
        for node in (0, 1):
            response = cluster.get(node, page_path)
            assert response.status_code == 200 and "Visit us" in response.text

    @check(
        "node A, node B, Redis", "a page published on A is served fresh by B at once"
    )
    def _():
        assert "Visit us" in cluster.get(1, page_path).text
        assert cluster.get(1, page_path).headers.get("X-Cache") == "HIT"
        cluster.publish_title(0, "Visit us today")
        response = cluster.get(1, page_path)
        assert "Visit us today" in response.text, response.headers

    @check("node A, node B, Redis", "B's search results change when A publishes")
    def _():
        word = "Harbourfront"
        result = f'href="{page_path}"'
        assert result not in cluster.get(1, f"/search/?q={word}").text
        cluster.publish_title(0, f"Visit us at {word}")
        # The worker updates the search index just after the publish; a
        # result B stored meanwhile is forgotten once it has.
        wait_until(
            lambda: result in cluster.get(1, f"/search/?q={word}").text,
            30,
            "the page in B's results",
        )

    @check("worker, webhook", "a publish is delivered once, signed, not once per node")
    def _():
        from webhooks.signing import verify

        wait_until(lambda: len(receiver.received) >= 2, 60, "two deliveries")
        time.sleep(5)  # time for a duplicate to show up, if there were one
        titles = [d.json["page"]["title"] for d in receiver.received]
        assert titles == ["Visit us today", "Visit us at Harbourfront"], titles
        for delivery in receiver.received:
            headers = delivery.headers
            assert verify(
                cluster.webhook_secret,
                delivery.body,
                headers["X-Webhook-Timestamp"],
                headers["X-Webhook-Signature"],
            )

    @check("worker, webhook", "killing the worker mid-delivery loses no delivery")
    def _():
        receiver.delays.append(30)  # the next delivery hangs
        count = len(receiver.received)
        cluster.publish_title(1, "Visit us: parking")
        wait_until(lambda: len(receiver.received) > count, 60, "the attempt")
        site.kill_worker(site.workers[-1][0])
        site.start_worker()
        wait_until(lambda: len(receiver.received) > count + 1, 120, "the retry")
        first, again = receiver.received[count], receiver.received[count + 1]
        assert (
            first.headers["X-Webhook-Delivery"] == again.headers["X-Webhook-Delivery"]
        )
        assert again.json["page"]["title"] == "Visit us: parking"

    @check("node A, node B, S3", "an image uploaded through A renders on B")
    def _():
        session = cluster.log_in(0)
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (640, 480), (20, 120, 160)).save(buffer, "PNG")
        session.get(0, "/admin/images/add/")
        response = session.post(
            0,
            "/admin/images/add/",
            data={"title": "Cluster photo", "collection": "1"},
            files={"file": ("cluster.png", buffer.getvalue(), "image/png")},
        )
        assert response.status_code == 302, response.text[:2000]
        assert not list((site.folder / "media").rglob("*.png")), "written to disk"
        image_id = int(
            site.shell(
                "from wagtail.images.models import Image\n"
                "print(Image.objects.get(title='Cluster photo').pk)"
            ).split()[-1]
        )
        edit = session.get(1, f"/admin/images/{image_id}/")
        assert edit.status_code == 200, edit.status_code
        sources = re.findall(r'<img[^>]+src="([^"]+)"', edit.text)
        rendition = next(src for src in sources if "cluster" in src)
        assert rendition.startswith("http"), rendition
        with urllib.request.urlopen(rendition, timeout=30) as fetched:  # noqa: S310
            assert fetched.read(8) == b"\x89PNG\r\n\x1a\n"

    @check(
        "node A, node B, Redis", "a clinic added on A is served by B without a restart"
    )
    def _():
        site.add_clinic("vancouver.localhost")
        response = cluster.get(1, "/", hostname="vancouver.localhost")
        assert response.status_code == 200 and "Vancouver Clinic" in response.text

    @check(
        "replica", "anonymous reads come from the replica, an editor's from the primary"
    )
    def _():
        replica = cluster.databases
        replica.pause_replay()
        try:
            cluster.publish_title(0, "Visit us: new hours")
            # Right after a change everyone reads the primary (the caches it
            # emptied are refilled from there); then anonymous reads go back
            # to the replica, which has not replayed the change.
            time.sleep(3)
            api = f"/api/v3/pages/{cluster.page_id}/"
            anonymous = cluster.get(1, api).json()
            assert anonymous["title"] != "Visit us: new hours", anonymous["title"]
            mine = cluster.api(1, "GET", api).json()
            assert mine["title"] == "Visit us: new hours"
        finally:
            replica.resume_replay()
        replica.wait_for_replay()
        wait_until(
            lambda: cluster.get(1, api).json()["title"] == "Visit us: new hours",
            30,
            "the replica catches up",
        )


def main():
    if not redis_is_up():
        print("FAIL  [Redis] Redis is not running on 127.0.0.1:6379", flush=True)
        return 1
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        store = stack.enter_context(ObjectStore(folder / "s3"))
        databases = stack.enter_context(PrimaryAndReplica(folder / "pg"))
        receiver = stack.enter_context(Receiver())
        cluster = Cluster(folder / "site", store, databases)
        (folder / "site").mkdir()
        stack.callback(cluster.installation.stop)
        cluster.set_up(receiver)
        cluster.installation.start()
        cluster.installation.start_worker()
        run_checks(cluster, receiver)
    passed = sum(RESULTS)
    print(f"{passed} of {len(RESULTS)} checks passed", flush=True)
    return 0 if RESULTS and all(RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main())
