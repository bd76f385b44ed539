"""Media in S3-compatible object storage, against a real S3 server (SeaweedFS
on loopback, tests/object_store.py): what lands in the bucket, what anyone
may read there, and documents still only through Wagtail's permission check.

Each test here switches the settings to the bucket (``s3_media``); the rest
of the suite stays on local disk.
"""

import json
import os
import re
import time
from io import BytesIO
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.files.storage import storages
from django.test import override_settings
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Collection

from cms.settings import base
from cms.settings.object_storage import apply

from .helpers import full_body, get_page, make_document, make_image, make_treatment
from .object_store import ObjectStore, anonymous_get
from .test_production_settings import production_env, run

PNG = b"\x89PNG\r\n\x1a\n"


def settings_with(environment):
    """The storage, document and CSP settings as object_storage.apply makes
    them of base.py's, with only ``environment`` in os.environ."""
    names = {
        "STORAGES": base.STORAGES,
        "WAGTAILDOCS_SERVE_METHOD": base.WAGTAILDOCS_SERVE_METHOD,
        "CONTENT_SECURITY_POLICY": base.CONTENT_SECURITY_POLICY,
    }
    with mock.patch.dict(os.environ, environment, clear=True):
        apply(names)
    return names


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with ObjectStore(tmp_path_factory.mktemp("s3")) as store:
        yield store


@pytest.fixture
def s3_media(store):
    with override_settings(**settings_with(store.env)):
        # Wagtail resolves the renditions' storage once, as its model loads
        # (to default_storage in the test settings): follow the override.
        field = get_image_model().get_rendition_model()._meta.get_field("file")
        with mock.patch.object(field, "storage", storages["renditions"]):
            yield store


def on_local_disk(name):
    return (Path(settings.MEDIA_ROOT) / name).exists()


# Settings


def test_without_a_bucket_media_stay_on_local_disk():
    names = settings_with({"MEDIA_ROOT": "/srv/media"})
    assert names["STORAGES"]["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    assert "renditions" not in names["STORAGES"]
    assert "WAGTAILIMAGES_RENDITION_STORAGE" not in names
    assert names["WAGTAILDOCS_SERVE_METHOD"] == "serve_view"
    assert names["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == [
        "'self'",
        "data:",
    ]


def test_a_bucket_makes_originals_private_and_renditions_public():
    names = settings_with(
        {
            "AWS_STORAGE_BUCKET_NAME": "clinic-media",
            "AWS_S3_REGION_NAME": "ca-central-1",
            "AWS_RENDITIONS_CUSTOM_DOMAIN": "media.clinic.example",
        }
    )
    private = names["STORAGES"]["default"]["OPTIONS"]
    public = names["STORAGES"]["renditions"]["OPTIONS"]
    assert private["endpoint_url"] == "https://s3.ca-central-1.amazonaws.com"
    assert private["querystring_auth"] is True
    assert private["querystring_expire"] == 60
    assert private["default_acl"] is None
    assert public["querystring_auth"] is False
    assert public["location"] == "renditions"
    assert public["bucket_name"] == "clinic-media"
    assert names["WAGTAILIMAGES_RENDITION_STORAGE"] == "renditions"
    assert names["WAGTAILDOCS_SERVE_METHOD"] == "redirect"
    img_src = names["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert img_src == ["'self'", "data:", "https://media.clinic.example"]
    # base.py's own values are left as they were.
    assert base.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] == ["'self'", "data:"]
    assert "renditions" not in base.STORAGES


def test_a_bucket_without_an_endpoint_or_region_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="AWS_S3_ENDPOINT_URL"):
        settings_with({"AWS_STORAGE_BUCKET_NAME": "clinic-media"})


PRINT_MEDIA_SETTINGS = """
import json
import django
from django.conf import settings
from django.core.files.storage import storages
django.setup()
print(json.dumps({
    "default": settings.STORAGES["default"]["BACKEND"],
    "staticfiles": settings.STORAGES["staticfiles"]["BACKEND"],
    "renditions": settings.WAGTAILIMAGES_RENDITION_STORAGE,
    "serve": settings.WAGTAILDOCS_SERVE_METHOD,
    "img-src": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],
}, default=str))
"""


def test_production_reads_the_bucket_from_the_environment():
    s3 = {
        "AWS_STORAGE_BUCKET_NAME": "clinic-media",
        "AWS_S3_ENDPOINT_URL": "https://objects.clinic.example:9000",
        "AWS_ACCESS_KEY_ID": "key",
        "AWS_SECRET_ACCESS_KEY": "secret",
    }
    result = run(["-c", PRINT_MEDIA_SETTINGS], **production_env(), **s3)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.splitlines()[-1])
    assert values == {
        "default": "storages.backends.s3.S3Storage",
        "staticfiles": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "renditions": "renditions",
        "serve": "redirect",
        "img-src": ["'self'", "data:", "https://objects.clinic.example:9000"],
    }
    deploy = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **production_env(),
        **s3,
    )
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr


# Images


@pytest.mark.django_db
def test_an_uploaded_image_is_a_private_object_in_the_bucket(s3_media):
    image = make_image(title="Bucket photo", size=(640, 360))
    assert image.file.name in s3_media.keys("original_images/")
    assert not on_local_disk(image.file.name)
    status, _ = anonymous_get(s3_media.plain_url(image.file.name))
    assert status == 403
    # The app itself gets a signed URL, which works while it lasts.
    signed = image.file.url
    assert "X-Amz-Signature=" in signed
    status, body = anonymous_get(signed)
    assert status == 200 and body.startswith(PNG)


