"""The JSON importer: everything checked first, bad records reported, re-import changes nothing."""

import copy
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalogue.importer import ImportFileError, import_file, load_records
from catalogue.management.commands.import_catalogue import ProgressBar
from catalogue.models import (
    Artist,
    ChartEntry,
    Credit,
    Film,
    Label,
    Pressing,
    PressingCompany,
    Release,
    RiylEntry,
    Track,
    TrackArtist,
)
from tests.factories import PressingFactory

NIGHTCALL = {
    "slug": "drive",
    "title": "Drive",
    "release_type": "score_and_songs",
    "original_year": 2011,
    "film": {
        "title": "Drive",
        "year": 2011,
        "credits": [{"artist": "Nicolas Winding Refn", "role": "Director"}],
    },
    "riyl": ["Kavinsky", "Johnny Jewel"],
    "credits": [{"artist": "Cliff Martinez", "role": "Composed By"}],
    "tracks": [
        {
            "position": "A1",
            "title": "Nightcall",
            "duration": "4:18",
            "kind": "song",
            "artists": [{"name": "Kavinsky", "join": " & "}, {"name": "Lovefoxxx"}],
        },
        {
            "position": "b1",
            "title": "Rubber Head",
            "duration": 191,
            "artists": [{"name": "Cliff Martinez"}],
        },
    ],
    "pressings": [
        {
            "sku": "INV-DRIVE-BLK",
            "label": "Invada",
            "format": "2lp",
            "release_date": "2012-03-12",
            "companies": [{"name": "Lakeshore Records", "role": "licensed_from"}],
        },
        {"sku": "INV-DRIVE-PNK", "label": "Invada", "colour": "Hot pink", "colour_family": "pink"},
    ],
    "charts": [{"chart": "Billboard 200", "peak": 35, "year": 2011}],
}


def write(tmp_path, records, name="import.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"releases": records}, indent=2))
    return path


def record(**changes):
    data = copy.deepcopy(NIGHTCALL)
    data.update(changes)
    return data


def catalogue_state():
    """Everything an import writes, as comparable values (no primary keys except pressings')."""
    release = Release.objects.get(slug="drive")
    return {
        "counts": [
            m.objects.count()
            for m in (
                Release,
                Track,
                TrackArtist,
                Credit,
                Artist,
                Label,
                Film,
                RiylEntry,
                ChartEntry,
                PressingCompany,
            )
        ],
        "tracks": list(
            release.tracks.values_list("position", "side", "number", "title", "duration")
        ),
        "credit": [
            "".join(f"{ta.name}{ta.join_phrase}" for ta in t.artist_credit.all())
            for t in release.tracks.all()
        ],
        "pressings": list(Pressing.objects.order_by("sku").values_list("pk", "sku", "release_id")),
        "riyl": [(e.artist_id is not None, e.display_name) for e in release.riyl.all()],
        "published_at": release.published_at,
    }


@pytest.mark.django_db
def test_import_writes_the_release_and_reimport_changes_nothing(tmp_path):
    path = write(tmp_path, [record()])

    first = import_file(path)
    state = catalogue_state()
    second = import_file(path)

    assert (first.created, first.updated, first.errors) == (1, 0, [])
    assert (second.created, second.updated, second.errors) == (0, 1, [])
    assert catalogue_state() == state
    assert state["tracks"] == [("A1", "A", 1, "Nightcall", 258), ("B1", "B", 1, "Rubber Head", 191)]
    assert state["credit"] == ["Kavinsky & Lovefoxxx", "Cliff Martinez"]
    assert state["riyl"] == [(True, "Kavinsky"), (False, "Johnny Jewel")]
    licence = PressingCompany.objects.get()
    assert (licence.company.name, licence.pressing.sku) == ("Lakeshore Records", "INV-DRIVE-BLK")


@pytest.mark.django_db
def test_reimport_keeps_pressing_keys_and_follows_edits(tmp_path):
    import_file(write(tmp_path, [record()]))
    pink = Pressing.objects.get(sku="INV-DRIVE-PNK")
    edited = record(title="Drive (Deluxe)")
    edited["pressings"][1]["edition_size"] = 1000

    import_file(write(tmp_path, [edited]))

    pink_again = Pressing.objects.get(sku="INV-DRIVE-PNK")
    assert (pink_again.pk, pink_again.edition_size) == (pink.pk, 1000)
    assert Release.objects.get().title == "Drive (Deluxe)"


@pytest.mark.django_db
def test_bad_records_are_reported_by_index_and_line_and_the_good_ones_imported(tmp_path):
    bad = record(slug="bad-one", title="x" * 201, original_year="2011")
    bad["tracks"][0]["duration"] = "4:7x"
    bad["tracks"][1]["position"] = "A1"
    bad["pressings"] = [
        {"sku": "BAD-1", "label": "Invada", "format": "8-track", "release_date": "2012-13-40"},
        {"sku": "BAD-2", "label": "Invada", "weight_grams": 180, "colour": 7, "numbered": "yes"},
    ]
    bad["charts"] = [{"chart": "Billboard 200", "peak": 0}]
    bad["typo_field"] = 1
    other = record(slug="juno", title="Juno", pressings=[{"sku": "JUNO-LP", "label": "Rhino"}])
    path = write(tmp_path, [record(), bad, other])

    report = import_file(path)

    assert (report.created, report.updated) == (2, 0)
    [error] = report.errors
    assert error.index == 1
    text = path.read_text()
    assert error.line == text[: text.index('"slug": "bad-one"')].count("\n")
    reasons = "\n".join(error.reasons)
    for expected in [
        "unknown field(s) typo_field",
        "title: is 201 characters; the most allowed is 200",
        "original_year: must be a whole number",
        'tracks[0].duration: "4:7x" is not a duration',
        "tracks[1].position: A1 is also the position of tracks[0]",
        'pressings[0].format: "8-track" is not one of',
        "pressings[0].release_date: '2012-13-40' is not a date",
        "pressings[1].colour: must be text",
        "pressings[1].numbered: must be true or false",
        "charts[0].peak: must be between 1 and 1000, not 0",
    ]:
        assert expected in reasons
    assert str(error).startswith(f"record 1 (line {error.line}): ")
    assert set(Release.objects.values_list("slug", flat=True)) == {"drive", "juno"}
    assert not Pressing.objects.filter(sku__startswith="BAD").exists()


@pytest.mark.django_db
def test_a_sku_is_never_shared_between_releases(tmp_path):
    PressingFactory(sku="TAKEN", release__slug="someone-else")
    clash_in_file = record(
        slug="juno", title="Juno", pressings=[{"sku": "INV-DRIVE-PNK", "label": "Rhino"}]
    )
    clash_in_db = record(
        slug="velvet-goldmine",
        title="Velvet Goldmine",
        pressings=[{"sku": "TAKEN", "label": "London"}],
    )

    report = import_file(write(tmp_path, [record(), clash_in_file, clash_in_db]))

    assert report.created == 1
    assert [(e.index, e.reasons) for e in report.errors] == [
        (1, ["pressing SKU INV-DRIVE-PNK is already used by record 0"]),
        (2, ['pressing SKU TAKEN belongs to the release "someone-else" in the catalogue']),
    ]
    assert Pressing.objects.get(sku="TAKEN").release.slug == "someone-else"


@pytest.mark.django_db
def test_riyl_names_link_to_artists_a_later_record_introduces(tmp_path):
    first = record(slug="first", title="First", riyl=["Electric Youth"], pressings=[])
    later = record(slug="later", title="Later", pressings=[])
    later["tracks"][0]["artists"] = [{"name": "Electric Youth"}]

    import_file(write(tmp_path, [first, later]))

    entry = RiylEntry.objects.get(release__slug="first")
    assert entry.artist.name == "Electric Youth"


def test_a_file_that_is_not_json_is_refused_with_its_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"releases": [\n  {"slug": "a",}\n]}')
    with pytest.raises(ImportFileError, match="line 2"):
        import_file(path)


