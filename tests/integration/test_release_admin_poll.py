import pytest
from django.contrib.auth import get_user_model

from ratings.models import Answer
from ratings.services import cast_vote
from tests.factories import ReleaseFactory

pytestmark = pytest.mark.django_db


def test_the_release_admin_shows_the_poll_results(client):
    release = ReleaseFactory()
    for n, answer in enumerate([Answer.BUYING, Answer.BUYING, Answer.TOO_EXPENSIVE]):
        cast_vote(release=release, voter_key=f"c:{n}", answer=answer, address_hash=f"a{n}")
    admin = get_user_model().objects.create_superuser(
        "boss", "boss@needledrop.test", "pw-123456789"
    )
    client.force_login(admin)
    html = client.get(f"/admin/catalogue/release/{release.pk}/change/").content.decode()
    poll = html[html.index("<h2>Reader poll</h2>") :]
    assert "<td>Buying!</td><td>2</td><td>67%</td>" in poll
    assert "<td>Too Expensive</td><td>1</td><td>33%</td>" in poll
    assert '<th scope="row">Total</th><td>3</td>' in poll
