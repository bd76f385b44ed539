"""Clinics for the stock baseline, the way bench/generate.py sets up the
product's with home.clinic_setup: a home page, a treatment index and a Site
per clinic, and a collection for its images."""

from types import SimpleNamespace

from django.utils.text import slugify
from wagtail.models import Collection, Page, Site

from bench.stock.models import HomePage, TreatmentIndexPage


def remove_wagtail_welcome_site():
    for site in Site.objects.filter(hostname="localhost", port=80):
        page = site.root_page
        if page.specific_class is Page and page.numchild == 0:
            site.delete()
            page.delete()


def ensure_clinic(name, hostname, port, is_default, intro, settings):
    home = HomePage.objects.filter(slug=slugify(name)).first()
    if home is None:
        root = Page.get_first_root_node()
        home = root.add_child(
            instance=HomePage(title=name, slug=slugify(name), intro=intro)
        )
        home.add_child(
            instance=TreatmentIndexPage(title="Treatments", slug="treatments")
        )
        Site.objects.create(
            hostname=hostname,
            port=port,
            root_page=home,
            site_name=name,
            is_default_site=is_default,
        )
    collection = Collection.objects.filter(name=name).first()
    if collection is None:
        collection = Collection.get_first_root_node().add_child(name=name)
    return SimpleNamespace(
        index=TreatmentIndexPage.objects.child_of(home).get(), collection=collection
    )
