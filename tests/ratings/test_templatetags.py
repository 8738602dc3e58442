import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ratings.models import Answer
from ratings.services import cast_vote
from tests.ratings.conftest import BROWSER_UA, reader_client

pytestmark = pytest.mark.django_db


def test_release_page_with_poll_has_bounded_queries(release, django_assert_max_num_queries):
    for n in range(20):
        cast_vote(release=release, voter_key=f"v{n}", answer=Answer.values[n % 4], address_hash="a")
    reader = reader_client(release)
    reader.post(f"/releases/{release.slug}/poll/", {"choice": "buying"})
    # The page's own queries plus the poll's two (tally, the reader's vote).
    with django_assert_max_num_queries(11) as captured:
        page = reader.get(release.get_absolute_url())
    poll_queries = [q for q in captured.captured_queries if "ratings_" in q["sql"]]
    assert len(poll_queries) == 2
    assert b"21 votes, yours included." in page.content


def test_poll_markup_has_no_inline_styles_or_scripts(release, reader):
    reader.post(f"/releases/{release.slug}/poll/", {"choice": "too_expensive"})
    html = reader.get(release.get_absolute_url()).content.decode()
    poll = html[html.index('id="poll"') : html.index("</section>", html.index('id="poll"'))]
    assert "style=" not in poll
    assert "<script>" not in html
    assert "/static/js/poll.js" in html
    assert "<svg" in poll


def test_logged_in_reader_votes_as_their_account(release):
    user = get_user_model().objects.create_user("fan", password="pw")
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(user)
    # Even before any page set the voter cookie, the account identifies the reader.
    assert client.post(f"/releases/{release.slug}/poll/", {"choice": "maybe"}).status_code == 302
    assert release.poll_votes.get().voter_key == f"u:{user.pk}"
