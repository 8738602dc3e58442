"""The session store: Django's cached_db, with a database outage reported as one.

Django's database store turns every error met while updating a session row into UpdateError,
which the session middleware answers with 400 "session deleted before the request completed".
When the database is down that tells a shopper their request was wrong. Connection failures are
raised as they are instead, so they reach the outage handler and the shopper gets the 503 page
with Retry-After, like every other request made during the outage.

A new session's key is not looked up before it is used: Django's store asks the database whether
a fresh random key exists, then inserts the row with must_create, whose unique key already
refuses a key in use (CreateError, and create() draws another). The lookup was a query of its
own on every first add to a cart.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, UpdateError
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.db import InterfaceError, OperationalError
from django.utils.crypto import get_random_string


class SessionStore(CachedDBStore):
    def _get_new_session_key(self):
        # 32 characters of 36 (Django's own): the insert's unique key is the check (see above).
        return get_random_string(32, VALID_KEY_CHARS)

    def save(self, must_create=False):
        try:
            super().save(must_create)
        except UpdateError as error:
            cause = error.__context__
            if isinstance(cause, OperationalError | InterfaceError):
                raise cause from None
            raise
