from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.viewsets.base import ViewSetGroup

from clinics.clinic_records import ClinicRecordViewSet

from .forms import WebhookEndpointForm
from .models import WebhookDelivery, WebhookEndpoint

PERMISSION = "webhooks.manage_webhooks"


class WebhookEndpointViewSet(ClinicRecordViewSet):
    model = WebhookEndpoint
    permission = PERMISSION
    url_prefix = "webhooks/endpoints"
    icon = "link-external"
    menu_label = _("Endpoints")
    list_display = ["name", "site", "url", "active"]
    edit_handler = ObjectList(
        [
            FieldPanel("site"),
            FieldPanel("name"),
            FieldPanel("url"),
            FieldPanel("events"),
            FieldPanel("secret"),
            FieldPanel("active"),
        ],
        base_form_class=WebhookEndpointForm,
    )


class WebhookDeliveryViewSet(ClinicRecordViewSet):
    """The log: every delivery with its status; read only."""

    model = WebhookDelivery
    permission = PERMISSION
    site_lookup = "endpoint__site"
    url_prefix = "webhooks/deliveries"
    actions = ("view",)
    form_fields = []  # nobody adds or edits a delivery (the policy says so)
    icon = "list-ul"
    menu_label = _("Deliveries")
    inspect_view_enabled = True
    list_display = [
        "created_at",
        "endpoint",
        "event",
        "status",
        "attempts",
        "response_status",
        "delivered_at",
    ]
    list_filter = ["status", "event"]
    inspect_view_fields = [
        "endpoint",
        "event",
        "status",
        "attempts",
        "response_status",
        "last_error",
        "created_at",
        "next_attempt_at",
        "delivered_at",
        "payload",
    ]


class WebhooksGroup(ViewSetGroup):
    menu_label = _("Webhooks")
    menu_icon = "link-external"
    menu_order = 260
    items = (WebhookEndpointViewSet, WebhookDeliveryViewSet)


@hooks.register("register_admin_viewset")
def register_webhooks():
    return WebhooksGroup()
