"""Notify me: double opt-in, one notice each in sign-up order, unsubscribe."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from shop import services
from shop.models import NotifyRequest
from tests.factories import pressing_on_sale

pytestmark = pytest.mark.django_db


def link(message, word):
    return re.search(rf"http://\S+/notify/{word}/\S+/", message.body)[0].split("8000", 1)[-1]


def test_sign_up_confirm_restock_once_in_order(client, django_capture_on_commit_callbacks):
    pressing = pressing_on_sale(on_hand=0)
    for email in ["first@example.com", "second@example.com", "never@example.com"]:
        client.post("/notify/", {"pressing": pressing.pk, "email": email})
    assert len(mail.outbox) == 3
    confirm = {m.to[0]: link(m, "confirm") for m in mail.outbox}
    assert client.get(confirm["second@example.com"]).status_code == 200  # GET only asks
    assert not NotifyRequest.objects.filter(confirmed_at__isnull=False).exists()
    client.post(confirm["first@example.com"])
    client.post(confirm["second@example.com"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.set_stock(pressing=pressing, on_hand=10)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_stock(pressing=pressing, on_hand=12)
    services.send_restock_notices(pressing=pressing)  # a second run sends nothing more

    assert [m.to[0] for m in mail.outbox] == ["first@example.com", "second@example.com"]
    assert all("/notify/unsubscribe/" in m.body for m in mail.outbox)


def test_unsubscribed_hear_nothing(client, django_capture_on_commit_callbacks):
    pressing = pressing_on_sale(on_hand=0)
    client.post("/notify/", {"pressing": pressing.pk, "email": "x@example.com"})
    message = mail.outbox[0]
    client.post(link(message, "confirm"))
    client.post(link(message, "unsubscribe"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.set_stock(pressing=pressing, on_hand=3)
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_one_request_per_email_and_pressing(client):
    pressing = pressing_on_sale(on_hand=0)
    client.post("/notify/", {"pressing": pressing.pk, "email": "x@example.com"})
    client.post("/notify/", {"pressing": pressing.pk, "email": "X@example.com"})
    assert NotifyRequest.objects.count() == 1


def test_bad_sign_up_is_refused_clearly(client):
    pressing = pressing_on_sale(on_hand=0)
    response = client.post(
        "/notify/", {"pressing": pressing.pk, "email": "not-an-email"}, follow=True
    )
    assert "valid email" in response.content.decode()
    assert not NotifyRequest.objects.exists()


def test_asking_again_resends_at_most_every_ten_minutes(client, settings):
    """Anyone can type anyone's address into the form: it must not flood that inbox."""
    pressing = pressing_on_sale(on_hand=0)
    for _ in range(5):
        response = client.post("/notify/", {"pressing": pressing.pk, "email": "x@example.com"})
    assert len(mail.outbox) == 1
    assert "a few minutes ago" in client.get(response.url).content.decode()
    cache.delete(f"shop:notify-confirm:{NotifyRequest.objects.get().pk}")  # ten minutes later
    client.post("/notify/", {"pressing": pressing.pk, "email": "x@example.com"})
    assert len(mail.outbox) == 2


def test_a_confirmed_reader_is_told_they_are_on_the_list(client):
    pressing = pressing_on_sale(on_hand=0)
    client.post("/notify/", {"pressing": pressing.pk, "email": "x@example.com"})
    client.post(link(mail.outbox[0], "confirm"))
    response = client.post("/notify/", {"pressing": pressing.pk, "email": "x@example.com"})
    assert "already on the list" in client.get(response.url).content.decode()
    assert len(mail.outbox) == 1
