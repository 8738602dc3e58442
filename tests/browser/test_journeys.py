"""End-to-end journeys in a real browser: shoppers, readers, editors and staff, as they meet the site."""

import importlib
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from PIL import Image

from catalogue.models import Pressing, Release
from ratings.selectors import poll_results
from reviews.models import Author, Review, Status
from shop.models import Order, ShippingRate, Stock
from tests.factories import PressingFactory, ReleaseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RELEASE = "/releases/drive-original-motion-picture-soundtrack/"
PASSWORD = "a-long-test-password"


def stock(sku):
    return Stock.objects.get(pressing__sku=sku)


def pressing_row(page, colour):
    return page.locator(".pressing", has_text=colour)


def shop_to_checkout(trip, *, screenshots=True):
    """Home → search → release page → two pressings in the cart → quantity changed → test checkout."""
    page = trip.page
    page.goto("/")
    if screenshots:
        trip.screenshot("home")
    page.get_by_role("search").get_by_label("Search releases").fill("drive")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=drive")
    if screenshots:
        trip.screenshot("search")
    page.locator(".card__link", has_text="Drive").first.click()
    page.wait_for_url(f"**{RELEASE}")
    if screenshots:
        trip.screenshot("release")

    pressing_row(page, "Hot pink").get_by_role("button", name="Add to cart").click()
    page.locator(".message--success", has_text="Hot pink").wait_for()
    # The CD as well, so the cart has a quantity to change (the pink LP is one per customer).
    page.locator(".pressing", has_text="CD").get_by_role("button", name="Add to cart").click()
    page.locator(".message--success", has_text="CD").wait_for()
    assert page.locator("[data-cart-count]").inner_text() == "2"

    page.get_by_role("link", name=re.compile("^Cart")).click()
    page.wait_for_url("**/cart/")
    cd_row = page.locator("table.cart tbody tr", has_text="CD")
    cd_row.get_by_label(re.compile("^Quantity of")).fill("3")
    cd_row.get_by_role("button", name="Update").click()
    page.wait_for_url("**/cart/")
    # 28.60 for the pink LP and 3 x 11.99 for the CD.
    assert page.locator("[data-cart-subtotal]").inner_text() == "$64.57"
    if screenshots:
        trip.screenshot("cart")

    page.get_by_label("Email").fill("shopper@example.com")
    page.get_by_role("button", name=re.compile("^Check out")).click()
    page.wait_for_url("**/checkout/test/**")
    assert stock("INV-DRIVE-2LP-PNK").reserved == 1
    assert stock("LAKE-DRIVE-CD").reserved == 3
    if screenshots:
        trip.screenshot("checkout")
    return page


def pay(page):
    uk = ShippingRate.objects.get(zone="UK")
    page.get_by_label("Shipping rate").select_option(str(uk.pk))
    page.get_by_role("button", name="Pay (test)").click()
    page.wait_for_url("**/orders/**")


def test_shopper_buys_the_hot_pink_lp(journey, demo):
    trip = journey()
    pink_before = stock("INV-DRIVE-2LP-PNK").on_hand
    cd_before = stock("LAKE-DRIVE-CD").on_hand

    page = shop_to_checkout(trip)
    pay(page)

    assert page.locator(".order-status").inner_text() == "Status: Paid"
    assert "Hot pink" in page.locator(".order-lines").inner_text()
    trip.screenshot("order-paid")
    order = Order.objects.get()
    assert order.status == Order.Status.PAID
    assert order.email == "shopper@example.com"
    pink, cd = stock("INV-DRIVE-2LP-PNK"), stock("LAKE-DRIVE-CD")
    assert (pink.on_hand, pink.reserved) == (pink_before - 1, 0)
    assert (cd.on_hand, cd.reserved) == (cd_before - 3, 0)
    # Paid, so the cart is empty again.
    page.goto("/cart/")
    assert "Your cart is empty" in page.locator("main").inner_text()
    assert trip.foreign_requests() == []


def test_shopper_who_cancels_at_checkout_keeps_the_cart_and_gives_the_copies_back(journey, demo):
    trip = journey()
    pink_before = stock("INV-DRIVE-2LP-PNK")

    page = shop_to_checkout(trip, screenshots=False)
    assert stock("INV-DRIVE-2LP-PNK").available == pink_before.available - 1
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url("**/cart/")

    assert "checkout cancelled" in page.locator(".messages").inner_text().lower()
    rows = page.locator("table.cart tbody tr")
    assert rows.count() == 2
    cd_row = rows.filter(has_text="CD")
    assert cd_row.get_by_label(re.compile("^Quantity of")).input_value() == "3"
    trip.screenshot("cart-after-cancel")
    pink = stock("INV-DRIVE-2LP-PNK")
    assert (pink.on_hand, pink.reserved, pink.available) == (
        pink_before.on_hand,
        0,
        pink_before.available,
    )
    assert stock("LAKE-DRIVE-CD").reserved == 0
    assert Order.objects.get().status == Order.Status.CANCELLED
    assert trip.foreign_requests() == []


