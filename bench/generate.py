"""Generate the benchmark data set into an empty PostgreSQL database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> \\
        .venv/bin/python bench/generate.py --clinics 20 --treatments 500

Deterministic: the same arguments on an empty database give the same pages,
bodies and ids. Clinics are set up the way ``add_clinic`` does it
(home.clinic_setup.ensure_clinic); the treatment pages, the bulk of the data, are
written in bulk: Wagtail's Page rows with ``bulk_create`` and treebeard paths
computed up front, then the treatment rows with one multi-row INSERT (Django
cannot bulk-create a multi-table-inherited model). Pages are created live,
without revision history; the publish scenario makes its own revisions. The
search index and the reference index are then built with Wagtail's own
commands. bench/run.py runs this once per size into a template database and
clones that for each run.
"""

import argparse
import os
import random
import sys
import time
import uuid
from io import BytesIO
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

WORDS = [
    "joint",
    "tendon",
    "ligament",
    "muscle",
    "shoulder",
    "knee",
    "spine",
    "back",
    "neck",
    "hip",
    "elbow",
    "wrist",
    "ankle",
    "pain",
    "injury",
    "recovery",
    "inflammation",
    "circulation",
    "collagen",
    "healing",
    "tissue",
    "mobility",
    "strength",
    "posture",
    "nerve",
    "chronic",
    "acute",
    "sports",
    "therapy",
    "treatment",
    "session",
    "assessment",
    "practitioner",
    "gentle",
    "pressure",
    "needle",
    "heat",
    "cold",
    "laser",
    "massage",
    "stretching",
    "exercise",
    "breathing",
    "sleep",
    "stress",
    "fatigue",
    "headache",
    "migraine",
    "digestion",
    "immune",
    "balance",
    "energy",
    "wellness",
]
CONDITIONS = [
    "Chronic low back pain",
    "Tennis elbow",
    "Knee osteoarthritis",
    "Frozen shoulder",
    "Plantar fasciitis",
    "Tension headache",
    "Neck strain",
    "Rotator cuff injury",
    "Sciatica",
    "Carpal tunnel syndrome",
    "Achilles tendinopathy",
    "Fibromyalgia",
]
THERAPIES = [
    "Prolotherapy",
    "Acupuncture",
    "Shockwave",
    "Massage",
    "Laser",
    "Cupping",
    "Dry needling",
    "Hydrotherapy",
    "Ozone",
    "Manual therapy",
    "Cryotherapy",
    "Kinesiology",
]
IMAGES = 12


def sentence(rng, words=12):
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng, sentences=3):
    return " ".join(sentence(rng) for _ in range(sentences))


def link(page_id, text):
    return f'<a linktype="page" id="{page_id}">{text}</a>'


def item(value):
    return {"type": "item", "value": value}


def body(rng, image_id, sibling_ids, uid):
    """A realistic body with every block type, as stored (raw JSON)."""

    def block_id():
        return str(uuid.UUID(int=next(uid)))

    def with_ids(items):
        return [{**entry, "id": block_id()} for entry in items]

    linked = rng.sample(sibling_ids, 4)
    return [
        {
            "type": "mechanism",
            "id": block_id(),
            "value": {
                "heading": "How it works",
                "intro": paragraph(rng, 2),
                "steps": with_ids(
                    item({"title": sentence(rng, 4)[:-1], "explanation": sentence(rng)})
                    for _ in range(3)
                ),
            },
        },
        {
            "type": "indications",
            "id": block_id(),
            "value": {
                "heading": "What it treats",
                "intro": sentence(rng),
                "conditions": with_ids(
                    item({"name": name, "description": sentence(rng)})
                    for name in rng.sample(CONDITIONS, 3)
                ),
            },
        },
        {
            "type": "benefits",
            "id": block_id(),
            "value": {
                "heading": "Benefits",
                "intro": "",
                "items": with_ids(
                    item({"title": sentence(rng, 3)[:-1], "text": sentence(rng)})
                    for _ in range(3)
                ),
            },
        },
        {
            "type": "risks",
            "id": block_id(),
            "value": {
                "heading": "Risks and side effects",
                "intro": "",
                "items": with_ids(
                    item({"title": sentence(rng, 3)[:-1], "text": sentence(rng)})
                    for _ in range(2)
                ),
                "evidence_note": paragraph(rng, 2),
            },
        },
        {
            "type": "faq",
            "id": block_id(),
            "value": {
                "heading": "Frequently asked questions",
                "items": with_ids(
                    item(
                        {
                            "question": sentence(rng, 7)[:-1] + "?",
                            "answer": f"<p>{sentence(rng)} See "
                            f"{link(page_id, 'this treatment')}.</p>",
                        }
                    )
                    for page_id in linked[:2]
                ),
            },
        },
        {
            "type": "rich_text",
            "id": block_id(),
            "value": {
                "heading": "About this treatment",
                "body": f"<p>{paragraph(rng)} <b>{sentence(rng, 5)}</b></p>"
                f"<ul><li>{link(linked[2], 'A related treatment')}</li>"
                f"<li><i>{sentence(rng, 6)}</i></li></ul>"
                f"<p>{paragraph(rng, 2)} {link(linked[3], 'Read more')}.</p>",
            },
        },
        {
            "type": "image",
            "id": block_id(),
            "value": {
                "image": image_id,
                "alt_text": sentence(rng, 6)[:-1],
                "caption": sentence(rng, 8),
            },
        },
        {
            "type": "call_to_action",
            "id": block_id(),
            "value": {
                "heading": "Book an appointment",
                "text": sentence(rng),
                "button_label": "Book now",
                # One in three leads to another treatment, the rest to booking.
                "link_page": linked[0] if rng.random() < 1 / 3 else None,
                "link_url": "",
            },
        },
    ]


