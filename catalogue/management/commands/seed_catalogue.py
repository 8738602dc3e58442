"""A large synthetic catalogue for benchmarks: realistic shapes, deterministic for a given --seed."""

import datetime
import itertools
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from catalogue.markdown import render_markdown
from catalogue.models import (
    Artist,
    Credit,
    Film,
    Genre,
    Label,
    Pressing,
    Release,
    RiylEntry,
    Role,
    Status,
    Track,
    TrackArtist,
)
from catalogue.search import analyze_catalogue, update_search_vectors

SLUG_MARK = "-sd"  # every synthetic release slug ends in -sd<number>

FIRST = [
    "Cliff",
    "Hans",
    "John",
    "Mica",
    "Jonny",
    "Ennio",
    "Angelo",
    "Clint",
    "Colin",
    "Ben",
    "Geoff",
    "Kyle",
    "Michael",
    "Hildur",
    "Max",
    "Ryuichi",
    "Wendy",
    "Rachel",
    "Trent",
    "Atticus",
    "Jóhann",
    "Nicholas",
    "Alexandre",
    "Bernard",
    "Jerry",
    "Vangelis",
    "Goran",
    "Disa",
    "Lucia",
    "Marco",
    "Yoko",
    "Anna",
    "Tomas",
    "Ingrid",
    "Pablo",
    "Nina",
    "Oskar",
    "Sofia",
    "Leo",
    "Mara",
    "Jonas",
    "Elena",
    "Ruth",
    "Saul",
    "Ada",
    "Iris",
]
LAST = [
    "Martinez",
    "Zimmer",
    "Carpenter",
    "Levi",
    "Greenwood",
    "Morricone",
    "Badalamenti",
    "Mansell",
    "Stetson",
    "Salisbury",
    "Barrow",
    "Dixon",
    "Stein",
    "Gudnadottir",
    "Richter",
    "Sakamoto",
    "Carlos",
    "Portman",
    "Reznor",
    "Ross",
    "Johannsson",
    "Britell",
    "Desplat",
    "Herrmann",
    "Goldsmith",
    "Bregovic",
    "Hallberg",
    "Moreau",
    "Kessler",
    "Tanaka",
    "Lindqvist",
    "Ferreira",
    "Novak",
    "Okafor",
    "Brandt",
    "Castellano",
    "Ivers",
    "Marchetti",
    "Wolff",
    "Aalto",
    "Dumont",
    "Reyes",
    "Sato",
    "Kovac",
    "Lund",
    "Varga",
    "Hale",
]
ALIASES = [
    "Kavinsky",
    "Lovefoxxx",
    "Chromatics",
    "Desire",
    "College",
    "Perturbator",
    "Carpenter",
    "Brut",
    "Gesaffelstein",
    "Com",
    "Truise",
    "Lazerhawk",
    "Mitch",
    "Murder",
    "Tangerine",
    "Dream",
    "Goblin",
    "Zombi",
    "Survive",
    "Disasterpeace",
    "Jewel",
    "Electric",
    "Youth",
    "Vitalic",
    "Kraftwerk",
    "Anoraak",
    "Miami",
    "Nights",
    "1984",
    "Power",
    "Glove",
    "Dance",
    "With",
    "the",
    "Dead",
    "Magic",
    "Sword",
    "Timecop1983",
    "FM-84",
    "Gunship",
    "Waveshaper",
    "Daniel",
    "Deluxe",
    "Moon",
    "Safari",
]
ADJECTIVES = [
    "Neon",
    "Midnight",
    "Silent",
    "Crimson",
    "Lost",
    "Electric",
    "Hollow",
    "Broken",
    "Golden",
    "Black",
    "Distant",
    "Last",
    "Burning",
    "Frozen",
    "Savage",
    "Velvet",
    "Northern",
    "Endless",
    "Haunted",
    "Wild",
    "Pale",
    "Secret",
    "Drowned",
    "Shining",
    "Fading",
    "Dark",
    "Lonely",
    "Violent",
    "Sacred",
    "Strange",
]
NOUNS = [
    "Drive",
    "Highway",
    "Harbour",
    "Blood",
    "River",
    "Dream",
    "Machine",
    "Summer",
    "City",
    "Night",
    "Forest",
    "Mirror",
    "Signal",
    "Orbit",
    "Desert",
    "Garden",
    "Fever",
    "Ocean",
    "Lighthouse",
    "Witch",
    "Frontier",
    "Storm",
    "Engine",
    "Hunter",
    "Empire",
    "Paradise",
    "Ghost",
    "Kingdom",
    "Horizon",
    "Hotel",
    "Station",
    "Island",
    "Valley",
    "Tide",
    "Motel",
    "Skyline",
    "Canyon",
    "Comet",
    "Heart",
    "Shadow",
]
CUE_WORDS = [
    "Opening",
    "Titles",
    "Theme",
    "Chase",
    "Escape",
    "Arrival",
    "Departure",
    "Love",
    "Goodbye",
    "Waltz",
    "Nocturne",
    "Reprise",
    "Finale",
    "Overture",
    "Interlude",
    "Awakening",
    "Descent",
    "Pursuit",
    "Reunion",
    "Funeral",
    "Dawn",
    "Dusk",
    "Rain",
    "Fire",
    "Snow",
    "Glass",
    "Echoes",
    "Lullaby",
    "Requiem",
    "March",
    "Elegy",
]
GENRES = [
    "Score",
    "Synth",
    "Electronic",
    "Orchestral",
    "Horror",
    "Western",
    "Jazz",
    "Ambient",
    "Rock",
    "Soul",
    "Experimental",
    "Modern",
    "classical",
    "Drone",
    "Folk",
    "Disco",
    "Video",
    "game",
    "Spy",
    "Choral",
    "Noir",
    "Italo",
]
FORMAT_WEIGHTS = {"lp": 45, "2lp": 20, "3lp": 2, "10in": 3, "7in": 3, "cd": 17, "cassette": 6}
FORMAT_WEIGHTS["digital"] = 4
COLOUR_WEIGHTS = {"black": 50, "pink": 5, "red": 8, "orange": 5, "yellow": 3, "green": 5}
COLOUR_WEIGHTS |= {"blue": 6, "purple": 4, "white": 4, "clear": 5, "silver": 2, "gold": 2}
COLOUR_WEIGHTS |= {"multi": 1}
EPOCH = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)


