"""A stock Wagtail 8 project, the baseline ``make bench`` measures the product
against (bench/run.py): the same TreatmentPage fields and block types, stored
the same way, with plain APIFields, served by Wagtail's own PagesAPIViewSet,
v3 router and serve view, with Django's cache_page for the cached page. Never
imported by the product; it imports nothing of the product either."""
