"""manage.py seed_catalogue: realistic shapes, deterministic, and careful with existing data."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from catalogue.models import Artist, Credit, Film, Label, Pressing, Release, Track, TrackArtist
from tests.factories import ReleaseFactory


def seed(*args):
    out = io.StringIO()
    call_command("seed_catalogue", *args, stdout=out)
    return out.getvalue()


def snapshot():
    return (
        list(Release.objects.order_by("slug").values_list("slug", "title", "status")),
        list(
            Track.objects.order_by("release__slug", "side", "number").values_list(
                "title", "duration"
            )
        ),
        list(Pressing.objects.order_by("sku").values_list("sku", "format", "colour_family")),
    )


@pytest.mark.django_db
def test_seed_builds_a_catalogue_with_realistic_shapes():
    output = seed("--releases", "300", "--batch", "120")

    assert "300 / 300 releases" in output
    assert Release.objects.count() == 300
    tracks = Track.objects.count()
    assert 8 * 300 < tracks < 16 * 300
    assert 3 * 300 <= Credit.objects.count() <= 6 * 300
    per_release = Pressing.objects.values("release").annotate(n=Count("id"))
    assert {row["n"] for row in per_release} <= {1, 2, 3}
    assert per_release.count() == 300
    # side and number are derived although bulk_create skips save()
    for track in Track.objects.order_by("?")[:50]:
        side, number = track.side, track.number
        track.set_side_and_number()
        assert (track.side, track.number) == (side, number)
    assert TrackArtist.objects.count() >= tracks
    # reused names with a long tail: the busiest artist is credited far more than the median
    counts = sorted(Artist.objects.annotate(n=Count("credits")).values_list("n", flat=True))
    assert counts[-1] > 10 * max(1, counts[len(counts) // 2])
    assert Film.objects.filter(kind="series").exists()
    assert Film.objects.filter(kind="game").exists()
    assert not Release.objects.filter(search_vector__isnull=True).exists()
    assert Label.objects.count() >= 10


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_catalogue():
    seed("--releases", "60", "--seed", "7")
    first = snapshot()
    for model in (Release, Film, Artist, Label):
        model.objects.all().delete()

    seed("--releases", "60", "--seed", "7")

    assert snapshot() == first


@pytest.mark.django_db
def test_seed_refuses_a_catalogue_with_releases_unless_told_to_add():
    existing = ReleaseFactory()

    with pytest.raises(CommandError, match="already has releases"):
        seed("--releases", "10")
    assert Release.objects.count() == 1

    seed("--releases", "10", "--add")
    seed("--releases", "10", "--add")
    assert Release.objects.count() == 21
    assert Release.objects.filter(pk=existing.pk).exists()
