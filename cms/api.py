"""Headless API mounting: Wagtail's v2 router and v3 (Django Ninja) API at
/api/v2/ and /api/v3/.

Wiring only. What a page looks like in the API is in treatments/api.py (typed
blocks, renditions), the clinic's identity in home/api.py, and the clinic
boundary, input parsing, JSON errors and caching in clinics/api.py.
"""

from django.urls import include, path
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v3.api import api as v3_api
from wagtail.utils.urlpatterns import decorate_urlpatterns

from appointments.api import router as appointment_requests_router
from clinics.api import (
    ClinicDocumentsAPIViewSet,
    ClinicImagesAPIViewSet,
    headless_view,
    openapi_schema,
    scope_v3,
)
from home.api import router as clinic_router
from treatments.api import TypedPagesAPIViewSet, check_typed_body, speed_v3_detail
from treatments.api_findings import router as findings_router

v2_router = WagtailAPIRouter("wagtailapi")
v2_router.register_endpoint("pages", TypedPagesAPIViewSet)
v2_router.register_endpoint("images", ClinicImagesAPIViewSet)
v2_router.register_endpoint("documents", ClinicDocumentsAPIViewSet)

scope_v3()
# The interactive docs (/api/v3/docs/) and the OpenAPI document are about the
# clinic API, not Wagtail in general.
v3_api.title = "Clinic CMS API"
v3_api.description = (
    "The headless API of one clinic's website. **Which clinic:** every "
    "response is for one clinic, the one whose host the request is sent to "
    "(e.g. `https://kelowna.example.com/api/v3/pages/`), or the one named with "
    "`?site=<hostname>[:<port>]`. **Tokens:** reading live, public content "
    "needs none. To write, to read drafts (`?version=draft`) or a page's "
    "health-advertising findings, send `Authorization: Bearer <token>`: an "
    "editor creates a token in the admin under their account menu, *API "
    "tokens*, or an administrator runs `python manage.py api_tokens create "
    "--user <username> --name <purpose>`. A token reaches only what its user "
    "may edit, in that clinic."
)
v3_api.add_router("/clinic/", clinic_router)
v3_api.add_router("/pages/", findings_router)
v3_api.add_router("/appointment-requests/", appointment_requests_router)
v3_api.get_openapi_schema = openapi_schema(v3_api.get_openapi_schema)
check_typed_body()
speed_v3_detail()

v3_urlpatterns, v3_app_name, v3_namespace = v3_api.urls

urlpatterns = [
    path(
        "api/v2/",
        include(
            (
                decorate_urlpatterns(v2_router.get_urlpatterns(), headless_view),
                "wagtailapi",
            ),
            namespace="wagtailapi",
        ),
    ),
    path(
        "api/v3/",
        include(
            (decorate_urlpatterns(v3_urlpatterns, headless_view), v3_app_name),
            namespace=v3_namespace,
        ),
    ),
]
