"""Requests that carry personal health information (an appointment request,
its reading in the admin) leave nothing of it in an error report.

Django's ``sensitive_variables`` hides the variables of one function and
``sensitive_post_parameters`` the form fields, but a report also shows every
frame's locals: the frames below (encryption, saving) and above (django-ninja's
operation holds the parsed body). A request marked here has every frame's
variables and every POST value hidden, whatever raised.
"""

from django.views.debug import SafeExceptionReporterFilter

_MARK = "_clinic_sensitive_request"


def mark_sensitive(request):
    setattr(request, _MARK, True)
    # Django's own marker too, so its report hides every POST value.
    request.sensitive_post_parameters = "__ALL__"


def is_sensitive(request):
    return getattr(request, _MARK, False)


class SensitiveRequestReporterFilter(SafeExceptionReporterFilter):
    def get_traceback_frame_variables(self, request, tb_frame):
        if request is not None and is_sensitive(request):
            return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
        return super().get_traceback_frame_variables(request, tb_frame)

    def get_post_parameters(self, request):
        if request is not None and is_sensitive(request):
            return dict.fromkeys(request.POST, self.cleansed_substitute)
        return super().get_post_parameters(request)
