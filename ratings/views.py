"""The poll's endpoints. A background request (header X-Requested-With: fetch) gets the poll's
HTML fragment; a plain form post is redirected back to the release page's #poll anchor."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from catalogue.models import Release
from catalogue.selectors import published_release_summary
from ratings.context import poll_context
from ratings.forms import WITHDRAW, MastodonShareForm, WouldPayForm, clean_vote_choice
from ratings.fragments import poll_body_html
from ratings.limits import voter_within_rate
from ratings.services import (
    AddressRateLimited,
    PollRefused,
    cast_vote_by_slug,
    set_would_pay,
    withdraw_vote,
)
from ratings.sharing import mastodon_share_url
from ratings.voters import is_bot, mark_voted, request_address_hash, voter_key

BOT_MESSAGE = "Your vote was not counted: votes from automated clients are not accepted."
NO_COOKIE_MESSAGE = (
    "Your vote was not counted: this browser did not send the poll's cookie. Allow cookies for "
    "Needle Drop, reload the release page and vote again."
)
VOTER_RATE_MESSAGE = (
    "Your vote was not counted: you have changed your votes very often in the last hour. "
    "Please try again later."
)


def _published_release(slug):
    release = published_release_summary(slug)
    if release is None:
        raise Http404("No published release has this address.")
    return release


def _is_background(request):
    return request.headers.get("X-Requested-With") == "fetch"


def _fragment(request, release, *, status=200, **extra):
    response = HttpResponse(poll_body_html(poll_context(request, release, **extra)), status=status)
    # poll.js swaps in only responses marked as the poll's fragment (not, say, a CSRF page).
    response["X-Poll-Fragment"] = "1"
    return response


def _answer(request, release, **extra):
    if _is_background(request):
        return _fragment(request, release, **extra)
    return redirect(release.get_absolute_url() + "#poll")


def _refuse(request, release, message, *, status, form=None):
    """Nothing was counted: say why, in the fragment or on a page of its own."""
    if _is_background(request):
        response = _fragment(request, release, status=status, message=message, would_pay_form=form)
    else:
        response = render(
            request,
            "ratings/vote_refused.html",
            {"release": release, "message": message, "form": form},
            status=status,
        )
    if status == 429:
        response["Retry-After"] = "3600"
    return response


def _voter_or_refusal(request, slug):
    """The voter key, or the response refusing a client the poll does not count."""
    bot = is_bot(request)
    key = None if bot else voter_key(request)
    if bot:
        message, status = BOT_MESSAGE, 403
    elif key is None:
        message, status = NO_COOKIE_MESSAGE, 403
    elif not voter_within_rate(key):
        message, status = VOTER_RATE_MESSAGE, 429
    else:
        return key, None
    return None, _refuse(request, _published_release(slug), message, status=status)


@require_POST
def vote(request, slug):
    try:
        choice = clean_vote_choice(request.POST)
    except ValidationError as invalid:
        return _refuse(request, _published_release(slug), invalid.messages[0], status=400)
    key, refusal = _voter_or_refusal(request, slug)
    if refusal:
        return refusal
    if choice == WITHDRAW:
        release = _published_release(slug)
        withdraw_vote(release=release, voter_key=key)
        return _answer(request, release)
    # The release is found in the vote's own statement: one round trip for the whole vote.
    attempt = cast_vote_by_slug(
        slug=slug, voter_key=key, answer=choice, address_hash=request_address_hash(request)
    )
    if attempt is None:
        raise Http404("No published release has this address.")
    if isinstance(attempt.refused, AddressRateLimited):
        return _refuse(request, attempt.release, str(attempt.refused), status=429)
    if attempt.refused:
        return _refuse(request, attempt.release, str(attempt.refused), status=409)
    # The vote and the counts came back with the write: the fragment needs no further query.
    response = _answer(request, attempt.release, vote=attempt.cast.vote, counts=attempt.cast.counts)
    mark_voted(request, response)
    return response


@require_POST
def would_pay(request, slug):
    release = _published_release(slug)
    form = WouldPayForm(request.POST)
    if not form.is_valid():
        return _refuse(request, release, form.errors["amount"][0], status=400, form=form)
    key, refusal = _voter_or_refusal(request, slug)
    if refusal:
        return refusal
    try:
        set_would_pay(release=release, voter_key=key, amount=form.cleaned_data["amount"])
    except PollRefused as refused:
        return _refuse(request, release, str(refused), status=400)
    return _answer(request, release, message="Thanks: your price is noted.")


@require_GET
def share_mastodon(request, slug):
    """Ask for the reader's Mastodon server, then link to its share page.

    The last step is a link, not a redirect: the site's CSP form-action would stop a form
    submission from being redirected to another origin.
    """
    release = get_object_or_404(Release.objects.published(), slug=slug)
    form = MastodonShareForm(request.GET or None)
    share_url = None
    if form.is_valid():
        share_url = mastodon_share_url(
            form.cleaned_data["instance"], release, form.cleaned_data["choice"]
        )
    return render(
        request,
        "ratings/share_mastodon.html",
        {"release": release, "form": form, "share_url": share_url},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
