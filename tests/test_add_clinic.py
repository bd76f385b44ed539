"""A new clinic in one command, safe to repeat, with clear errors."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from wagtail.models import Collection, Site

from home.models import ClinicSettings
from treatments.models import TreatmentIndexPage

pytestmark = pytest.mark.django_db


def add_clinic(*args):
    out = StringIO()
    call_command("add_clinic", *args, stdout=out)
    return out.getvalue()


def test_add_clinic_creates_everything_once(clinic_sites):
    out = add_clinic(
        "--name=Vancouver Clinic", "--hostname=vancouver.localhost", "--port=8000"
    )
    assert "(created)" in out
    site = Site.objects.get(hostname="vancouver.localhost", port=8000)
    home = site.root_page.specific
    assert home.title == "Vancouver Clinic"
    index = TreatmentIndexPage.objects.child_of(home).get()
    assert index.get_workflow().name == "Medical review"
    assert ClinicSettings.objects.get(site=site).name == "Vancouver Clinic"
    editors = Group.objects.get(name="Vancouver Clinic editors")
    assert {p.page_id for p in editors.page_permissions.all()} == {home.pk}
    collection = Collection.objects.get(name="Vancouver Clinic")
    assert {p.collection_id for p in editors.collection_permissions.all()} == {
        collection.pk
    }

    counts = (
        Site.objects.count(),
        Group.objects.count(),
        Collection.objects.count(),
        TreatmentIndexPage.objects.count(),
        editors.page_permissions.count(),
    )
    again = add_clinic(
        "--name=Vancouver Clinic", "--hostname=vancouver.localhost", "--port=8000"
    )
    assert "already there, nothing changed" in again
    assert counts == (
        Site.objects.count(),
        Group.objects.count(),
        Collection.objects.count(),
        TreatmentIndexPage.objects.count(),
        editors.page_permissions.count(),
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name=X", "--hostname=http://x.example.com"], "is not a hostname"),
        (["--name=X", "--hostname=x.example.com/path"], "is not a hostname"),
        (["--name=X", "--hostname=X.Example.com"], "must be lower case"),
        (["--name=X", "--hostname=x.example.com", "--port=abc"], "--port must be"),
        (["--name=  ", "--hostname=x.example.com"], "--name must not be empty"),
        (
            ["--name=Impostor", "--hostname=toronto.localhost", "--port=8000"],
            "already the site of 'Toronto Test Clinic'",
        ),
        (
            ["--name=Impostor", "--hostname=toronto.example.com"],
            "already belongs to Toronto Test Clinic",
        ),
    ],
)
def test_bad_input_is_a_clear_command_error(clinic_sites, args, message):
    sites = Site.objects.count()
    with pytest.raises(CommandError, match=message):
        add_clinic(*args)
    assert Site.objects.count() == sites
