"""schema.org data for search engines: a Review of a MusicAlbum, an ItemList for list features."""

PUBLISHER = {"@type": "Organization", "name": "Needle Drop"}


def _article(piece, request):
    data = {
        "@context": "https://schema.org",
        "headline": piece.headline,
        "name": piece.headline,
        "description": piece.standfirst,
        "url": request.build_absolute_uri(piece.get_absolute_url()),
        "author": [{"@type": "Person", "name": a.display_name} for a in piece.authors.all()],
        "publisher": PUBLISHER,
        "dateModified": piece.updated_at.isoformat(),
    }
    if piece.first_published_at:
        data["datePublished"] = piece.first_published_at.isoformat()
    if piece.hero_image:
        data["image"] = request.build_absolute_uri(piece.hero_image.url)
    return data


def _album(release, request):
    album = {
        "@type": "MusicAlbum",
        "name": release.title,
        "url": request.build_absolute_uri(release.get_absolute_url()),
    }
    if release.cover:
        album["image"] = request.build_absolute_uri(release.cover.url)
    if release.original_year:
        album["datePublished"] = str(release.original_year)
    return album


def review_data(review, request):
    data = {**_article(review, request), "@type": "Review"}
    releases = list(review.releases.all())
    if releases:
        data["itemReviewed"] = _album(releases[0], request)
    return data


def feature_data(feature, request):
    entries = list(feature.entries.all())
    items = []
    for position, entry in enumerate(entries, start=1):
        item = {"@type": "ListItem", "position": position, "name": entry.display_heading}
        if entry.release_id:
            item["item"] = _album(entry.release, request)
        items.append(item)
    return {
        **_article(feature, request),
        "@type": "ItemList",
        "itemListOrder": "https://schema.org/ItemListOrderAscending",
        "numberOfItems": len(items),
        "itemListElement": items,
    }
