"""Import releases from the JSON format documented in docs/import-format.md.

Every record is checked in full before anything is written; good records are imported one
transaction per release, bad ones are reported by index and line. Re-importing a file gives the
same catalogue: releases are matched by slug, pressings by SKU (their primary keys stay, because
the shop keys prices and stock to them), artists, labels, roles and genres by slug.
"""

import bisect
import json
import json.decoder
import json.scanner
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify

from catalogue.durations import parse_duration
from catalogue.embeds import parse_embed
from catalogue.models import (
    Accolade,
    Artist,
    ChartEntry,
    Credit,
    Endorsement,
    Film,
    FilmCredit,
    Genre,
    Label,
    Pressing,
    PressingCompany,
    Release,
    RiylEntry,
    Role,
    Status,
    Track,
    parse_position,
)
from catalogue.search import update_search_vectors
from catalogue.services import find_or_create_artist, link_riyl_entries


class ImportFileError(Exception):
    """The file as a whole cannot be read: not JSON, or not a list of releases."""


@dataclass
class RecordError:
    index: int
    line: int | None
    reasons: list[str]

    def __str__(self):
        where = f"record {self.index}" + (f" (line {self.line})" if self.line else "")
        return f"{where}: {'; '.join(self.reasons)}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[RecordError] = field(default_factory=list)

    @property
    def total(self):
        return self.created + self.updated + len(self.errors)


# Reading: JSON with the line where each object starts.


def load_records(text):
    """Parse the file; returns [(record, line)] and a function giving any object's start line."""
    newlines = [i for i, char in enumerate(text) if char == "\n"]
    starts = {}

    def parse_object(s_and_end, *args, **kwargs):
        obj, end = json.decoder.JSONObject(s_and_end, *args, **kwargs)
        starts[id(obj)] = bisect.bisect_left(newlines, s_and_end[1] - 1) + 1
        return obj, end

    decoder = json.JSONDecoder()
    decoder.parse_object = parse_object
    # The pure-Python scanner calls parse_object for every object; the C one would bypass it.
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    try:
        payload = decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    records = payload.get("releases") if isinstance(payload, dict) else payload
    if not isinstance(records, list):
        raise ImportFileError('expected a list of releases, or an object with a "releases" list')

    def line_of(obj):
        return starts.get(id(obj))

    return [(record, line_of(record)) for record in records], line_of


# Checking: every problem of a record, each with the path to the bad value.


def _max_length(model, name):
    return model._meta.get_field(name).max_length


class RecordChecker:
    """Collects every problem of one record instead of stopping at the first."""

    def __init__(self, line_of=None):
        self.errors = []
        self.line_of = line_of or (lambda obj: None)

    def error(self, path, message):
        self.errors.append(f"{path}: {message}" if path else message)

    def obj(self, value, path, allowed):
        if not isinstance(value, dict):
            self.error(path, "must be an object {…}")
            return False
        line = self.line_of(value)
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            where = f" (line {line})" if line else ""
            self.error(path, f"unknown field(s) {', '.join(unknown)}{where}")
        return True

    def items(self, data, key, path):
        value = data.get(key, [])
        if not isinstance(value, list):
            self.error(f"{path}{key}", "must be a list […]")
            return []
        return value

    def text(self, data, key, path, *, model=None, name=None, required=False, max_length=None):
        value = data.get(key)
        where = f"{path}{key}"
        if value is None:
            if required:
                self.error(where, "is required")
            return None
        if not isinstance(value, str):
            self.error(where, f"must be text, not {type(value).__name__}")
            return None
        if required and not value.strip():
            self.error(where, "must not be blank")
        limit = max_length or (model and _max_length(model, name or key))
        if limit and len(value) > limit:
            self.error(where, f"is {len(value)} characters; the most allowed is {limit}")
        return value

    def choice(self, data, key, path, choices):
        value = data.get(key)
        if value is not None and value not in choices.values:
            self.error(f"{path}{key}", f'"{value}" is not one of {", ".join(choices.values)}')

    def integer(self, data, key, path, *, minimum=1, maximum=2**31 - 1):
        value = data.get(key)
        if value is None:
            return
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(f"{path}{key}", f"must be a whole number, not {value!r}")
        elif not minimum <= value <= maximum:
            self.error(f"{path}{key}", f"must be between {minimum} and {maximum}, not {value}")

    def year(self, data, key, path):
        self.integer(data, key, path, minimum=1877, maximum=2100)

    def boolean(self, data, key, path):
        value = data.get(key)
        if value is not None and not isinstance(value, bool):
            self.error(f"{path}{key}", "must be true or false")

    def date(self, data, key, path):
        value = data.get(key)
        if value is None:
            return
        try:
            date.fromisoformat(value)
        except (TypeError, ValueError):
            self.error(f"{path}{key}", f"{value!r} is not a date like 2012-03-12")

    def name(self, data, key, path, *, max_length=200):
        """A name that becomes (or finds) a catalogue entry by its slug."""
        value = self.text(data, key, path, required=True, max_length=max_length)
        if value and value.strip() and not slugify(value):
            self.error(f"{path}{key}", f'"{value}" has no letters or digits to file it under')


