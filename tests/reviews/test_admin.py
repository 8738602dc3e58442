from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reviews.models import Feature, Review, Status
from tests.factories import AuthorFactory, ReleaseFactory, ReviewFactory, TrackFactory

from .conftest import png

pytestmark = pytest.mark.django_db
ADD_REVIEW = "/admin/reviews/review/add/"


def split(moment):
    local = timezone.localtime(moment)
    return {"publish_at_0": local.strftime("%Y-%m-%d"), "publish_at_1": local.strftime("%H:%M:%S")}


def inline_management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.fixture
def review_form(editor):
    author = AuthorFactory(user=editor, display_name="Maeve Harlow")
    release = ReleaseFactory(slug="drive", published_at=timezone.now() - timedelta(days=1))
    TrackFactory(release=release, position="B2", title="I Drive")
    return {
        "headline": "Drive, reconsidered",
        "standfirst": "Glass and synthesisers.",
        "slug": "drive-reconsidered",
        "authors": [author.pk],
        "releases": [release.pk],
        "body": "The love theme [[I Drive]] glows.\n\n<script>alert(1)</script>",
        "pull_quote": "Glows.",
        "hero_image": png("hero.png"),
        "hero_alt": "A car under neon",
        "hero_credit": "Lakeshore Records",
        "hero_credit_url": "https://example.com/credit",
        "status": Status.SCHEDULED,
        **split(timezone.now() + timedelta(minutes=5)),
        **inline_management("images"),
        **inline_management("videos", total=1),
        "videos-0-order": "0",
        "videos-0-video_url": "https://youtu.be/bSdvSXJblzk",
        "videos-0-caption": "The whole record",
    }


