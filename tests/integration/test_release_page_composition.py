"""The release page and lists composed from what shop and ratings register with the catalogue."""

import json
import re
from decimal import Decimal

import pytest
from django.test import Client

from tests.factories import ReleaseFactory, pressing_on_sale
from tests.ratings.conftest import BROWSER_UA

pytestmark = pytest.mark.django_db


def json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def test_release_cards_show_the_lowest_price(client):
    release = ReleaseFactory(title="Drive")
    pressing_on_sale(release=release, amount=Decimal("28.60"))
    pressing_on_sale(release=release, amount=Decimal("19.99"))
    html = client.get("/releases/").content.decode()
    card = html[html.index("Drive") :]
    assert '<p class="card__price"><span class="visually-hidden">From </span>$19.99</p>' in card


def test_a_sold_out_release_card_says_so(client):
    release = ReleaseFactory(title="Juno")
    pressing_on_sale(release=release, on_hand=0)
    html = client.get("/releases/").content.decode()
    assert 'class="badge badge--soldout">Sold out' in html


def test_release_json_ld_carries_an_offer_per_pressing_on_sale(client):
    release = ReleaseFactory()
    pressing_on_sale(release=release, amount=Decimal("28.60"), on_hand=2, low_stock_threshold=5)
    data = next(
        d
        for d in json_ld(client.get(release.get_absolute_url()).content.decode())
        if d.get("@type") == "MusicAlbum"
    )
    offer = data["albumRelease"][0]["offers"]
    assert offer == {
        "@type": "Offer",
        "price": "28.60",
        "priceCurrency": "USD",
        "availability": "https://schema.org/LimitedAvailability",
        "url": data["albumRelease"][0]["@id"],
    }


@pytest.mark.parametrize(("choice", "offered"), [("maybe", True), ("buying", False)])
def test_maybe_buy_offers_the_notify_me_sign_up(choice, offered):
    release = ReleaseFactory()
    pressing_on_sale(release=release)
    reader = Client(HTTP_USER_AGENT=BROWSER_UA)
    reader.get(release.get_absolute_url())
    response = reader.post(f"/releases/{release.slug}/poll/", {"choice": choice}, follow=True)
    html = response.content.decode()
    start = html.index('id="poll"')
    poll = html[start : html.index("</section>", start)]
    assert ('class="notify-form notify-form--release"' in poll) is offered