RELEASE_FIELDS = {
    "slug",
    "title",
    "release_type",
    "original_year",
    "status",
    "film",
    "genres",
    "embed",
    "description",
    "cover_alt",
    "riyl",
    "credits",
    "tracks",
    "pressings",
    "endorsements",
    "charts",
}
FILM_FIELDS = {"title", "year", "kind", "slug", "credits", "accolades"}
CREDIT_FIELDS = {"artist", "role", "credited_as", "note"}
TRACK_FIELDS = {"position", "title", "duration", "kind", "scene_note", "artists", "credits"}
TRACK_ARTIST_FIELDS = {"name", "credited_as", "join"}
PRESSING_FIELDS = {
    "sku",
    "label",
    "catalogue_number",
    "format",
    "colour",
    "colour_family",
    "effect",
    "weight_grams",
    "edition_size",
    "numbered",
    "exclusive",
    "edition_year",
    "release_date",
    "country",
    "barcode",
    "matrix",
    "notes",
    "availability",
    "companies",
}


def _check_credit(check, credit, path):
    if check.obj(credit, path, CREDIT_FIELDS):
        check.name(credit, "artist", f"{path}.")
        check.name(credit, "role", f"{path}.", max_length=100)
        check.text(credit, "credited_as", f"{path}.", model=Credit)
        check.text(credit, "note", f"{path}.", model=Credit)


