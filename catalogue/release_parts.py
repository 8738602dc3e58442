"""The release page's own parts, composed in Python: its title, description and Open Graph tags,
the top (cover, title, composers, film, RIYL, genres), the track list, the pressings' details,
the player, the details, endorsements, chart history and credits.

Through the template engine the loops were most of a cold release page's rendering: 1.3 ms for
a track list of 12, 0.9 ms for the pressings, 0.5 ms for the credits; the rest of the page's own
markup took about 5% of its Python time more (docs/performance.md). The markup is the one the
template had, and every value goes through escaping, as in catalogue/cards.py. What other apps
add (the shop's buy box, the reviews, the poll) stays in the template, which places these parts
among them.
"""

from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.utils.dateformat import format as date_format

from catalogue import images
from catalogue.cards import cover_html
from catalogue.durations import format_duration
from catalogue.escaping import escaped as esc
from catalogue.escaping import markup
from catalogue.models import Track
from catalogue.prefetch import listed

# A track's kind as its label says it, looked up without building the choices per track.
TRACK_KINDS = dict(Track.Kind.choices)

SPOILER = (
    '<details class="spoiler"><summary>Where it plays <span class="visually-hidden">'
    "(may spoil the film)</span></summary><p>{}</p></details>"
)


def artist_credit_html(track):
    """A track's artists as printed, each name linked: "College feat. Electric Youth"."""
    return "".join(
        f'<a href="{esc(credit.artist.get_absolute_url())}">{esc(credit.name)}</a>'
        f"{esc(credit.join_phrase)}"
        for credit in listed(track, "artist_credit")
    )


def _time(seconds):
    if not seconds:
        return ""
    return f'<time datetime="PT{int(seconds)}S">{format_duration(int(seconds))}</time>'


def _track_html(track):
    kind = esc(track.kind)
    artists = artist_credit_html(track)
    if artists:
        artists = f'<span class="track__artists">{artists}</span>'
    spoiler = SPOILER.format(esc(track.scene_note)) if track.scene_note else ""
    return (
        f'<li class="track track--{kind}" id="track-{esc(track.anchor)}">\n'
        f'            <span class="track__pos">{esc(track.position)}</span>\n'
        '            <span class="track__main">\n'
        f'              <span class="track__title">{esc(track.title)}</span>\n'
        f"              {artists}\n"
        f"              {spoiler}\n"
        "            </span>\n"
        f'            <span class="track__kind badge badge--{kind}" '
        f'title="{esc(TRACK_KINDS.get(track.kind, track.kind))}">'
        f"{'Song' if track.kind == 'song' else 'Score'}</span>\n"
        f'            <span class="track__time">{_time(track.duration)}</span>\n'
        "          </li>"
    )


def tracklist_html(sides, total_duration):
    """The list's sides (heading, tracks), each an ordered list, and the total running time."""
    parts = []
    for heading, tracks in sides:
        title = f'<h3 class="side__heading">{esc(heading)}</h3>' if heading else ""
        items = "\n          ".join(_track_html(track) for track in tracks)
        parts.append(
            '<div class="side">\n'
            f"        {title}\n"
            '        <ol class="tracks">\n'
            f"          {items}\n"
            "        </ol>\n"
            "      </div>"
        )
    total = ""
    if total_duration:
        total = f'<p class="tracklist__total">Total running time {_time(total_duration)}</p>'
    # Every value above went through esc() or is a number; the rest is this module's markup.
    return markup("\n      ".join(parts) + f"\n      {total}")


def _badges(pressing):
    limited = exclusive = preorder = status = ""
    if pressing.is_limited:
        numbered = "Numbered, l" if pressing.numbered else "L"
        limited = (
            f'<span class="badge badge--limited">{numbered}imited to '
            f"{pressing.edition_size:,}</span>"
        )
    if pressing.exclusive:
        exclusive = f'<span class="badge badge--exclusive">{esc(pressing.exclusive)}</span>'
    if pressing.is_preorder:
        preorder = (
            '<span class="badge badge--preorder">Pre-order: out '
            f"{esc(date_format(pressing.release_date, 'j F Y'))}</span>"
        )
    if pressing.availability == "out_of_print":
        status = '<span class="badge badge--soldout">Out of print</span>'
    elif pressing.availability == "announced":
        status = '<span class="badge badge--preorder">Announced</span>'
    return (
        '<p class="pressing__badges">\n'
        f"              {limited}\n"
        f"              {exclusive}\n"
        f"              {preorder}\n"
        f"              {status}\n"
        "            </p>"
    )


