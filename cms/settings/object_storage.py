"""Media in S3-compatible object storage when the environment names a bucket.

Without ``AWS_STORAGE_BUCKET_NAME`` nothing changes: media stay on local disk
(base.py's STORAGES) and documents are streamed by Wagtail's view. With it,
every machine shares one bucket:

* Original images and documents are private objects; a URL to one is signed
  and expires (``AWS_QUERYSTRING_EXPIRE``, 60 s). Documents are still asked
  for at Wagtail's serve view, which checks collection privacy and the clinic
  boundary (clinics/wagtail_hooks.py) and then redirects to such a URL.
* Renditions go to ``renditions/`` (or their own bucket) with plain URLs, so
  cached pages and API answers never hold an expiring one. The bucket policy
  must let anyone read ``renditions/*`` and nothing else (README, Production);
  Content-Security-Policy's img-src allows their origin.

base.py calls ``apply(globals())`` last.
"""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

S3_STORAGE = "storages.backends.s3.S3Storage"
RENDITIONS_LOCATION = "renditions"


def storages_from_environment():
    """The "default" and "renditions" storages for the bucket the environment
    names, and the origin renditions are served from; None without a bucket."""
    bucket = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        return None
    region = os.environ.get("AWS_S3_REGION_NAME", "")
    endpoint = os.environ.get("AWS_S3_ENDPOINT_URL", "")
    if not endpoint and region:
        endpoint = f"https://s3.{region}.amazonaws.com"
    if not endpoint:
        raise ImproperlyConfigured(
            "AWS_STORAGE_BUCKET_NAME needs AWS_S3_ENDPOINT_URL (or, on Amazon "
            "S3, AWS_S3_REGION_NAME)."
        )
    connection = {
        "endpoint_url": endpoint,
        "region_name": region or None,
        # endpoint/bucket/key: every S3-compatible store answers it, and the
        # renditions' origin is the endpoint's (for the CSP).
        "addressing_style": "path",
        "signature_version": "s3v4",
        # As on disk, a name already taken gets a suffix; S3Storage would
        # overwrite (two uploads of "photo.png", or their renditions).
        "file_overwrite": False,
        # No ACLs (many stores refuse them): what is public is the bucket
        # policy's, and everything else stays private.
        "default_acl": None,
    }
    # Without keys boto3 finds its own (an instance role, ~/.aws).
    if os.environ.get("AWS_ACCESS_KEY_ID"):
        connection["access_key"] = os.environ["AWS_ACCESS_KEY_ID"]
        connection["secret_key"] = os.environ.get("AWS_SECRET_ACCESS_KEY", "")
    public_domain = os.environ.get("AWS_RENDITIONS_CUSTOM_DOMAIN", "")
    if public_domain:
        renditions_origin = f"https://{public_domain.split('/')[0]}"
    else:
        parts = urlsplit(endpoint)
        renditions_origin = f"{parts.scheme}://{parts.netloc}"
    private = {
        **connection,
        "bucket_name": bucket,
        "querystring_auth": True,
        "querystring_expire": int(os.environ.get("AWS_QUERYSTRING_EXPIRE", "60")),
    }
    public = {
        **connection,
        "bucket_name": os.environ.get("AWS_RENDITIONS_BUCKET_NAME", "") or bucket,
        "location": RENDITIONS_LOCATION,
        "querystring_auth": False,
        "custom_domain": public_domain or None,
    }
    return {
        "default": {"BACKEND": S3_STORAGE, "OPTIONS": private},
        "renditions": {"BACKEND": S3_STORAGE, "OPTIONS": public},
        "renditions_origin": renditions_origin,
    }


def apply(settings):
    """Switch ``settings`` (a settings module's names) to object storage when
    the environment names a bucket. Builds new values rather than changing
    the ones it is given."""
    storages = storages_from_environment()
    if storages is None:
        return
    settings["STORAGES"] = {
        **settings["STORAGES"],
        "default": storages["default"],
        "renditions": storages["renditions"],
    }
    settings["WAGTAILIMAGES_RENDITION_STORAGE"] = "renditions"
    # After its permission checks Wagtail redirects to the signed URL rather
    # than streaming the file through the app.
    settings["WAGTAILDOCS_SERVE_METHOD"] = "redirect"
    policy = settings["CONTENT_SECURITY_POLICY"]
    directives = policy["DIRECTIVES"]
    settings["CONTENT_SECURITY_POLICY"] = {
        **policy,
        "DIRECTIVES": {
            **directives,
            "img-src": [*directives["img-src"], storages["renditions_origin"]],
        },
    }
