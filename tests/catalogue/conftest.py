import pytest

from catalogue.models import Pressing, Track
from catalogue.search import update_search_vectors
from tests.factories import (
    AccoladeFactory,
    ArtistFactory,
    ChartEntryFactory,
    CreditFactory,
    EndorsementFactory,
    FilmFactory,
    LabelFactory,
    PressingCompanyFactory,
    PressingFactory,
    ReleaseFactory,
    RiylEntryFactory,
    RoleFactory,
    TrackArtistFactory,
    TrackFactory,
)


def add_track(release, position, title, seconds, artists=(), kind=Track.Kind.SONG, **extra):
    """A track with an artist credit given as [(artist, join phrase), ...]."""
    track = TrackFactory(
        release=release, position=position, title=title, duration=seconds, kind=kind, **extra
    )
    for order, (artist, join_phrase) in enumerate(artists):
        TrackArtistFactory(track=track, artist=artist, join_phrase=join_phrase, order=order)
    return track


@pytest.fixture
def drive(db):
    """The Drive soundtrack LP, shaped like the seed shop page."""
    film = FilmFactory(title="Drive", year=2011, slug="drive-2011")
    AccoladeFactory(film=film, text="No. 1 film of 2011", source="Rolling Stone", year=2011)
    release = ReleaseFactory(
        title="Drive (Original Motion Picture Soundtrack)",
        slug="drive",
        film=film,
        original_year=2011,
        release_type="score_and_songs",
        description="Neon-lit **synth pop** and a score of slow dread.",
        embed_provider="youtube",
        embed_id="PLxLtXb2Jc1",
        embed_is_playlist=True,
    )
    martinez = ArtistFactory(name="Cliff Martinez", slug="cliff-martinez")
    kavinsky = ArtistFactory(name="Kavinsky", slug="kavinsky")
    lovefoxxx = ArtistFactory(name="Lovefoxxx", slug="lovefoxxx")
    college = ArtistFactory(name="College", slug="college")
    electric_youth = ArtistFactory(name="Electric Youth", slug="electric-youth")
    CreditFactory(release=release, artist=martinez, role=RoleFactory(name="Composed By"))
    add_track(release, "A1", "Nightcall", 258, [(kavinsky, " & "), (lovefoxxx, "")])
    add_track(release, "A2", "A Real Hero", 267, [(college, " feat. "), (electric_youth, "")])
    add_track(
        release,
        "B1",
        "Rubber Head",
        183,
        [(martinez, "")],
        kind=Track.Kind.SCORE,
        scene_note="the motel shoot-out",
    )
    for order, artist in enumerate([kavinsky, college]):
        RiylEntryFactory(release=release, artist=artist, order=order)
    RiylEntryFactory(release=release, artist=None, name="Johnny Jewel", order=5)
    invada = LabelFactory(name="Invada", slug="invada")
    lakeshore = LabelFactory(name="Lakeshore Records", slug="lakeshore-records")
    black = PressingFactory(
        release=release, label=invada, catalogue_number="INV109LP", sku="DRIVE-BLK", order=0
    )
    pink = PressingFactory(
        release=release,
        label=invada,
        catalogue_number="INV109LPX",
        sku="DRIVE-PINK",
        colour="Hot pink",
        colour_family=Pressing.Colour.PINK,
        edition_size=1000,
        numbered=True,
        exclusive="Needle Drop exclusive",
        order=1,
    )
    for pressing in (black, pink):
        PressingCompanyFactory(pressing=pressing, company=lakeshore)
    EndorsementFactory(release=release, name="Geoff Barrow", affiliation="Portishead / Invada")
    EndorsementFactory(release=release, name="Redg Weeks", affiliation="Invada")
    ChartEntryFactory(release=release, chart="iTunes albums", peak=4, year=2011)
    ChartEntryFactory(release=release, chart="Billboard 200", peak=35, year=2011)
    update_search_vectors(type(release).objects.filter(pk=release.pk))
    release.refresh_from_db()
    return release