def test_editor_writes_and_schedules_a_review_that_appears_on_time(editor_client, review_form):
    response = editor_client.post(ADD_REVIEW, review_form)
    assert response.status_code == 302, response.context and response.context["errors"]
    review = Review.objects.get()
    assert review.status == Status.SCHEDULED
    assert 'href="/releases/drive/#track-b2"' in review.body_html
    assert "<script" not in review.body_html
    assert review.revision == 1
    video = review.videos.get()
    assert (video.video_provider, video.video_id) == ("youtube", "bSdvSXJblzk")
    editor_client.logout()
    assert b"Drive, reconsidered" not in editor_client.get("/reviews/").content
    assert editor_client.get(review.get_absolute_url()).status_code == 404
    Review.objects.filter(pk=review.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    assert b"Drive, reconsidered" in editor_client.get("/reviews/").content
    assert b"Drive, reconsidered" in editor_client.get("/releases/drive/").content
    assert b"Drive, reconsidered" in editor_client.get("/feed/").content
    assert b"/reviews/drive-reconsidered/" in editor_client.get("/sitemap.xml").content


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"videos-0-video_url": "https://dailymotion.com/video/x7"},
            None,
            "Only YouTube and Vimeo links can be embedded",
        ),
        (
            split(timezone.now() - timedelta(minutes=5)),
            "publish_at",
            "This publish time has passed",
        ),
        ({"hero_alt": ""}, "hero_alt", "Describe the hero image"),
        (
            {"hero_image": SimpleUploadedFile("x.png", b"not an image", "image/png")},
            "hero_image",
            "Upload a valid image",
        ),
        (
            {"status": Status.SCHEDULED, "publish_at_0": "", "publish_at_1": ""},
            "publish_at",
            "Choose when",
        ),
    ],
)
def test_invalid_input_gets_a_clear_message_and_saves_nothing(
    editor_client, review_form, change, field, message
):
    response = editor_client.post(ADD_REVIEW, {**review_form, **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    if field:
        assert field in response.context["adminform"].form.errors
    assert not Review.objects.exists()


def test_invalid_image_is_refused_by_the_catalogue_validator(editor_client, review_form):
    gif_header_only = SimpleUploadedFile("x.gif", b"GIF89a" + b"\x00" * 20, "image/gif")
    response = editor_client.post(ADD_REVIEW, {**review_form, "hero_image": gif_header_only})
    assert response.status_code == 200
    assert not Review.objects.exists()


def test_slug_clash_is_refused(editor_client, review_form):
    ReviewFactory(slug="drive-reconsidered")
    response = editor_client.post(ADD_REVIEW, review_form)
    assert response.status_code == 200
    assert "Review with this Slug already exists." in response.content.decode()
    assert Review.objects.count() == 1


def test_published_without_time_means_now(editor_client, review_form):
    form = {**review_form, "status": Status.PUBLISHED, "publish_at_0": "", "publish_at_1": ""}
    assert editor_client.post(ADD_REVIEW, form).status_code == 302
    review = Review.objects.published().get()
    assert review.first_published_at == review.publish_at


def test_add_page_has_markdown_help_word_count_and_autocomplete(editor_client):
    html = editor_client.get(ADD_REVIEW).content.decode()
    assert "[[track:B2]]" in html
    assert "js/admin-word-count.js" in html
    assert "data-word-count" in html
    assert 'class="admin-autocomplete" data-ajax--cache="true"' in html
    assert 'data-field-name="releases"' in html


def test_change_page_links_the_preview(editor_client):
    review = ReviewFactory(status=Status.DRAFT, publish_at=None)
    html = editor_client.get(f"/admin/reviews/review/{review.pk}/change/").content.decode()
    assert f'href="{review.get_absolute_url()}"' in html
    assert "Preview (only staff can see it)" in html


def test_changelist_filters_searches_and_counts_words(editor_client):
    ReviewFactory(headline="Counted piece", body="one two three four")
    ReviewFactory(headline="A draft", status=Status.DRAFT, publish_at=None)
    response = editor_client.get("/admin/reviews/review/", {"status__exact": "published"})
    html = response.content.decode()
    assert "Counted piece" in html
    assert "A draft" not in html
    assert '<td class="field-word_count">4</td>' in html
    response = editor_client.get("/admin/reviews/review/", {"q": "draft"})
    assert "Counted piece" not in response.content.decode()


def test_publish_action_calls_the_service(editor_client):
    review = ReviewFactory(status=Status.DRAFT, publish_at=None, first_published_at=None)
    editor_client.post(
        "/admin/reviews/review/",
        {"action": "publish_now", "_selected_action": [review.pk]},
    )
    assert Review.objects.published().get() == review


def test_feature_with_ordered_entries(editor_client, editor):
    author = AuthorFactory(user=editor)
    drive = ReleaseFactory(title="Drive OST")
    form = {
        "headline": "Six soundtracks",
        "standfirst": "Favourites.",
        "slug": "six-soundtracks",
        "authors": [author.pk],
        "intro": "Our *favourites*.",
        "hero_alt": "",
        "status": Status.DRAFT,
        "publish_at_0": "",
        "publish_at_1": "",
        **inline_management("entries", total=2),
        "entries-0-order": "2",
        "entries-0-title": "Manhattan (1979)",
        "entries-0-text": "Gershwin.",
        "entries-1-order": "1",
        "entries-1-release": str(drive.pk),
        "entries-1-text": "Neon.",
        "entries-1-video_url": "ftp://elsewhere.test/v",
    }
    response = editor_client.post("/admin/reviews/feature/add/", form)
    assert response.status_code == 200
    assert "Only YouTube and Vimeo" in response.content.decode()
    assert not Feature.objects.exists()
    form["entries-1-video_url"] = "https://vimeo.com/76979871"
    assert editor_client.post("/admin/reviews/feature/add/", form).status_code == 302
    feature = Feature.objects.get()
    assert [e.display_heading for e in feature.entries.all()] == ["Drive OST", "Manhattan (1979)"]
    assert "<em>favourites</em>" in feature.intro_html
    assert feature.entries.get(order=1).video_id == "76979871"


def test_release_autocomplete_answers_editors(editor_client):
    ReleaseFactory(title="Drive OST")
    response = editor_client.get(
        "/admin/autocomplete/",
        {"term": "drive", "app_label": "reviews", "model_name": "review", "field_name": "releases"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["Drive OST"]