@pytest.mark.django_db
def test_a_rendition_is_public_at_a_url_that_does_not_expire(s3_media):
    image = make_image(title="Rendition photo", size=(640, 360))
    rendition = image.get_rendition("max-320x320")
    key = f"renditions/{rendition.file.name}"
    assert key in s3_media.keys("renditions/")
    assert not on_local_disk(rendition.file.name)
    assert rendition.url == s3_media.plain_url(key)  # no query string
    status, body = anonymous_get(rendition.url)
    assert status == 200 and body.startswith(PNG)
    assert PILImage.open(BytesIO(body)).size == (320, 180)


@pytest.mark.django_db
def test_two_images_of_the_same_name_keep_their_own_files(s3_media):
    first = make_image(title="Same name", colour="red", size=(40, 40))
    second = make_image(title="Same name", colour="blue", size=(40, 40))
    assert first.file.name != second.file.name
    renditions = [image.get_rendition("max-20x20") for image in (first, second)]
    assert renditions[0].url != renditions[1].url
    colours = [
        PILImage.open(BytesIO(anonymous_get(r.url)[1])).convert("RGB").getpixel((5, 5))
        for r in renditions
    ]
    assert colours == [(255, 0, 0), (0, 0, 255)]


@pytest.mark.django_db
def test_a_page_shows_bucket_renditions_its_policy_allows(
    client, clinic_sites, s3_media
):
    toronto = clinic_sites.toronto
    image = make_image(title="Page photo", collection=toronto.collection)
    page = make_treatment(toronto.index, body=full_body(image=image))
    response = get_page(client, page, toronto.site)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    urls = [
        candidate.split()[0]
        for img in soup.find_all("img")
        for candidate in [img["src"], *img.get("srcset", "").split(",")]
        if candidate.strip()
    ]
    assert urls
    for url in urls:
        assert url.startswith(s3_media.plain_url("renditions/")), url
        assert anonymous_get(url)[0] == 200, url
    img_src = re.search(r"img-src ([^;]*)", response["Content-Security-Policy"])
    assert s3_media.endpoint_url in img_src.group(1).split()


# Documents


@pytest.fixture
def members_only_document(clinic_sites, s3_media):
    """A Toronto document in the bucket, in a collection only signed-in
    members may read."""
    records = clinic_sites.toronto.collection.add_child(name="Toronto records")
    records.view_restrictions.create(restriction_type="login")
    return make_document("toronto-records", Collection.objects.get(pk=records.pk))


def serve_url(document):
    return reverse("wagtaildocs_serve", args=[document.pk, document.filename])


TORONTO_HOST = "toronto.localhost:8000"
KELOWNA_HOST = "kelowna.localhost:8000"


@pytest.mark.django_db
def test_a_document_is_a_private_object_in_the_bucket(s3_media, clinic_sites):
    document = make_document("aftercare", clinic_sites.toronto.collection)
    assert document.file.name in s3_media.keys("documents/")
    assert not on_local_disk(document.file.name)
    assert anonymous_get(s3_media.plain_url(document.file.name))[0] == 403


@pytest.mark.django_db
def test_a_members_only_document_is_refused_to_others(
    client, s3_media, editors, members_only_document
):
    url = serve_url(members_only_document)
    # Anonymous: Wagtail's own check sends them to log in, not to the file.
    response = client.get(url, HTTP_HOST=TORONTO_HOST)
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert s3_media.endpoint_url not in response["Location"]
    # Another clinic's editor: not found on their host, log in on Toronto's.
    client.force_login(editors.kelowna)
    assert client.get(url, HTTP_HOST=KELOWNA_HOST).status_code == 404
    response = client.get(url, HTTP_HOST=TORONTO_HOST)
    assert response.status_code == 302
    assert s3_media.endpoint_url not in response["Location"]


@pytest.mark.django_db
def test_a_members_only_document_redirects_its_clinic_to_a_signed_url(
    client, s3_media, editors, members_only_document
):
    client.force_login(editors.toronto)
    response = client.get(serve_url(members_only_document), HTTP_HOST=TORONTO_HOST)
    assert response.status_code == 302
    signed = response["Location"]
    assert signed.startswith(s3_media.plain_url(members_only_document.file.name))
    assert "X-Amz-Expires=60&" in signed
    status, body = anonymous_get(signed)
    assert status == 200 and body == b"Aftercare instructions"
    # A changed signature is refused.
    tampered = re.sub(
        r"X-Amz-Signature=(.)",
        lambda m: "X-Amz-Signature=" + ("0" if m.group(1) != "0" else "1"),
        signed,
    )
    assert anonymous_get(tampered)[0] == 403
    # Nor does the signature let anyone read another object.
    parts = urlsplit(signed)
    other = s3_media.plain_url("original_images/") + "x.png?" + parts.query
    assert anonymous_get(other)[0] == 403


@pytest.mark.django_db
def test_a_signed_document_url_expires(
    client, s3_media, editors, members_only_document
):
    short = settings_with({**s3_media.env, "AWS_QUERYSTRING_EXPIRE": "1"})
    with override_settings(**short):
        client.force_login(editors.toronto)
        response = client.get(serve_url(members_only_document), HTTP_HOST=TORONTO_HOST)
    assert response.status_code == 302
    signed = response["Location"]
    assert "X-Amz-Expires=1&" in signed
    time.sleep(2.5)
    status, body = anonymous_get(signed)
    assert status == 403
    assert b"expired" in body
