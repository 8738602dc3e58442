"""The release page's longest parts, composed in Python: the track list, the pressings' details
and the credits.

Through the template engine these loops were most of a cold release page's rendering: 1.3 ms for
a track list of 12, 0.9 ms for the pressings, 0.5 ms for the credits (docs/performance.md). The
markup is the one the template had, and every value goes through escaping, as in
catalogue/cards.py. What other apps add (the shop's buy box) stays in the template.
"""

from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.utils.dateformat import format as date_format
from django.utils.safestring import mark_safe

from catalogue import images
from catalogue.durations import format_duration
from catalogue.escaping import escaped as esc
from catalogue.models import Track

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
        for credit in track.artist_credit.all()
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
    return mark_safe("\n      ".join(parts) + f"\n      {total}")  # noqa: S308


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
    photos = pressing.images.all()
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
        for company in pressing.companies.all()
    )
    notes = f'<p class="pressing__notes">{esc(pressing.notes)}</p>' if pressing.notes else ""
    # Every value went through esc() or linebreaksbr(), or is a number or the picture
    # template's own escaped output; the rest is this module's markup.
    return mark_safe(  # noqa: S308
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
    return mark_safe(rows)  # noqa: S308 (escaped above)
