"""schema.org JSON-LD for treatment pages, built from their blocks and the
clinic's settings.

Search engines judge health pages on who reviewed them and how trustworthy
they look, so each treatment page describes itself as a ``MedicalWebPage``
about a ``MedicalTherapy``, with the conditions it may be considered for, its
risks as adverse outcomes, its FAQ as an ``FAQPage`` and the clinic as a
``MedicalClinic``. The page template embeds it and the API returns the same
dictionary.

``clinic`` is a clinic's settings (``clinics.identity``): name, address,
phone, email, opening_hours, booking_url, logo.
"""

import re
from typing import Any

from django.utils import timezone
from django.utils.html import strip_tags
from rest_framework import serializers

from clinics.identity import clinic_settings_for_page
from clinics.revalidation import cached_fragment

# The name the API's JSON-LD of a detail is kept under (clinics.revalidation).
JSON_LD_FRAGMENT = "api-json-ld"
SCHEMA_CONTEXT = "https://schema.org"

DAYS = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
DAY_ORDER = list(DAYS.values())
# "Monday–Friday: 9:00–17:00", "Sat: 10:00-14:00", "Tuesday to Thursday 8:30 - 16:00"
HOURS_LINE = re.compile(
    r"^\s*(?P<first>[A-Za-z]+)\.?\s*(?:(?:–|-|—|to)\s*(?P<last>[A-Za-z]+)\.?)?\s*:?\s*"
    r"(?P<opens>\d{1,2}:\d{2})\s*(?:–|-|—|to)\s*(?P<closes>\d{1,2}:\d{2})\s*$"
)


def _day(word):
    return DAYS.get(word[:3].lower()) if word else None


def opening_hours_specification(text):
    """Turn the clinic's opening-hours lines into schema.org specifications.

    Lines that do not read as "Day[–Day]: HH:MM–HH:MM" (e.g. "Sunday: closed")
    are left out rather than guessed at.
    """
    specs = []
    for line in (text or "").splitlines():
        match = HOURS_LINE.match(line)
        if not match:
            continue
        first, last = _day(match["first"]), _day(match["last"])
        if first is None or (match["last"] and last is None):
            continue
        if last:
            start, end = DAY_ORDER.index(first), DAY_ORDER.index(last)
            days = DAY_ORDER[start : end + 1] if start <= end else []
        else:
            days = [first]
        if not days:
            continue
        specs.append(
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": days,
                "opens": match["opens"].zfill(5),
                "closes": match["closes"].zfill(5),
            }
        )
    return specs


def plain_text(html):
    """Rich text as plain sentences: paragraphs and list items kept apart."""
    spaced = re.sub(r"</(p|li|h[1-6])>", r"</\1> ", html)
    return " ".join(strip_tags(spaced).split())


def _absolute(home_url, url):
    """``url`` on the clinic's own site, never on the Host a request came
    with (a cached page would carry that Host to every visitor)."""
    if not url or url.startswith(("http://", "https://")):
        return url
    return home_url.rstrip("/") + url


def clinic_node(clinic, home_url, request=None):
    node = {
        "@type": "MedicalClinic",
        "@id": f"{home_url}#clinic",
        "name": clinic.name,
        "url": home_url,
    }
    address = " ".join(line.strip() for line in clinic.address.splitlines() if line)
    if address:
        node["address"] = {"@type": "PostalAddress", "streetAddress": address}
    if clinic.phone:
        node["telephone"] = clinic.phone
    if clinic.email:
        node["email"] = clinic.email
    hours = opening_hours_specification(clinic.opening_hours)
    if hours:
        node["openingHoursSpecification"] = hours
    if clinic.logo_id:
        node["logo"] = _absolute(home_url, clinic.logo.get_rendition("height-200").url)
    if clinic.booking_url:
        node["potentialAction"] = {
            "@type": "ReserveAction",
            "target": clinic.booking_url,
        }
    return node


def clinic_json_ld(clinic, home_url, request=None):
    return {"@context": SCHEMA_CONTEXT, **clinic_node(clinic, home_url, request)}


def _blocks(page, block_type):
    return [block.value for block in page.body if block.block_type == block_type]


def citation_node(item):
    """A reference of the page's References block, as schema.org CreativeWork."""
    node = {"@type": "CreativeWork", "name": item["title"], "author": item["source"]}
    if item.get("year"):
        node["datePublished"] = str(item["year"])
    if item.get("doi"):
        node["url"] = f"https://doi.org/{item['doi']}"
        node["identifier"] = f"doi:{item['doi']}"
    elif item.get("link"):
        node["url"] = item["link"]
    return node


