"""The arrows between apps: catalogue depends on nothing; ratings never on shop or reviews."""

import re
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

FORBIDDEN = {
    "catalogue": {"reviews", "ratings", "shop"},
    "reviews": {"ratings", "shop"},
    "ratings": {"reviews", "shop"},
    "shop": {"reviews"},
}


def imports_of(app):
    source = "\n".join(p.read_text() for p in (BASE_DIR / app).rglob("*.py"))
    return set(re.findall(r"^\s*(?:from|import)\s+(\w+)", source, re.M))


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_imports_only_what_it_may(app):
    assert imports_of(app) & FORBIDDEN[app] == set()


def test_the_guard_sees_imports():
    # The guard reads real source: catalogue imports django, so a regex that matched nothing
    # would fail here rather than pass every app silently.
    assert "django" in imports_of("catalogue")


def test_stripe_is_imported_only_at_the_payments_boundary():
    users = {
        str(p.relative_to(BASE_DIR))
        for p in BASE_DIR.glob("*/**/*.py")
        if ".venv" not in p.parts
        and "tests" not in p.parts
        and re.search(r"^\s*import stripe\b", p.read_text(), re.M)
    }
    assert users <= {"shop/services.py", "shop/payments.py"}
