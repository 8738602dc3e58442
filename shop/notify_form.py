"""The notify-me sign-up for a release's pressings, offered after a "Maybe Buy" vote.

A returning reader whose answer was "Maybe Buy" sees it on every visit to the release, filled into
the cached page with their poll (config.page_cache): the ORM compiled the pressings' query and
the template engine rendered the form on each of those visits, 0.9-1.0 ms of CPU in-process at
100,000 releases, more than the rest of their page. The pressings are read by a statement compiled
once per process and the form is composed here (0.14 ms); the markup is the one
shop/includes/notify_me.html had.
"""

import functools

from django.urls import reverse

from catalogue.compiled import ID_MARK, CompiledQuery
from catalogue.escaping import csrf_input, escaped, markup
from catalogue.models import Pressing

# What Pressing.description reads, and the key of each option.
DESCRIBED_BY = ("id", "format", "colour", "effect", "weight_grams", "edition_size", "numbered")


@functools.cache
def _release_pressings():
    """The pressings of a release, in their order, with what their descriptions read."""
    pressings = Pressing.objects.filter(release_id=ID_MARK).only(*DESCRIBED_BY)
    return CompiledQuery(pressings, release=ID_MARK)


def notify_me_html(request, release):
    """The form, or "" for a release without pressings. One statement."""
    pressings = _release_pressings().run(release=release.pk)
    if not pressings:
        return ""
    next_url = request.get_full_path() if request is not None else ""
    options = "".join(
        f'<option value="{pressing.pk}">{escaped(pressing.description)}</option>'
        for pressing in pressings
    )
    field = f"notify-release-{release.pk}"
    # Every value is escaped or a primary key; the rest is this module's markup.
    return markup(
        '<form class="notify-form notify-form--release" method="post" '
        f'action="{escaped(reverse("shop:notify-signup"))}">\n'
        f"  {csrf_input(request)}\n"
        f'  <input type="hidden" name="next" value="{escaped(next_url)}">\n'
        '  <p class="notify-form__intro">Not sure yet? We can email you about '
        f"{escaped(release.title)}: when a pressing goes on sale, comes back or is repressed.</p>\n"
        f'  <label for="{field}-pressing">Pressing</label>\n'
        f'  <select id="{field}-pressing" name="pressing">\n'
        f"    {options}\n"
        "  </select>\n"
        f'  <label for="{field}-email">Email</label>\n'
        f'  <input id="{field}-email" type="email" name="email" maxlength="254" '
        'autocomplete="email" required>\n'
        '  <button type="submit" class="button button--quiet">Notify me</button>\n'
        "</form>"
    )
