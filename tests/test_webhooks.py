"""Signed webhooks: a clinic's endpoints hear of its page events, signed,
retried with back-off, logged in the admin, and never slowing or failing a
publish; another clinic's endpoints and staff never see them."""

import socket
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.utils import timezone
from django_tasks.signals import task_enqueued

from clinics import scheduler
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify,
)
from webhooks.tasks import send_due_deliveries

from .helpers import make_treatment
from .webhook_receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what a change does once its transaction commits (the sending)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


ALL_EVENTS = [choice for choice, _ in WebhookEndpoint.Event.choices]


def endpoint(site, url, events=ALL_EVENTS, **kw):
    return WebhookEndpoint.objects.create(
        site=site, name=f"{site.site_name} front-end", url=url, events=events, **kw
    )


def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/hook"


def test_a_publish_is_delivered_signed_to_its_clinic_only(clinic_sites, committed):
    with Receiver() as toronto_hook, Receiver() as kelowna_hook:
        hook = endpoint(clinic_sites.toronto.site, toronto_hook.url)
        endpoint(clinic_sites.kelowna.site, kelowna_hook.url)
        with committed():
            page = make_treatment(clinic_sites.toronto.index, title="Neural therapy")

        [delivery] = toronto_hook.wait_for(1)
        assert kelowna_hook.received == []
        body = delivery.json
        assert body["event"] == "publish"
        assert body["clinic"]["hostname"] == clinic_sites.toronto.site.hostname
        assert body["page"]["id"] == page.pk
        assert body["page"]["title"] == "Neural therapy"
        assert body["page"]["api_url"].endswith(f"/api/v3/pages/{page.pk}/")
        assert body["page"]["html_url"] == page.get_full_url()
        headers = delivery.headers
        assert headers[EVENT_HEADER] == "publish"
        timestamp, signature = headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER]
        assert abs(int(timestamp) - time.time()) < 60
        assert verify(hook.secret, delivery.body, timestamp, signature)
        # A receiver refuses what the secret did not sign, or a replay.
        assert not verify("another secret", delivery.body, timestamp, signature)
        assert not verify(hook.secret, delivery.body + b" ", timestamp, signature)
        assert not verify(
            hook.secret, delivery.body, timestamp, signature, now=int(timestamp) + 600
        )
        logged = WebhookDelivery.objects.get(pk=headers[DELIVERY_HEADER])
        assert logged.status == WebhookDelivery.Status.DELIVERED
        assert logged.response_status == 200 and logged.attempts == 1


def test_each_event_is_sent_only_where_it_was_asked_for(clinic_sites, committed):
    with Receiver() as publishes, Receiver() as removals:
        endpoint(clinic_sites.toronto.site, publishes.url, events=["publish"])
        endpoint(
            clinic_sites.toronto.site, removals.url, events=["unpublish", "delete"]
        )
        with committed():
            page = make_treatment(clinic_sites.toronto.index)
            page.unpublish()
            page.delete()
        assert [d.json["event"] for d in publishes.wait_for(1)] == ["publish"]
        events = [d.json["event"] for d in removals.wait_for(2)]
        assert events == ["unpublish", "delete"]


def test_a_move_names_the_old_address(clinic_sites, committed):
    with Receiver() as hook:
        endpoint(clinic_sites.toronto.site, hook.url, events=["move"])
        first = make_treatment(clinic_sites.toronto.index, title="Parent")
        second = make_treatment(clinic_sites.toronto.index, title="Child")
        old_path = second.url_path
        with committed():
            second.move(first, pos="last-child")
        [moved] = hook.wait_for(1)
        assert moved.json["event"] == "move"
        assert moved.json["previous_url_path"] == old_path
        assert moved.json["page"]["id"] == second.pk


def test_a_failing_endpoint_never_fails_the_publish_and_is_retried_with_back_off(
    clinic_sites, committed
):
    with Receiver(statuses=[500, 503]) as hook:
        endpoint(clinic_sites.toronto.site, hook.url)
        with committed():
            page = make_treatment(clinic_sites.toronto.index)
        page.refresh_from_db()
        assert page.live
        hook.wait_for(1)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == WebhookDelivery.Status.PENDING
        assert delivery.attempts == 1 and delivery.response_status == 500
        wait = delivery.next_attempt_at - timezone.now()
        assert timedelta(seconds=5) < wait <= timedelta(seconds=10)

        # Not due yet: the periodic sweep leaves it alone.
        send_due_deliveries.enqueue()
        assert len(hook.received) == 1

        waits = []
        for _ in range(2):
            WebhookDelivery.objects.update(next_attempt_at=timezone.now())
            before = timezone.now()
            send_due_deliveries.enqueue()
            delivery.refresh_from_db()
            waits.append(delivery.next_attempt_at - before)
        assert len(hook.wait_for(3)) == 3
        assert delivery.status == WebhookDelivery.Status.DELIVERED
        assert delivery.attempts == 3
        # Each delivery carries the same id, so a receiver can ignore repeats.
        assert len({d.headers[DELIVERY_HEADER] for d in hook.received}) == 1
        assert waits[0] > timedelta(seconds=50)  # the second wait: a minute


