"""Import releases from the JSON format documented in docs/import-format.md."""

import json
import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

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
    TrackArtist,
    parse_position,
)
from catalogue.search import update_search_vectors

DURATION_RE = re.compile(r"^(?:(\d{1,2}):)?(\d{1,3}):([0-5]\d)$")


def parse_duration(value):
    """ "4:18" or "1:02:03" -> seconds; an int is taken as seconds. Raises ValueError when malformed."""
    if value in (None, ""):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if value <= 0:
            raise ValueError("a duration must be positive")
        return value
    match = DURATION_RE.match(str(value).strip())
    if not match:
        raise ValueError(f'"{value}" is not a duration like 4:18')
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise ValueError("a duration must be positive")
    return total


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _artist(name):
    name = name.strip()
    slug = slugify(name)[:200]
    if not slug:
        raise ValueError(f'"{name}" is not a usable artist name')
    artist, _ = Artist.objects.get_or_create(slug=slug, defaults={"name": name})
    return artist


def _label(name):
    label, _ = Label.objects.get_or_create(
        slug=slugify(name)[:200], defaults={"name": name.strip()}
    )
    return label


def _role(name):
    role, _ = Role.objects.get_or_create(slug=slugify(name)[:100], defaults={"name": name.strip()})
    return role


def _film(data):
    slug = data.get("slug") or slugify(f"{data['title']} {data.get('year') or ''}")
    film, _ = Film.objects.update_or_create(
        slug=slug,
        defaults={
            "title": data["title"],
            "year": data.get("year"),
            "kind": data.get("kind", Film.Kind.FILM),
        },
    )
    film.credits.all().delete()
    for order, credit in enumerate(data.get("credits", [])):
        FilmCredit.objects.create(
            film=film, artist=_artist(credit["artist"]), role=_role(credit["role"]), order=order
        )
    film.accolades.all().delete()
    for accolade in data.get("accolades", []):
        Accolade.objects.create(
            film=film,
            text=accolade["text"],
            source=accolade.get("source", ""),
            year=accolade.get("year"),
        )
    return film


@transaction.atomic
def import_release(data):
    """Create or replace one release from its JSON object. Returns (release, created)."""
    if not isinstance(data, dict):
        raise ValueError("each release must be a JSON object")
    for key in ("title", "slug"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ValueError(f'"{key}" is required')
    positions = [t.get("position", "") for t in data.get("tracks", [])]
    for position in positions:
        if not parse_position(str(position)):
            raise ValueError(f'track position "{position}" is not like A1, 1-1 or 3')
    if len(set(positions)) != len(positions):
        raise ValueError("two tracks share a position")
    embed = parse_embed(data["embed"]) if data.get("embed") else None
    status = data.get("status", Status.PUBLISHED)
    if status not in Status.values:
        raise ValueError(f'status "{status}" is not draft or published')

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
            "embed_provider": embed.provider if embed else "",
            "embed_id": embed.id if embed else "",
            "embed_is_playlist": embed.is_playlist if embed else False,
            "status": status,
            "published_at": published_at,
        },
    )
    release.genres.set(
        [
            Genre.objects.get_or_create(slug=slugify(g), defaults={"name": g})[0]
            for g in data.get("genres", [])
        ]
    )

    release.riyl.all().delete()
    for order, name in enumerate(data.get("riyl", [])):
        known = Artist.objects.filter(slug=slugify(name)).first()
        RiylEntry.objects.create(
            release=release, artist=known, name="" if known else name, order=order
        )

    release.credits.all().delete()
    release.tracks.all().delete()
    for order, credit in enumerate(data.get("credits", [])):
        Credit.objects.create(
            release=release,
            artist=_artist(credit["artist"]),
            role=_role(credit["role"]),
            credited_as=credit.get("credited_as", ""),
            note=credit.get("note", ""),
            order=order,
        )
    for track_data in data.get("tracks", []):
        track = Track.objects.create(
            release=release,
            position=str(track_data["position"]).upper(),
            title=track_data["title"],
            duration=parse_duration(track_data.get("duration")),
            kind=track_data.get("kind", Track.Kind.SCORE),
            scene_note=track_data.get("scene_note", ""),
        )
        for order, credit in enumerate(track_data.get("artists", [])):
            TrackArtist.objects.create(
                track=track,
                artist=_artist(credit["name"]),
                credited_as=credit.get("credited_as", ""),
                join_phrase=credit.get("join", ""),
                order=order,
            )
        for order, credit in enumerate(track_data.get("credits", [])):
            Credit.objects.create(
                release=release,
                track=track,
                artist=_artist(credit["artist"]),
                role=_role(credit["role"]),
                note=credit.get("note", ""),
                order=order,
            )

    seen = []
    for order, p in enumerate(data.get("pressings", [])):
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
                "order": order,
            },
        )
        pressing.full_clean(validate_unique=False)
        pressing.companies.all().delete()
        for company in p.get("companies", []):
            PressingCompany.objects.create(
                pressing=pressing, company=_label(company["name"]), role=company["role"]
            )
        seen.append(pressing.pk)

    release.endorsements.all().delete()
    for order, e in enumerate(data.get("endorsements", [])):
        Endorsement.objects.create(
            release=release,
            quote=e["quote"],
            name=e["name"],
            affiliation=e.get("affiliation", ""),
            order=order,
        )
    release.chart_entries.all().delete()
    for c in data.get("charts", []):
        ChartEntry.objects.create(
            release=release,
            chart=c["chart"],
            peak=c["peak"],
            year=c.get("year"),
            note=c.get("note", ""),
        )

    update_search_vectors(Release.objects.filter(pk=release.pk))
    return release, created


def import_file(path, *, on_progress=None):
    """Import every release in a JSON file, one transaction per release; bad records are reported."""
    with open(path, encoding="utf-8") as handle:
        payload = json.load(handle)
    records = payload["releases"] if isinstance(payload, dict) else payload
    report = ImportReport()
    for index, record in enumerate(records):
        try:
            _, created = import_release(record)
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            report.errors.append((index, _reason(exc)))
        else:
            if created:
                report.created += 1
            else:
                report.updated += 1
        if on_progress:
            on_progress(index + 1, len(records))
    return report


def _reason(exc):
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    return str(exc)
