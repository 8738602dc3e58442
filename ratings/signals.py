from ratings.services import merge_votes
from ratings.voters import cookie_key, user_key, voter_token


def adopt_anonymous_votes(sender, request, user, **kwargs):
    """On login, the votes this browser cast anonymously become the account's."""
    token = voter_token(request) if request is not None else None
    if token:
        merge_votes(from_key=cookie_key(token), to_key=user_key(user))
