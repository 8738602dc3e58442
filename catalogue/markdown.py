"""Editors write Markdown; readers get sanitised HTML. Nothing an editor types can run script."""

import nh3
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

# CommonMark with tables and strikethrough; raw HTML in the source is escaped, not passed through.
_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "strong",
    "em",
    "del",
    "blockquote",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "figure",
    "figcaption",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
# Only these link schemes survive: javascript:, data: and the rest are dropped.
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def sanitise(html):
    """Keep only the allow-listed tags, attributes and link schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener nofollow",
    )


def render_markdown(text):
    """Markdown source to safe HTML."""
    return mark_safe(sanitise(_parser.render(text or "")))  # noqa: S308 (sanitised just above)
