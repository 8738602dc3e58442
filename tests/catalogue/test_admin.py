"""Editors enter releases in the admin; bad input is explained on the form and saves nothing."""

import datetime
import html
import io

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from PIL import Image

from catalogue.admin_forms import format_artist_credit, parse_artist_credit
from catalogue.models import Credit, Pressing, Release, Role, Status, Track, TrackArtist
from tests.factories import (
    ArtistFactory,
    LabelFactory,
    PressingFactory,
    ReleaseFactory,
    TrackArtistFactory,
    TrackFactory,
)

ADD_URL = reverse("admin:catalogue_release_add")


@pytest.fixture
def editor(admin_client):
    return admin_client


def form_data(response):
    """The POST a browser would send for the admin page as rendered, inline extras left out."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update(
            {
                management.add_prefix("TOTAL_FORMS"): len(formset.initial_forms),
                management.add_prefix("INITIAL_FORMS"): len(formset.initial_forms),
                management.add_prefix("MIN_NUM_FORMS"): 0,
                management.add_prefix("MAX_NUM_FORMS"): 1000,
            }
        )
        forms += formset.initial_forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(value, FieldFile) or value is None or value is False:
                continue
            if value is True:
                data[key] = "on"
            elif isinstance(value, datetime.datetime):
                data[f"{key}_0"] = value.date().isoformat()
                data[f"{key}_1"] = value.time().strftime("%H:%M:%S")
            else:
                data[key] = value
    return data


def add_rows(data, prefix, rows):
    """Append new inline rows after the ones already in the form."""
    start = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    for offset, row in enumerate(rows):
        for field, value in row.items():
            data[f"{prefix}-{start + offset}-{field}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = start + len(rows)
    return data


def new_release_data(editor, **fields):
    data = form_data(editor.get(ADD_URL))
    data.update(
        {
            "title": "Ex Machina (Original Motion Picture Soundtrack)",
            "slug": "ex-machina",
            "release_type": Release.Type.SCORE,
            "original_year": 2015,
            "status": Status.DRAFT,
        }
    )
    data.update(fields)
    return data


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "#ff2d95").save(buffer, "PNG")
    return buffer.getvalue()


def errors_of(response):
    """Every error message on the admin form and its inlines, as one string."""
    assert response.status_code == 200, "the form should be shown again, not saved"
    messages = [response.context["adminform"].form.errors.as_text()]
    for inline in response.context["inline_admin_formsets"]:
        messages += [errors.as_text() for errors in inline.formset.errors]
        messages += inline.formset.non_form_errors()
    return html.unescape(" ".join(messages))


@pytest.mark.django_db
def test_the_role_vocabulary_is_there_in_order():
    names = list(Role.objects.values_list("name", flat=True))
    for role in ["Composed By", "Performer", "Producer", "Mastered By", "Director", "Liner Notes"]:
        assert role in names
    assert names.index("Composed By") < names.index("Producer") < names.index("Liner Notes")


@pytest.mark.django_db
def test_editor_creates_release_with_ten_tracks_and_two_pressings_and_publishes_it(editor):
    label = LabelFactory(name="Invada")
    composer = ArtistFactory(name="Geoff Barrow")
    composed_by = Role.objects.get(slug="composed-by")
    data = new_release_data(editor, status=Status.PUBLISHED)
    add_rows(
        data,
        "tracks",
        [
            {
                "position": f"{'A' if n < 5 else 'B'}{n % 5 + 1}",
                "title": f"Cue number {n + 1}",
                "duration": f"{n + 2}:0{n % 6}",
                "kind": Track.Kind.SCORE,
                "artists": "Geoff Barrow {&} Ben Salisbury",
            }
            for n in range(10)
        ],
    )
    add_rows(data, "credits", [{"artist": composer.pk, "role": composed_by.pk, "order": 0}])
    add_rows(
        data,
        "pressings",
        [
            {
                "label": label.pk,
                "catalogue_number": "INV150LP",
                "sku": "INV-EXMA-LP",
                "format": Pressing.Format.LP,
                "colour_family": Pressing.Colour.BLACK,
                "availability": Pressing.Availability.AVAILABLE,
                "order": 0,
            },
            {
                "label": label.pk,
                "catalogue_number": "INV150LPX",
                "sku": "INV-EXMA-LP-CLR",
                "format": Pressing.Format.LP,
                "colour": "Clear",
                "colour_family": Pressing.Colour.CLEAR,
                "edition_size": 500,
                "availability": Pressing.Availability.AVAILABLE,
                "order": 1,
            },
        ],
    )

    response = editor.post(ADD_URL, data)

    assert response.status_code == 302, errors_of(response)
    release = Release.objects.get(slug="ex-machina")
    assert release in Release.objects.published()
    tracks = list(release.tracks.all())
    assert [t.position for t in tracks] == [f"A{n}" for n in range(1, 6)] + [
        f"B{n}" for n in range(1, 6)
    ]
    assert [(t.side, t.number) for t in tracks[4:6]] == [("A", 5), ("B", 1)]
    assert tracks[0].duration == 2 * 60
    credit = tracks[0].artist_credit.select_related("artist")
    assert "".join(f"{ta.name}{ta.join_phrase}" for ta in credit) == "Geoff Barrow & Ben Salisbury"
    assert credit[0].artist == composer  # the known artist is reused, not duplicated
    assert release.pressings.count() == 2
    assert release.credits.get().artist == composer
    found = Release.objects.filter(search_vector=SearchQuery("salisbury", config="simple"))
    assert list(found) == [release]
    found = Release.objects.filter(search_vector=SearchQuery("INV150LPX", config="simple"))
    assert list(found) == [release]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tracks", "message"),
    [
        (
            [{"position": "A1", "title": "One"}, {"position": "a1", "title": "Two"}],
            'A1 is already the position of "One"',
        ),
        ([{"position": "A1", "title": "One", "duration": "4:7x"}], '"4:7x" is not a length'),
        ([{"position": "A1", "title": "One", "duration": "0:00"}], "longer than 0:00"),
        ([{"position": "A-1", "title": "One"}], '"A-1" is not a sleeve position'),
        (
            [{"position": "A1", "title": "One", "artists": "Kavinsky {& Lovefoxxx"}],
            "Close every brace",
        ),
    ],
)
def test_bad_track_input_is_explained_and_nothing_is_saved(editor, tracks, message):
    data = new_release_data(editor)
    add_rows(data, "tracks", [{"kind": Track.Kind.SCORE, **row} for row in tracks])

    response = editor.post(ADD_URL, data)

    assert message in errors_of(response)
    assert not Release.objects.exists()
    assert not Track.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_an_image_is_refused_as_cover(editor):
    data = new_release_data(editor)
    data["cover"] = SimpleUploadedFile("cover.jpg", b"not really a jpeg", "image/jpeg")

    response = editor.post(ADD_URL, data)

    assert "image" in errors_of(response).lower()
    assert not Release.objects.exists()


@pytest.mark.django_db
def test_a_duplicate_sku_is_refused(editor):
    PressingFactory(sku="TAKEN-1")
    data = new_release_data(editor)
    add_rows(
        data,
        "pressings",
        [
            {
                "label": LabelFactory().pk,
                "sku": "TAKEN-1",
                "format": Pressing.Format.LP,
                "colour_family": Pressing.Colour.BLACK,
                "availability": Pressing.Availability.AVAILABLE,
                "order": 0,
            }
        ],
    )

    response = editor.post(ADD_URL, data)

    assert "Pressing with this Sku already exists" in errors_of(response)
    assert not Release.objects.filter(slug="ex-machina").exists()


@pytest.mark.django_db
def test_changing_a_release_with_a_duplicate_position_changes_nothing(editor):
    release = ReleaseFactory(title="Drive")
    TrackFactory(release=release, position="A1", title="Nightcall")
    TrackFactory(release=release, position="A2", title="Under Your Spell")
    url = reverse("admin:catalogue_release_change", args=[release.pk])
    data = form_data(editor.get(url))
    data["title"] = "Drive (renamed)"
    data["tracks-1-position"] = "A1"

    response = editor.post(url, data)

    assert "Two tracks share position A1" in errors_of(response)
    release.refresh_from_db()
    assert release.title == "Drive"
    assert list(release.tracks.values_list("position", flat=True)) == ["A1", "A2"]


@pytest.mark.django_db
def test_change_form_shows_and_keeps_an_existing_artist_credit(editor):
    track = TrackFactory(position="A1", title="Nightcall")
    kavinsky = TrackArtistFactory(track=track, artist__name="Kavinsky", join_phrase=" & ")
    TrackArtistFactory(track=track, artist__name="Lovefoxxx", order=1)
    url = reverse("admin:catalogue_release_change", args=[track.release.pk])
    response = editor.get(url)
    data = form_data(response)
    assert data["tracks-0-artists"] == "Kavinsky {&} Lovefoxxx"
    assert reverse("admin:catalogue_track_change", args=[track.pk]) in response.text

    data["tracks-0-title"] = "Nightcall (edit)"
    response = editor.post(url, data)

    assert response.status_code == 302, errors_of(response)
    # Untouched credit text leaves the rows (and their ids) alone.
    assert TrackArtist.objects.filter(pk=kavinsky.pk).exists()
    assert Track.objects.get(pk=track.pk).title == "Nightcall (edit)"


@pytest.mark.django_db
def test_cover_preview_shows_the_uploaded_cover_without_inline_style(editor):
    data = new_release_data(editor)
    data["cover"] = SimpleUploadedFile("cover.png", png_bytes(), "image/png")
    data["cover_alt"] = "A pink title on black"
    response = editor.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    release = Release.objects.get()

    page = editor.get(reverse("admin:catalogue_release_change", args=[release.pk])).text

    assert f'<img src="{release.cover.url}" alt="A pink title on black"' in page
    assert "style=" not in page.split('<img src="' + release.cover.url)[1].split(">")[0]


@pytest.mark.django_db
def test_publish_and_unpublish_actions(editor):
    draft = ReleaseFactory(status=Status.DRAFT, published_at=None)
    changelist = reverse("admin:catalogue_release_changelist")

    editor.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft in Release.objects.published()
    first_published = draft.published_at

    editor.post(changelist, {"action": "unpublish", "_selected_action": [draft.pk]})
    assert not Release.objects.published().exists()

    editor.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert draft.published_at == first_published


@pytest.mark.django_db
def test_changelist_search_finds_by_credit_and_catalogue_number(editor):
    release = ReleaseFactory(title="Annihilation")
    PressingFactory(release=release, catalogue_number="INV200LP")
    ReleaseFactory(title="Something else")
    changelist = reverse("admin:catalogue_release_changelist")

    response = editor.get(changelist, {"q": "INV200LP"})

    assert list(response.context["cl"].result_list) == [release]


@pytest.mark.django_db
def test_track_page_adds_a_track_credit_to_the_release(editor):
    track = TrackFactory(position="B1")
    artist = ArtistFactory(name="Cliff Martinez")
    role = Role.objects.get(slug="producer")
    url = reverse("admin:catalogue_track_change", args=[track.pk])
    data = form_data(editor.get(url))
    add_rows(data, "credits", [{"artist": artist.pk, "role": role.pk, "order": 0}])

    response = editor.post(url, data)

    assert response.status_code == 302, errors_of(response)
    credit = Credit.objects.get()
    assert (credit.track, credit.release, credit.artist) == (track, track.release, artist)


@pytest.mark.parametrize(
    ("text", "credit"),
    [
        ("Kavinsky {&} Lovefoxxx", [("Kavinsky", "", " & "), ("Lovefoxxx", "", "")]),
        (
            "College {feat.} Electric Youth",
            [("College", "", " feat. "), ("Electric Youth", "", "")],
        ),
        (
            "A{,} B {&} C",
            [("A", "", ", "), ("B", "", " & "), ("C", "", "")],
        ),
        ("Chromatics (as The Chromatics)", [("Chromatics", "The Chromatics", "")]),
        ("", []),
    ],
)
def test_artist_credit_text_parses_and_formats_back(text, credit):
    assert parse_artist_credit(text) == credit

    class Row:
        def __init__(self, name, credited_as, join_phrase):
            self.artist = type("A", (), {"name": name})
            self.credited_as = credited_as
            self.join_phrase = join_phrase

    assert format_artist_credit([Row(*row) for row in credit]) == text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", ["release", "track", "pressing", "artist", "label", "film", "role", "genre"]
)
def test_every_catalogue_admin_page_renders(editor, model):
    pressing = PressingFactory()
    TrackFactory(release=pressing.release)
    assert editor.get(reverse(f"admin:catalogue_{model}_changelist")).status_code == 200
    assert editor.get(reverse(f"admin:catalogue_{model}_add")).status_code == 200
    obj = {"release": pressing.release, "pressing": pressing}.get(model)
    if obj is not None:
        url = reverse(f"admin:catalogue_{model}_change", args=[obj.pk])
        assert editor.get(url).status_code == 200
