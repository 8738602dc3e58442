"""Helpers for markup and related lists composed in Python."""

import re

import pytest
from django.middleware.csrf import CsrfViewMiddleware
from django.test import RequestFactory

from catalogue.escaping import csrf_input
from catalogue.models import Pressing, Release
from catalogue.prefetch import place
from tests.factories import PressingFactory, ReleaseFactory

TOKEN = re.compile(r'value="([^"]+)"')


def test_every_form_of_a_page_carries_the_same_valid_token():
    request = RequestFactory().get("/")
    first, second = csrf_input(request), csrf_input(request)
    assert first == second  # masked once per request, as the template tag's context does
    token = TOKEN.search(first).group(1)
    post = RequestFactory().post("/", {"csrfmiddlewaretoken": token})
    post.COOKIES["csrftoken"] = request.META["CSRF_COOKIE"]
    assert CsrfViewMiddleware(lambda r: None).process_view(post, lambda r: None, (), {}) is None
    assert csrf_input(RequestFactory().get("/")) != first  # another request, another mask


@pytest.mark.django_db
def test_a_placed_list_answers_without_a_query_and_a_filter_on_it_reads_nothing(
    django_assert_num_queries,
):
    release = ReleaseFactory()
    PressingFactory(release=release)
    release = Release.objects.get(pk=release.pk)
    placed = [Pressing(pk=-1, release=release, format="cd")]
    place(release, "pressings", placed)
    with django_assert_num_queries(0):
        assert list(release.pressings.all()) == placed
        # Chained onto the placed list, a filter finds nothing: it never reads the whole table.
        assert list(release.pressings.all().filter(format="cd")) == []
