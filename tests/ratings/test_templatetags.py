import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ratings.models import Answer
from ratings.selectors import _reader_poll
from ratings.services import cast_vote
from tests.ratings.conftest import BROWSER_UA, reader_client

pytestmark = pytest.mark.django_db


def test_release_page_with_poll_has_bounded_queries(release, django_assert_max_num_queries):
    for n in range(20):
        cast_vote(release=release, voter_key=f"v{n}", answer=Answer.values[n % 4], address_hash="a")
    reader = reader_client(release)
    reader.post(f"/releases/{release.slug}/poll/", {"choice": "buying"})
    # The page's own queries plus the poll's one: the reader's vote and the tally together.
    with django_assert_max_num_queries(10) as captured:
        page = reader.get(release.get_absolute_url())
    sql = [q["sql"] for q in captured.captured_queries]
    assert len([q for q in sql if _reader_poll().name in q]) == 1
    assert not [q for q in sql if "ratings_" in q]  # no other statement of the poll's
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


def test_staff_see_the_results_without_voting(release, django_assert_max_num_queries):
    for n in range(3):
        cast_vote(release=release, voter_key=f"v{n}", answer=Answer.BUYING, address_hash="a")
    staff = get_user_model().objects.create_user("editor", password="pw", is_staff=True)
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(staff)
    with django_assert_max_num_queries(12) as captured:
        page = client.get(release.get_absolute_url()).content.decode()
    sql = [q["sql"] for q in captured.captured_queries]
    assert len([q for q in sql if _reader_poll().name in q]) == 1
    assert not [q for q in sql if "ratings_" in q]
    assert "3 votes." in page
    assert "Thanks for rating this!" not in page


def test_a_reader_whose_cookie_never_voted_costs_the_poll_no_query(release):
    reader = reader_client(release)  # holds a voter cookie, marked as never having voted
    with CaptureQueriesContext(connection) as captured:
        page = reader.get(release.get_absolute_url()).content.decode()
    assert not [q for q in captured.captured_queries if _reader_poll().name in q["sql"]]
    assert "What Do You Think of This Release?" in page
    assert "Thanks for rating this!" not in page