def _facts(pressing):
    label = pressing.label
    catno = ""
    if pressing.catalogue_number:
        catno = f' – <span class="catno">{esc(pressing.catalogue_number)}</span>'
    edition = barcode = matrix = ""
    if pressing.edition_year or pressing.country:
        comma = ", " if pressing.edition_year and pressing.country else ""
        edition = (
            f"<div><dt>Edition</dt><dd>{esc(pressing.edition_year or '')}{comma}"
            f"{esc(pressing.country)}</dd></div>"
        )
    if pressing.barcode:
        barcode = f'<div><dt>Barcode</dt><dd class="catno">{esc(pressing.barcode)}</dd></div>'
    if pressing.matrix:
        matrix = (
            "<div><dt>Matrix / runout</dt>"
            f'<dd class="catno">{linebreaksbr(pressing.matrix)}</dd></div>'
        )
    return (
        '<dl class="pressing__facts">\n'
        f'              <div><dt>Label</dt><dd><a href="{esc(label.get_absolute_url())}">'
        f"{esc(label.name)}</a>{catno}</dd></div>\n"
        f"              <div><dt>Format</dt><dd>{esc(pressing.description)}</dd></div>\n"
        f"              {edition}\n"
        f"              {barcode}\n"
        f"              {matrix}\n"
        "            </dl>"
    )


def _photos(pressing):
    photos = listed(pressing, "images")
    if not photos:
        return ""
    items = "".join(
        "<li>"
        + render_to_string(
            "catalogue/includes/picture.html", images.picture_context(photo.image, photo.alt)
        )
        + "</li>"
        for photo in photos
    )
    return f'<ul class="pressing__photos">{items}</ul>'


def pressing_info_html(pressing):
    """A pressing's title, badges, facts, licences, notes and photos: all but its buy box."""
    colour = f", {esc(pressing.colour)}" if pressing.colour else ""
    effect = f" {esc(pressing.effect)}" if pressing.effect else ""
    companies = "".join(
        f'<p class="pressing__licence">{esc(company.get_role_display())} '
        f'<a href="{esc(company.company.get_absolute_url())}">{esc(company.company.name)}</a></p>'
        for company in listed(pressing, "companies")
    )
    notes = f'<p class="pressing__notes">{esc(pressing.notes)}</p>' if pressing.notes else ""
    # Every value went through esc() or linebreaksbr(), or is a number or the picture
    # template's own escaped output; the rest is this module's markup.
    return markup(
        '<div class="pressing__info">\n'
        '            <h3 class="pressing__title"><span class="swatch '
        f'swatch--{esc(pressing.colour_family)}" aria-hidden="true"></span> '
        f"{esc(pressing.get_format_display())}{colour}{effect}</h3>\n"
        f"            {_badges(pressing)}\n"
        f"            {_facts(pressing)}\n"
        f"            {companies}\n"
        f"            {notes}\n"
        f"            {_photos(pressing)}\n"
        "          </div>"
    )


def _credit_html(credit):
    track = note = ""
    if credit.track:
        track = f' <span class="credits__note">({esc(credit.track.position)})</span>'
    if credit.note:
        note = f' <span class="credits__note">({esc(credit.note)})</span>'
    return f'<a href="{esc(credit.artist.get_absolute_url())}">{esc(credit.name)}</a>{track}{note}'


def credits_html(credits_by_role):
    """The credits list: each role, then its people (and the track or note of each credit)."""
    rows = "\n        ".join(
        f"<div><dt>{esc(role.name)}</dt><dd>{', '.join(_credit_html(c) for c in credits)}</dd></div>"
        for role, credits in credits_by_role
    )
    return markup(rows)  # escaped above


def _join_names(names):
    """ "A", "A and B", "A, B and C", as the header prints composers."""
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def page_title(release):
    film = release.film
    if film is not None and film.title != release.title:
        return f"{release.title} ({film.title})"
    return release.title