def check_release(data, line_of=None):
    """Every problem with one release record, as messages naming the bad value; [] when good."""
    check = RecordChecker(line_of)
    if not check.obj(data, "", RELEASE_FIELDS):
        return check.errors
    slug = check.text(data, "slug", "", model=Release, required=True)
    if slug and slugify(slug) != slug:
        check.error("slug", f'"{slug}" may hold only lower-case letters, digits and hyphens')
    check.text(data, "title", "", model=Release, required=True)
    check.choice(data, "release_type", "", Release.Type)
    check.choice(data, "status", "", Status)
    check.year(data, "original_year", "")
    check.text(data, "description", "")
    check.text(data, "cover_alt", "", model=Release)
    embed = check.text(data, "embed", "")
    if embed:
        try:
            parse_embed(embed)
        except ValidationError as exc:
            check.error("embed", exc.messages[0])
    for i, genre in enumerate(check.items(data, "genres", "")):
        check.name({"genre": genre}, "genre", f"genres[{i}]", max_length=100)
    for i, name in enumerate(check.items(data, "riyl", "")):
        check.name({"name": name}, "name", f"riyl[{i}].")

    film = data.get("film")
    if film is not None and check.obj(film, "film", FILM_FIELDS):
        check.text(film, "title", "film.", model=Film, required=True)
        check.year(film, "year", "film.")
        check.choice(film, "kind", "film.", Film.Kind)
        film_slug = check.text(film, "slug", "film.", model=Film)
        if film_slug is not None and slugify(film_slug) != film_slug:
            check.error("film.slug", f'"{film_slug}" is not a slug')
        for i, credit in enumerate(check.items(film, "credits", "film.")):
            _check_credit(check, credit, f"film.credits[{i}]")
        for i, accolade in enumerate(check.items(film, "accolades", "film.")):
            path = f"film.accolades[{i}]"
            if check.obj(accolade, path, {"text", "source", "year"}):
                check.text(accolade, "text", f"{path}.", model=Accolade, required=True)
                check.text(accolade, "source", f"{path}.", model=Accolade)
                check.year(accolade, "year", f"{path}.")

    for i, credit in enumerate(check.items(data, "credits", "")):
        _check_credit(check, credit, f"credits[{i}]")

    positions = {}
    for i, track in enumerate(check.items(data, "tracks", "")):
        path = f"tracks[{i}]"
        if not check.obj(track, path, TRACK_FIELDS):
            continue
        position = check.text(track, "position", f"{path}.", model=Track, required=True)
        if position:
            position = position.strip().upper()
            if not parse_position(position):
                check.error(f"{path}.position", f'"{position}" is not like A1, 1-1 or 3')
            elif position in positions:
                check.error(
                    f"{path}.position",
                    f"{position} is also the position of tracks[{positions[position]}]",
                )
            positions.setdefault(position, i)
        check.text(track, "title", f"{path}.", model=Track, required=True)
        check.choice(track, "kind", f"{path}.", Track.Kind)
        check.text(track, "scene_note", f"{path}.", model=Track)
        try:
            parse_duration(track.get("duration"))
        except (ValueError, TypeError) as exc:
            check.error(f"{path}.duration", str(exc))
        for j, artist in enumerate(check.items(track, "artists", f"{path}.")):
            apath = f"{path}.artists[{j}]"
            if check.obj(artist, apath, TRACK_ARTIST_FIELDS):
                check.name(artist, "name", f"{apath}.")
                check.text(artist, "credited_as", f"{apath}.", max_length=200)
                check.text(artist, "join", f"{apath}.", max_length=30)
        for j, credit in enumerate(check.items(track, "credits", f"{path}.")):
            _check_credit(check, credit, f"{path}.credits[{j}]")

    skus = {}
    for i, pressing in enumerate(check.items(data, "pressings", "")):
        path = f"pressings[{i}]"
        if not check.obj(pressing, path, PRESSING_FIELDS):
            continue
        sku = check.text(pressing, "sku", f"{path}.", model=Pressing, required=True)
        if sku in skus:
            check.error(f"{path}.sku", f"{sku} is also the SKU of pressings[{skus[sku]}]")
        skus.setdefault(sku, i)
        check.name(pressing, "label", f"{path}.")
        for key in (
            "catalogue_number",
            "colour",
            "effect",
            "exclusive",
            "country",
            "barcode",
            "notes",
        ):
            check.text(pressing, key, f"{path}.", model=Pressing)
        check.text(pressing, "matrix", f"{path}.")
        check.choice(pressing, "format", f"{path}.", Pressing.Format)
        check.choice(pressing, "colour_family", f"{path}.", Pressing.Colour)
        check.choice(pressing, "availability", f"{path}.", Pressing.Availability)
        check.integer(pressing, "weight_grams", f"{path}.", maximum=1000)
        check.integer(pressing, "edition_size", f"{path}.")
        check.year(pressing, "edition_year", f"{path}.")
        check.boolean(pressing, "numbered", f"{path}.")
        check.date(pressing, "release_date", f"{path}.")
        for j, company in enumerate(check.items(pressing, "companies", f"{path}.")):
            cpath = f"{path}.companies[{j}]"
            if check.obj(company, cpath, {"name", "role"}):
                check.name(company, "name", f"{cpath}.")
                if company.get("role") not in PressingCompany.Role.values:
                    check.error(
                        f"{cpath}.role",
                        f'"{company.get("role")}" is not one of '
                        + ", ".join(PressingCompany.Role.values),
                    )

    for i, endorsement in enumerate(check.items(data, "endorsements", "")):
        path = f"endorsements[{i}]"
        if check.obj(endorsement, path, {"quote", "name", "affiliation"}):
            check.text(endorsement, "quote", f"{path}.", required=True)
            check.text(endorsement, "name", f"{path}.", model=Endorsement, required=True)
            check.text(endorsement, "affiliation", f"{path}.", model=Endorsement)

    for i, chart in enumerate(check.items(data, "charts", "")):
        path = f"charts[{i}]"
        if check.obj(chart, path, {"chart", "peak", "year", "date", "note"}):
            check.text(chart, "chart", f"{path}.", model=ChartEntry, required=True)
            if chart.get("peak") is None:
                check.error(f"{path}.peak", "is required")
            check.integer(chart, "peak", f"{path}.", maximum=1000)
            check.year(chart, "year", f"{path}.")
            check.date(chart, "date", f"{path}.")
            check.text(chart, "note", f"{path}.", model=ChartEntry)
    return check.errors