def long_tail(count, exponent=1.0):
    """Cumulative weights for rng.choices: the first entries are picked far more than the rest."""
    return list(itertools.accumulate(1 / (i + 1) ** exponent for i in range(count)))


class Seeder:
    """Builds the rows with one random.Random, so a seed always gives the same catalogue."""

    def __init__(self, *, seed, releases, offset):
        self.rng = random.Random(seed)
        self.releases = releases
        self.offset = offset

    def person(self):
        rng = self.rng
        if rng.random() < 0.15:
            return rng.choice(ALIASES) + ("" if rng.random() < 0.7 else f" {rng.choice(NOUNS)}")
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"

    def film_title(self):
        rng = self.rng
        pattern = rng.random()
        adjective, noun = rng.choice(ADJECTIVES), rng.choice(NOUNS)
        if pattern < 0.3:
            return f"The {adjective} {noun}"
        if pattern < 0.5:
            return f"{noun} of the {rng.choice(NOUNS)}"
        if pattern < 0.7:
            return f"{adjective} {noun}"
        if pattern < 0.85:
            return noun
        return f"{noun} {rng.randint(2, 4)}"

    def cue_title(self):
        rng = self.rng
        words = rng.sample(CUE_WORDS + NOUNS, rng.randint(1, 3))
        return " ".join(words) if rng.random() < 0.7 else f"The {' '.join(words)}"


