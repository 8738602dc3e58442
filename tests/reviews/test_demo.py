import io

import pytest
from django.core.management import call_command

from reviews import demo
from reviews.models import Feature, Review

pytestmark = pytest.mark.django_db


def test_load_demo_adds_a_drive_review_and_the_six_film_list_once():
    call_command("load_demo", stdout=io.StringIO())
    review = Review.objects.published().get()
    assert review.releases.get().film.title == "Drive"
    for title in ["I Drive", "Kick Your Teeth", "On the Beach"]:
        assert f">{title}</a>" in review.body_html
    assert "#track-b2" in review.body_html
    assert review.videos.get().video_id == "bSdvSXJblzk"
    assert review.pull_quote
    feature = Feature.objects.published().get()
    headings = [entry.display_heading.split(":")[0] for entry in feature.entries.all()]
    assert headings == [
        "Drive",
        "Trainspotting",
        "Velvet Goldmine",
        "Juno",
        "There Will Be Blood",
        "Manhattan",
    ]
    first = feature.entries.first()
    assert first.release == review.releases.get()
    # Films not yet in the catalogue keep their title as free text.
    for entry in feature.entries.filter(release__isnull=True, film__isnull=True):
        assert entry.title
    demo.load_demo_pieces()
    assert (Review.objects.count(), Feature.objects.count()) == (1, 1)