def check_skus_across_releases(records):
    """{index: [messages]} for SKUs another record or another release in the catalogue holds."""
    owner = {}
    errors = {}
    for index, data in records:
        for pressing in data.get("pressings", []):
            sku = pressing["sku"]
            if sku in owner and owner[sku][1] != data["slug"]:
                errors.setdefault(index, []).append(
                    f"pressing SKU {sku} is already used by record {owner[sku][0]}"
                )
            owner.setdefault(sku, (index, data["slug"]))
    held = Pressing.objects.filter(sku__in=owner).values_list("sku", "release__slug")
    for sku, release_slug in held:
        index, slug = owner[sku]
        if slug != release_slug:
            errors.setdefault(index, []).append(
                f'pressing SKU {sku} belongs to the release "{release_slug}" in the catalogue'
            )
    return errors


# Writing: one release per transaction, from a record already checked.


def _label(name):
    name = name.strip()
    label, _ = Label.objects.get_or_create(slug=slugify(name)[:200], defaults={"name": name})
    return label


def _role(name):
    name = name.strip()
    role, _ = Role.objects.get_or_create(slug=slugify(name)[:100], defaults={"name": name})
    return role


def _artist(name):
    return find_or_create_artist(name=name)[0]


def _film(data):
    slug = data.get("slug") or slugify(f"{data['title']} {data.get('year') or ''}")[:200]
    film, _ = Film.objects.update_or_create(
        slug=slug,
        defaults={
            "title": data["title"],
            "year": data.get("year"),
            "kind": data.get("kind", Film.Kind.FILM),
        },
    )
    film.credits.all().delete()
    FilmCredit.objects.bulk_create(
        FilmCredit(
            film=film, artist=_artist(credit["artist"]), role=_role(credit["role"]), order=order
        )
        for order, credit in enumerate(data.get("credits", []))
    )
    film.accolades.all().delete()
    Accolade.objects.bulk_create(
        Accolade(film=film, text=a["text"], source=a.get("source", ""), year=a.get("year"))
        for a in data.get("accolades", [])
    )
    return film


def _credit(release, data, order, track=None):
    return Credit(
        release=release,
        track=track,
        artist=_artist(data["artist"]),
        role=_role(data["role"]),
        credited_as=data.get("credited_as", ""),
        note=data.get("note", ""),
        order=order,
    )


