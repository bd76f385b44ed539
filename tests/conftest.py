from types import SimpleNamespace

import pytest
from django.core.cache import cache

from home.clinic_setup import ensure_clinic, remove_wagtail_welcome_site

from .helpers import make_treatment

TORONTO = {
    "name": "Toronto Test Clinic",
    "hostname": "toronto.localhost",
    "port": 8000,
    "is_default": True,
    "settings": {
        "tagline": "Toronto tagline",
        "address": "1 Toronto Street\nToronto, ON",
        "phone": "+1 416-555-0199",
        "email": "toronto@example.com",
        "opening_hours": "Monday–Friday: 9:00–17:00",
        "booking_url": "https://booking.example.com/toronto",
        "brand_colour": "#1d4e89",
    },
}
KELOWNA = {
    "name": "Kelowna Test Clinic",
    "hostname": "kelowna.localhost",
    "port": 8000,
    "is_default": False,
    "settings": {
        "tagline": "Kelowna tagline",
        "address": "2 Kelowna Avenue\nKelowna, BC",
        "phone": "+1 250-555-0199",
        "email": "kelowna@example.com",
        "opening_hours": "Tuesday–Saturday: 8:00–16:00",
        "booking_url": "https://booking.example.com/kelowna",
        "brand_colour": "#2f6b3a",
        "province": "BC",
        "time_zone": "America/Vancouver",
    },
}


@pytest.fixture(autouse=True)
def _clear_cache():
    # Wagtail caches site root paths in the cache, which outlives each test's
    # database transaction.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clinic_sites(db):
    """Two clinic Sites, each with its HomePage, TreatmentIndexPage, settings."""
    remove_wagtail_welcome_site()
    return SimpleNamespace(
        toronto=ensure_clinic(**TORONTO),
        kelowna=ensure_clinic(**KELOWNA),
    )


@pytest.fixture
def treatment_page(clinic_sites):
    """A published Toronto treatment page with one block of every type."""
    return make_treatment(clinic_sites.toronto.index)


@pytest.fixture
def kelowna_treatment(clinic_sites):
    return make_treatment(clinic_sites.kelowna.index, title="Kelowna Prolotherapy")


@pytest.fixture
def editors(clinic_sites):
    """One editor per clinic, each only in that clinic's editors group."""
    from .helpers import make_editor

    return SimpleNamespace(
        toronto=make_editor(clinic_sites.toronto, "toronto-editor"),
        kelowna=make_editor(clinic_sites.kelowna, "kelowna-editor"),
    )


@pytest.fixture
def reviewer(clinic_sites):
    """A member of the medical reviewers group, with a clinician record."""
    from .helpers import make_reviewer

    return make_reviewer()


# Browser plumbing (Playwright + Debian Chromium), shared by browser tests.
from .browser import (  # noqa: E402, F401
    browser,
    live_clinics,
    playwright_driver,
    screenshots,
)
from .redis_server import redis_cache, redis_url  # noqa: E402, F401
