"""Hostile content rendered in a real browser: hundreds of XSS payloads, no script runs.

The browser ignores the Content Security Policy here (bypass_csp), so these tests prove the
escaping and sanitising themselves; the CSP is a second wall behind them, tested elsewhere.
"""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from catalogue.models import Pressing
from reviews import services as review_services
from reviews.models import Feature, Review
from tests.browser.hostile import DOM_SCRIPT, INIT_SCRIPT, PAYLOADS, stored_html_problems
from tests.factories import (
    EndorsementFactory,
    FeatureEntryFactory,
    FeatureFactory,
    FilmFactory,
    PressingFactory,
    PriceFactory,
    ReleaseFactory,
    ReviewFactory,
    ShippingRateFactory,
    StockFactory,
    TrackFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "hostile-score"
PAYLOAD_ID = re.compile(r"__pwned(?:\(|%28)(\d+)")


def fitting(limit, start=0):
    """Payloads that fit a field of max_length ``limit``, cycling from ``start``."""
    short = [p for p in PAYLOADS if len(p) <= limit]
    return short[start % len(short) :] + short[: start % len(short)]


def chunks(payloads, limit, joiner=" "):
    """Payloads packed into strings of at most ``limit`` characters."""
    packed, current = [], ""
    for payload in payloads:
        candidate = f"{current}{joiner}{payload}" if current else payload
        if len(candidate) > limit:
            packed.append(current)
            current = payload
        else:
            current = candidate
    return [*packed, current] if current else packed


def markdown_body(payloads):
    return "\n\n".join(payloads)


class Inspector:
    """Runs after every page: script executions, dialogs and dangerous markup, by page."""

    def __init__(self, page):
        self.page = page
        self.dialogs = []
        self.problems = []
        self.seen = set()
        page.on("dialog", self._dialog)

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message} at {self.page.url}")
        dialog.dismiss()

    def check(self, where):
        page = self.page
        page.wait_for_load_state()
        ran = page.evaluate("window.__xss || []")
        self.problems += [f"{where}: payload {n} ran" for n in ran]
        self.problems += [f"{where}: {found}" for found in page.evaluate(DOM_SCRIPT)]
        text = page.evaluate("document.documentElement.outerHTML")
        self.seen.update(int(n) for n in PAYLOAD_ID.findall(text))


@pytest.fixture
def hostile_site(offline_checkout):
    """A catalogue, magazine and shop whose every free-text field is an attack."""
    past = timezone.now() - timedelta(days=2)
    film = FilmFactory(title=fitting(200, 3)[0])
    release = ReleaseFactory(
        title="Hostile </script><script>__pwned('title')</script>",
        slug=SLUG,
        film=film,
        description=markdown_body(PAYLOADS),
        published_at=past,
    )
    for n, (title, note) in enumerate(
        zip(fitting(300, 0)[:40], fitting(300, 40)[:40], strict=True)
    ):
        TrackFactory(release=release, position=f"A{n + 1}", title=title, scene_note=note)
    for quote in chunks(PAYLOADS[:60], 1000):
        EndorsementFactory(release=release, quote=quote, name=fitting(200, 7)[0])
    on_sale = PressingFactory(release=release, colour=fitting(100, 11)[0], colour_family="pink")
    PriceFactory(pressing=on_sale)
    StockFactory(pressing=on_sale, on_hand=50)
    sold_out = PressingFactory(release=release, format=Pressing.Format.CD, notes=PAYLOADS[9])
    PriceFactory(pressing=sold_out)
    StockFactory(pressing=sold_out, on_hand=0)
    ShippingRateFactory()
    # More hostile titles, for the release list's and search's cards.
    for n, title in enumerate(fitting(180, 20)[:12]):
        ReleaseFactory(title=f"Hostile {title}", slug=f"hostile-{n}", published_at=past)

    review = ReviewFactory(
        headline="</script><script>__pwned('headline')</script>",
        standfirst=fitting(300, 5)[0],
        pull_quote=fitting(240, 9)[0],
        slug="hostile-review",
        body=markdown_body(PAYLOADS),
        releases=[release],
        publish_at=past,
    )
    review_services.render_review(review=review)
    feature = FeatureFactory(
        headline=fitting(200, 13)[0],
        slug="hostile-feature",
        intro=markdown_body(PAYLOADS[:80]),
        publish_at=past,
    )
    for n, part in enumerate([PAYLOADS[i::8] for i in range(8)]):
        FeatureEntryFactory(
            feature=feature,
            release=release,
            heading=fitting(200, 30 + n)[0],
            text=markdown_body(part),
        )
    review_services.render_feature(feature=feature)
    return release


def submit_hostile(page, form, values):
    """Fill a form's fields with raw values, past the browser's own validation, and submit it."""
    form.evaluate(
        """(form, values) => {
            form.noValidate = true;
            for (const [name, value] of Object.entries(values)) {
                const field = form.elements[name];
                if (field.tagName === "SELECT") field.add(new Option(value, value, true, true));
                else { field.removeAttribute("maxlength"); field.type = field.type === "hidden" ? "hidden" : "text"; field.value = value; }
            }
        }""",
        values,
    )
    form.locator("button[type=submit]").first.click()
    page.wait_for_load_state()


