from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from clinics.page_editor import AtomicPageViewSet

from . import views
from .models import AppointmentRequestPage


@hooks.register("register_admin_viewset")
def register_all_or_nothing_page_editor():
    return AtomicPageViewSet.for_models(AppointmentRequestPage)


@hooks.register("register_admin_urls")
def register_appointment_request_urls():
    urls = [
        path("", views.index, name="index"),
        path("<int:pk>/", views.detail, name="detail"),
        path("export/", views.export, name="export"),
    ]
    return [
        path(
            "appointment-requests/",
            include((urls, "appointment_requests"), namespace="appointment_requests"),
        )
    ]


class AppointmentRequestsMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(views.readable_sites(request.user))


@hooks.register("register_admin_menu_item")
def register_appointment_requests_menu_item():
    return AppointmentRequestsMenuItem(
        _("Appointment requests"),
        reverse("appointment_requests:index"),
        name="appointment-requests",
        icon_name="mail",
        order=250,
    )


@hooks.register("register_log_actions")
def register_appointment_log_actions(actions):
    actions.register_action(
        views.READ_LOG_ACTION, _("Read"), _("Appointment request read")
    )
    actions.register_action(
        views.EXPORT_LOG_ACTION, _("Exported"), _("Appointment request exported")
    )