@transaction.atomic
def import_release(data):
    """Create or replace one release from its record. Returns (release, created).

    Raises ValueError listing every problem when the record does not pass check_release().
    """
    errors = check_release(data)
    if errors:
        raise ValueError("; ".join(errors))
    embed = parse_embed(data["embed"]) if data.get("embed") else None
    status = data.get("status", Status.PUBLISHED)
    published_at = (
        Release.objects.filter(slug=data["slug"]).values_list("published_at", flat=True).first()
    )
    if status == Status.PUBLISHED and published_at is None:
        published_at = timezone.now()
    release, created = Release.objects.update_or_create(
        slug=data["slug"],
        defaults={
            "title": data["title"],
            "film": _film(data["film"]) if data.get("film") else None,
            "release_type": data.get("release_type", Release.Type.SCORE),
            "original_year": data.get("original_year"),
            "description": data.get("description", ""),
            "cover_alt": data.get("cover_alt", ""),
            "embed_provider": embed.provider if embed else "",
            "embed_id": embed.id if embed else "",
            "embed_is_playlist": embed.is_playlist if embed else False,
            "status": status,
            "published_at": published_at,
        },
    )
    release.genres.set(
        [
            Genre.objects.get_or_create(slug=slugify(name), defaults={"name": name.strip()})[0]
            for name in data.get("genres", [])
        ]
    )

    release.credits.all().delete()
    release.tracks.all().delete()
    Credit.objects.bulk_create(
        _credit(release, credit, order) for order, credit in enumerate(data.get("credits", []))
    )
    for track_data in data.get("tracks", []):
        track = Track.objects.create(
            release=release,
            position=track_data["position"].strip().upper(),
            title=track_data["title"],
            duration=parse_duration(track_data.get("duration")),
            kind=track_data.get("kind", Track.Kind.SCORE),
            scene_note=track_data.get("scene_note", ""),
        )
        track.artist_credit.bulk_create(
            track.artist_credit.model(
                track=track,
                artist=_artist(credit["name"]),
                credited_as=credit.get("credited_as", ""),
                join_phrase=credit.get("join", ""),
                order=order,
            )
            for order, credit in enumerate(track_data.get("artists", []))
        )
        Credit.objects.bulk_create(
            _credit(release, credit, order, track=track)
            for order, credit in enumerate(track_data.get("credits", []))
        )

    # After the credits and tracks, so names this record introduces link at once.
    release.riyl.all().delete()
    for order, name in enumerate(data.get("riyl", [])):
        known = Artist.objects.filter(slug=slugify(name)).first()
        RiylEntry.objects.create(
            release=release, artist=known, name="" if known else name, order=order
        )

    for order, p in enumerate(data.get("pressings", [])):
        # Matched by SKU so the primary key, which the shop's stock points at, never changes.
        pressing, _ = Pressing.objects.update_or_create(
            sku=p["sku"],
            defaults={
                "release": release,
                "label": _label(p["label"]),
                "catalogue_number": p.get("catalogue_number", ""),
                "format": p.get("format", Pressing.Format.LP),
                "colour": p.get("colour", ""),
                "colour_family": p.get("colour_family", Pressing.Colour.BLACK),
                "effect": p.get("effect", ""),
                "weight_grams": p.get("weight_grams"),
                "edition_size": p.get("edition_size"),
                "numbered": p.get("numbered", False),
                "exclusive": p.get("exclusive", ""),
                "edition_year": p.get("edition_year"),
                "release_date": date.fromisoformat(p["release_date"])
                if p.get("release_date")
                else None,
                "country": p.get("country", ""),
                "barcode": p.get("barcode", ""),
                "matrix": p.get("matrix", ""),
                "notes": p.get("notes", ""),
                "availability": p.get("availability", Pressing.Availability.AVAILABLE),
                "order": order,
            },
        )
        pressing.companies.all().delete()
        PressingCompany.objects.bulk_create(
            PressingCompany(pressing=pressing, company=_label(c["name"]), role=c["role"])
            for c in {(c["name"], c["role"]): c for c in p.get("companies", [])}.values()
        )

    release.endorsements.all().delete()
    Endorsement.objects.bulk_create(
        Endorsement(
            release=release,
            quote=e["quote"],
            name=e["name"],
            affiliation=e.get("affiliation", ""),
            order=order,
        )
        for order, e in enumerate(data.get("endorsements", []))
    )
    release.chart_entries.all().delete()
    ChartEntry.objects.bulk_create(
        ChartEntry(
            release=release,
            chart=c["chart"],
            peak=c["peak"],
            year=c.get("year"),
            date=date.fromisoformat(c["date"]) if c.get("date") else None,
            note=c.get("note", ""),
        )
        for c in data.get("charts", [])
    )

    update_search_vectors(Release.objects.filter(pk=release.pk))
    return release, created


def import_records(records, *, line_of=None, on_progress=None):
    """Check every record, then import the good ones. records: [(record, line)]."""
    report = ImportReport()
    problems = {}
    slugs = {}
    for index, (data, _line) in enumerate(records):
        errors = check_release(data, line_of)
        if not errors and data["slug"] in slugs:
            errors = [f'slug "{data["slug"]}" is also the slug of record {slugs[data["slug"]]}']
        if errors:
            problems[index] = errors
        else:
            slugs[data["slug"]] = index
    good = [(index, data) for index, (data, _) in enumerate(records) if index not in problems]
    for index, errors in check_skus_across_releases(good).items():
        problems.setdefault(index, []).extend(errors)

    for index, (data, line) in enumerate(records):
        if index in problems:
            report.errors.append(RecordError(index, line, problems[index]))
        else:
            try:
                _, created = import_release(data)
            except (ValueError, ValidationError, DatabaseError) as exc:
                # Checked records rarely fail here; a concurrent edit (a SKU taken meanwhile) can.
                reasons = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                report.errors.append(RecordError(index, line, reasons))
            else:
                report.created += created
                report.updated += not created
        if on_progress:
            on_progress(index + 1, len(records))
    link_riyl_entries()
    return report


def import_file(path, *, on_progress=None):
    """Import every release in a JSON file. Raises ImportFileError when the file is unreadable."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"cannot read {path}: {exc}") from exc
    records, line_of = load_records(text)
    return import_records(records, line_of=line_of, on_progress=on_progress)
