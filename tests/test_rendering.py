"""What visitors see: every block's content, semantic HTML, clinic identity."""

import re

import pytest
from bs4 import BeautifulSoup

from .helpers import full_body, get_page, host_of, make_image, make_treatment


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def page_with_image(clinic_sites):
    image = make_image()
    return make_treatment(
        clinic_sites.toronto.index,
        title="Imaged treatment",
        body=full_body(image=image),
        hero_image=image,
    )


def test_every_block_renders_its_content(client, clinic_sites, page_with_image):
    response = get_page(client, page_with_image, clinic_sites.toronto.site)
    html = response.content.decode()
    soup = soup_of(response)
    for text in [
        "Mechanism heading",
        "Mechanism intro text",
        "Step one title",
        "Step two explanation",
        "Indications heading",
        "Condition alpha",
        "Alpha description",
        "Condition beta",
        "Benefits heading",
        "Benefit text",
        "Risks heading",
        "Soreness text",
        "Evidence is limited note",
        "FAQ heading",
        "Question one?",
        "Rich heading",
        "CTA heading",
        "CTA text",
        "Book now label",
        "Caption of the image",
    ]:
        assert text in html, text
    # Steps are an ordered list, in order.
    steps = [h.get_text() for h in soup.select(".block-mechanism ol li h3")]
    assert steps == ["Step one title", "Step two title"]
    # Rich text keeps its formatting.
    assert soup.select_one(".block-rich-text i").get_text() == "body"
    # The block image and the hero come as responsive renditions with alt text.
    figure_img = soup.select_one("figure.block-image img")
    assert figure_img["alt"] == "Alt text of the image"
    assert figure_img.has_attr("srcset") and figure_img.has_attr("width")
    hero = soup.select_one("img.hero-image")
    assert hero.has_attr("srcset") and hero["alt"] == "Test image"


def test_faq_is_disclosure_elements_that_work_without_javascript(
    client, clinic_sites, treatment_page
):
    soup = soup_of(get_page(client, treatment_page, clinic_sites.toronto.site))
    items = soup.select(".block-faq details")
    assert [d.summary.get_text(strip=True) for d in items] == [
        "Question one?",
        "Question two?",
    ]
    assert items[0].select_one(".faq-answer b").get_text() == "one"
    assert not soup.find("script", src=True)  # nothing needs JavaScript


def test_page_structure_is_semantic(client, clinic_sites, treatment_page):
    soup = soup_of(get_page(client, treatment_page, clinic_sites.toronto.site))
    assert len(soup.find_all("h1")) == 1
    assert soup.h1.get_text(strip=True) == "Prolotherapy"
    for landmark in ["header", "nav", "main", "footer"]:
        assert soup.find(landmark), landmark
    assert soup.find("a", class_="skip-link")["href"] == "#main"
    assert soup.html["lang"]
    assert soup.find("meta", attrs={"name": "description"})["content"] == (
        "Summary of Prolotherapy"
    )


def test_nothing_is_loaded_from_the_internet(client, clinic_sites, page_with_image):
    html = get_page(client, page_with_image, clinic_sites.toronto.site).content.decode()
    # src/href that load resources must be local; links to booking are fine.
    loaded = re.findall(r'(?:src|srcset)="([^"]+)"', html)
    loaded += re.findall(
        r'<link rel="(?:stylesheet|preload|icon)"[^>]+href="([^"]+)"', html
    )
    loaded += re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert loaded
    assert all(not url.startswith(("http:", "https:", "//")) for url in loaded), loaded


def test_call_to_action_defaults_to_clinic_booking_url(
    client, clinic_sites, treatment_page, kelowna_treatment
):
    soup = soup_of(get_page(client, treatment_page, clinic_sites.toronto.site))
    button = soup.select_one(".block-call-to-action a.button")
    assert button["href"] == "https://booking.example.com/toronto"
    soup = soup_of(get_page(client, kelowna_treatment, clinic_sites.kelowna.site))
    button = soup.select_one(".block-call-to-action a.button")
    assert button["href"] == "https://booking.example.com/kelowna"


def test_call_to_action_can_link_a_page(client, clinic_sites):
    index = clinic_sites.toronto.index
    page = make_treatment(index, body=full_body(link_page=index))
    soup = soup_of(get_page(client, page, clinic_sites.toronto.site))
    assert soup.select_one(".block-call-to-action a.button")["href"] == "/treatments/"


def test_home_page_lists_only_its_clinics_treatments(
    client, clinic_sites, treatment_page, kelowna_treatment
):
    toronto = clinic_sites.toronto
    soup = soup_of(get_page(client, toronto.home, toronto.site))
    titles = [a.get_text() for a in soup.select(".card-list .card-title a")]
    assert titles == ["Prolotherapy"]
    assert soup.h1.get_text() == "Toronto Test Clinic"


