"""What the poll templates show to one reader: shared by the template tag and the vote views."""

from ratings.forms import WouldPayForm
from ratings.models import ANSWER_CHOICES, Answer
from ratings.selectors import poll_results, reader_poll, results_from_counts
from ratings.sharing import share_links
from ratings.voters import has_never_voted, voter_key

_UNKNOWN = object()


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
    own = vote.answer if vote else None
    return {
        "release": release,
        "request": request,
        "vote": vote,
        "answers": [(value, label, value == own) for value, label in ANSWER_CHOICES],
        "results": (
            (results_from_counts(counts) if counts is not None else poll_results(release))
            if show_results
            else None
        ),
        "share": share_links(release, vote.answer) if vote else None,
        "asks_would_pay": own == Answer.TOO_EXPENSIVE,
        "offers_notify": own == Answer.MAYBE,
        # Built only when it is shown: constructing a form costs more than the rest of the poll.
        "would_pay_form": would_pay_form
        or (
            WouldPayForm(initial={"amount": vote.would_pay})
            if own == Answer.TOO_EXPENSIVE
            else None
        ),
        "message": message,
    }


def _vote_and_counts(request, release):
    """(the reader's vote or None, the release's counts or None)."""
    key = voter_key(request) if request is not None else None
    if not key or has_never_voted(request):
        # No vote to find: no key, or a voter cookie that has never had one counted.
        return None, None
    # Polls are shown on published releases only, the ones reader_poll finds.
    found = reader_poll(release.slug, key)
    return (found.vote, found.counts) if found is not None else (None, None)
