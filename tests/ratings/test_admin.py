import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from ratings.models import Answer, Tally, Vote
from ratings.services import cast_vote, set_would_pay
from tests.factories import ReleaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    admin = get_user_model().objects.create_superuser("boss", password="pw")
    client.force_login(admin)
    return client


@pytest.fixture
def polled():
    popular = ReleaseFactory(title="=HYPERLINK(1)")
    quiet = ReleaseFactory(title="Quiet Score")
    now = timezone.now()
    for n in range(6):
        # Spaced an hour apart from different addresses: no burst.
        cast_vote(
            release=popular,
            voter_key=f"v{n}",
            answer=Answer.TOO_EXPENSIVE if n < 3 else Answer.BUYING,
            address_hash=f"{n:064x}",
            now=now - timedelta(hours=n * 2),
        )
    for n, amount in enumerate(["20.00", "30.00", "40.00"]):
        set_would_pay(release=popular, voter_key=f"v{n}", amount=Decimal(amount))
    cast_vote(release=quiet, voter_key="q", answer=Answer.MAYBE, address_hash="f" * 64)
    return popular, quiet


def test_report_lists_releases_by_votes(staff_client, polled, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = staff_client.get(reverse("admin:ratings_vote_report"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["release"] for row in rows] == list(polled)
    assert rows[0]["median_would_pay"] == Decimal("30.00")
    assert [a.percent for a in rows[0]["results"].answers] == [50, 0, 0, 50]
    assert not response.context["bursts"]


def test_report_exports_csv(staff_client, polled):
    response = staff_client.get(reverse("admin:ratings_vote_report"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["release", "slug", "votes"]
    assert rows[1][0] == "'=HYPERLINK(1)"  # never a spreadsheet formula
    assert rows[1][2:7] == ["6", "50", "0", "0", "50"]
    assert rows[1][-1] == "30.00"
    assert rows[2][0] == "Quiet Score"
    assert rows[2][-1] == ""


def test_report_flags_bursts_from_one_address(staff_client, settings):
    settings.POLL_RATE_PER_ADDRESS = 10
    release = ReleaseFactory()
    for n in range(6):
        cast_vote(release=release, voter_key=f"b{n}", answer=Answer.BUYING, address_hash="e" * 64)
    response = staff_client.get(reverse("admin:ratings_vote_report"))
    bursts = list(response.context["bursts"])
    assert len(bursts) == 1
    assert bursts[0]["address_hash"] == "e" * 64
    assert bursts[0]["votes"] == 6
    assert b"eeeeeeeeeeee" in response.content


def test_report_is_staff_only(client, polled):
    response = client.get(reverse("admin:ratings_vote_report"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_votes_are_read_only_and_withdrawn_through_the_action(staff_client, polled):
    popular, _ = polled
    changelist = reverse("admin:ratings_vote_changelist")
    assert staff_client.get(changelist).status_code == 200
    assert staff_client.get(reverse("admin:ratings_vote_add")).status_code == 403
    ids = list(
        Vote.objects.filter(release=popular, answer=Answer.BUYING).values_list("pk", flat=True)
    )
    response = staff_client.post(
        changelist, {"action": "withdraw_selected", "_selected_action": ids}
    )
    assert response.status_code == 302
    assert Tally.objects.get(release=popular).buying == 0
    assert not Vote.objects.filter(pk__in=ids).exists()


def test_release_poll_admin_tag(polled, django_assert_max_num_queries):
    popular, _ = polled
    template = Template("{% load ratings %}{% release_poll_admin release %}")
    with django_assert_max_num_queries(2):
        html = template.render(Context({"release": popular}))
    assert "Too Expensive" in html
    assert "30.00" in html
    assert "Total" in html
