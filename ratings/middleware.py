from django.utils.cache import patch_cache_control, patch_vary_headers

from ratings.voters import new_voter_token, set_voter_cookie, voter_token


class VoterCookieMiddleware:
    """Gives a reader their voter cookie on the first page that shows them a poll.

    The poll tag marks the request (request.poll_shown); only those responses get the cookie, and
    they vary by Cookie. A response that sets the cookie is private, so no shared cache ever hands
    one reader's cookie to another.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "poll_shown", False):
            patch_vary_headers(response, ["Cookie"])
            if voter_token(request) is None:
                set_voter_cookie(response, new_voter_token())
                patch_cache_control(response, private=True)
        return response
