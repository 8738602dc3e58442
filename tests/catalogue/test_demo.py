"""manage.py load_demo: the demo catalogue, with Drive exactly as the acceptance list expects."""

import io

import pytest
from django.core.management import call_command
from PIL import Image

from catalogue.models import Film, Pressing, Release, Status


def load(*args):
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_catalogue_is_broad_enough_for_filters_and_pagination():
    load()

    assert Release.objects.count() >= 32
    assert Release.objects.filter(status=Status.DRAFT).count() == 1
    for title in ["Trainspotting", "Velvet Goldmine", "Juno", "There Will Be Blood", "Manhattan"]:
        assert Release.objects.published().filter(film__title=title).exists(), title
    formats = set(Pressing.objects.values_list("format", flat=True))
    assert {"lp", "2lp", "10in", "7in", "cd", "cassette"} <= formats
    assert {"splatter", "marbled"} <= set(Pressing.objects.values_list("effect", flat=True))
    assert Pressing.objects.filter(colour_family="clear").exists()
    assert Pressing.objects.filter(release_date__year=2027).count() >= 2
    labels = set(Pressing.objects.values_list("label__name", flat=True))
    assert {"Invada", "Mondo", "Waxwork Records", "Lakeshore Records", "Milan Records"} <= labels
    assert {"Death Waltz", "Sacred Bones", "Nonesuch"} <= labels
    assert set(Film.objects.values_list("kind", flat=True)) >= {"film", "series", "game"}
    decades = {year // 10 * 10 for year in Release.objects.values_list("original_year", flat=True)}
    assert decades >= {1960, 1970, 1980, 1990, 2000, 2010, 2020}


@pytest.mark.django_db
def test_drive_is_loaded_as_the_shop_page_describes_it():
    load()
    drive = Release.objects.get(slug="drive-original-motion-picture-soundtrack")

    sides = {}
    for track in drive.tracks.prefetch_related("artist_credit__artist"):
        credit = "".join(f"{ta.name}{ta.join_phrase}" for ta in track.artist_credit.all())
        sides.setdefault(track.side, []).append((track.title, credit))
    assert list(sides) == ["A", "B", "C", "D"]
    assert sides["A"][0] == ("Nightcall", "Kavinsky & Lovefoxxx")
    assert sides["A"][2] == ("A Real Hero", "College feat. Electric Youth")
    riyl = [entry.display_name for entry in drive.riyl.select_related("artist")]
    assert riyl[:3] == ["Chromatics", "Kavinsky", "College"]
    black, pink, cd = drive.pressings.select_related("label").prefetch_related("companies__company")
    assert (black.label.name, black.colour_family) == ("Invada", "black")
    assert (pink.colour, pink.edition_size) == ("Hot pink", 1000)
    assert [str(c) for c in black.companies.all()] == ["Licensed from Lakeshore Records"]
    assert (cd.label.name, cd.format) == ("Lakeshore Records", "cd")
    assert drive.endorsements.count() == 2
    assert sorted(drive.chart_entries.values_list("chart", "peak")) == [
        ("Billboard 200", 35),
        ("iTunes albums", 4),
    ]


@pytest.mark.django_db
def test_every_demo_release_gets_a_generated_cover_and_load_demo_is_idempotent():
    load()
    covers = dict(Release.objects.values_list("slug", "cover"))
    assert all(covers.values())
    drive = Release.objects.get(slug="drive-original-motion-picture-soundtrack")
    with Image.open(drive.cover) as image:
        assert image.size == (800, 800)
    counts = [m.objects.count() for m in (Release, Pressing, Film)]
    pressing_ids = sorted(Pressing.objects.values_list("pk", flat=True))

    assert "left as it is" in load()
    assert "Demo catalogue ready" in load("--force")

    assert [m.objects.count() for m in (Release, Pressing, Film)] == counts
    assert sorted(Pressing.objects.values_list("pk", flat=True)) == pressing_ids
    assert dict(Release.objects.values_list("slug", "cover")) == covers
