"""Browser test plumbing: Debian's Chromium driven by Playwright, a live server.

Use the ``browser`` fixture (a Playwright Browser) with ``live_clinics`` (the
two clinic Sites on the live server's port) and ``screenshots`` (a folder
under test-artifacts/ named after the test). Never downloads a browser:
without /usr/bin/chromium the tests skip, or fail when CI=true.
"""

import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    # *.localhost is loopback anyway; this makes it explicit and IPv4.
    "--host-resolver-rules=MAP *.localhost 127.0.0.1",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def _missing_browser(reason):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"Browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def playwright_driver():
    if not CHROMIUM.exists():
        _missing_browser(
            f"{CHROMIUM} is missing (run scripts/ensure-chromium as root, or "
            "apt-get install chromium)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_browser("the playwright package is not installed (requirements.txt)")
    # Playwright's sync API runs an event loop in this thread; the test's own
    # ORM calls are still synchronous and safe, so let Django allow them.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Playwright runs the test in a greenlet with its own context variables,
    # so Django's per-context connection handler hands out new connection
    # objects there. Those lack the snapshot of migrated data (root page, root
    # collection, locale) that serialized_rollback restores after each flush,
    # so carry it over; without it the second browser test finds no root page.
    from django.db import connections

    snapshots = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as driver:
        for alias, contents in snapshots.items():
            connections[alias]._test_serialized_contents = contents
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver, live_server):
    # Depends on live_server so that it closes first: Chromium's idle
    # keep-alive connections then end while the live server still shares its
    # in-memory SQLite connection with its request threads (otherwise each
    # thread fails to close that connection at the end of the session).
    browser = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def screenshots(request):
    """An empty folder for this test's screenshots: test-artifacts/<test name>/."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    folder = ARTIFACTS / "screenshots" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def live_clinics(live_server):
    """Both clinic Sites served by the live server: http://<clinic>.localhost:<port>."""
    from home.clinic_setup import ensure_clinic, remove_wagtail_welcome_site

    from .conftest import KELOWNA, TORONTO

    port = int(live_server.url.rsplit(":", 1)[1])
    remove_wagtail_welcome_site()
    clinics = SimpleNamespace(
        toronto=ensure_clinic(**{**TORONTO, "port": port}),
        kelowna=ensure_clinic(**{**KELOWNA, "port": port}),
    )
    for clinic in (clinics.toronto, clinics.kelowna):
        clinic.url = f"http://{clinic.site.hostname}:{port}"
    return clinics


def log_in(context, base_url, username, password):
    """A new page in ``context``, logged in to the Wagtail admin."""
    page = context.new_page()
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")
    return page


# A form post through the live server that publishes, submits or saves runs
# the whole of it (workflow, checks, cache invalidation) in one test thread;
# on a loaded CI machine that has taken over Playwright's default 30 s.
SUBMIT_TIMEOUT_MS = 90_000


def wait_for_redirect(page, url):
    """Wait until ``page`` is at ``url`` after a form post; if it never gets
    there, fail with where it is and what the admin said instead."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_url(url, timeout=SUBMIT_TIMEOUT_MS)
    except PlaywrightTimeout:
        said = page.locator(".messages, .help-critical, .error-message")
        texts = [said.nth(i).inner_text() for i in range(said.count())]
        pytest.fail(f"Still at {page.url}, not {url}; the page says: {texts}")
