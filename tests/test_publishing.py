"""Publishing and saving are all or nothing; concurrent edits keep every revision.

Faults are injected where real ones happen: a ``page_published`` receiver (a
CDN purge, our page cache) or an admin hook raising after Wagtail has already
written the page.
"""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail import hooks
from wagtail.models import Revision
from wagtail.signals import page_published
from wagtail.test.utils.form_data import nested_form_data, streamfield

from home.clinic_setup import share_treatment
from treatments.models import TreatmentPage

from .helpers import faq_value, get_page

pytestmark = pytest.mark.django_db


class PurgeFailed(Exception):
    pass


@pytest.fixture
def failing_purge():
    """A page_published receiver that fails, like an unreachable CDN."""

    def purge(sender, instance, **kwargs):
        raise PurgeFailed("CDN unreachable")

    page_published.connect(purge)
    yield
    page_published.disconnect(purge)


def edit(client, page, title, action):
    fields = {"title": title, "slug": page.slug}
    if isinstance(page, TreatmentPage):
        fields.update(
            summary=page.summary,
            body=streamfield([("faq", faq_value("Is it new?"))]),
        )
    else:
        fields["intro"] = page.intro
    data = nested_form_data(fields)
    if action:
        data[f"action-{action}"] = action
    return client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)


def snapshot(page):
    page = type(page).objects.get(pk=page.pk)
    return {
        "title": page.title,
        "live": page.live,
        "live_revision": page.live_revision_id,
        "latest_revision": page.latest_revision_id,
        "has_unpublished_changes": page.has_unpublished_changes,
        "revisions": Revision.objects.for_instance(page).count(),
    }


# Treatment pages are published only through the medical review
# (test_workflow.py); the admin's publish button is tried on the clinic's
# treatment index, which the operator publishes directly.


@pytest.fixture
def listing(clinic_sites):
    return clinic_sites.toronto.index


def test_failed_publish_in_the_admin_changes_nothing_and_says_so(
    admin_client, listing, clinic_sites, failing_purge
):
    treatment_page = listing
    before = snapshot(treatment_page)

    response = edit(admin_client, treatment_page, "Renamed treatment", "publish")

    assert response.status_code == 200
    html = response.content.decode()
    assert "could not be published" in html
    assert "nothing was changed" in html
    # The editor's edits are still in the form.
    assert 'value="Renamed treatment"' in html
    assert "has been published" not in html
    assert snapshot(treatment_page) == before
    live = get_page(Client(), treatment_page, clinic_sites.toronto.site)
    assert "Renamed treatment" not in live.content.decode()


def test_publish_succeeds_once_the_fault_is_gone(admin_client, listing):
    treatment_page = listing

    def purge(sender, instance, **kwargs):
        raise PurgeFailed("CDN unreachable")

    page_published.connect(purge)
    try:
        failed = edit(admin_client, treatment_page, "Renamed treatment", "publish")
    finally:
        page_published.disconnect(purge)
    assert failed.status_code == 200

    # The editor presses Publish again with the same edits.
    response = edit(admin_client, treatment_page, "Renamed treatment", "publish")
    assert response.status_code == 302
    assert type(listing).objects.get(pk=listing.pk).title == "Renamed treatment"


def test_failed_after_publish_hook_rolls_the_publish_back(admin_client, listing):
    treatment_page = listing
    before = snapshot(treatment_page)

    def fail(request, page):
        raise PurgeFailed("after-publish step failed")

    with hooks.register_temporarily("after_publish_page", fail):
        response = edit(admin_client, treatment_page, "Renamed treatment", "publish")

    assert response.status_code == 200
    assert "could not be published" in response.content.decode()
    assert snapshot(treatment_page) == before


def test_failed_save_keeps_the_stored_page_and_says_so(admin_client, treatment_page):
    before = snapshot(treatment_page)

    def fail(request, page):
        raise PurgeFailed("after-edit step failed")

    with hooks.register_temporarily("after_edit_page", fail):
        response = edit(admin_client, treatment_page, "Draft title", action=None)

    assert response.status_code == 200
    assert "could not be saved" in response.content.decode()
    assert snapshot(treatment_page) == before


# Outside any transaction, as workflow approval and scheduled publishing run;
# serialized_rollback restores Wagtail's root page after the flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_failed_publish_through_the_model_is_rolled_back(treatment_page, failing_purge):
    """Workflow approval, scheduled publishing and the API publish this way."""
    treatment_page.title = "Renamed treatment"
    revision = treatment_page.save_revision()
    before = snapshot(treatment_page)

    with pytest.raises(PurgeFailed):
        revision.publish()

    assert snapshot(treatment_page) == before
    assert before["live_revision"] != revision.pk


# Outside any transaction, as workflow approval and scheduled publishing run;
# serialized_rollback restores Wagtail's root page after the flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_failed_publish_leaves_aliases_as_they_were(treatment_page, clinic_sites):
    alias = share_treatment(treatment_page, clinic_sites.kelowna.site)
    treatment_page.title = "Renamed treatment"
    revision = treatment_page.save_revision()

    def purge(sender, instance, **kwargs):
        raise PurgeFailed("CDN unreachable")

    # Fails after the original's row is written and aliases are updated.
    page_published.connect(purge, sender=TreatmentPage)
    try:
        with pytest.raises(PurgeFailed):
            revision.publish()
    finally:
        page_published.disconnect(purge, sender=TreatmentPage)

    assert TreatmentPage.objects.get(pk=treatment_page.pk).title == "Prolotherapy"
    assert TreatmentPage.objects.get(pk=alias.pk).title == "Prolotherapy"


def test_concurrent_edits_keep_every_revision(
    client, treatment_page, clinic_sites, editors, admin_user
):
    """Two people edit the same page from the same starting point: both
    versions are kept as revisions, neither overwrites the other."""
    before = Revision.objects.for_instance(treatment_page).count()
    first, second = Client(), Client()
    first.force_login(admin_user)
    second.force_login(editors.toronto)
    edit_url = reverse("wagtailadmin_pages:edit", args=[treatment_page.pk])
    assert first.get(edit_url).status_code == 200
    assert second.get(edit_url).status_code == 200

    assert (
        edit(first, treatment_page, "Version from the operator", None).status_code
        == 302
    )
    assert (
        edit(second, treatment_page, "Version from the editor", None).status_code == 302
    )

    revisions = Revision.objects.for_instance(treatment_page).order_by("created_at")
    assert revisions.count() == before + 2
    titles = [revision.as_object().title for revision in revisions]
    assert titles[-2:] == ["Version from the operator", "Version from the editor"]
    # The live page is untouched by drafts.
    assert TreatmentPage.objects.get(pk=treatment_page.pk).title == "Prolotherapy"