def test_index_lists_treatments_with_summaries_and_hides_drafts(
    client, clinic_sites, treatment_page
):
    index = clinic_sites.toronto.index
    draft = make_treatment(index, title="Draft treatment")
    draft.unpublish()
    soup = soup_of(get_page(client, index, clinic_sites.toronto.site))
    cards = soup.select(".card-list .card")
    assert [c.select_one(".card-title").get_text(strip=True) for c in cards] == [
        "Prolotherapy"
    ]
    assert "Summary of Prolotherapy" in cards[0].get_text()


@pytest.fixture
def long_treatment_list(clinic_sites, monkeypatch):
    """Seven published Toronto treatments and one draft, shown three to a
    page of the index and three on the home page; one Kelowna treatment."""
    import home.models
    import treatments.models

    monkeypatch.setattr(treatments.models, "TREATMENTS_PER_PAGE", 3)
    monkeypatch.setattr(home.models, "HOME_PAGE_TREATMENTS", 3)
    index = clinic_sites.toronto.index
    titles = [f"Treatment {letter}" for letter in "GFEDCBA"]
    for title in titles:
        make_treatment(index, title=title)
    make_treatment(index, title="Treatment draft").unpublish()
    make_treatment(clinic_sites.kelowna.index, title="Treatment in Kelowna")
    return sorted(titles)


def card_titles(soup):
    return [a.get_text() for a in soup.select(".card-list .card-title a")]


def test_the_treatment_list_pages_through_every_published_treatment(
    client, clinic_sites, long_treatment_list
):
    toronto = clinic_sites.toronto
    host = host_of(toronto.site)
    seen, url, number = [], toronto.index.relative_url(toronto.site), 1
    while url:
        soup = soup_of(client.get(url, HTTP_HOST=host))
        titles = card_titles(soup)
        assert 1 <= len(titles) <= 3
        seen += titles
        canonical = soup.select_one('link[rel="canonical"]')["href"]
        assert canonical.endswith("/treatments/" + (f"?page={number}" * (number > 1)))
        assert (number > 1) == ("Page" in soup.title.get_text())
        following = soup.select_one('.pagination a[rel="next"]')
        url = following and toronto.index.relative_url(toronto.site) + following["href"]
        number += 1
    # Each of the clinic's published treatments once, in title order; never
    # the draft or the other clinic's.
    assert seen == long_treatment_list
    # Back from the second page is the first page's own address (the one the
    # page cache keeps), not ?page=1.
    second = soup_of(client.get("/treatments/?page=2", HTTP_HOST=host))
    assert second.select_one('.pagination a[rel="prev"]')["href"] == "./"


@pytest.mark.parametrize("value", ["4", "0", "-1", "two", "", "99999999999999999999"])
def test_a_page_of_the_treatment_list_that_is_not_one_is_a_404(
    client, clinic_sites, long_treatment_list, value
):
    response = client.get(
        f"/treatments/?page={value}", HTTP_HOST=host_of(clinic_sites.toronto.site)
    )
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_home_page_shows_the_first_treatments_and_links_the_rest(
    client, clinic_sites, long_treatment_list
):
    toronto = clinic_sites.toronto
    soup = soup_of(get_page(client, toronto.home, toronto.site))
    assert card_titles(soup) == long_treatment_list[:3]
    more = soup.select_one("#home-treatments ~ p a.button, section p a.button")
    assert more.get_text() == "See all our treatments"
    assert more["href"] == toronto.index.relative_url(toronto.site)


def test_a_short_treatment_list_has_no_page_links(client, clinic_sites, treatment_page):
    toronto = clinic_sites.toronto
    for page in (toronto.home, toronto.index):
        soup = soup_of(get_page(client, page, toronto.site))
        assert card_titles(soup) == ["Prolotherapy"]
        assert soup.select(".pagination") == []
        assert "See all our treatments" not in soup.get_text()


def test_missing_page_is_a_styled_404(client, clinic_sites):
    response = client.get(
        "/treatments/no-such-treatment/", HTTP_HOST=host_of(clinic_sites.kelowna.site)
    )
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "Kelowna Test Clinic" in html  # the clinic's own frame, not a trace
    assert "Traceback" not in html


def test_treatment_page_query_budget(
    client, clinic_sites, treatment_page, django_assert_max_num_queries
):
    site = clinic_sites.toronto.site
    get_page(client, treatment_page, site)  # warm the site-root cache
    with django_assert_max_num_queries(12):
        assert get_page(client, treatment_page, site).status_code == 200