def test_an_endpoint_that_never_answers_is_given_up_after_the_last_back_off(
    clinic_sites, committed
):
    endpoint(clinic_sites.toronto.site, closed_port_url())
    started = time.monotonic()
    with committed():
        page = make_treatment(clinic_sites.toronto.index)
    assert time.monotonic() - started < 5  # refused at once: the publish goes on
    page.refresh_from_db()
    assert page.live
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_error
    for _ in WebhookDelivery.BACK_OFF:
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        send_due_deliveries.enqueue()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == len(WebhookDelivery.BACK_OFF) + 1


def test_a_delivery_held_by_a_worker_that_died_is_sent_again(clinic_sites):
    with Receiver() as hook:
        hook_endpoint = endpoint(clinic_sites.toronto.site, hook.url)
        delivery = WebhookDelivery.objects.create(
            endpoint=hook_endpoint, event="publish", payload={"event": "publish"}
        )
        # A worker claimed it and was killed mid-attempt.
        assert delivery.claim()
        assert not delivery.claim()  # nobody else takes it while it is held
        send_due_deliveries.enqueue()
        assert hook.received == []
        WebhookDelivery.objects.update(
            claimed_until=timezone.now() - timedelta(seconds=1)
        )
        send_due_deliveries.enqueue()
        assert len(hook.wait_for(1)) == 1
        delivery.refresh_from_db()
        assert delivery.status == WebhookDelivery.Status.DELIVERED


def test_the_scheduler_enqueues_each_periodic_task_once_per_period(clinic_sites):
    ran = []

    def enqueued(sender, task_result, **kwargs):
        ran.append(task_result.task.module_path)

    task_enqueued.connect(enqueued, weak=False, dispatch_uid="test_scheduler")
    now = 1_000_000.0
    assert set(scheduler.enqueue_due(now)) == set(scheduler.PERIODIC)
    # Another worker's scheduler in the same period: nothing again.
    assert scheduler.enqueue_due(now + 1) == []
    later = scheduler.enqueue_due(now + 31)
    assert "clinics.tasks.publish_scheduled_pages" in later
    assert "webhooks.tasks.send_due_deliveries" in later
    task_enqueued.disconnect(dispatch_uid="test_scheduler")
    assert sorted(ran) == sorted([*scheduler.PERIODIC, *later])


def test_a_scheduled_page_goes_live_when_the_scheduler_runs(clinic_sites):
    page = make_treatment(clinic_sites.toronto.index, title="Scheduled")
    page.unpublish()
    revision = page.save_revision()
    revision.approved_go_live_at = timezone.now() - timedelta(seconds=1)
    revision.save()
    scheduler.enqueue_due()
    page.refresh_from_db()
    assert page.live


