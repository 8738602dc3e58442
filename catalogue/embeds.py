"""Video and playlist links from YouTube and Vimeo, parsed to (provider, id). Never raw HTML."""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError

YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
YOUTUBE_PLAYLIST = re.compile(r"^[A-Za-z0-9_-]{10,64}$")
VIMEO_ID = re.compile(r"^\d{5,12}$")
YOUTUBE_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "music.youtube.com",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
}
VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}


@dataclass(frozen=True)
class Embed:
    provider: str  # "youtube" or "vimeo"
    id: str
    is_playlist: bool = False

    @property
    def src(self):
        """The privacy-enhanced player address, loaded only after a reader clicks play."""
        if self.provider == "vimeo":
            return f"https://player.vimeo.com/video/{self.id}?dnt=1&autoplay=1"
        if self.is_playlist:
            return f"https://www.youtube-nocookie.com/embed/videoseries?list={self.id}&autoplay=1"
        return f"https://www.youtube-nocookie.com/embed/{self.id}?autoplay=1"

    @property
    def watch_url(self):
        if self.provider == "vimeo":
            return f"https://vimeo.com/{self.id}"
        if self.is_playlist:
            return f"https://www.youtube.com/playlist?list={self.id}"
        return f"https://www.youtube.com/watch?v={self.id}"

    @property
    def provider_name(self):
        return {"youtube": "YouTube", "vimeo": "Vimeo"}[self.provider]


def parse_embed(value):
    """Turn a pasted YouTube or Vimeo link (or a bare YouTube id) into an Embed, or raise ValidationError."""
    value = (value or "").strip()
    if YOUTUBE_ID.match(value):
        return Embed("youtube", value)
    if not value.lower().startswith(("http://", "https://")):
        value = "https://" + value
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or not parts.hostname:
        raise ValidationError(
            "Paste a YouTube or Vimeo link, or an 11-character YouTube video id.", code="embed"
        )
    host = parts.hostname.lower()
    path = [p for p in parts.path.split("/") if p]
    query = parse_qs(parts.query)
    if host in YOUTUBE_HOSTS:
        video = query.get("v", [""])[0]
        playlist = query.get("list", [""])[0]
        if not video and len(path) >= 2 and path[0] in {"embed", "shorts", "live", "v"}:
            video = path[1] if path[1] != "videoseries" else ""
        if video and YOUTUBE_ID.match(video):
            return Embed("youtube", video)
        if playlist and YOUTUBE_PLAYLIST.match(playlist):
            return Embed("youtube", playlist, is_playlist=True)
    elif host == "youtu.be":
        if path and YOUTUBE_ID.match(path[0]):
            return Embed("youtube", path[0])
    elif host in VIMEO_HOSTS:
        numeric = [p for p in path if VIMEO_ID.match(p)]
        if numeric:
            return Embed("vimeo", numeric[0])
    else:
        raise ValidationError(
            "Only YouTube and Vimeo links can be embedded; %(host)s is not one of them.",
            params={"host": host},
            code="embed_provider",
        )
    raise ValidationError(
        "That %(provider)s link does not point at a video or playlist we can embed.",
        params={"provider": "Vimeo" if host in VIMEO_HOSTS else "YouTube"},
        code="embed",
    )
