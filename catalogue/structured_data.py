"""schema.org data (JSON-LD) and the pieces of Open Graph a release page shares."""

from catalogue import hooks
from catalogue.images import image_set
from catalogue.models import Pressing
from catalogue.prefetch import listed

MUSIC_RELEASE_FORMATS = {
    Pressing.Format.LP: "VinylFormat",
    Pressing.Format.LP2: "VinylFormat",
    Pressing.Format.LP3: "VinylFormat",
    Pressing.Format.TEN: "VinylFormat",
    Pressing.Format.SEVEN: "VinylFormat",
    Pressing.Format.CD: "CDFormat",
    Pressing.Format.CASSETTE: "CassetteFormat",
    Pressing.Format.DIGITAL: "DigitalFormat",
}


def release_json_ld(release, request):
    """A schema.org MusicAlbum with one MusicRelease per pressing; apps add to it via hooks.

    Offers (price, availability) belong to the shop: it adds them to each ``albumRelease`` entry
    through ``hooks.register_json_ld``. Reads only prefetched relations.
    """
    url = request.build_absolute_uri(release.get_absolute_url())
    composers = release.composers()
    data = {
        "@context": "https://schema.org",
        "@type": "MusicAlbum",
        "@id": url,
        "url": url,
        "name": release.title,
        "albumProductionType": ("https://schema.org/SoundtrackAlbum"),
        "numTracks": len(listed(release, "tracks")),
        "track": [
            {
                "@type": "MusicRecording",
                "position": track.position,
                "name": track.title,
                **({"duration": iso_duration(track.duration)} if track.duration else {}),
                **(
                    {"byArtist": [{"@type": "MusicGroup", "name": c.name} for c in artists]}
                    if (artists := listed(track, "artist_credit"))
                    else {}
                ),
            }
            for track in listed(release, "tracks")
        ],
        "albumRelease": [
            {
                "@type": "MusicRelease",
                # Pressing.get_absolute_url(): the release's address and the pressing's anchor.
                "@id": f"{url}#pressing-{pressing.pk}",
                "name": f"{release.title} ({pressing.description})",
                "catalogNumber": pressing.catalogue_number or None,
                "recordLabel": {"@type": "Organization", "name": pressing.label.name},
                "musicReleaseFormat": "https://schema.org/"
                + MUSIC_RELEASE_FORMATS.get(pressing.format, "VinylFormat"),
                **({"gtin": pressing.barcode} if pressing.barcode else {}),
                **({"sku": pressing.sku} if pressing.sku else {}),
            }
            for pressing in listed(release, "pressings")
        ],
    }
    if composers:
        data["byArtist"] = [
            {
                "@type": "Person",
                "name": c.name,
                "url": request.build_absolute_uri(c.artist.get_absolute_url()),
            }
            for c in composers
        ]
    if release.original_year:
        data["datePublished"] = str(release.original_year)
    if genres := listed(release, "genres"):
        data["genre"] = [g.name for g in genres]
    if release.film_id:
        data["about"] = {
            "@type": "Movie" if release.film.kind == "film" else "CreativeWork",
            "name": release.film.title,
            **({"dateCreated": str(release.film.year)} if release.film.year else {}),
        }
    cover = image_set(release.cover, "large")
    if cover:
        data["image"] = request.build_absolute_uri(cover.src)
    for entry in data["albumRelease"]:
        if entry["catalogNumber"] is None:
            del entry["catalogNumber"]
    return hooks.contribute_json_ld(release, data)


def iso_duration(seconds):
    """Seconds as an ISO 8601 duration: 254 -> "PT4M14S"."""
    minutes, seconds = divmod(seconds, 60)
    return f"PT{minutes}M{seconds}S"
