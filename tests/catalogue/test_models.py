from datetime import timedelta

import pytest
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from catalogue.links import slug_url
from catalogue.models import (
    Artist,
    Credit,
    Film,
    Label,
    Pressing,
    Release,
    Role,
    Status,
    Track,
    parse_position,
)
from catalogue.selectors import _published_summary, published_release_summary
from tests.factories import ArtistFactory, FilmFactory, LabelFactory, ReleaseFactory


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        ("A1", ("A", 1)),
        ("b12", ("B", 12)),
        ("1-3", ("1", 3)),
        ("7", ("", 7)),
        ("AA2", ("AA", 2)),
        ("A", ("A", 0)),
    ],
)
def test_sleeve_positions_split_into_side_and_number(position, expected):
    assert parse_position(position) == expected


@pytest.mark.parametrize("position", ["", "A-1", "1-", "ZZZ9", "4:7x"])
def test_malformed_positions_are_rejected(position):
    assert parse_position(position) is None


@pytest.mark.django_db
def test_a_queryset_built_before_publication_still_sees_it():
    published = Release.objects.published()  # built now, evaluated later, like a view's queryset
    release = ReleaseFactory(status=Status.PUBLISHED, published_at=timezone.now())
    assert list(published) == [release]


@pytest.mark.django_db
def test_drafts_and_future_releases_are_not_public():
    ReleaseFactory(status=Status.DRAFT, published_at=None)
    ReleaseFactory(status=Status.PUBLISHED, published_at=timezone.now() + timedelta(hours=1))
    assert not Release.objects.published().exists()


@pytest.mark.django_db
def test_the_published_summary_agrees_with_published(django_assert_num_queries):
    public = ReleaseFactory(published_at=timezone.now() - timedelta(days=1))
    draft = ReleaseFactory(status=Status.DRAFT, published_at=None)
    scheduled = ReleaseFactory(published_at=timezone.now() + timedelta(hours=1))
    _published_summary()  # compiled before the releases change, as in a running process
    with django_assert_num_queries(1):
        summary = published_release_summary(public.slug)
        assert (summary.pk, summary.slug, summary.title) == (public.pk, public.slug, public.title)
    assert summary.description == public.description  # a field left out loads on first access
    for hidden in (draft, scheduled, None):
        assert published_release_summary(hidden.slug if hidden else "no-such-release") is None
    Release.objects.filter(pk=draft.pk).update(status=Status.PUBLISHED, published_at=timezone.now())
    assert published_release_summary(draft.slug).pk == draft.pk


@pytest.mark.django_db
def test_slug_urls_are_the_ones_reverse_gives():
    release = ReleaseFactory()
    for name, obj in [
        ("catalogue:release-detail", release),
        ("catalogue:artist-detail", ArtistFactory()),
        ("catalogue:label-detail", LabelFactory()),
        ("catalogue:film-detail", FilmFactory()),
    ]:
        assert obj.get_absolute_url() == reverse(name, args=[obj.slug])
    for name in ("ratings:vote", "ratings:would-pay", "ratings:share-mastodon"):
        assert slug_url(name, release.slug) == reverse(name, args=[release.slug])


def test_a_choice_label_is_the_one_django_gives_and_an_unknown_value_shows_as_itself():
    for model in (Artist, Label, Role, Film, Release, Track, Credit, Pressing):
        for field in model._meta.concrete_fields:
            if not field.choices:
                continue
            for value, _ in field.flatchoices:
                instance = model(**{field.attname: value})
                shown = getattr(instance, f"get_{field.name}_display")()
                assert shown == Model._get_FIELD_display(instance, field)
                assert (isinstance(shown, str) and shown != value) or value == shown
    unknown = Pressing(format="8-track")
    assert unknown.get_format_display() == "8-track"
    assert Pressing(format="2lp").get_format_display() == "2×LP"