def page_description(release, composers, pressing_count):
    """The meta description: title, composers, film and how many pressings."""
    by = f" by {', '.join(c.name for c in composers)}" if composers else ""
    film = f", the soundtrack of {release.film}" if release.film is not None else ""
    plural = "" if pressing_count == 1 else "s"
    return f"{release.title}{by}{film}: {pressing_count} pressing{plural} on Needle Drop."


def meta_html(release, composers, json_ld):
    """The canonical link and the Open Graph tags of a release page."""
    url = esc(json_ld["url"])
    if release.film is not None:
        about = f"Soundtrack of {release.film}"
    else:
        about = release.get_release_type_display()
    music = f", music by {composers[0].name}" if composers else ""
    image = ""
    if json_ld.get("image"):
        image = (
            f'<meta property="og:image" content="{esc(json_ld["image"])}">'
            '<meta name="twitter:card" content="summary_large_image">'
        )
    musicians = "".join(
        f'<meta property="music:musician" content="{esc(person["url"])}">'
        for person in json_ld.get("byArtist", [])
    )
    # Every value went through esc(); the rest is this module's markup.
    return markup(
        f'<link rel="canonical" href="{url}">\n'
        '  <meta property="og:type" content="music.album">\n'
        '  <meta property="og:site_name" content="Needle Drop">\n'
        f'  <meta property="og:title" content="{esc(release.title)}">\n'
        f'  <meta property="og:url" content="{url}">\n'
        f'  <meta property="og:description" content="{esc(about)}{esc(music)}.">\n'
        f"  {image}\n"
        f"  {musicians}\n"
    )


def _film_html(film):
    year = f" ({esc(film.year)})" if film.year else ""
    credits = "".join(
        f"{', ' if n == 0 else '; '}{esc(credit.role.name.lower())} "
        f'<a href="{esc(credit.artist.get_absolute_url())}">{esc(credit.artist.name)}</a>'
        for n, credit in enumerate(listed(film, "credits"))
    )
    accolades = ""
    if film_accolades := listed(film, "accolades"):
        items = []
        for accolade in film_accolades:
            source = ""
            if accolade.source:
                when = f", {esc(accolade.year)}" if accolade.year else ""
                source = f' <span class="accolade__source">{esc(accolade.source)}{when}</span>'
            items.append(
                f'<li><span class="accolade__text">{esc(accolade.text)}</span>{source}</li>'
            )
        accolades = f'<ul class="accolades">{"".join(items)}</ul>'
    return (
        '<div class="release__film">\n'
        f"        <p>From the {esc(film.get_kind_display().lower())} "
        f'<a href="{esc(film.get_absolute_url())}">{esc(film.title)}</a>{year}{credits}</p>\n'
        f"        {accolades}\n"
        "      </div>"
    )


def top_html(release, composers, pressing_count, has_tracks):
    """The top of a release page: the cover, then the type, title, composers, film, RIYL,
    genres and the links down to the pressings and the track list."""
    year = f" · {esc(release.original_year)}" if release.original_year else ""
    by = ""
    if composers:
        names = [
            f'<a href="{esc(c.artist.get_absolute_url())}">{esc(c.name)}</a>' for c in composers
        ]
        by = f'<p class="release__by">Music by {_join_names(names)}</p>'
    film = _film_html(release.film) if release.film is not None else ""
    riyl = ""
    if entries := listed(release, "riyl"):
        names = ", ".join(
            f'<a href="{esc(entry.artist.get_absolute_url())}">{esc(entry.display_name)}</a>'
            if entry.artist_id
            else esc(entry.display_name)
            for entry in entries
        )
        riyl = f'<p class="riyl"><abbr title="Recommended if you like">RIYL</abbr>: {names}</p>'
    genres = ""
    if release_genres := listed(release, "genres"):
        items = "".join(f"<li>{esc(genre.name)}</li>" for genre in release_genres)
        genres = f'<ul class="tags" aria-label="Genres">{items}</ul>'
    plural = "" if pressing_count == 1 else "s"
    tracks = (
        ' <a class="button button--ghost" href="#tracks-heading">Track list</a>'
        if has_tracks
        else ""
    )
    # Every value went through esc() or is this module's markup.
    return markup(
        f'<div class="release__cover">{cover_html(release, "large", lazy=False)}</div>\n'
        '    <header class="release__head">\n'
        f'      <p class="release__type">{esc(release.get_release_type_display())}{year}</p>\n'
        f'      <h1 class="release__title">{esc(release.title)}</h1>\n'
        f"      {by}\n"
        f"      {film}\n"
        f"      {riyl}\n"
        f"      {genres}\n"
        '      <p class="release__jump"><a class="button" href="#pressings-heading">'
        f"{pressing_count} pressing{plural}</a>{tracks}</p>\n"
        "    </header>"
    )