def votes_line(total):
    return f"{total} vote{'s' if total != 1 else ''}, yours included"


def test_reader_votes_with_and_without_javascript(journey, demo):
    release = Release.objects.get(slug="drive-original-motion-picture-soundtrack")
    before = poll_results(release).total

    # JavaScript on: the vote goes in the background and the page stays.
    trip = journey()
    page = trip.page
    page.goto(RELEASE)
    page.evaluate("window.__samePage = 'still here'")
    poll = page.locator("#poll")
    poll.get_by_role("button", name="Buying!").click()
    poll.locator("#poll-results-heading").wait_for()
    assert page.evaluate("window.__samePage") == "still here"
    assert page.evaluate("document.activeElement.id") == "poll-results-heading"
    live = poll.locator("[data-poll-live]")
    page.wait_for_function(
        "document.querySelector('[data-poll-live]').textContent.includes('Your answer')"
    )
    assert "Your answer: Buying!" in live.inner_text()
    assert votes_line(before + 1) in live.inner_text()
    assert poll.locator(".poll__row").count() == 4
    assert poll.get_by_role("button", name="Buying!").get_attribute("aria-pressed") == "true"
    trip.screenshot("poll-voted", page)

    # JavaScript off: a plain form post that comes back to the poll.
    plain = journey("no-js", javascript=False)
    plain.page.goto(RELEASE)
    plain.page.locator("#poll").get_by_role("button", name="Maybe Buy").click()
    plain.page.wait_for_url(f"**{RELEASE}#poll")
    plain_poll = plain.page.locator("#poll")
    assert "You answered Maybe Buy" in plain_poll.locator(".poll__change").inner_text()
    assert votes_line(before + 2) in plain_poll.inner_text()
    plain.screenshot("poll-voted")

    # Each reader sees their own vote; the counts hold both.
    page.reload()
    assert poll.get_by_role("button", name="Buying!").get_attribute("aria-pressed") == "true"
    assert poll.get_by_role("button", name="Maybe Buy").get_attribute("aria-pressed") == "false"
    assert votes_line(before + 2) in poll.inner_text()
    assert poll_results(release).total == before + 2
    assert trip.foreign_requests() == [] and plain.foreign_requests() == []


def log_in_to_admin(page, username, *, then):
    page.goto(f"/admin/login/?next={then}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{then}")


def choose_autocomplete(page, field, text):
    """Pick a value in one of the admin's autocomplete (select2) boxes."""
    page.locator(f"#id_{field} + .select2").click()
    page.locator(".select2-search__field").last.fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def editors_group():
    """The Editors group as its data migration makes it (a transactional test's flush removes it)."""
    migration = importlib.import_module("reviews.migrations.0002_editors_group")
    migration.create_editors(MigrationExecutor(connection).loader.project_state().apps, None)
    return Group.objects.get(name=migration.GROUP)


def test_editor_writes_previews_and_publishes_a_review(journey, demo, tmp_path):
    editor = UserFactory(username="maeve", is_staff=True)
    editor.groups.add(editors_group())
    Author.objects.create(user=editor, display_name="Maeve Harlow")
    hero = tmp_path / "night-drive.png"
    Image.new("RGB", (1200, 600), (255, 45, 149)).save(hero)

    trip = journey()
    page = trip.page
    log_in_to_admin(page, "maeve", then="/admin/reviews/review/add/")
    page.get_by_label("Headline").fill("Neon after midnight")
    page.get_by_label("Standfirst").fill("Cliff Martinez's Drive, on hot pink wax.")
    choose_autocomplete(page, "authors", "Maeve Harlow")
    choose_autocomplete(page, "releases", "Drive")
    page.get_by_label("Body").fill(
        "## Side C at night\n\nThe **love theme** [[I Drive]] still glows. "
        "Read the [label's notes](https://example.com/drive).\n\n> Put it on and drive."
    )
    page.get_by_label("Pull quote").fill("Still glows.")
    page.locator("#id_hero_image").set_input_files(str(hero))
    page.get_by_label("Hero image alt text").fill("A pink sunset over a night freeway")
    page.get_by_role("button", name="Add another Review video").click()
    page.locator("#id_videos-0-video_url").fill("https://www.youtube.com/watch?v=bSdvSXJblzk")
    page.get_by_role("button", name="Save and continue editing").click()
    page.locator(".messagelist").wait_for()

    review = Review.objects.get(slug="neon-after-midnight")
    assert review.status == Status.DRAFT
    with trip.context.expect_page() as preview_info:
        page.get_by_role("link", name="Preview (only staff can see it)").click()
    preview = preview_info.value
    preview.wait_for_load_state()
    assert "Draft preview" in preview.locator(".draft-banner").inner_text()
    body = preview.locator(".piece__body")
    assert body.locator("h2", has_text="Side C at night").count() == 1
    assert body.locator("strong", has_text="love theme").count() == 1
    assert body.locator("a", has_text="I Drive").count() == 1
    assert preview.locator(".piece__hero img").evaluate("img => img.naturalWidth") > 0
    assert preview.locator(".video-facade").count() == 1
    trip.screenshot("review-preview", preview)
    preview.close()

    page.locator("input[name=status][value=published]").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator(".messagelist").wait_for()
    review.refresh_from_db()
    assert review.status == Status.PUBLISHED
    assert review.publish_at <= timezone.now()

    page.goto(RELEASE)
    reviews = page.locator("main").get_by_role("link", name=re.compile("Neon after midnight"))
    assert reviews.count() >= 1
    reviews.first.click()
    page.wait_for_url("**/reviews/neon-after-midnight/")
    assert page.locator(".draft-banner").count() == 0
    trip.screenshot("review")
    feed = page.request.get("/feed/")
    assert feed.ok
    assert "Neon after midnight" in feed.text()
    assert "/reviews/neon-after-midnight/" in feed.text()
    assert trip.foreign_requests() == []


