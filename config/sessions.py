"""The session store: Django's cached_db, with a database outage reported as one.

Django's database store turns every error met while updating a session row into UpdateError,
which the session middleware answers with 400 "session deleted before the request completed".
When the database is down that tells a shopper their request was wrong. Connection failures are
raised as they are instead, so they reach the outage handler and the shopper gets the 503 page
with Retry-After, like every other request made during the outage.
"""

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.db import InterfaceError, OperationalError


class SessionStore(CachedDBStore):
    def save(self, must_create=False):
        try:
            super().save(must_create)
        except UpdateError as error:
            cause = error.__context__
            if isinstance(cause, OperationalError | InterfaceError):
                raise cause from None
            raise
