import pytest
from django.core.management import call_command

from tests.browser.accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_to_release_page(journey):
    call_command("load_demo", verbosity=0)
    trip = journey()
    page = trip.page

    page.goto("/")
    assert page.locator("h1").count() == 1
    trip.screenshot("home")
    assert serious_violations(page) == []

    page.get_by_role("link", name="Releases", exact=True).first.click()
    page.wait_for_url("**/releases/")
    assert "Drive" in page.content(), page.locator("main").inner_html()

    page.goto("/releases/drive-original-motion-picture-soundtrack/")
    assert page.locator("h1").inner_text().startswith("Drive")
    trip.screenshot("release")
    assert trip.foreign_requests() == []
