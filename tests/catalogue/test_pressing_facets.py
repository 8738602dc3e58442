"""The formats and colour families on each release's row follow its pressings, however written."""

import pytest
from django.db import connection

from catalogue.models import Pressing, Release
from tests.factories import LabelFactory, PressingFactory, ReleaseFactory
from tests.locks import second_waits_for_first

pytestmark = pytest.mark.django_db


def facets(release):
    release = Release.objects.get(pk=release.pk)
    return release.pressing_formats, release.pressing_colours


def test_saving_moving_and_deleting_pressings_keeps_the_release_facets():
    drive, other = ReleaseFactory(), ReleaseFactory()
    assert facets(drive) == ([], [])
    pink = PressingFactory(release=drive, format="lp", colour_family="pink")
    PressingFactory(release=drive, format="lp", colour_family="black")
    cd = PressingFactory(release=drive, format="cd", colour_family="black")
    assert facets(drive) == (["cd", "lp"], ["black", "pink"])

    pink.colour_family = "blue"
    pink.save()
    assert facets(drive) == (["cd", "lp"], ["black", "blue"])

    cd.release = other  # moved to another release: both rows change
    cd.save()
    assert facets(drive) == (["lp"], ["black", "blue"])
    assert facets(other) == (["cd"], ["black"])

    Pressing.objects.filter(release=drive).delete()
    assert facets(drive) == ([], [])
    assert facets(other) == (["cd"], ["black"])


def test_bulk_writes_and_plain_sql_keep_them_too():
    releases = ReleaseFactory.create_batch(3)
    label = LabelFactory()
    Pressing.objects.bulk_create(
        Pressing(release=r, label=label, format=fmt, colour_family="red", sku=f"B-{r.pk}-{fmt}")
        for r in releases
        for fmt in ("lp", "cassette")
    )
    assert [facets(r) for r in releases] == [(["cassette", "lp"], ["red"])] * 3
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE catalogue_pressing SET format = 'cd' WHERE release_id = %s", [releases[0].pk]
        )
    assert facets(releases[0]) == (["cd"], ["red"])
    assert facets(releases[1]) == (["cassette", "lp"], ["red"])


def test_the_list_filters_read_the_facets():
    lp_and_cd, cd_only = ReleaseFactory(), ReleaseFactory()
    PressingFactory(release=lp_and_cd, format="lp", colour_family="pink")
    PressingFactory(release=lp_and_cd, format="cd", colour_family="black")
    PressingFactory(release=cd_only, format="cd", colour_family="black")
    assert set(Release.objects.with_format("lp")) == {lp_and_cd}
    assert set(Release.objects.with_format("cd")) == {lp_and_cd, cd_only}
    assert set(Release.objects.with_colour("pink")) == {lp_and_cd}
    # Format and colour need not be the same pressing's: a CD release with a pink LP matches.
    assert set(Release.objects.with_format("cd").with_colour("pink")) == {lp_and_cd}


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_editors_adding_pressings_to_one_release_at_once_lose_neither():
    """The second writer waits for the first's lock on the release, then counts its pressing too."""
    release, label = ReleaseFactory(), LabelFactory()

    def add(fmt, sku):
        return lambda: Pressing.objects.create(release=release, label=label, format=fmt, sku=sku)

    assert not second_waits_for_first(add("lp", "RACE-LP"), add("cd", "RACE-CD"))
    assert facets(release) == (["cd", "lp"], ["black"])


def test_a_release_saved_from_an_older_read_keeps_its_pressings_facets():
    release = ReleaseFactory()
    stale = Release.objects.get(pk=release.pk)  # read before its pressing was added
    PressingFactory(release=release, format="cd", colour_family="gold")
    stale.title = "Drive (Original Motion Picture Soundtrack)"
    stale.save()
    assert facets(release) == (["cd"], ["gold"])
    Release.objects.filter(pk=release.pk).update(pressing_formats=[], pressing_colours=["red"])
    assert facets(release) == (["cd"], ["gold"])
