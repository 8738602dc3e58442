"""Helpers for markup and related lists composed in Python."""

import json
import re
from collections import Counter

import pytest
from django.db.models.signals import post_init
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CsrfViewMiddleware, _unmask_cipher_token
from django.test import RequestFactory
from django.utils.html import conditional_escape, json_script
from django.utils.safestring import SafeData, mark_safe

from catalogue.cards import card_html
from catalogue.escaping import (
    alphanumeric,
    csrf_input,
    markup,
    masked_csrf_token,
    random_alphanumeric,
    script_json,
)
from catalogue.models import Pressing, Release
from catalogue.prefetch import build, listed, place
from catalogue.selectors import cards
from catalogue.templatetags.catalogue import release_cards
from tests.factories import PressingFactory, ReleaseFactory

TOKEN = re.compile(r'value="([^"]+)"')


def test_markup_is_what_mark_safe_gives_a_str():
    composed = '<p class="card__price">&lt;£28&gt;</p>'
    marked = markup(composed)
    assert isinstance(marked, SafeData)
    assert marked == mark_safe(composed) == composed  # noqa: S308 (the comparison itself)
    # Marked safe, it is not escaped again where it is placed.
    assert conditional_escape(marked) == composed
    assert conditional_escape(composed) != composed


def test_every_form_of_a_page_carries_the_same_valid_token():
    request = RequestFactory().get("/")
    first, second = csrf_input(request), csrf_input(request)
    assert first == second  # masked once per request, as the template tag's context does
    token = TOKEN.search(first).group(1)
    post = RequestFactory().post("/", {"csrfmiddlewaretoken": token})
    post.COOKIES["csrftoken"] = request.META["CSRF_COOKIE"]
    assert CsrfViewMiddleware(lambda r: None).process_view(post, lambda r: None, (), {}) is None
    assert csrf_input(RequestFactory().get("/")) != first  # another request, another mask


def test_a_masked_token_hides_the_readers_own_secret_and_renews_its_cookie():
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = secret = random_alphanumeric(32)
    first, second = masked_csrf_token(request), masked_csrf_token(request)
    assert first != second and len(first) == 64
    assert _unmask_cipher_token(first) == _unmask_cipher_token(second) == secret
    assert request.META["CSRF_COOKIE"] == secret and request.META["CSRF_COOKIE_NEEDS_UPDATE"]


def test_random_characters_are_drawn_without_favouring_any():
    # Every byte value once: the 248 below the cut-off stand for each character four times.
    drawn = alphanumeric(bytes(range(256)))
    assert len(drawn) == 248 and Counter(drawn) == dict.fromkeys(CSRF_ALLOWED_CHARS, 4)
    assert alphanumeric(bytes([248, 255, 61])) == ["9"]
    token = random_alphanumeric(32)
    assert len(token) == 32 and set(token) <= set(CSRF_ALLOWED_CHARS)


def test_json_for_a_script_element_is_escaped_as_django_escapes_it():
    text = '{"title": "</script><!-- A & B <b>", "note": "\\u003C stays"}'
    django = re.fullmatch(r'<script type="application/json">(.*)</script>', json_script(text))
    assert django  # json_script wraps the JSON of the text: compare with that JSON's escaping
    assert script_json(json.dumps(text)) == django.group(1)
    assert not {"<", ">", "&"} & set(script_json(text))


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


@pytest.mark.django_db
def test_placed_lists_share_an_empty_query_that_no_filter_changes(django_assert_num_queries):
    first, second = ReleaseFactory(), ReleaseFactory()
    place(first, "pressings", [Pressing(pk=-1, release=first, format="cd")])
    place(second, "pressings", [Pressing(pk=-2, release=second, format="lp")])
    with django_assert_num_queries(0):
        assert list(first.pressings.all().filter(format="cd").order_by("pk")) == []
        assert [p.pk for p in second.pressings.all()] == [-2]
        assert list(second.pressings.all().exclude(format="cd")) == []


@pytest.mark.django_db
def test_a_built_instance_is_the_one_init_would_make():
    pressing = PressingFactory(notes="Hot pink")
    row = {"id": pressing.pk, "release": pressing.release_id, "format": pressing.format}
    built = build(Pressing, row)
    made = Pressing(id=pressing.pk, release_id=pressing.release_id, format=pressing.format)
    assert vars(built).keys() - {"_state"} == vars(made).keys() - {"_state"}
    assert [getattr(built, f.attname) for f in Pressing._meta.concrete_fields] == [
        getattr(made, f.attname) for f in Pressing._meta.concrete_fields
    ]
    assert built._state.adding is False and built._state.db == "default"
    assert built.release == pressing.release  # the foreign key loads as usual
    built.notes = "Hot pink, 180 g"
    built.save(update_fields=["notes"])  # saved as an existing row
    assert Pressing.objects.get(pk=pressing.pk).notes == "Hot pink, 180 g"


@pytest.mark.django_db
def test_a_model_something_listens_to_at_init_is_built_through_init():
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    # Built once first, so that both init signals remember finding no receiver for Pressing.
    assert not seen and build(Pressing, {"id": 6, "format": "lp"})._state.adding is False
    post_init.connect(listener, sender=Pressing)
    try:
        built = build(Pressing, {"id": 7, "format": "lp"})
    finally:
        post_init.disconnect(listener, sender=Pressing)
    assert seen == [built] and built._state.adding is False


@pytest.mark.django_db
def test_listed_reads_a_placed_or_prefetched_list_and_otherwise_asks_the_database(
    django_assert_num_queries,
):
    release = ReleaseFactory()
    pressing = PressingFactory(release=release)
    placed = [Pressing(pk=-1, release=release, format="cd")]
    place(release, "pressings", placed)
    with django_assert_num_queries(0):
        assert listed(release, "pressings") == placed
    prefetched = Release.objects.prefetch_related("pressings").get(pk=release.pk)
    with django_assert_num_queries(0):
        assert listed(prefetched, "pressings") == [pressing]
    plain = Release.objects.get(pk=release.pk)
    with django_assert_num_queries(1):
        assert listed(plain, "pressings") == [pressing]


@pytest.mark.django_db
def test_a_grid_of_cards_is_each_card_in_an_item_the_first_ones_eager():
    for title in ("Drive", "Arrival", "Sicario"):
        ReleaseFactory(title=title)
    releases = list(cards(Release.objects.order_by("title")))
    html = release_cards(releases, eager=1, terms=["dri"])
    assert html == "".join(
        [
            f"<li>{card_html(releases[0], lazy=False, terms=['dri'])}</li>",
            *(f"<li>{card_html(r, lazy=True, terms=['dri'])}</li>" for r in releases[1:]),
        ]
    )
    assert html.count("<li>") == 3
    assert "<mark>Drive</mark>" in html
    assert release_cards([]) == ""