class Command(BaseCommand):
    help = (
        "Generate a large synthetic catalogue for benchmarks (default 100,000 releases). "
        "Refuses to run when the catalogue already has releases unless --add is given; with --add "
        "the synthetic releases are added beside the existing ones."
    )

    def add_arguments(self, parser):
        parser.add_argument("--releases", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1, help="same seed, same catalogue")
        parser.add_argument("--batch", type=int, default=1000, help="releases per transaction")
        parser.add_argument(
            "--add", action="store_true", help="add to a catalogue that already has releases"
        )

    def handle(self, *args, releases, seed, batch, add, **options):
        if releases < 1 or batch < 1:
            raise CommandError("--releases and --batch must be at least 1.")
        if Release.objects.exists() and not add:
            raise CommandError(
                "The catalogue already has releases. Use an empty database, or --add to add "
                "synthetic releases beside them."
            )
        started = time.monotonic()
        offset = Release.objects.filter(slug__contains=SLUG_MARK).count()
        seeder = Seeder(seed=seed, releases=releases, offset=offset)
        pools = self.build_pools(seeder)
        done = 0
        while done < releases:
            size = min(batch, releases - done)
            with transaction.atomic():
                ids = self.build_batch(seeder, pools, start=offset + done, size=size)
            if done % (batch * 20) == 0:
                # Fresh statistics, so the search-vector update (correlated lookups by release)
                # uses the indexes instead of scanning tables the planner believes are empty.
                analyze_catalogue()
            update_search_vectors(Release.objects.filter(pk__in=ids))
            done += size
            elapsed = time.monotonic() - started
            self.stdout.write(f"{done:,} / {releases:,} releases ({elapsed:.0f} s)")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {releases:,} releases in {time.monotonic() - started:.0f} s."
            )
        )

    def build_pools(self, seeder):
        """Artists, labels, films and genres to reuse, most of them rarely, a few very often."""
        rng = seeder.rng
        n = seeder.releases
        tag = f"{seeder.offset}"
        artists = []
        names = set()
        while len(artists) < max(50, n // 4):
            name = seeder.person()
            if len(artists) % 7 == 0:
                name = f"{name} {rng.choice(['Orchestra', 'Ensemble', 'Quartet', 'Trio'])}"
            if name in names:
                name = f"{name} {len(artists)}"
            names.add(name)
            artists.append(Artist(name=name, slug=f"{slugify(name)[:180]}-sd{tag}-{len(artists)}"))
        artists = Artist.objects.bulk_create(artists, batch_size=5000)
        labels = Label.objects.bulk_create(
            [
                Label(
                    name=(name := f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} Records"),
                    slug=f"{slugify(name)}-sd{tag}-{i}",
                )
                for i in range(max(10, min(400, n // 100)))
            ]
        )
        kinds = rng.choices(
            [Film.Kind.FILM, Film.Kind.SERIES, Film.Kind.GAME, Film.Kind.DOCUMENTARY],
            weights=[80, 12, 6, 2],
            k=max(20, int(n * 0.8)),
        )
        films = []
        for i, kind in enumerate(kinds):
            title = seeder.film_title()
            films.append(
                Film(
                    title=title,
                    year=rng.randint(1955, 2026),
                    kind=kind,
                    slug=f"{slugify(title)[:150]}-sd{tag}-{i}",
                )
            )
        films = Film.objects.bulk_create(films, batch_size=5000)
        genres = [
            Genre.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
            for name in GENRES
        ]
        roles = {role.slug: role for role in Role.objects.order_by("slug")}
        for slug, name in [
            ("composed-by", "Composed By"),
            ("producer", "Producer"),
            ("mastered-by", "Mastered By"),
            ("artwork", "Artwork"),
            ("conductor", "Conductor"),
        ]:
            if slug not in roles:
                roles[slug] = Role.objects.create(slug=slug, name=name)
        return {
            "artists": artists,
            "artist_weights": long_tail(len(artists)),
            "labels": labels,
            "label_weights": long_tail(len(labels), 1.1),
            "films": films,
            "genres": genres,
            "roles": roles,
        }

    def build_batch(self, seeder, pools, *, start, size):
        rng = seeder.rng

        def pick_artists(k):
            return rng.choices(pools["artists"], cum_weights=pools["artist_weights"], k=k)

        releases = []
        for i in range(start, start + size):
            film = rng.choice(pools["films"])
            suffix = rng.choice(
                ["Original Motion Picture Soundtrack", "Original Score", "Music from the Film"]
            )
            if film.kind == Film.Kind.SERIES:
                suffix = f"Music from Season {rng.randint(1, 5)}"
            elif film.kind == Film.Kind.GAME:
                suffix = "Original Game Soundtrack"
            title = f"{film.title} ({suffix})"
            published = rng.random() < 0.97
            releases.append(
                Release(
                    title=title,
                    slug=f"{slugify(title)[:150]}{SLUG_MARK}{i}",
                    film=film,
                    release_type=rng.choices(list(Release.Type.values), weights=[70, 15, 15], k=1)[
                        0
                    ],
                    original_year=min(2026, max(1955, (film.year or 2000) + rng.randint(0, 3))),
                    description=(description := f"Music for {film.title}, newly pressed."),
                    # As Release.save() would: bulk_create() does not call it.
                    description_html=render_markdown(description),
                    status=Status.PUBLISHED if published else Status.DRAFT,
                    published_at=EPOCH - datetime.timedelta(minutes=rng.randint(0, 5_000_000))
                    if published
                    else None,
                )
            )
        releases = Release.objects.bulk_create(releases)

        tracks, track_artists, credits, pressings, genres, riyl = [], [], [], [], [], []
        roles = pools["roles"]
        for index, release in enumerate(releases, start=start):
            composers = pick_artists(rng.choice([1, 1, 1, 2]))
            roll = rng.random()
            count = 40 if roll < 0.01 else 0 if roll < 0.04 else max(1, int(rng.gauss(12, 3)))
            sided = rng.random() < 0.6 and count <= 24
            per_side = rng.choice([4, 5, 6])
            for n in range(count):
                position = (
                    f"{chr(ord('A') + n // per_side)}{n % per_side + 1}" if sided else str(n + 1)
                )
                song = release.release_type != Release.Type.SCORE and rng.random() < 0.4
                track = Track(
                    release=release,
                    position=position,
                    title=seeder.cue_title(),
                    duration=rng.randint(45, 420),
                    kind=Track.Kind.SONG if song else Track.Kind.SCORE,
                )
                track.set_side_and_number()  # bulk_create skips save(), which derives these
                tracks.append(track)
                performers = pick_artists(rng.choice([1, 2])) if song else composers[:1]
                for order, artist in enumerate(performers):
                    last = order == len(performers) - 1
                    join = "" if last else rng.choice([" feat. ", " & ", " with "])
                    track_artists.append(
                        TrackArtist(track=track, artist=artist, join_phrase=join, order=order)
                    )
            for order, artist in enumerate(composers):
                credits.append(
                    Credit(release=release, artist=artist, role=roles["composed-by"], order=order)
                )
            for slug in rng.sample(["producer", "mastered-by", "artwork", "conductor"], k=3):
                credits.append(
                    Credit(release=release, artist=pick_artists(1)[0], role=roles[slug], order=9)
                )
            for order in range(rng.choices([1, 2, 3], weights=[50, 35, 15], k=1)[0]):
                label = rng.choices(pools["labels"], cum_weights=pools["label_weights"], k=1)[0]
                colour = rng.choices(
                    list(COLOUR_WEIGHTS), weights=list(COLOUR_WEIGHTS.values()), k=1
                )[0]
                limited = colour != "black" and rng.random() < 0.6
                released = EPOCH.date() + datetime.timedelta(days=rng.randint(-9000, 800))
                pressings.append(
                    Pressing(
                        release=release,
                        label=label,
                        catalogue_number=f"{label.name[:3].upper()}{index:06d}{order}",
                        format=rng.choices(
                            list(FORMAT_WEIGHTS), weights=list(FORMAT_WEIGHTS.values()), k=1
                        )[0],
                        colour="" if colour == "black" else colour.title(),
                        colour_family=colour,
                        effect=rng.choice(["", "", "", "splatter", "marbled"])
                        if colour != "black"
                        else "",
                        weight_grams=rng.choice([None, 140, 180]),
                        edition_size=rng.choice([300, 500, 1000, 2000]) if limited else None,
                        numbered=limited and rng.random() < 0.3,
                        edition_year=released.year,
                        release_date=released,
                        sku=f"SD{index:07d}-{order}",
                        order=order,
                        availability=Pressing.Availability.ANNOUNCED
                        if released > EPOCH.date()
                        else Pressing.Availability.AVAILABLE,
                    )
                )
            for genre in rng.sample(pools["genres"], k=rng.randint(1, 3)):
                genres.append(Release.genres.through(release=release, genre=genre))
            for order, artist in enumerate(pick_artists(rng.randint(0, 4))):
                riyl.append(RiylEntry(release=release, artist=artist, order=order))

        Track.objects.bulk_create(tracks, batch_size=5000)
        TrackArtist.objects.bulk_create(track_artists, batch_size=5000)
        Credit.objects.bulk_create(credits, batch_size=5000)
        Pressing.objects.bulk_create(pressings, batch_size=5000)
        Release.genres.through.objects.bulk_create(genres, batch_size=5000)
        RiylEntry.objects.bulk_create(riyl, batch_size=5000)
        return [release.pk for release in releases]
