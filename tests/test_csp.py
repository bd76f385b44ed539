"""Content-Security-Policy on public pages: own files only, a nonce for the
brand colour's inline <style>, never 'unsafe-inline'."""

import re

from bs4 import BeautifulSoup

from .helpers import get_page

HEADER = "Content-Security-Policy"


def directives(response):
    policy = response[HEADER]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part)
    }


def style_nonce(response):
    """The nonce the policy allows for styles, from the header."""
    (nonce,) = [
        value[len("'nonce-") : -1]
        for value in directives(response)["style-src"]
        if value.startswith("'nonce-")
    ]
    return nonce


def test_public_pages_send_a_strict_policy(client, clinic_sites, treatment_page):
    toronto = clinic_sites.toronto
    for page in (toronto.home, toronto.index, treatment_page):
        response = get_page(client, page, toronto.site)
        assert response.status_code == 200
        policy = directives(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'self'"]
        assert "unsafe-inline" not in response[HEADER]
        assert "unsafe-eval" not in response[HEADER]


def test_the_brand_style_carries_the_nonce_of_the_header(client, clinic_sites):
    kelowna = clinic_sites.kelowna
    response = get_page(client, kelowna.home, kelowna.site)
    nonce = style_nonce(response)
    assert re.fullmatch(r"[A-Za-z0-9+/=]{16,}", nonce)
    styles = BeautifulSoup(response.content, "html.parser").find_all("style")
    assert styles, "base.html has an inline <style> for the brand colour"
    for style in styles:
        assert style.get("nonce") == nonce
    assert "--brand: #2f6b3a" in styles[0].string


def test_each_response_has_a_fresh_nonce(client, clinic_sites):
    toronto = clinic_sites.toronto
    first = style_nonce(get_page(client, toronto.home, toronto.site))
    second = style_nonce(get_page(client, toronto.home, toronto.site))
    assert first != second


def test_inline_scripts_are_only_json_ld_data(client, clinic_sites, treatment_page):
    # script-src has no nonce: an inline script that executes would be blocked.
    # JSON-LD is a data block, which CSP does not apply to.
    response = get_page(client, treatment_page, clinic_sites.toronto.site)
    soup = BeautifulSoup(response.content, "html.parser")
    for script in soup.find_all("script"):
        assert script.get("src") or script.get("type") == "application/ld+json"


def test_search_and_api_responses_carry_the_policy_too(client, clinic_sites):
    host = "toronto.localhost:8000"
    assert HEADER in client.get("/search/?q=x", HTTP_HOST=host)
    assert HEADER in client.get("/api/v2/pages/", HTTP_HOST=host)


def test_the_admin_is_left_out(client, db):
    # Wagtail's admin uses inline scripts; it keeps its own protections.
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert HEADER not in response
