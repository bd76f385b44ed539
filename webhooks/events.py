"""Page events of a clinic become deliveries to its endpoints.

Each receiver writes the deliveries in the transaction of the change itself
and sends them once it commits (webhooks/tasks.py); a failing endpoint never
fails or slows the publish. One delivery per endpoint and event, written by
the process that made the change: never once per app node.
"""

from django.db.models.signals import pre_delete
from django.utils import timezone
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from clinics.boundary import site_of_page

from .models import WebhookDelivery, WebhookEndpoint
from .tasks import send_on_commit

Event = WebhookEndpoint.Event


def payload(event, page, site):
    root = site.root_url
    return {
        "event": event,
        "occurred_at": timezone.now().isoformat(),
        "clinic": {"id": site.pk, "name": site.site_name, "hostname": site.hostname},
        "page": {
            "id": page.pk,
            "type": page.specific_class._meta.label_lower
            if page.specific_class
            else "",
            "title": page.title,
            "url": page.get_url(),
            "html_url": page.get_full_url() if page.live else None,
            "api_url": f"{root}/api/v3/pages/{page.pk}/",
        },
    }


def page_event(event, page, **extra):
    site = site_of_page(page)
    if site is None:
        return
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(site=site, active=True)
        if event in endpoint.events
    ]
    if not endpoints:
        return
    body = payload(event, page, site) | extra
    for endpoint in endpoints:
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, payload=body
        )
        send_on_commit(delivery)


def on_published(sender, instance, **kwargs):
    page_event(Event.PUBLISH, instance)


def on_unpublished(sender, instance, **kwargs):
    page_event(Event.UNPUBLISH, instance)


def on_moved(sender, instance, url_path_before, **kwargs):
    page_event(Event.MOVE, instance, previous_url_path=url_path_before)


def on_deleted(sender, instance, **kwargs):
    # Once per page: Wagtail deletes the base Page row and each specific row.
    if isinstance(instance, Page) and type(instance) is not Page:
        page_event(Event.DELETE, instance)


def connect():
    uid = "clinic_webhooks"
    page_published.connect(on_published, dispatch_uid=f"{uid}_published")
    page_unpublished.connect(on_unpublished, dispatch_uid=f"{uid}_unpublished")
    post_page_move.connect(on_moved, dispatch_uid=f"{uid}_moved")
    pre_delete.connect(on_deleted, dispatch_uid=f"{uid}_deleted")
