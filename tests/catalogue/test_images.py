import io
import re

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from catalogue import images
from tests.catalogue.test_views import queries_for
from tests.factories import ReleaseFactory

pytestmark = pytest.mark.django_db


def jpeg_with_exif(width=1600, height=1600):
    image = Image.new("RGB", (width, height), (255, 45, 149))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "Editor 1.0"  # Software
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def covered():
    release = ReleaseFactory(title="Drive", slug="drive", cover_alt="A pink script title on black")
    release.cover.save("drive.jpg", ContentFile(jpeg_with_exif()), save=True)
    return release


def test_renditions_are_resized_stripped_and_deterministic(covered):
    first = images.image_set(covered.cover, "large")
    again = images.image_set(covered.cover, "large")
    assert first == again
    names = re.findall(r"/media/(\S+)", first.srcset + " " + first.webp_srcset)
    assert len(names) == 6  # three widths, JPEG and WebP
    for name in names:
        with default_storage.open(name) as handle, Image.open(handle) as image:
            assert image.width in {480, 800, 1200}
            assert not image.getexif()
    assert (first.width, first.height) == (800, 800)


def test_rendition_names_depend_only_on_the_original_width_and_format():
    a = images.rendition_name("covers/drive.jpg", 480, "webp")
    assert a == images.rendition_name("covers/drive.jpg", 480, "webp")
    assert a != images.rendition_name("covers/drive.jpg", 800, "webp")
    assert a != images.rendition_name("covers/other.jpg", 480, "webp")
    assert a.startswith("renditions/covers/drive-480w-")
    assert a.endswith(".webp")


def test_small_originals_are_not_upscaled():
    release = ReleaseFactory()
    release.cover.save("tiny.jpg", ContentFile(jpeg_with_exif(300, 200)), save=True)
    image_set = images.image_set(release.cover, "large")
    assert (image_set.width, image_set.height) == (300, 200)
    assert image_set.srcset.count(" 300w") == 1


def test_release_page_serves_srcset_with_dimensions(client, covered):
    html = client.get(covered.get_absolute_url()).content.decode()
    img = re.search(r'<img class="cover__img"[^>]*>', html).group()
    assert 'width="800" height="800"' in img
    assert "srcset=" in img
    assert 'alt="A pink script title on black"' in img
    assert "loading=" not in img  # the main cover is above the fold
    assert '<source type="image/webp"' in html


def test_cards_are_lazy_below_the_fold(client, covered):
    for release in ReleaseFactory.create_batch(6):
        release.cover.save("c.jpg", ContentFile(jpeg_with_exif(600, 600)), save=True)
    html = client.get("/releases/").content.decode()
    imgs = re.findall(r'<img class="cover__img"[^>]*>', html)
    assert len(imgs) == 7
    assert all('loading="lazy"' not in img for img in imgs[:4])
    assert all('loading="lazy"' in img for img in imgs[4:])


def test_warm_pages_touch_no_storage(client, covered, monkeypatch):
    client.get(covered.get_absolute_url())

    def no_storage(*args, **kwargs):
        raise AssertionError("storage touched on a warm page")

    monkeypatch.setattr(default_storage, "exists", no_storage)
    monkeypatch.setattr(default_storage, "open", no_storage)
    assert client.get(covered.get_absolute_url()).status_code == 200


def test_missing_or_broken_cover_falls_back_to_the_placeholder(client):
    broken = ReleaseFactory(title="Lost Sleeve")
    broken.cover.save("broken.jpg", ContentFile(b"not an image"), save=True)
    missing = ReleaseFactory(title="Never Uploaded", cover="covers/gone.jpg")
    for release in (broken, missing):
        html = client.get(release.get_absolute_url()).content.decode()
        assert f'aria-label="Sleeve of {release.title}"' in html
        assert 'class="sleeve sleeve--' in html


def test_placeholder_is_stable_per_title():
    assert images.placeholder_variant("Drive") == images.placeholder_variant("Drive")
    assert {images.placeholder_variant(f"Title {n}") for n in range(40)} == set(range(8))


def test_covers_do_not_add_queries(client, covered):
    plain = ReleaseFactory()
    client.get(covered.get_absolute_url())
    assert queries_for(client, covered.get_absolute_url()) == queries_for(
        client, plain.get_absolute_url()
    )


def test_an_uploaded_cover_is_resized_when_saved_not_on_first_view(
    django_capture_on_commit_callbacks,
):
    release = ReleaseFactory(title="Drive", slug="drive")
    expected = images.rendition_name("covers/upload.jpg", 480, "webp")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        release.cover.save("upload.jpg", ContentFile(jpeg_with_exif()), save=True)
        assert not default_storage.exists(expected)  # not before the row is committed
    assert callbacks
    names = [
        images.rendition_name(release.cover.name, width, fmt)
        for size in ("card", "large")
        for width in images.SIZES[size].widths
        for fmt in ("jpeg", "webp")
    ]
    assert release.cover.name == "covers/upload.jpg"
    assert all(default_storage.exists(name) for name in names)
