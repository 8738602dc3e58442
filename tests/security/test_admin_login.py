import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff():
    return get_user_model().objects.create_user(
        "editor", password="right-password-123", is_staff=True
    )


def test_repeated_failures_lock_the_login(client, staff):
    url = reverse("admin:login")
    for _ in range(5):
        response = client.post(url, {"username": "editor", "password": "wrong"})
        assert response.status_code == 200
    locked = client.post(url, {"username": "editor", "password": "right-password-123"})
    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts" in locked.content
    assert "_auth_user_id" not in client.session


def test_a_good_login_changes_the_session_key(client, staff):
    client.get(reverse("admin:login"))
    client.session.save()
    before = client.session.session_key
    response = client.post(
        reverse("admin:login"), {"username": "editor", "password": "right-password-123"}
    )
    assert response.status_code == 302
    assert client.session.session_key != before


def test_non_staff_reach_no_admin_page(client):
    get_user_model().objects.create_user("reader", password="reader-password-123")
    client.login(username="reader", password="reader-password-123")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
