"""The one subscriber to content changes: it turns Wagtail's and Django's
signals into a ``content_changed`` signal that says what a visitor would see
differently, and every cache listens to that instead of to Wagtail.

A change names the pages whose rendering changed (by Wagtail ``url_path``,
whichever clinic they are in) and the clinics whose every page changed (their
settings show on all of them). What counts:

- publishing, unpublishing or deleting a page: the page, its ancestors (their
  listings show it) and the pages linking to it (Wagtail's reference index);
  with its descendants when they stop being live;
- a new slug or a move: the old and the new addresses of the page and its
  descendants, and the listings it left;
- adding, changing or removing a view restriction: the page, its descendants
  and its ancestors, at once (a members-only page must never be served to
  visitors from a cache);
- saving a clinic's settings or its Site: every page of that clinic;
- any of these to a section (a child of a clinic's home page): every page of
  that clinic, as the menu on every page lists the sections;
- changing or deleting an image or a document: the pages that show it;
- pages a page type says show it (``pages_that_show_it()``: a clinician's
  profile lists the treatments they provide, and the treatment pages link the
  profile), and pages showing a changed record (``records_changed``).

Listeners (``clinics.page_cache``, ``search.results_cache``) receive
``change`` (a ``ContentChange``). Each listener is told twice: now, and again
when the transaction commits, so a request served in between cannot leave an
old copy behind.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import BigIntegerField
from django.db.models.functions import Cast
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import Signal
from wagtail.models import Page, PageViewRestriction, ReferenceIndex, Site
from wagtail.signals import (
    page_published,
    page_slug_changed,
    page_unpublished,
    post_page_move,
)

content_changed = Signal()


@dataclass(frozen=True)
class ContentChange:
    url_paths: frozenset = field(default_factory=frozenset)
    site_ids: frozenset = field(default_factory=frozenset)

    def __bool__(self):
        return bool(self.url_paths or self.site_ids)


def announce(change):
    if not change:
        return

    def send():
        content_changed.send(sender=ContentChange, change=change)

    send()
    transaction.on_commit(send)


# What a change affects


def ancestor_paths(url_path):
    """The ancestors' url_paths are the prefixes of the page's own."""
    parts = url_path.strip("/").split("/")
    return ["/" + "".join(f"{p}/" for p in parts[:i]) for i in range(len(parts) + 1)]


def affected_url_paths(page, with_descendants=False):
    paths = ancestor_paths(page.url_path)
    if with_descendants:
        paths += page.get_descendants().values_list("url_path", flat=True)
    paths += referring_pages(page).values_list("url_path", flat=True)
    return paths


def referring_pages(instance):
    """Pages that refer to ``instance`` (a page or a record), by Wagtail's
    reference index."""
    referring = (
        ReferenceIndex.get_references_to(instance)
        .filter(base_content_type=ReferenceIndex._get_base_content_type(Page))
        .annotate(page_id=Cast("object_id", BigIntegerField()))
        .values("page_id")
    )
    return Page.objects.filter(pk__in=referring)


def clinics_with_home_page(path):
    """The clinics whose home page has this tree path."""
    return frozenset(
        Site.objects.filter(root_page__path=path).values_list("pk", flat=True)
    )


def section_site_ids(page):
    """The clinics whose home page is this page's parent."""
    return clinics_with_home_page(page.path[: -Page.steplen])


def page_changed(page, with_descendants=False, extra_paths=(), extra_site_ids=()):
    showing = getattr(page.specific_deferred, "pages_that_show_it", None)
    announce(
        ContentChange(
            url_paths=frozenset(
                [
                    *affected_url_paths(page, with_descendants),
                    *extra_paths,
                    *(showing().values_list("url_path", flat=True) if showing else ()),
                ]
            ),
            site_ids=section_site_ids(page) | frozenset(extra_site_ids),
        )
    )


