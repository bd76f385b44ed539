"""What search engines read: structured data, meta tags, sitemap, robots."""

import json
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from treatments.structured_data import opening_hours_specification

from .helpers import get_page, host_of, make_image, make_treatment, mark_reviewed

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def json_ld(response):
    soup = BeautifulSoup(response.content, "html.parser")
    scripts = soup.find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    return json.loads(scripts[0].string)


def by_type(graph, type_name):
    nodes = [node for node in graph["@graph"] if node["@type"] == type_name]
    assert len(nodes) == 1, type_name
    return nodes[0]


def test_treatment_json_ld_matches_the_page(client, clinic_sites, treatment_page):
    site = clinic_sites.toronto.site
    data = json_ld(get_page(client, treatment_page, site))
    assert data["@context"] == "https://schema.org"
    url = "http://toronto.localhost:8000/treatments/prolotherapy/"

    webpage = by_type(data, "MedicalWebPage")
    assert webpage["url"] == url
    assert webpage["name"] == "Prolotherapy"
    assert webpage["description"] == "Summary of Prolotherapy"
    assert {"@id": f"{url}#therapy"} in webpage["about"]

    therapy = by_type(data, "MedicalTherapy")
    assert therapy["name"] == "Prolotherapy"
    assert [o["name"] for o in therapy["adverseOutcome"]] == ["Soreness title"]
    assert "Step one title" in therapy["howPerformed"]

    conditions = [n for n in data["@graph"] if n["@type"] == "MedicalCondition"]
    assert [c["name"] for c in conditions] == ["Condition alpha", "Condition beta"]
    assert all(c["possibleTreatment"] == {"@id": f"{url}#therapy"} for c in conditions)

    faq = by_type(data, "FAQPage")
    assert [q["name"] for q in faq["mainEntity"]] == ["Question one?", "Question two?"]
    assert faq["mainEntity"][0]["acceptedAnswer"]["text"] == "Answer one"

    clinic = by_type(data, "MedicalClinic")
    assert clinic["name"] == "Toronto Test Clinic"
    assert clinic["telephone"] == "+1 416-555-0199"
    assert clinic["url"] == "http://toronto.localhost:8000/"
    assert "1 Toronto Street" in clinic["address"]["streetAddress"]
    assert clinic["openingHoursSpecification"] == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
            "opens": "09:00",
            "closes": "17:00",
        }
    ]
    assert webpage["publisher"] == {"@id": clinic["@id"]}


def test_json_ld_shows_medical_review_when_known(client, clinic_sites, treatment_page):
    from datetime import date

    from treatments.models import Clinician

    clinician = Clinician.objects.create(name="Dr. Ada Example", credentials="MD")
    mark_reviewed(treatment_page, date(2026, 10, 1), clinician)
    data = json_ld(get_page(client, treatment_page, clinic_sites.toronto.site))
    webpage = by_type(data, "MedicalWebPage")
    assert webpage["lastReviewed"] == "2026-10-01"
    assert webpage["reviewedBy"]["name"] == "Dr. Ada Example"

    # A later revision live without review: the page no longer claims it.
    treatment_page.refresh_from_db()
    treatment_page.summary = "Changed without review"
    treatment_page.save_revision().publish()
    data = json_ld(get_page(client, treatment_page, clinic_sites.toronto.site))
    assert "lastReviewed" not in by_type(data, "MedicalWebPage")


def test_json_ld_cannot_break_out_of_its_script(client, clinic_sites):
    page = make_treatment(
        clinic_sites.toronto.index,
        title="Evil </script><script>alert(1)</script>",
        slug="evil",
    )
    html = get_page(client, page, clinic_sites.toronto.site).content.decode()
    assert "<script>alert(1)" not in html
    assert json_ld(get_page(client, page, clinic_sites.toronto.site))


def test_home_page_describes_the_clinic(client, clinic_sites):
    kelowna = clinic_sites.kelowna
    data = json_ld(get_page(client, kelowna.home, kelowna.site))
    assert data["@type"] == "MedicalClinic"
    assert data["name"] == "Kelowna Test Clinic"
    assert data["telephone"] == "+1 250-555-0199"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Monday–Friday: 9:00–18:00", [("Monday", "Friday", "09:00", "18:00")]),
        ("Sat: 10:00-14:00", [("Saturday", "Saturday", "10:00", "14:00")]),
        ("Sunday: closed", []),
        ("Whenever", []),
        ("Friday–Monday: 9:00–17:00", []),
    ],
)
def test_opening_hours_lines_become_specifications(text, expected):
    specs = opening_hours_specification(text)
    got = [
        (s["dayOfWeek"][0], s["dayOfWeek"][-1], s["opens"], s["closes"]) for s in specs
    ]
    assert got == expected