def treatment_json_ld(page, clinic, request=None):
    """The whole JSON-LD graph of one treatment page, as a dict."""
    url = page.get_full_url(request)
    home_url = site_root_url(page, request) + "/"
    therapy_id = f"{url}#therapy"

    therapy = {
        "@type": "MedicalTherapy",
        "@id": therapy_id,
        "name": page.title,
        "description": page.summary,
    }
    adverse = [
        {
            "@type": "MedicalEntity",
            "name": item["title"],
            "description": item["text"],
        }
        for risks in _blocks(page, "risks")
        for item in risks["items"]
    ]
    if adverse:
        therapy["adverseOutcome"] = adverse
    steps = [
        f"{step['title']}: {step['explanation']}"
        for mechanism in _blocks(page, "mechanism")
        for step in mechanism["steps"]
    ]
    if steps:
        therapy["howPerformed"] = " ".join(steps)

    conditions = [
        {
            "@type": "MedicalCondition",
            "name": condition["name"],
            **(
                {"description": condition["description"]}
                if condition["description"]
                else {}
            ),
            "possibleTreatment": {"@id": therapy_id},
        }
        for indications in _blocks(page, "indications")
        for condition in indications["conditions"]
    ]

    webpage = {
        "@type": "MedicalWebPage",
        "@id": f"{url}#webpage",
        "url": url,
        "name": page.seo_title or page.title,
        "description": page.meta_description,
        "about": [{"@id": therapy_id}],
        "publisher": {"@id": f"{home_url}#clinic"},
    }
    # Dates in the clinic's own time zone, as visitors read them on the page.
    if page.last_published_at:
        webpage["dateModified"] = (
            timezone.localtime(page.last_published_at, clinic.tzinfo).date().isoformat()
        )
    review = getattr(page, "current_review", None)
    if review is not None:
        reviewer, reviewed_on = review
        webpage["lastReviewed"] = reviewed_on.isoformat()
        webpage["reviewedBy"] = {
            "@type": "Person",
            "name": reviewer.name,
            **(
                {"honorificSuffix": reviewer.credentials}
                if reviewer.credentials
                else {}
            ),
        }
    citations = [
        citation_node(item)
        for references in _blocks(page, "references")
        for item in references["items"]
    ]
    if citations:
        webpage["citation"] = citations
    if conditions:
        webpage["about"] += [
            {"@id": f"{url}#condition-{i}"} for i in range(len(conditions))
        ]
        for i, condition in enumerate(conditions):
            condition["@id"] = f"{url}#condition-{i}"

    graph = [webpage, therapy, *conditions]

    questions = [
        {
            "@type": "Question",
            "name": item["question"],
            "acceptedAnswer": {
                "@type": "Answer",
                "text": plain_text(item["answer"].source),
            },
        }
        for faq in _blocks(page, "faq")
        for item in faq["items"]
    ]
    if questions:
        graph.append(
            {
                "@type": "FAQPage",
                "@id": f"{url}#faq",
                "url": url,
                "isPartOf": {"@id": f"{url}#webpage"},
                "mainEntity": questions,
            }
        )
    graph.append(clinic_node(clinic, home_url, request))
    return {"@context": SCHEMA_CONTEXT, "@graph": graph}


def site_root_url(page, request=None):
    """The root URL of the page's site, from Wagtail's (request-cached) site
    root paths: ``page.get_site()`` would read the Site table every time."""
    url_parts = page.get_url_parts(request)
    return url_parts[1] if url_parts else ""


class StructuredDataField(serializers.Field):
    """The page's JSON-LD graph in the API (v2 and v3), identical to the one the
    page embeds, for front-ends to put in their own <script> tag."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, source="*", **kwargs)

    def to_representation(self, page) -> dict[str, Any]:
        # Wagtail's v3 gives this field no request; the detail kept it on
        # the page (treatments.api.specific_for_api).
        request = self.context.get("request") or getattr(
            page, "_clinic_api_request", None
        )
        # Kept by version of what the answer shows, as the page's own is.
        return cached_fragment(
            request,
            page,
            JSON_LD_FRAGMENT,
            lambda: treatment_json_ld(
                page, clinic_settings_for_page(page, request), request
            ),
        )


def clinician_json_ld(profile, clinic, request=None):
    """A clinician's profile page: a Person with their credentials and
    registration, a member of the clinic."""
    person = profile.clinician
    url = profile.get_full_url(request)
    home_url = site_root_url(profile, request) + "/"
    node = {
        "@context": SCHEMA_CONTEXT,
        "@type": "Person",
        "@id": f"{url}#person",
        "name": person.name,
        "url": url,
        "memberOf": clinic_node(clinic, home_url, request),
    }
    if person.credentials:
        node["honorificSuffix"] = person.credentials
    credentials = [
        {
            "@type": "EducationalOccupationalCredential",
            "credentialCategory": "degree or designation",
            "name": designation.strip(),
        }
        for designation in person.credentials.split(",")
        if designation.strip()
    ]
    if person.registration_body:
        registration = {
            "@type": "EducationalOccupationalCredential",
            "credentialCategory": "licence",
            "recognizedBy": {"@type": "Organization", "name": person.registration_body},
        }
        if person.registration_number:
            registration["identifier"] = person.registration_number
        credentials.append(registration)
    if credentials:
        node["hasCredential"] = credentials
    if person.language_list:
        node["knowsLanguage"] = person.language_list
    if person.biography:
        node["description"] = person.biography
    if profile.photo_id:
        node["image"] = _absolute(
            home_url, profile.photo.get_rendition("fill-400x400").url
        )
    return node
