"""Share links for a reader's answer: plain URLs, no third-party script on the page."""

import functools
import ipaddress
import re
from types import MappingProxyType
from urllib.parse import urlencode

from django.conf import settings

from ratings.models import Answer

_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def release_url(release):
    return settings.SITE_URL + release.get_absolute_url()


def share_text(release, answer=None):
    """e.g. "Buying! — Drive (Original Motion Picture Soundtrack) on Needle Drop"."""
    return _text(release.title, answer)


def _text(title, answer):
    if not answer:
        return f"{title} on Needle Drop"
    return f"{Answer(answer).label} — {title} on Needle Drop"


def share_links(release, answer):
    """The share links every vote's answer shows: the same for every reader of a release who gave
    the same answer, so they are built once per process for each title, address and answer."""
    return _share_links(release_url(release), release.title, answer)


@functools.lru_cache(maxsize=4096)
def _share_links(url, title, answer):
    text = _text(title, answer)
    return MappingProxyType(
        {
            "url": url,
            "text": text,
            "x": "https://twitter.com/intent/tweet?" + urlencode({"text": text, "url": url}),
            "bluesky": "https://bsky.app/intent/compose?" + urlencode({"text": f"{text} {url}"}),
        }
    )


def mastodon_host(value):
    """The host name of a Mastodon server typed by a reader, or None when it is not one.

    Accepts "mastodon.social", "https://mastodon.social/" or "@me@mastodon.social"; refuses
    addresses, ports, paths, single-label and private names, so the redirect goes only to a
    public server's /share page.
    """
    value = value.strip().lower()
    value = re.sub(r"^https?://", "", value).rstrip("/")
    if value.count("@") and re.fullmatch(r"@?[^@\s/]+@[^@\s/]+", value):
        value = value.rsplit("@", 1)[1]
    try:
        host = value.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if not host or len(host) > 253 or "." not in host:
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return None
    labels = host.split(".")
    if not all(_LABEL_RE.match(label) for label in labels):
        return None
    if not (labels[-1].isalpha() or labels[-1].startswith("xn--")):
        return None
    if labels[-1] in {"local", "localhost", "internal", "test", "invalid", "example"}:
        return None
    return host


def mastodon_share_url(host, release, answer=None):
    text = f"{share_text(release, answer)} {release_url(release)}"
    return f"https://{host}/share?" + urlencode({"text": text})