def test_meta_tags(client, clinic_sites):
    image = make_image(title="Hero picture")
    page = make_treatment(
        clinic_sites.kelowna.index, title="Meta test", hero_image=image
    )
    page.search_description = "A promote-tab description"
    page.save_revision().publish()
    soup = BeautifulSoup(
        get_page(client, page, clinic_sites.kelowna.site).content, "html.parser"
    )
    url = "http://kelowna.localhost:8000/treatments/meta-test/"
    assert soup.title.string == "Meta test | Kelowna Test Clinic"
    assert soup.html["lang"] == "en-CA"
    # The promote tab's description wins over the summary.
    assert soup.find("meta", attrs={"name": "description"})["content"] == (
        "A promote-tab description"
    )
    assert soup.find("link", rel="canonical")["href"] == url
    og = {m["property"]: m["content"] for m in soup.find_all("meta", property=True)}
    assert og["og:url"] == url
    assert og["og:title"] == "Meta test"
    assert og["og:type"] == "article"
    assert og["og:site_name"] == "Kelowna Test Clinic"
    assert og["og:locale"] == "en_CA"
    assert og["og:image"].startswith("http://kelowna.localhost:8000/")
    assert og["og:image:alt"] == "Hero picture"


def test_clinic_language_sets_the_page_language(client, clinic_sites):
    kelowna = clinic_sites.kelowna
    kelowna.settings.language = "fr-CA"
    kelowna.settings.save()
    soup = BeautifulSoup(
        get_page(client, kelowna.home, kelowna.site).content, "html.parser"
    )
    assert soup.html["lang"] == "fr-CA"
    toronto = clinic_sites.toronto
    soup = BeautifulSoup(
        get_page(client, toronto.home, toronto.site).content, "html.parser"
    )
    assert soup.html["lang"] == "en-CA"


def sitemap_entries(client, site):
    response = client.get("/sitemap.xml", HTTP_HOST=host_of(site))
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    return {
        url.find("sm:loc", SITEMAP_NS).text: url.find("sm:lastmod", SITEMAP_NS)
        for url in root.findall("sm:url", SITEMAP_NS)
    }


def test_each_clinic_has_its_own_sitemap(
    client, clinic_sites, treatment_page, kelowna_treatment
):
    from wagtail.models import PageViewRestriction

    draft = make_treatment(clinic_sites.toronto.index, title="Draft one")
    draft.unpublish()
    private = make_treatment(clinic_sites.toronto.index, title="Private one")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.LOGIN
    )

    toronto = sitemap_entries(client, clinic_sites.toronto.site)
    assert set(toronto) == {
        "http://toronto.localhost:8000/",
        "http://toronto.localhost:8000/treatments/",
        "http://toronto.localhost:8000/treatments/prolotherapy/",
    }
    assert toronto["http://toronto.localhost:8000/treatments/prolotherapy/"] is not None
    kelowna = sitemap_entries(client, clinic_sites.kelowna.site)
    assert "http://kelowna.localhost:8000/treatments/kelowna-prolotherapy/" in kelowna
    assert not any("toronto" in url for url in kelowna)


def test_robots_points_to_the_clinics_sitemap(client, clinic_sites):
    response = client.get("/robots.txt", HTTP_HOST="kelowna.localhost:8000")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Sitemap: http://kelowna.localhost:8000/sitemap.xml" in body
    assert "Disallow: /admin/" in body


def test_api_returns_the_same_json_ld_as_the_page(client, clinic_sites, treatment_page):
    from .api.support import APIClient

    api = APIClient(client)
    embedded = json_ld(get_page(client, treatment_page, clinic_sites.toronto.site))
    v3 = api.get(f"/api/v3/pages/{treatment_page.pk}/").json()
    assert v3["structured_data"] == embedded
    v2 = api.get(f"/api/v2/pages/{treatment_page.pk}/").json()
    assert v2["structured_data"] == embedded