def make_images(collection):
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images import get_image_model

    Image = get_image_model()
    images = list(Image.objects.filter(title__startswith="Bench image").order_by("id"))
    rng = random.Random(7)  # noqa: S311 (test data, not secrets)
    for i in range(len(images), IMAGES):
        picture = PILImage.new("RGB", (1600, 1000), (40 + i * 15, 90, 160 - i * 8))
        # Some texture, so renditions cost what real photos cost.
        for _ in range(4000):
            x, y = rng.randrange(1600), rng.randrange(1000)
            picture.putpixel((x, y), (rng.randrange(256), 120, 80))
        buffer = BytesIO()
        picture.save(buffer, "JPEG", quality=85)
        image = Image(
            title=f"Bench image {i:02d}",
            description=f"Treatment photograph {i}",
            collection=collection,
            file=ImageFile(buffer, name=f"bench-{i:02d}.jpg"),
        )
        image.save()
        images.append(image)
    return images


def create_treatments(clinic, count, images, rng, uid):
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from wagtail.models import Page

    # The product's model, or the stock baseline's (bench/stock): both are
    # treatments.TreatmentPage with the same columns for what is set here.
    TreatmentPage = apps.get_model("treatments", "TreatmentPage")
    index = clinic.index
    if index.numchild:
        return 0
    content_type = ContentType.objects.get_for_model(TreatmentPage)
    now = timezone.now()
    titles = []
    for i in range(count):
        therapy = THERAPIES[i % len(THERAPIES)]
        condition = CONDITIONS[(i // len(THERAPIES)) % len(CONDITIONS)]
        titles.append(f"{therapy} for {condition.lower()} {i + 1}")
    pages = [
        Page(
            title=title,
            draft_title=title,
            slug=f"treatment-{i + 1:04d}",
            content_type=content_type,
            path=Page._get_path(index.path, index.depth + 1, i + 1),
            depth=index.depth + 1,
            numchild=0,
            url_path=f"{index.url_path}treatment-{i + 1:04d}/",
            live=True,
            has_unpublished_changes=False,
            first_published_at=now,
            last_published_at=now,
            locale_id=index.locale_id,
            translation_key=uuid.UUID(int=next(uid)),
        )
        for i, title in enumerate(titles)
    ]
    with transaction.atomic():
        Page.objects.bulk_create(pages, batch_size=500)
        Page.objects.filter(pk=index.pk).update(numchild=count)
        ids = [page.pk for page in pages]
        fields = [
            field
            for field in TreatmentPage._meta.local_concrete_fields
            if field.column != "page_ptr_id"
        ]
        rows = []
        for page in pages:
            values = {
                "summary": f"{page.title}: {sentence(rng, 18)}",
                "hero_image_id": rng.choice(images).pk,
                "body": body(
                    rng,
                    rng.choice(images).pk,
                    [i for i in ids if i != page.pk],
                    uid,
                ),
                "reviewed_by_id": None,
                "last_reviewed": None,
            }
            row = [page.pk]
            for field in fields:
                # Columns the bench does not vary keep their defaults.
                value = values.get(field.attname, field.get_default())
                if field.attname == "body":
                    value = field.stream_block.to_python(value)
                row.append(field.get_db_prep_save(value, connection))
            rows.append(row)
        columns = ", ".join(["page_ptr_id", *(f.column for f in fields)])
        placeholders = ", ".join(["%s"] * (len(fields) + 1))
        table = TreatmentPage._meta.db_table
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
                rows,
            )
    return count


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clinics", type=int, default=20)
    parser.add_argument("--treatments", type=int, default=500)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    if settings.ROOT_URLCONF == "bench.stock.urls":
        # The stock Wagtail baseline: the same data, its own clinic set-up.
        from bench.stock.setup import ensure_clinic, remove_wagtail_welcome_site
    else:
        from home.clinic_setup import ensure_clinic, remove_wagtail_welcome_site

    if connection.vendor != "postgresql":
        sys.exit("The benchmark data set is for PostgreSQL (set DATABASE_URL).")
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    remove_wagtail_welcome_site()
    rng = random.Random(20261122)  # noqa: S311 (test data, not secrets)
    uid = iter(range(1, 10**9))
    clinics = [
        ensure_clinic(
            name=f"Bench Clinic {n:02d}",
            hostname=f"clinic{n:02d}.bench.localhost",
            port=80,
            is_default=n == 1,
            intro=paragraph(rng, 2),
            settings={
                "tagline": sentence(rng, 6),
                "address": f"{n} Bench Street\nSpringfield",
                "phone": f"+1 555-010-{n:04d}",
                "email": f"clinic{n:02d}@example.com",
                "opening_hours": "Monday–Friday: 9:00–17:00\nSaturday: 10:00–14:00",
                "booking_url": f"https://booking.example.com/clinic{n:02d}",
            },
        )
        for n in range(1, args.clinics + 1)
    ]
    images = make_images(clinics[0].collection)
    User = get_user_model()
    if not User.objects.filter(username="bench-admin").exists():
        User.objects.create_superuser("bench-admin", "bench@example.com", "bench-pw")
    print(f"clinics and images: {time.monotonic() - started:.1f} s")  # noqa: T201
    created = 0
    for clinic in clinics:
        created += create_treatments(clinic, args.treatments, images, rng, uid)
    print(f"{created} treatment pages: {time.monotonic() - started:.1f} s")  # noqa: T201
    call_command("update_index", verbosity=0)
    print(f"search index: {time.monotonic() - started:.1f} s")  # noqa: T201
    call_command("rebuild_references_index", verbosity=0)
    print(f"reference index: {time.monotonic() - started:.1f} s")  # noqa: T201
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


if __name__ == "__main__":
    main()
