import io
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from reviews.models import ReviewImage
from reviews.rendering import link_track_mentions, render_body
from tests.factories import ReleaseFactory, TrackFactory

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.test></iframe>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<body onload=alert(1)>",
    '[x](https://ok.test "title" onclick=alert(1))',
    "<<script>script>alert(1)<</script>/script>",
    "[[<script>alert(1)</script>]]",
    "[[track:<img src=x onerror=alert(1)>]]",
    "<details open ontoggle=alert(1)>",
    "```html\n<script>alert(1)</script>\n```",
    "[x](<javascript:alert(1)>)",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


SAFE_TAGS = {"p", "a", "em", "strong", "code", "pre", "br", "blockquote", "figure", "figcaption"}


def assert_harmless(html):
    """Only allow-listed tags, no event handlers or styles, and links only to web addresses."""
    parser = TagCollector()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag in SAFE_TAGS, html
        assert not any(name.startswith("on") or name == "style" for name in attrs), html
        for name in ("href", "src"):
            if name in attrs:
                assert urlsplit(attrs[name]).scheme in {"", "http", "https", "mailto"}, html


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_editor_input_cannot_run_script(payload):
    assert_harmless(str(render_body(payload)))


@pytest.mark.django_db
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_track_titles_cannot_inject_markup_through_mentions(payload):
    track = TrackFactory(title=payload, position="A1")
    html = str(render_body("[[track:A1]] and [[" + payload + "]]", tracks=[track]))
    assert_harmless(html)


def test_script_tag_is_shown_as_text():
    html = str(render_body("<script>alert(1)</script>"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_javascript_link_keeps_text_but_loses_href():
    html = str(render_body("[x](javascript:alert(1))"))
    assert "href" not in html


@pytest.mark.django_db
def test_track_mentions_link_to_the_track_on_the_release_page():
    release = ReleaseFactory(slug="drive")
    i_drive = TrackFactory(release=release, position="B2", title="I Drive")
    kick = TrackFactory(release=release, position="B5", title="Kick Your Teeth")
    html = str(
        render_body(
            "Hear [[I Drive]], then [[track:b5]], then [[No Such Cue]].", tracks=[i_drive, kick]
        )
    )
    assert '<a href="/releases/drive/#track-b2" rel="noopener nofollow">I Drive</a>' in html
    assert '<a href="/releases/drive/#track-b5" rel="noopener nofollow">Kick Your Teeth</a>' in html
    assert "then No Such Cue." in html
    assert "[[" not in html


@pytest.mark.django_db
def test_title_mentions_ignore_case_and_curly_quotes():
    track = TrackFactory(position="C1", title="Where's the Deluxe Version?")
    text = link_track_mentions("[[WHERE’S THE DELUXE VERSION?]]", [track])
    assert track.get_absolute_url() in text


def test_unknown_position_renders_plain_text():
    assert str(render_body("[[track:Z9]]")) == "<p>Z9</p>\n"


def review_image(name, alt, caption="", credit="", credit_url=""):
    """A review's picture with a real 2,000-pixel-wide file in storage."""
    picture = ReviewImage(alt=alt, caption=caption, credit=credit, credit_url=credit_url)
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1000), (255, 45, 149)).save(buffer, "PNG")
    picture.image.save(name, ContentFile(buffer.getvalue()), save=False)
    return picture


@pytest.mark.django_db
def test_images_are_placed_where_marked_and_the_rest_follow():
    first = review_image("first.png", 'A "quoted" <alt>', caption="Caption", credit="Lakeshore")
    second = review_image("second.png", "Second")
    html = str(render_body("Before\n\n[[image:1]]\n\nAfter", images=[first, second]))
    assert html.index("Before") < html.index("first-480w") < html.index("After")
    assert html.index("After") < html.index("second-480w")
    assert 'alt="A &quot;quoted&quot; &lt;alt&gt;"' in html
    assert "Image: Lakeshore" in html
    # Readers get the picture in the widths the column needs, not the 2,000-pixel original.
    assert first.image.url not in html
    assert 'type="image/webp"' in html
    assert re.search(r"first-1600w-\w+\.jpg 1600w", html)
    assert 'width="800" height="400"' in html


def test_unknown_image_number_is_dropped():
    assert "[[image" not in str(render_body("[[image:7]]"))
