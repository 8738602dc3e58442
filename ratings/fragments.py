"""The poll's body, composed in Python.

Every vote answers with this fragment, and the template engine took longer to render it than the
vote's own database work (docs/performance.md). The markup is the poll's only copy: the release
page's poll (the release_poll tag), the poll filled in for a returning reader on a cached page
(live_poll_html), the poll a cached page keeps for readers who have not voted
(new_reader_poll_html) and the vote views all call poll_body_html; all but the last put it in
the poll's section (poll_section_html).
The one part another app provides, the notify-me form after a "Maybe Buy", is still composed in
templates/ (includes/poll_after_maybe.html), so ratings imports nothing from the shop.
"""

from django.template.loader import render_to_string
from django.templatetags.static import static

from catalogue.escaping import csrf_input, escaped, markup
from catalogue.links import slug_url
from ratings.context import new_reader_context, poll_context
from ratings.selectors import reader_poll
from ratings.voters import voter_key

YOURS = ' <span class="poll__yours">(your answer)</span>'


def _answers(answers):
    buttons = []
    for value, label, is_own in answers:
        own = " poll__answer--own" if is_own else ""
        buttons.append(
            f'<button type="submit" name="choice" value="{escaped(value)}" class="poll__answer{own}" '
            f'aria-pressed="{"true" if is_own else "false"}">{escaped(label)}</button>'
        )
    return "".join(buttons)


def _form(slug, vote, answers, token_input):
    """The poll's form: its answers, and for a reader who has voted, how to change or withdraw."""
    action = slug_url("ratings:vote", slug)
    change = ""
    if vote:
        change = (
            f'<p class="poll__change">You answered <strong>{escaped(vote.get_answer_display())}'
            "</strong>. Choose another answer to change it, or "
            '<button type="submit" name="choice" value="withdraw" '
            'class="button--ghost poll__withdraw">withdraw your vote</button>.</p>'
        )
    return (
        f'<form class="poll__form" method="post" action="{escaped(action)}" data-poll-form>'
        f'{token_input}<div class="poll__answers" role="group" aria-label="Your answer">'
        f"{_answers(answers)}</div>{change}</form>"
    )


def _results(context):
    results, vote = context["results"], context["vote"]
    own = vote.answer if vote else None
    if not results.total:
        summary = '<p class="poll__total" data-poll-summary>No votes yet for this release.</p>'
        rows = ""
    else:
        items = []
        for row in results.answers:
            mine = row.answer == own
            items.append(
                f'<li class="poll__row{" poll__row--own" if mine else ""}">'
                f'<span class="poll__label">{escaped(row.label)}'
                f"{YOURS if mine else ''}</span>"
                f'<span class="poll__figures">{row.percent}% '
                f'<span class="poll__count">({row.count:,})</span></span>'
                '<svg class="poll__bar" viewBox="0 0 100 4" preserveAspectRatio="none" '
                'aria-hidden="true" focusable="false"><rect class="poll__bar-track" width="100" '
                f'height="4"></rect><rect class="poll__bar-fill" width="{row.percent}" height="4">'
                "</rect></svg></li>"
            )
        rows = f'<ul class="poll__bars">{"".join(items)}</ul>'
        plural = "" if results.total == 1 else "s"
        included = ", yours included" if vote else ""
        summary = (
            f'<p class="poll__total" data-poll-summary>{results.total:,} '
            f"vote{plural}{included}.</p>"
        )
    return (
        '<div class="poll__results"><h3 id="poll-results-heading" tabindex="-1" '
        f"data-poll-results-heading>Results</h3>{rows}{summary}</div>"
    )


