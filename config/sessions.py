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

The row is read and written with one plain statement each. Django's store reads it through the
ORM (0.3 ms of CPU to build the query) and writes it inside a transaction of its own: BEGIN,
the write and COMMIT, three round trips where one statement is already atomic. Inside a
transaction the caller opened, the write is Django's own, in a savepoint as Django makes it.
"""

import logging

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.db import DatabaseError, InterfaceError, OperationalError, connections, router
from django.utils import timezone
from django.utils.crypto import get_random_string

logger = logging.getLogger("django.contrib.sessions")

READ_SQL = (
    "SELECT session_data, expire_date FROM django_session "
    "WHERE session_key = %s AND expire_date > %s"
)
INSERT_SQL = (
    "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (%s, %s, %s) "
    "ON CONFLICT (session_key) DO NOTHING"
)
UPDATE_SQL = "UPDATE django_session SET session_data = %s, expire_date = %s WHERE session_key = %s"


class _Row:
    """What the stores read of a session row."""

    def __init__(self, session_data, expire_date):
        self.session_data = session_data
        self.expire_date = expire_date


class SessionStore(CachedDBStore):
    def _get_new_session_key(self):
        # 32 characters of 36 (Django's own): the insert's unique key is the check (see above).
        return get_random_string(32, VALID_KEY_CHARS)

    def _connection(self):
        return connections[router.db_for_write(self.model)]

    def _get_session_from_db(self):
        with self._connection().cursor() as cursor:
            cursor.execute(READ_SQL, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return _Row(*row)

    def save(self, must_create=False):
        if self.session_key is None:
            self.create()  # draws a key, then comes back here with must_create
            return
        connection = self._connection()
        if connection.in_atomic_block:
            self._save_in_transaction(must_create)
            return
        data = self._get_session(no_load=must_create)
        key = self.session_key
        values = [self.encode(data), self.get_expiry_date()]
        try:
            with connection.cursor() as cursor:
                if must_create:
                    cursor.execute(INSERT_SQL, [key, *values])
                else:
                    cursor.execute(UPDATE_SQL, [*values, key])
                written = cursor.rowcount
        except (OperationalError, InterfaceError):
            raise
        except DatabaseError as error:
            if must_create:
                raise
            raise UpdateError from error
        if not written:
            # must_create: another session has this key. Otherwise the row is gone (the shopper
            # logged out in another tab, or the row expired and was cleared).
            raise CreateError if must_create else UpdateError
        try:
            self._cache.set(self.cache_key, self._session, self.get_expiry_age())
        except Exception:
            logger.exception("Error saving to cache (%s)", self._cache)

    def _save_in_transaction(self, must_create):
        try:
            super().save(must_create)
        except UpdateError as error:
            cause = error.__context__
            if isinstance(cause, OperationalError | InterfaceError):
                raise cause from None
            raise