@override_settings(WAGTAILADMIN_BASE_URL="http://toronto.localhost:8000")
def test_only_the_clinics_web_administrators_manage_its_webhooks(
    client, clinic_sites, editors
):
    from home.clinic_setup import ensure_user

    admin, _ = ensure_user(
        "toronto-web",
        "pass",
        groups=[Group.objects.get(name="Toronto Test Clinic web administrators")],
    )
    mine = endpoint(clinic_sites.toronto.site, closed_port_url())
    theirs = endpoint(clinic_sites.kelowna.site, closed_port_url())
    delivery = WebhookDelivery.objects.create(
        endpoint=theirs, event="publish", payload={}
    )
    client.force_login(admin)
    listing = client.get("/admin/webhooks/endpoints/")
    assert listing.status_code == 200
    assert mine.name in listing.text and theirs.name not in listing.text
    assert client.get(f"/admin/webhooks/endpoints/edit/{mine.pk}/").status_code == 200
    for url in (
        f"/admin/webhooks/endpoints/edit/{theirs.pk}/",
        f"/admin/webhooks/endpoints/delete/{theirs.pk}/",
        f"/admin/webhooks/deliveries/inspect/{delivery.pk}/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
    theirs.refresh_from_db()
    # The form offers only the administrator's clinic.
    form = client.get("/admin/webhooks/endpoints/new/").context["form"]
    assert list(form.fields["site"].queryset) == [clinic_sites.toronto.site]
    response = client.post(
        "/admin/webhooks/endpoints/new/",
        {
            "site": clinic_sites.kelowna.site.pk,
            "name": "Sneaky",
            "url": "https://example.com/hook",
            "events": ["publish"],
            "secret": "s",
            "active": "on",
        },
    )
    assert response.status_code == 200  # the form again, with an error
    assert not WebhookEndpoint.objects.filter(name="Sneaky").exists()
    # Editors do not manage webhooks.
    client.force_login(editors.toronto)
    assert client.get("/admin/webhooks/endpoints/").status_code in (302, 403)


def test_the_delivery_log_shows_each_status(
    client, clinic_sites, admin_user, committed
):
    hook_endpoint = endpoint(clinic_sites.toronto.site, closed_port_url())
    with committed():
        make_treatment(clinic_sites.toronto.index)
    delivery = WebhookDelivery.objects.get(endpoint=hook_endpoint)
    client.force_login(admin_user)
    listing = client.get("/admin/webhooks/deliveries/")
    assert listing.status_code == 200
    assert "Waiting to be sent" in listing.text
    detail = client.get(f"/admin/webhooks/deliveries/inspect/{delivery.pk}/")
    assert detail.status_code == 200
    assert "Connection refused" in delivery.last_error
    assert "Connection refused" in detail.text


@override_settings(WEBHOOK_ALLOWED_NETWORKS=[])
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/",  # Redis beside the worker
        "http://localhost:5432/",
        "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata
        "http://10.0.0.5/hook",
        "http://192.168.1.20/hook",
        "http://[::1]:8333/",  # the object store
        "http://0.0.0.0/",
        "ftp://93.184.215.14/hook",
        "http://no-such-host.invalid/hook",
    ],
)
def test_an_endpoint_inside_the_installations_network_is_refused(
    client, clinic_sites, admin_user, url
):
    client.force_login(admin_user)
    response = client.post(
        "/admin/webhooks/endpoints/new/",
        {
            "site": clinic_sites.toronto.site.pk,
            "name": "Inside",
            "url": url,
            "events": ["publish"],
            "secret": "s",
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["url"]
    assert not WebhookEndpoint.objects.filter(name="Inside").exists()


def test_a_public_address_or_a_network_the_operator_allows_is_accepted(
    client, clinic_sites, admin_user
):
    client.force_login(admin_user)

    def create(name, url):
        return client.post(
            "/admin/webhooks/endpoints/new/",
            {
                "site": clinic_sites.toronto.site.pk,
                "name": name,
                "url": url,
                "events": ["publish"],
                "secret": "s",
                "active": "on",
            },
        )

    with override_settings(WEBHOOK_ALLOWED_NETWORKS=[]):
        assert create("Public", "https://93.184.215.14/hook").status_code == 302
        assert create("Private", "http://10.1.2.3/hook").status_code == 200
    with override_settings(WEBHOOK_ALLOWED_NETWORKS=["10.0.0.0/8"]):
        assert create("Private", "http://10.1.2.3/hook").status_code == 302
    assert set(WebhookEndpoint.objects.values_list("name", flat=True)) == {
        "Public",
        "Private",
    }


def test_a_delivery_to_an_address_no_longer_allowed_is_not_sent(
    clinic_sites, committed
):
    with Receiver() as hook:
        endpoint(clinic_sites.toronto.site, hook.url)  # saved while allowed
        with override_settings(WEBHOOK_ALLOWED_NETWORKS=[]), committed():
            make_treatment(clinic_sites.toronto.index)
        time.sleep(0.5)
        assert hook.received == []
    delivery = WebhookDelivery.objects.get()
    assert "private network" in delivery.last_error
    assert delivery.status == WebhookDelivery.Status.PENDING  # retried later


def test_a_redirect_is_not_followed(clinic_sites, committed):
    with Receiver() as inside, Receiver(statuses=[302], location=inside.url) as hook:
        endpoint(clinic_sites.toronto.site, hook.url)
        with committed():
            make_treatment(clinic_sites.toronto.index)
        assert len(hook.wait_for(1)) == 1
        time.sleep(0.5)
        assert inside.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.response_status == 302
    assert delivery.status == WebhookDelivery.Status.PENDING