def listen_html(release, embed):
    """The player's facade: it loads the provider's player only when pressed."""
    if embed is None:
        return ""
    what = "the playlist" if embed.is_playlist else "a preview"
    provider = esc(embed.provider_name)
    return markup(  # every value escaped
        '<section class="listen" aria-labelledby="listen-heading">\n'
        '      <h2 id="listen-heading">Listen</h2>\n'
        f'      <div class="listen__frame" data-embed-src="{esc(embed.src)}" '
        f'data-embed-title="{esc(release.title)} on {provider}">\n'
        f'        <a class="listen__facade" href="{esc(embed.watch_url)}" rel="noopener" '
        'target="_blank">\n'
        '          <span class="listen__play" aria-hidden="true"></span>\n'
        f'          <span class="listen__label">Play {what} '
        f'<span class="listen__provider">on {provider}</span></span>\n'
        "        </a>\n"
        f'        <p class="listen__note">The player loads from {provider} only when you press '
        "play.</p>\n"
        "      </div>\n"
        "    </section>"
    )


def _chart_html(entry):
    when = ""
    if entry.date:
        when = (
            f' <time datetime="{esc(date_format(entry.date, "Y-m-d"))}">'
            f"{esc(date_format(entry.date, 'F Y'))}</time>"
        )
    elif entry.year:
        when = f" {esc(entry.year)}"
    note = f'<span class="charts__note">{esc(entry.note)}</span>' if entry.note else ""
    return (
        f'<li><span class="charts__peak">No. {esc(entry.peak)}</span> '
        f'<span class="charts__name">{esc(entry.chart)}</span>{when}{note}</li>'
    )


def more_html(release, description_html, credits_by_role):
    """The rest of a release page's own parts: its details, what people say about it, its
    chart history and its credits."""
    parts = []
    if release.description:
        parts.append(
            '<section class="details prose" aria-labelledby="details-heading">\n'
            '      <h2 id="details-heading">The details</h2>\n'
            f"      {esc(description_html)}\n"
            "    </section>"
        )
    if endorsements := listed(release, "endorsements"):
        figures = "\n      ".join(
            '<figure class="endorsement">\n'
            f"        <blockquote><p>{esc(e.quote)}</p></blockquote>\n"
            f"        <figcaption>{esc(e.name)}"
            + (
                f' <span class="endorsement__affiliation">({esc(e.affiliation)})</span>'
                if e.affiliation
                else ""
            )
            + "</figcaption>\n"
            "      </figure>"
            for e in endorsements
        )
        parts.append(
            '<section class="endorsements" aria-labelledby="endorsements-heading">\n'
            '      <h2 id="endorsements-heading">What they say</h2>\n'
            f"      {figures}\n"
            "    </section>"
        )
    if entries := listed(release, "chart_entries"):
        items = "\n        ".join(_chart_html(entry) for entry in entries)
        parts.append(
            '<section class="charts" aria-labelledby="charts-heading">\n'
            '      <h2 id="charts-heading">Chart history</h2>\n'
            '      <ul class="charts__list">\n'
            f"        {items}\n"
            "      </ul>\n"
            "    </section>"
        )
    if credits_by_role:
        parts.append(
            '<section class="credits" aria-labelledby="credits-heading">\n'
            '      <h2 id="credits-heading">Credits</h2>\n'
            '      <dl class="credits__list">\n'
            f"        {credits_html(credits_by_role)}\n"
            "      </dl>\n"
            "    </section>"
        )
    # Every value went through esc() (the description is sanitised HTML, which esc() keeps as
    # it is) or credits_html(); the rest is this module's markup.
    return markup("\n\n    ".join(parts))