def records_changed(instance):
    """A record pages show (a snippet such as a Clinician) changed: the pages
    that refer to it, by Wagtail's reference index, and those the record
    names itself (``pages_that_show_it``)."""
    showing = getattr(instance, "pages_that_show_it", None)
    announce(
        ContentChange(
            url_paths=frozenset(
                [
                    *referring_pages(instance).values_list("url_path", flat=True),
                    *(showing().values_list("url_path", flat=True) if showing else ()),
                ]
            )
        )
    )


def moved_paths(old_path, new_path, page):
    """The old addresses of the page and its descendants."""
    descendants = page.get_descendants().values_list("url_path", flat=True)
    return [old_path, *(old_path + path[len(new_path) :] for path in descendants)]


# Receivers


def on_published(sender, instance, **kwargs):
    page_changed(instance)


def on_unpublished(sender, instance, **kwargs):
    page_changed(instance, with_descendants=True)


def on_slug_changed(sender, instance, instance_before, **kwargs):
    old = moved_paths(instance_before.url_path, instance.url_path, instance)
    page_changed(instance, with_descendants=True, extra_paths=old)


def on_moved(sender, instance, parent_page_before, url_path_before, **kwargs):
    old = moved_paths(url_path_before, instance.url_path, instance)
    old += ancestor_paths(parent_page_before.url_path)
    # A section moved away from a clinic's home page leaves its menu.
    left = clinics_with_home_page(parent_page_before.path)
    page_changed(instance, with_descendants=True, extra_paths=old, extra_site_ids=left)


def on_page_deleted(sender, instance, **kwargs):
    # Once per page: Wagtail deletes the base Page row and each specific row.
    if isinstance(instance, Page) and type(instance) is not Page:
        page_changed(instance)


def on_restriction_changed(sender, instance, **kwargs):
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        page_changed(page, with_descendants=True)


def on_restriction_groups_changed(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        on_restriction_changed(sender, instance)


def on_site_settings_changed(sender, instance, **kwargs):
    announce(ContentChange(site_ids=frozenset([instance.site_id])))


def on_site_changed(sender, instance, **kwargs):
    announce(ContentChange(site_ids=frozenset([instance.pk])))


def on_media_changed(sender, instance, created=False, **kwargs):
    # A new image or document is not shown anywhere yet.
    if not created:
        records_changed(instance)


def connect():
    from django.apps import apps
    from wagtail.contrib.settings.models import BaseSiteSetting
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    uid = "clinic_content_changes"
    page_published.connect(on_published, dispatch_uid=f"{uid}_published")
    page_unpublished.connect(on_unpublished, dispatch_uid=f"{uid}_unpublished")
    page_slug_changed.connect(on_slug_changed, dispatch_uid=f"{uid}_slug")
    post_page_move.connect(on_moved, dispatch_uid=f"{uid}_moved")
    pre_delete.connect(on_page_deleted, dispatch_uid=f"{uid}_page_deleted")
    for signal in (post_save, post_delete):
        signal.connect(
            on_restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"{uid}_restriction_{id(signal)}",
        )
        signal.connect(
            on_site_changed, sender=Site, dispatch_uid=f"{uid}_site_{id(signal)}"
        )
    # An image's alt text or file, a document's title: the pages showing it.
    for model in (get_image_model(), get_document_model()):
        for signal in (post_save, pre_delete):
            signal.connect(
                on_media_changed,
                sender=model,
                dispatch_uid=f"{uid}_{model._meta.label}_{id(signal)}",
            )
    m2m_changed.connect(
        on_restriction_groups_changed,
        sender=PageViewRestriction.groups.through,
        dispatch_uid=f"{uid}_restriction_groups",
    )
    for model in apps.get_models():
        if issubclass(model, BaseSiteSetting):
            for signal in (post_save, pre_delete):
                signal.connect(
                    on_site_settings_changed,
                    sender=model,
                    dispatch_uid=f"{uid}_{model._meta.label}_{id(signal)}",
                )
