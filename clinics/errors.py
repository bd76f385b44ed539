"""Error pages that answer JSON on API URLs (a front-end parses them) and the
clinic's templates everywhere else."""

from django.views import defaults

from .api import error_response
from .boundary import API_PATH_PREFIX


def _api_aware(default_view, status, message):
    def view(request, *args, **kwargs):
        if request.path.startswith(API_PATH_PREFIX):
            return error_response(request, status, message)
        return default_view(request, *args, **kwargs)

    return view


bad_request = _api_aware(defaults.bad_request, 400, "Bad request.")
permission_denied = _api_aware(defaults.permission_denied, 403, "Permission denied.")
page_not_found = _api_aware(defaults.page_not_found, 404, "Not found.")
server_error = _api_aware(
    defaults.server_error, 500, "Something went wrong on our side; please try again."
)
