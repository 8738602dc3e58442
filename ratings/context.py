"""What the poll templates show to one reader: shared by the template tag and the vote views."""

from ratings.forms import WouldPayForm
from ratings.models import ANSWER_CHOICES, Answer
from ratings.selectors import poll_results, reader_poll, results_from_counts
from ratings.sharing import share_links
from ratings.voters import has_never_voted, voter_key

_UNKNOWN = object()


# The answers as a reader who has not voted sees them: none pressed.
NEW_READER_ANSWERS = tuple((value, label, False) for value, label in ANSWER_CHOICES)


def new_reader_context(request, slug):
    """The poll's context for a reader who has not voted (and is not staff): the answers alone,
    since the results show after a vote. It needs nothing but the release's address: no query.
    poll_context starts from it."""
    return {
        "release": None,
        "slug": slug,
        "request": request,
        "vote": None,
        "answers": NEW_READER_ANSWERS,
        "results": None,
        "share": None,
        "asks_would_pay": False,
        "offers_notify": False,
        "would_pay_form": None,
        "message": "",
    }


def poll_context(request, release, *, message="", would_pay_form=None, vote=_UNKNOWN, counts=None):
    """The poll's template context for this reader: one query (their vote and the release's
    counts) for a reader with a key who may have voted, none for a reader without a key or whose
    voter cookie has never had a vote counted.

    A caller that has just written the reader's vote passes it, with the release's counts,
    and the context costs no query.
    """
    if vote is _UNKNOWN:
        vote, counts = _vote_and_counts(request, release)
    user = getattr(request, "user", None)
    is_staff = bool(user is not None and user.is_authenticated and user.is_staff)
    show_results = vote is not None or is_staff
    context = new_reader_context(request, release.slug)
    context["release"] = release
    context["message"] = message
    context["would_pay_form"] = would_pay_form
    if show_results:
        context["results"] = (
            results_from_counts(counts) if counts is not None else poll_results(release)
        )
    if vote is None:
        return context
    own = vote.answer
    context.update(
        vote=vote,
        answers=[(value, label, value == own) for value, label in ANSWER_CHOICES],
        share=share_links(release, own),
        asks_would_pay=own == Answer.TOO_EXPENSIVE,
        offers_notify=own == Answer.MAYBE,
    )
    if own == Answer.TOO_EXPENSIVE and would_pay_form is None:
        # Built only when it is shown: constructing a form costs more than the rest of the poll.
        context["would_pay_form"] = WouldPayForm(initial={"amount": vote.would_pay})
    return context


def _vote_and_counts(request, release):
    """(the reader's vote or None, the release's counts or None)."""
    key = voter_key(request) if request is not None else None
    if not key or has_never_voted(request):
        # No vote to find: no key, or a voter cookie that has never had one counted.
        return None, None
    # Polls are shown on published releases only, the ones reader_poll finds.
    found = reader_poll(release.slug, key)
    return (found.vote, found.counts) if found is not None else (None, None)