def test_stored_content_renders_inert_on_every_page(journey, hostile_site):
    trip = journey(bypass_csp=True)
    page = trip.page
    page.add_init_script(INIT_SCRIPT)
    inspect = Inspector(page)

    for url in [
        "/",
        "/releases/",
        f"/releases/{SLUG}/",
        "/reviews/",
        "/reviews/hostile-review/",
        "/features/",
        "/features/hostile-feature/",
        "/search/?q=hostile",
        "/search/?q=script+onerror+img",
        f"/films/{hostile_site.film.slug}/",
    ]:
        response = page.goto(url)
        assert response.status == 200, url
        inspect.check(url)

    feed = page.request.get("/feed/")
    assert feed.ok
    assert "<script>__pwned" not in feed.text()

    stored = [Review.objects.get().body_html, Feature.objects.get().intro_html]
    stored += [entry.text_html for entry in Feature.objects.get().entries.all()]
    for fragment in stored:
        assert stored_html_problems(fragment) == []

    assert inspect.problems == []
    assert inspect.dialogs == []
    # The payloads really reached the pages (as text), so the checks above saw them.
    assert len(inspect.seen) >= 200, len(inspect.seen)
    assert trip.foreign_requests() == []


def test_hostile_queries_and_form_fields_render_inert(journey, hostile_site):
    trip = journey(bypass_csp=True)
    page = trip.page
    page.add_init_script(INIT_SCRIPT)
    inspect = Inspector(page)
    release_url = f"/releases/{SLUG}/"

    # Search queries and list filters, typed into the address bar.
    for query in chunks(PAYLOADS[::3], 200)[:12]:
        page.goto("/search/?" + urlencode({"q": query}))
        inspect.check(f"search {query[:30]}")
    for n in range(4):
        values = fitting(100, 50 + n * 7)
        params = dict(
            zip(["format", "colour", "label", "decade", "sort", "composer"], values, strict=False)
        )
        page.goto("/releases/?" + urlencode(params))
        inspect.check(f"filters {n}")
    for instance in fitting(253, 70)[:6]:
        page.goto(
            f"{release_url}poll/share/mastodon/?"
            + urlencode({"choice": "buying", "instance": instance})
        )
        inspect.check("mastodon share")

    # The poll: a hostile answer through poll.js, whose fragment goes in with innerHTML.
    page.goto(release_url)
    poll = page.locator("#poll")
    poll.get_by_role("button", name="Too Expensive").evaluate("(b, v) => b.value = v", PAYLOADS[3])
    poll.get_by_role("button", name="Too Expensive").click()
    poll.locator(".poll__message").wait_for()
    inspect.check("poll hostile choice")
    poll.get_by_role("button", name="Too Expensive").click()
    poll.locator(".poll__would-pay").wait_for()
    submit_hostile(page, poll.locator(".poll__would-pay"), {"amount": PAYLOADS[20]})
    poll.locator(".poll__message, .errorlist").first.wait_for()
    inspect.check("poll would-pay")

    # Notify me on the sold-out CD, the cart and the checkout.
    page.goto(release_url)
    submit_hostile(page, page.locator(".buy-box .notify-form").first, {"email": PAYLOADS[16]})
    inspect.check("notify email")
    buy = page.locator(".buy-box__form").first
    submit_hostile(page, buy, {"quantity": PAYLOADS[12], "next": "javascript:__pwned('next')"})
    inspect.check("cart add")
    page.goto(release_url)
    page.locator(".buy-box__form").first.get_by_role("button", name="Add to cart").click()
    page.goto("/cart/")
    submit_hostile(page, page.locator(".cart__qty").first, {"quantity": PAYLOADS[28]})
    inspect.check("cart update")
    submit_hostile(page, page.locator(".checkout-form"), {"email": PAYLOADS[36]})
    inspect.check("checkout email")

    # The test checkout stores a hostile name and address; the order page shows them.
    page.goto("/cart/")
    page.get_by_role("button", name=re.compile("^Check out")).click()
    page.wait_for_url("**/checkout/test/**")
    form = page.locator(".test-checkout__form")
    form.get_by_label("Name").fill(fitting(200, 44)[0])
    form.get_by_label("Address").fill(fitting(200, 45)[0])
    form.get_by_label("City").fill(fitting(100, 46)[0])
    form.get_by_role("button", name="Pay (test)").click()
    page.wait_for_url("**/orders/**")
    assert "Paid" in page.locator(".order-status").inner_text()
    inspect.check("order page")

    assert inspect.problems == []
    assert inspect.dialogs == []
    assert len(inspect.seen) >= 60, len(inspect.seen)
    assert trip.foreign_requests() == []