def _thanks(context):
    release, vote, share = context["release"], context["vote"], context["share"]
    mastodon = slug_url("ratings:share-mastodon", release.slug)
    return (
        '<div class="poll__thanks"><p><strong>Thanks for rating this! Now tell the world how you '
        'feel</strong></p><ul class="poll__share">'
        f'<li><a href="{escaped(share["x"])}" rel="noopener noreferrer" target="_blank">'
        "Share on X</a></li>"
        f'<li><a href="{escaped(share["bluesky"])}" rel="noopener noreferrer" target="_blank">'
        "Share on Bluesky</a></li>"
        f'<li><a class="poll__link" href="{escaped(share["url"])}" data-copy-link>Link to this '
        f'release</a> <button type="button" class="button--ghost" data-copy-url="'
        f'{escaped(share["url"])}" hidden>Copy link</button></li></ul>'
        f'<form class="poll__mastodon" method="get" action="{escaped(mastodon)}" target="_blank">'
        f'<input type="hidden" name="choice" value="{escaped(vote.answer)}">'
        f'<label for="poll-mastodon-{release.pk}">Share on Mastodon: your server</label>'
        f'<input id="poll-mastodon-{release.pk}" type="text" name="instance" '
        'placeholder="mastodon.social" maxlength="253" autocomplete="off" autocapitalize="none" '
        'spellcheck="false" required>'
        '<button type="submit" class="button--ghost">Share on Mastodon</button></form></div>'
    )


def _would_pay(context, token_input):
    release, form = context["release"], context["would_pay_form"]
    field = form["amount"]
    value = field.value()
    action = slug_url("ratings:would-pay", release.slug)
    return (
        f'<form class="poll__would-pay" method="post" action="{escaped(action)}" data-poll-form>'
        f"{token_input}{field.errors}"
        f'<label for="poll-would-pay-{release.pk}">{escaped(field.label)}</label>'
        f'<input id="poll-would-pay-{release.pk}" type="text" inputmode="decimal" name="amount" '
        f'value="{escaped("" if value is None else value)}" placeholder="25.00" maxlength="10" '
        'required><button type="submit" class="button--ghost">Tell us</button></form>'
    )


def poll_body_html(context):
    """The poll's form, results and follow-ups for one reader (ratings.context.poll_context)."""
    request, release, vote = context["request"], context["release"], context["vote"]
    token_input = csrf_input(request)
    parts = []
    if context["message"]:
        parts.append(f'<p class="poll__message" role="alert">{escaped(context["message"])}</p>')
    parts.append(_form(context["slug"], vote, context["answers"], token_input))
    if context["results"]:
        parts.append(_results(context))
    if vote:
        parts.append(_thanks(context))
    if context["asks_would_pay"]:
        parts.append(_would_pay(context, token_input))
    if context["offers_notify"]:
        parts.append(
            render_to_string("includes/poll_after_maybe.html", {"release": release}, request)
        )
    return markup("".join(parts))  # every value above is escaped


def poll_section_html(body):
    """The poll's section around its body (poll_body_html), as the release page shows it: the
    release_poll tag's and live_poll_html's. The template engine took 0.1 ms for these lines."""
    return markup(
        '<section id="poll" class="poll" aria-labelledby="poll-heading" data-poll>\n'
        '  <h2 id="poll-heading">What Do You Think of This Release?</h2>\n'
        '  <p class="visually-hidden" aria-live="polite" data-poll-live></p>\n'
        f"  <div data-poll-body>{body}</div>\n"
        "</section>\n"
        f'<script src="{escaped(static("js/poll.js"))}" defer></script>\n'
    )  # body is poll_body_html's markup


def new_reader_poll_html(request, slug):
    """The poll in its section as the release_poll tag gives it to every reader who has not voted
    (without a voter cookie, or with one that has never had a vote counted; staff are not served
    cached pages): no query."""
    return poll_section_html(poll_body_html(new_reader_context(request, slug)))


def live_poll_html(request, slug):
    """The release poll for this reader, as the release_poll tag renders it on the release page,
    for a cached page whose poll is filled in for each reader (config.page_cache): one statement
    (ratings.selectors.reader_poll). None when no published release has the slug."""
    found = reader_poll(slug, voter_key(request))
    if found is None:
        return None
    request.poll_shown = True  # as the tag tells VoterCookieMiddleware
    context = poll_context(request, found.release, vote=found.vote, counts=found.counts)
    return poll_section_html(poll_body_html(context))
