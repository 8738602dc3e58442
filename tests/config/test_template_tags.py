"""The site frame's {% route %}: what {% url %} gives, for every script prefix and URL conf."""

from django.template import engines
from django.test import override_settings
from django.urls import clear_script_prefix, set_script_prefix

NAMES = ("catalogue:home", "catalogue:release-list", "catalogue:search", "shop:cart")


def render(source):
    return engines["django"].from_string(source).render({})


def test_route_gives_what_url_gives():
    for name in NAMES:
        assert render(f"{{% load site %}}{{% route '{name}' %}}") == render(f"{{% url '{name}' %}}")
    assert render("{% load site %}{% route 'catalogue:home' %}") == "/"


def test_route_follows_the_script_prefix_of_the_request():
    try:
        set_script_prefix("/shop-front/")
        assert render("{% load site %}{% route 'shop:cart' %}") == render("{% url 'shop:cart' %}")
        assert render("{% load site %}{% route 'shop:cart' %}").startswith("/shop-front/")
    finally:
        clear_script_prefix()
    assert not render("{% load site %}{% route 'shop:cart' %}").startswith("/shop-front/")


@override_settings(ROOT_URLCONF="tests.config.urls_elsewhere")
def test_route_follows_the_url_configuration():
    assert render("{% load site %}{% route 'catalogue:home' %}") == "/elsewhere/"
