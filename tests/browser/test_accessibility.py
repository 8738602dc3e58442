"""Accessibility and standards on the pages people use most: axe, structure, valid HTML, reflow."""

import pytest

from tests.browser.accessibility import serious_violations
from tests.browser.standards import (
    horizontal_overflow,
    html_errors,
    overflowing_elements,
    skip_link_focus,
    structure_problems,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RELEASE = "/releases/drive-original-motion-picture-soundtrack/"
REVIEW = "/reviews/drive-cliff-martinez-score-review/"
FEATURE = "/features/six-soundtracks-we-keep-coming-back-to/"
PAGES = {
    "home": "/",
    "release-list": "/releases/",
    "release": RELEASE,
    "search": "/search/?q=drive",
    "review": REVIEW,
    "feature": FEATURE,
}


def add_hot_pink_lp(page):
    page.goto(RELEASE)
    pressing = page.locator(".pressing", has_text="Hot pink")
    pressing.get_by_role("button", name="Add to cart").click()
    page.locator(".message--success").wait_for()
    page.goto("/cart/")


def open_test_checkout(page):
    page.get_by_label("Email").fill("reader@example.com")
    page.get_by_role("button", name="Check out").click()
    page.wait_for_url("**/checkout/test/**")


def vote(page, answer="Buying!"):
    page.goto(RELEASE)
    page.locator("#poll").get_by_role("button", name=answer).click()
    page.locator("#poll-results-heading").wait_for()


def check_page(page, name, *, just_loaded=True):
    """Every standard on the page in its current state; a list of what failed, [] when clean."""
    failures = [f"{name}: {v}" for v in serious_violations(page)]
    failures += [f"{name}: {p}" for p in structure_problems(page)]
    if just_loaded:
        focus = skip_link_focus(page)
        if not all(focus.values()):
            failures.append(f"{name}: skip link focus {focus}")
    return failures


def served_html(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    return response.text()


def test_every_key_page_meets_the_standards(journey, demo):
    trip = journey()
    page = trip.page
    failures = []
    for name, url in PAGES.items():
        failures += [f"{name}: {e}" for e in html_errors(served_html(page, url))]
        failures += check_page(page, name)

    add_hot_pink_lp(page)
    failures += [f"cart: {e}" for e in html_errors(served_html(page, "/cart/"))]
    failures += check_page(page, "cart")
    open_test_checkout(page)
    failures += [f"checkout: {e}" for e in html_errors(served_html(page, page.url))]
    failures += check_page(page, "checkout")

    vote(page)
    failures += check_page(page, "poll after voting", just_loaded=False)
    failures += [f"poll: {e}" for e in html_errors(served_html(page, RELEASE))]
    assert failures == []
    assert trip.foreign_requests() == []


@pytest.mark.parametrize(
    ("label", "viewport", "scale"),
    [("320px", {"width": 320, "height": 640}, 1), ("zoom200", {"width": 640, "height": 450}, 2)],
)
def test_pages_reflow_without_sideways_scrolling(
    journey, demo, browser, live_server, label, viewport, scale
):
    context = browser.new_context(
        base_url=live_server.url, viewport=viewport, device_scale_factor=scale
    )
    page = context.new_page()
    try:
        overflow = {}
        for name, url in {**PAGES, "cart": "/cart/"}.items():
            if name == "cart":
                add_hot_pink_lp(page)
            page.goto(url)
            if horizontal_overflow(page) > 0:
                overflow[name] = overflowing_elements(page)
        assert overflow == {}
    finally:
        context.close()


def test_the_checks_catch_what_they_look_for(browser):
    """Guards the guards: a page with low contrast, no landmarks and an unlabelled field fails."""
    page = browser.new_page()
    try:
        page.set_content(
            '<html><body><h1>One</h1><h1>Two</h1><p style="color:#555;background:#444">dim</p>'
            '<input type="text" name="q"><img src="data:,"></body></html>'
        )
        assert any(v.startswith("color-contrast") for v in serious_violations(page))
        problems = structure_problems(page)
        for expected in ["2 h1 elements", "no lang", "no working skip link", "no main landmark"]:
            assert any(expected in p for p in problems), (expected, problems)
        assert any("unlabelled input" in p for p in problems)
        assert any("img without alt" in p for p in problems)
    finally:
        page.close()
