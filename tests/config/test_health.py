import pytest
from django.db import connection
from django.db.utils import OperationalError


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"database": "unavailable"}


@pytest.mark.django_db
def test_unknown_page_is_our_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"This groove is empty" in response.content


def test_a_database_error_outside_any_view_is_a_503(rf):
    from config.views import server_error

    request = rf.get("/")
    try:
        raise OperationalError("the server closed the connection")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"Flipping the record" in response.content


def test_other_errors_stay_500(rf):
    from config.views import server_error

    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500


@pytest.mark.django_db
def test_a_database_error_in_a_view_is_a_503_page(client, monkeypatch):
    from catalogue import views

    def broken(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(views.ReleaseListView, "get_queryset", broken)
    response = client.get("/releases/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"Traceback" not in response.content


@pytest.mark.django_db
def test_a_query_the_database_refuses_is_a_bug_not_an_outage(client, monkeypatch):
    from django.db.utils import ProgrammingError

    from catalogue import views

    def broken(*args, **kwargs):
        raise ProgrammingError('syntax error at or near "ANY"')

    monkeypatch.setattr(views.ReleaseListView, "get_queryset", broken)
    client.raise_request_exception = False
    response = client.get("/releases/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_the_outage_page_renders_when_the_session_cannot_be_read(rf):
    """The 503 page reads nothing a request carries: with the database gone, the cart count's
    session read raised again inside the error page and the shopper got a bare 500."""
    from config.views import server_error

    class SessionOnAGoneDatabase(dict):
        def get(self, *args, **kwargs):
            raise OperationalError("the connection is closed")

    request = rf.get("/checkout/")
    request.session = SessionOnAGoneDatabase()
    try:
        raise OperationalError("the connection is closed")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert b"Flipping the record" in response.content
