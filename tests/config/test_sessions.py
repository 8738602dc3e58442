"""A session saved while the database is gone: a 503 for the shopper, never a 400; a new
session's key that is already taken is drawn again."""

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path

import config.sessions
from config.sessions import SessionStore
from tests.database import terminate

pytestmark = pytest.mark.django_db(transaction=True)


def cut_connection():
    """Terminate this process's database connection from a second one, as a restart does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    terminate(pid)


@pytest.fixture
def saved_session():
    store = SessionStore()
    store["cart"] = {"1": 1}
    store.save(must_create=True)
    yield SessionStore(session_key=store.session_key)
    connection.close()


def test_a_cut_connection_is_raised_as_the_outage_it_is(saved_session):
    saved_session.load()  # read now, as a request would have before the outage
    saved_session["cart"] = {"1": 2}
    cut_connection()
    with pytest.raises(OperationalError):
        saved_session.save()


def test_a_vanished_row_is_still_an_update_error(saved_session):
    saved_session["cart"] = {"1": 2}
    saved_session.delete()
    saved_session._session_cache = {"cart": {"1": 2}}
    with pytest.raises(UpdateError) as raised:
        saved_session.save()
    assert not isinstance(raised.value.__context__, OperationalError)
    assert SessionStore(session_key=saved_session.session_key).load() == {}


def test_a_write_outside_a_transaction_is_one_statement(saved_session):
    """Django's store wraps the write in a transaction: BEGIN, the write, COMMIT. One statement
    is atomic on its own; the row and the cached copy both change."""
    saved_session["cart"] = {"1": 4}
    with CaptureQueriesContext(connection) as captured:
        saved_session.save()
    assert len(captured.captured_queries) == 1
    assert captured.captured_queries[0]["sql"].startswith("UPDATE")
    assert SessionStore(session_key=saved_session.session_key).load() == {"cart": {"1": 4}}
    saved_session._cache.clear()  # now from the row itself
    assert SessionStore(session_key=saved_session.session_key).load() == {"cart": {"1": 4}}


def test_an_expired_row_reads_as_no_session(saved_session):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE django_session SET expire_date = now() - interval '1 second' "
            "WHERE session_key = %s",
            [saved_session.session_key],
        )
    saved_session._cache.clear()
    assert saved_session.load() == {}
    assert saved_session.session_key is None


def test_a_new_key_already_taken_is_drawn_again(saved_session, monkeypatch):
    """New keys are not looked up first: the insert's unique key refuses a taken one, and the
    session draws another, leaving the other shopper's session as it was."""
    taken = saved_session.session_key
    drawn = iter([taken, "n" * 32])
    monkeypatch.setattr(config.sessions, "get_random_string", lambda length, chars: next(drawn))
    store = SessionStore()
    store["cart"] = {"2": 5}
    with CaptureQueriesContext(connection) as captured:
        store.save()
    assert store.session_key == "n" * 32
    assert not any("SELECT 1" in q["sql"] for q in captured.captured_queries)
    assert SessionStore(session_key=taken).load() == {"cart": {"1": 1}}
    assert SessionStore(session_key="n" * 32).load() == {"cart": {"2": 5}}


def add_during_outage(request):
    request.session["cart"] = {"1": 3}
    cut_connection()
    return HttpResponse("added")


urlpatterns = [path("add/", add_during_outage)]
handler500 = "config.views.server_error"


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("engine", "status"),
    [("config.sessions", 503), ("django.contrib.sessions.backends.cached_db", 400)],
)
def test_the_shopper_sees_the_outage_page(saved_session, settings, engine, status):
    """Through the whole request: ours answers 503 with Retry-After; Django's stock store, 400."""
    settings.SESSION_ENGINE = engine
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = saved_session.session_key
    response = client.get("/add/")
    assert response.status_code == status
    if status == 503:
        assert response["Retry-After"] == "5"
