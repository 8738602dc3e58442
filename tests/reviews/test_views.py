import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from reviews.models import ReviewVideo, Status
from tests.factories import (
    FeatureEntryFactory,
    FeatureFactory,
    ReleaseFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_review_index_lists_published_reviews_newest_first(client, django_assert_max_num_queries):
    now = timezone.now()
    older = ReviewFactory(headline="Older one", publish_at=now - timedelta(days=2))
    newer = ReviewFactory(headline="Newer one", publish_at=now - timedelta(days=1))
    ReviewFactory(headline="Still a draft", status=Status.DRAFT, publish_at=None)
    ReviewFactory(
        headline="Not yet due", status=Status.SCHEDULED, publish_at=now + timedelta(minutes=5)
    )
    for _ in range(5):
        ReviewFactory()
    with django_assert_max_num_queries(6):
        response = client.get("/reviews/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(newer.headline) < html.index(older.headline)
    assert "Still a draft" not in html
    assert "Not yet due" not in html
    assert newer.standfirst in html


def test_review_index_is_paginated(client):
    for _ in range(13):
        ReviewFactory()
    assert len(client.get("/reviews/").context["page_obj"]) == 12
    assert len(client.get("/reviews/?page=2").context["page_obj"]) == 1


def test_review_page_shows_body_byline_release_and_video_facade(
    client, django_assert_max_num_queries
):
    release = ReleaseFactory(title="Drive OST")
    review = ReviewFactory(releases=[release], body_html="<p>Glass and steel.</p>")
    ReviewVideo.objects.create(
        review=review, video_url="bSdvSXJblzk", video_provider="youtube", video_id="bSdvSXJblzk"
    )
    with django_assert_max_num_queries(8):
        response = client.get(review.get_absolute_url())
    html = response.content.decode()
    assert "<p>Glass and steel.</p>" in html
    assert review.byline in html
    assert release.get_absolute_url() in html
    # The facade links to the video; the player address waits in a data attribute for a click.
    assert 'href="https://www.youtube.com/watch?v=bSdvSXJblzk"' in html
    assert 'data-video-src="https://www.youtube-nocookie.com/embed/bSdvSXJblzk?autoplay=1"' in html
    assert "<iframe" not in html
    assert "Draft preview" not in html


def test_review_page_has_open_graph_and_review_structured_data(client):
    release = ReleaseFactory(title="Drive OST")
    review = ReviewFactory(releases=[release], headline="Glass </script> & steel")
    html = client.get(review.get_absolute_url()).content.decode()
    assert '<meta property="og:type" content="article">' in html
    assert '"@type": "Review"' in html
    assert '"@type": "MusicAlbum"' in html
    assert '"name": "Drive OST"' in html
    # The headline cannot close the JSON-LD script element.
    assert "Glass \\u003C/script\\u003E \\u0026 steel" in html


def test_drafts_are_404_for_the_public_and_previewed_by_staff(client):
    draft = ReviewFactory(status=Status.DRAFT, publish_at=None)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(UserFactory(is_staff=False))
    assert client.get(draft.get_absolute_url()).status_code == 404
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_review"))
    client.force_login(staff)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Draft preview" in response.content.decode()
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_staff_preview_of_a_scheduled_piece_not_yet_due(client, editor):
    feature = FeatureFactory(
        status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(hours=1)
    )
    assert client.get(feature.get_absolute_url()).status_code == 404
    client.force_login(editor)
    assert "Draft preview" in client.get(feature.get_absolute_url()).content.decode()


def test_feature_pages(client, django_assert_max_num_queries):
    feature = FeatureFactory(headline="Six records")
    first = FeatureEntryFactory(feature=feature, order=1, heading="Drive first")
    FeatureEntryFactory(feature=feature, order=2, heading="Then Trainspotting")
    FeatureEntryFactory(
        feature=feature,
        order=3,
        release=None,
        title="Manhattan (1979)",
        heading="",
        video_url="https://vimeo.com/76979871",
        video_provider="vimeo",
        video_id="76979871",
    )
    FeatureFactory(headline="Hidden draft", status=Status.DRAFT, publish_at=None)
    with django_assert_max_num_queries(5):
        index = client.get("/features/").content.decode()
    assert "Six records" in index
    assert "Hidden draft" not in index
    with django_assert_max_num_queries(6):
        html = client.get(feature.get_absolute_url()).content.decode()
    assert (
        html.index("Drive first")
        < html.index("Then Trainspotting")
        < html.index("Manhattan (1979)")
    )
    assert first.release.get_absolute_url() in html
    assert '"@type": "ItemList"' in html
    assert '"position": 3' in html
    assert 'data-video-src="https://player.vimeo.com/video/76979871?dnt=1&amp;autoplay=1"' in html


def test_pages_link_feeds_in_head(client):
    review = ReviewFactory()
    head = client.get(review.get_absolute_url()).content.decode().split("</head>")[0]
    assert 'type="application/atom+xml"' in head
    assert 'href="/reviews/feed/"' in head


def test_magazine_pictures_come_in_the_widths_pages_need(client):
    from tests.reviews.test_rendering import review_image

    feature = FeatureFactory(headline="Six records", hero_alt="Six sleeves on a table")
    hero = review_image("hero.png", "unused").image
    feature.hero_image.name = hero.name
    feature.save()
    FeatureEntryFactory(
        feature=feature, image=review_image("entry.png", "unused").image.name, image_alt="A sleeve"
    )
    original = feature.hero_image.url

    page = client.get(feature.get_absolute_url()).content.decode()
    hero_figure = page[page.index('<figure class="piece__hero">') :]
    hero_figure = hero_figure[: hero_figure.index("</figure>")]
    assert "<picture" in hero_figure and f'src="{original}"' not in hero_figure
    assert 'alt="Six sleeves on a table"' in hero_figure
    assert re.search(r"entry-800w-\w+\.jpg 800w", page)

    listing = client.get("/features/").content.decode()
    assert re.search(r"hero-480w-\w+\.jpg 480w", listing)
    assert f'src="{original}"' not in listing
