"""Production settings: `check --deploy` is clean, and start-up refuses to go
on without a secret key or allowed hosts. Each runs in a fresh interpreter,
as production settings read the environment once, at import."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

PRINT_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
names = [
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY", "MIDDLEWARE", "AUTHENTICATION_BACKENDS",
    "WAGTAILDOCS_SERVE_METHOD", "WAGTAILDOCS_MAX_UPLOAD_SIZE",
    "WAGTAILIMAGES_MAX_UPLOAD_SIZE", "WAGTAILIMAGES_MAX_IMAGE_PIXELS",
    "DATA_UPLOAD_MAX_MEMORY_SIZE",
]
print(json.dumps({name: getattr(settings, name) for name in names}))
print(json.dumps(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], default=str))
"""


def run(args, **env_changes):
    # Nothing of this test run's environment that production would not have
    # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which --deploy rejects).
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_")
        and key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "SECURE_SSL_REDIRECT"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "cms.settings.production"
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env():
    from cryptography.fernet import Fernet

    return {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "toronto.example.com,kelowna.example.com",
        "APPOINTMENT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }


def test_check_deploy_has_no_warnings():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **production_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_refuses_to_start_without_a_secret_key():
    result = run(["manage.py", "check"], ALLOWED_HOSTS="toronto.example.com")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_refuses_to_start_without_the_appointment_encryption_key():
    result = run(
        ["manage.py", "check"],
        **{**production_env(), "APPOINTMENT_ENCRYPTION_KEYS": None},
    )
    assert result.returncode != 0
    assert "APPOINTMENT_ENCRYPTION_KEYS must be set" in result.stderr


def test_refuses_to_start_without_allowed_hosts():
    result = run(["manage.py", "check"], SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode != 0
    assert "ImproperlyConfigured: ALLOWED_HOSTS must list" in result.stderr


def test_the_wsgi_application_refuses_too():
    # gunicorn imports cms.wsgi, which defaults to production settings.
    result = run(["-c", "import cms.wsgi"], DJANGO_SETTINGS_MODULE=None)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_production_hardening_settings():
    result = run(["-c", PRINT_SETTINGS], **production_env())
    assert result.returncode == 0, result.stderr
    values, csp = (json.loads(line) for line in result.stdout.splitlines()[-2:])
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_REFERRER_POLICY"] == "strict-origin-when-cross-origin"
    assert values["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert "clinics.csp.ClinicCSPMiddleware" in values["MIDDLEWARE"]
    assert "clinics.middleware.DatabaseUnavailableMiddleware" in values["MIDDLEWARE"]
    assert values["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"
    assert values["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesBackend"
    assert values["WAGTAILDOCS_SERVE_METHOD"] == "serve_view"
    assert values["WAGTAILDOCS_MAX_UPLOAD_SIZE"] <= 10 * 1024 * 1024
    assert values["WAGTAILIMAGES_MAX_UPLOAD_SIZE"] <= 10 * 1024 * 1024
    assert values["WAGTAILIMAGES_MAX_IMAGE_PIXELS"] <= 40_000_000
    assert values["DATA_UPLOAD_MAX_MEMORY_SIZE"] <= 5 * 1024 * 1024
    assert "'unsafe-inline'" not in json.dumps(csp)


PRINT_FRONTEND_CACHE = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({
    "app": "wagtail.contrib.frontend_cache" in settings.INSTALLED_APPS,
    "backends": {k: v["BACKEND"] for k, v in settings.WAGTAILFRONTENDCACHE.items()},
}))
"""


def test_a_cdn_purge_url_wires_wagtails_frontend_cache():
    plain = run(["-c", PRINT_FRONTEND_CACHE], **production_env())
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout.splitlines()[-1]) == {"app": False, "backends": {}}

    wired = run(
        ["-c", PRINT_FRONTEND_CACHE],
        **production_env(),
        FRONTEND_CACHE_PURGE_URL="http://127.0.0.1:6081/",
    )
    assert wired.returncode == 0, wired.stderr
    assert json.loads(wired.stdout.splitlines()[-1]) == {
        "app": True,
        "backends": {"proxy": "wagtail.contrib.frontend_cache.backends.HTTPBackend"},
    }


def test_a_cloudflare_token_without_a_zone_is_refused():
    result = run(
        ["manage.py", "check"],
        **production_env(),
        CLOUDFLARE_API_TOKEN="token",
        CLOUDFLARE_ZONE_ID=None,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: CLOUDFLARE_ZONE_ID must be set" in result.stderr


def test_the_readme_lists_every_environment_variable_the_settings_read():
    # Read from the settings' source, so a variable added later must be
    # documented before this passes.
    import re

    reads = re.compile(
        r"""(?:os\.environ(?:\.get)?\(|os\.environ\[|env_list\(|env_bool\()\s*"([A-Z_]+)\""""
    )
    names = set()
    for module in (PROJECT / "cms" / "settings").glob("*.py"):
        names |= set(reads.findall(module.read_text()))
    readme = (PROJECT / "README.md").read_text()
    production = readme[readme.index("## Production") :]
    production = production[: production.index("\n## ", 1)]
    assert {"SECRET_KEY", "SECURE_SSL_REDIRECT", "APPOINTMENT_ENCRYPTION_KEYS"} <= names
    missing = sorted(name for name in names if f"`{name}`" not in production)
    assert not missing, f"README's Production section does not list {missing}"