def test_every_object_knows_its_line():
    records, line_of = load_records('[\n {"a": 1,\n  "b": {"c": 2}},\n\n {"d": 3}\n]')
    assert [line for _, line in records] == [2, 5]
    assert line_of(records[0][0]["b"]) == 3


@pytest.mark.django_db
def test_command_summarises_and_fails_when_a_record_failed(tmp_path, capsys):
    path = write(tmp_path, [record(), record(slug="no-title", title="")])
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 record"):
        call_command("import_catalogue", str(path), stdout=out)

    assert "1 releases added, 0 updated, 1 rejected, of 2" in out.getvalue()
    assert "record 1 (line" in capsys.readouterr().err
    assert Release.objects.get().slug == "drive"


@pytest.mark.django_db
def test_command_succeeds_quietly_when_every_record_is_good(tmp_path, capsys):
    out = io.StringIO()
    call_command("import_catalogue", str(write(tmp_path, [record()])), stdout=out)
    assert "1 releases added" in out.getvalue()
    assert "[" not in capsys.readouterr().err  # no progress bar off a terminal


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_draws_on_a_terminal_only():
    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = ProgressBar(stream, width=10)
        bar(5, 10)
        bar(10, 10)
    assert terminal.getvalue() == "\r[#####-----] 5/10 releases\r[##########] 10/10 releases\n"
    assert pipe.getvalue() == ""


@pytest.mark.django_db
def test_the_documented_example_imports(tmp_path):
    text = (Path(__file__).resolve().parents[2] / "docs" / "import-format.md").read_text()
    example = text.split("```json\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.json"
    path.write_text(example)

    report = import_file(path)

    assert (report.created, report.errors) == (1, [])
    track = Track.objects.get(position="B1")
    assert "".join(f"{ta.name}{ta.join_phrase}" for ta in track.artist_credit.all()) == (
        "The Chromatics feat. Electric Youth"
    )
