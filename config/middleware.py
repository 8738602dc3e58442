import logging
import uuid

from django.conf import settings
from django.db import InterfaceError, OperationalError

from config.logging import request_id_var
from config.views import database_unavailable

logger = logging.getLogger(__name__)


class SecurityHeadersMiddleware:
    """Adds the headers Django's own middleware does not: Permissions-Policy and a request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = (
            incoming if 0 < len(incoming) <= 64 and incoming.isascii() else uuid.uuid4().hex
        )
        token = request_id_var.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers["X-Request-ID"] = request.id
        return response

    def process_exception(self, request, exception):
        # A database outage is a temporary condition: say so, and ask to come back. Only errors
        # of the connection are an outage; a query the database refuses (a ProgrammingError, an
        # IntegrityError) is a bug, and gets the 500 page and Django's error report.
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("database unavailable", exc_info=exception, extra={"path": request.path})
            return database_unavailable(request)
        return None
