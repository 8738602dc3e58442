"""A real browser: Playwright driving Debian's chromium against a live server on 127.0.0.1."""

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = (
    os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
)
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    skip = pytest.mark.skip(
        reason="Debian's chromium is not installed (make test installs it when run as root): browser tests skipped"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright gives every launch a fresh, empty profile directory of its own.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


class Journey:
    """One browser context for a test, with its screenshots, trace and request log."""

    def __init__(
        self, browser, base_url, name, *, javascript=True, viewport="desktop", **context_options
    ):
        self.base_url = base_url
        self.name = name
        self.folder = ARTIFACTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "trace.zip").unlink(missing_ok=True)  # a passing run leaves no stale trace
        self.context = browser.new_context(
            base_url=base_url,
            viewport=VIEWPORTS[viewport],
            java_script_enabled=javascript,
            **context_options,
        )
        self.context.tracing.start(screenshots=True, snapshots=True)
        self.requests = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)

    def new_page(self):
        return self.context.new_page()

    def screenshot(self, label, page=None):
        """Full-page screenshots of the current page at desktop and phone widths."""
        page = page or self.page
        original = page.viewport_size
        for size_name, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            page.screenshot(path=str(self.folder / f"{label}-{size_name}.png"), full_page=True)
        page.set_viewport_size(original)

    def foreign_requests(self):
        """Every request that left our own origin."""
        ours = urlsplit(self.base_url).netloc
        return [
            url
            for url in self.requests
            if not url.startswith(("data:", "blob:")) and urlsplit(url).netloc != ours
        ]

    def close(self, failed):
        if failed:
            self.context.tracing.stop(path=str(self.folder / "trace.zip"))
        else:
            self.context.tracing.stop()
        self.context.close()


@pytest.fixture
def journey(request, browser, live_server):
    """Open journeys by name: journey() for the test's own, journey("x", javascript=False) for more."""
    opened = []

    def open_journey(suffix="", **kwargs):
        name = re.sub(r"^test_", "", request.node.name) + (f"-{suffix}" if suffix else "")
        opened.append(Journey(browser, live_server.url, name, **kwargs))
        return opened[-1]

    yield open_journey
    failed = getattr(request.node, "rep_call", None) is None or request.node.rep_call.failed
    for item in opened:
        item.close(failed)


@pytest.fixture
def offline_checkout(settings):
    """No Stripe keys: checkout goes to the local test checkout page of the live server."""
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_API_BASE = ""
    settings.SHOP_TEST_CHECKOUT = True


@pytest.fixture
def demo(offline_checkout):
    """The demo catalogue (Drive, its pressings, prices and stock, a review, a feature, votes)."""
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
