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