def test_staff_marks_the_order_shipped_and_the_buyer_is_emailed(journey, demo):
    shopper = journey("shopper")
    pay(shop_to_checkout(shopper, screenshots=False))
    order = Order.objects.get(status=Order.Status.PAID)
    mail.outbox.clear()

    staff = UserFactory(username="dispatch", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="shop", codename__in=["view_order", "change_order"]
        )
    )
    trip = journey()
    page = trip.page
    log_in_to_admin(page, "dispatch", then="/admin/shop/order/")
    page.locator("tr", has_text=order.number).locator("input.action-select").check()
    page.locator("select[name=action]").select_option("mark_shipped")
    page.locator("button[name=index]").click()
    page.get_by_label("Carrier").fill("Royal Mail")
    page.get_by_label("Tracking number").fill("RM123456789GB")
    trip.screenshot("mark-shipped")
    page.get_by_role("button", name="Mark orders shipped").click()
    page.locator(".messagelist").wait_for()

    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    assert (order.carrier, order.tracking_number) == ("Royal Mail", "RM123456789GB")
    assert [m.to for m in mail.outbox] == [["shopper@example.com"]]
    assert order.number in mail.outbox[0].subject
    assert "RM123456789GB" in mail.outbox[0].body

    shopper.page.goto(order.get_absolute_url())
    assert "tracking number RM123456789GB" in shopper.page.locator("main").inner_text()
    shopper.screenshot("order-shipped")
    assert trip.foreign_requests() == [] and shopper.foreign_requests() == []


def card_titles(page):
    return page.locator(".listing__grid .card__title").all_inner_texts()


def test_browsing_filters_sort_share_paginate_and_go_back(journey):
    old = timezone.now() - timedelta(days=30)
    # 27 pink LPs from the 1980s (two pages of 24), and releases each filter must leave out.
    for n in range(27):
        release = ReleaseFactory(
            title=f"Neon Score {n:02d}", original_year=1980 + n % 10, published_at=old
        )
        PressingFactory(release=release, colour="Hot pink", colour_family="pink")
    PressingFactory(
        release=ReleaseFactory(title="Neon Score CD only", original_year=1984),
        format=Pressing.Format.CD,
        colour_family="pink",
    )
    PressingFactory(release=ReleaseFactory(title="Neon Score black", original_year=1984))
    PressingFactory(
        release=ReleaseFactory(title="Neon Score nineties", original_year=1994),
        colour_family="pink",
    )

    trip = journey()
    page = trip.page
    page.goto("/releases/")
    assert "30 releases" in page.locator(".listing__count").inner_text()
    for field, value in [
        ("Format", "lp"),
        ("Vinyl colour", "pink"),
        ("Decade", "1980"),
        ("Sort", "title"),
    ]:
        with page.expect_navigation():
            page.get_by_label(field, exact=True).select_option(value)
    assert "27 releases match your filters" in page.locator(".listing__count").inner_text()
    query = page.url.split("?", 1)[1]
    for part in ["format=lp", "colour=pink", "decade=1980", "sort=title"]:
        assert part in query
    first_page = card_titles(page)
    assert first_page == [f"Neon Score {n:02d}" for n in range(24)]
    trip.screenshot("filtered")

    page.get_by_role("link", name="Next page").first.click()
    page.wait_for_url(re.compile(r"page=2"))
    second_page = card_titles(page)
    assert second_page == ["Neon Score 24", "Neon Score 25", "Neon Score 26"]
    assert page.get_by_label("Vinyl colour", exact=True).input_value() == "pink"

    shared = trip.new_page()
    shared.goto(page.url)
    assert card_titles(shared) == second_page
    assert shared.get_by_label("Decade", exact=True).input_value() == "1980"
    shared.close()

    page.go_back()
    page.wait_for_url(lambda url: "page=2" not in url)
    assert card_titles(page) == first_page
    assert page.get_by_label("Format", exact=True).input_value() == "lp"
    assert page.get_by_label("Sort", exact=True).input_value() == "title"
    assert trip.foreign_requests() == []
