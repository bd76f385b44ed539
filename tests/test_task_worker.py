"""The real task worker (``manage.py run_worker``) on a database queue, in
its own process: scheduled publishing with no cron, and webhook deliveries
that survive the worker being killed mid-delivery."""

import sqlite3
import time

import pytest

from .installation import Installation
from .webhook_receiver import Receiver

NEW_PAGE = """
from datetime import timedelta
from django.utils import timezone
from wagtail.models import Site
from home.models import ContentPage
home = Site.objects.get(is_default_site=True).root_page
page = home.add_child(instance=ContentPage(title={title!r}, slug={slug!r}, live=False))
{then}
print(page.pk)
"""


@pytest.fixture
def installation(tmp_path):
    site = Installation(
        tmp_path,
        nodes=0,
        TASKS_BACKEND="database",
        SCHEDULER_INTERVAL="1",
        WEBHOOK_TIMEOUT="1",
    )
    site.set_up("toronto.localhost")
    yield site
    site.stop()


def query(installation, sql, *args):
    database = installation.folder / "db.sqlite3"
    with sqlite3.connect(database, timeout=30) as connection:
        return connection.execute(sql, args).fetchall()


def wait_until(check, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def is_live(installation, pk):
    return query(installation, "SELECT live FROM wagtailcore_page WHERE id = ?", pk)[0][
        0
    ]


def test_a_scheduled_page_goes_live_from_the_worker_within_a_minute(installation):
    pk = int(
        installation.shell(
            NEW_PAGE.format(
                title="Winter hours",
                slug="winter-hours",
                then="page.go_live_at = timezone.now() + timedelta(seconds=5)\n"
                "page.save_revision().publish()",
            )
        )
    )
    scheduled_at = time.monotonic()
    assert not is_live(installation, pk)  # scheduled, not yet live
    installation.start_worker()
    assert wait_until(lambda: is_live(installation, pk), timeout=65)
    assert time.monotonic() - scheduled_at >= 4  # not before its time


def delivery_rows(installation):
    return query(installation, "SELECT status, attempts FROM webhooks_webhookdelivery")


def test_killing_the_worker_mid_delivery_loses_no_delivery(installation):
    # The first delivery hangs, as a slow endpoint does, and the worker dies.
    with Receiver(delays=[20]) as hook:
        installation.shell(
            "from wagtail.models import Site\n"
            "from webhooks.models import WebhookEndpoint\n"
            "WebhookEndpoint.objects.create(site=Site.objects.get(is_default_site=True),"
            f" name='Front-end', url={hook.url!r}, events=['publish'])"
        )
        worker = installation.start_worker()
        installation.shell(
            NEW_PAGE.format(
                title="Parking", slug="parking", then="page.save_revision().publish()"
            )
        )
        assert len(hook.wait_for(1, timeout=60)) == 1  # the worker is sending it
        installation.kill_worker(worker)
        assert delivery_rows(installation) == [("pending", 0)]

        installation.start_worker()
        # Its claim on the delivery runs out; the periodic retry sends it.
        assert wait_until(
            lambda: delivery_rows(installation) == [("delivered", 1)], timeout=120
        ), delivery_rows(installation)
        first, second = hook.received
        assert (
            first.headers["X-Webhook-Delivery"] == second.headers["X-Webhook-Delivery"]
        )
        assert first.body == second.body
