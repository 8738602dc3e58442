"""Admin forms: track lengths as "m:ss", a track's artist credit as one line of text, video links."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalogue.durations import format_duration, parse_duration
from catalogue.embeds import Embed, parse_embed
from catalogue.models import Release, Status, Track, parse_position

JOIN_RE = re.compile(r"(\s*\{[^{}]*\}\s*)")
CREDITED_AS_RE = re.compile(r"^(?P<name>.+?)\s*\(as (?P<credited_as>[^()]+)\)$")

ARTIST_CREDIT_HELP = (
    "The artists in order, with the words between two names in braces: "
    '"Kavinsky {&} Lovefoxxx", "College {feat.} Electric Youth", "A{,} B {&} C". '
    'Add "(as …)" when the sleeve prints another name: "Chromatics (as The Chromatics)". '
    "A name the catalogue does not know yet becomes a new artist, so check the spelling. "
    "For several credit lines or track-level roles, save, then follow the track's Change link."
)


def parse_artist_credit(text):
    """ "College {feat.} Electric Youth" -> [("College", "", " feat. "), ("Electric Youth", "", "")]."""
    text = (text or "").strip()
    if not text:
        return []
    parts = JOIN_RE.split(text)
    names = parts[0::2]
    joins = [part.replace("{", "").replace("}", "") for part in parts[1::2]] + [""]
    credit = []
    for name, join in zip(names, joins, strict=True):
        name = name.strip()
        if "{" in name or "}" in name:
            raise ValidationError(
                'Close every brace: write join words like "Kavinsky {&} Lovefoxxx".',
                code="artist_credit_braces",
            )
        if not name:
            raise ValidationError(
                "Each {join} needs an artist's name on both sides.", code="artist_credit_empty"
            )
        match = CREDITED_AS_RE.match(name)
        name, credited_as = (match["name"], match["credited_as"].strip()) if match else (name, "")
        if len(name) > 200 or len(credited_as) > 200 or len(join) > 30:
            raise ValidationError(
                "Names are at most 200 characters and join words at most 30.",
                code="artist_credit_length",
            )
        credit.append((name, credited_as, join))
    return credit


def format_artist_credit(track_artists):
    """The inverse of parse_artist_credit, for showing a saved credit in the form."""
    text = []
    for track_artist in track_artists:
        name = track_artist.artist.name
        if track_artist.credited_as:
            name += f" (as {track_artist.credited_as})"
        text.append(name)
        join = track_artist.join_phrase
        if join:
            core = join.strip()
            lead = join[: len(join) - len(join.lstrip())]
            trail = join[len(join.rstrip()) :]
            text.append(f"{lead}{{{core}}}{trail}")
    return "".join(text)


class DurationField(forms.CharField):
    """Minutes and seconds ("4:18", or "1:02:03" past an hour), stored as seconds."""

    def prepare_value(self, value):
        if isinstance(value, int):
            return format_duration(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise ValidationError(
                f'"{value}" is not a length like 4:18: write minutes, a colon and two-digit '
                "seconds, longer than 0:00.",
                code="duration",
            ) from exc


class TrackForm(forms.ModelForm):
    duration = DurationField(
        required=False,
        help_text='Minutes and seconds, e.g. "4:18". Leave blank when unknown.',
    )

    class Meta:
        model = Track
        fields = ["position", "title", "duration", "kind", "scene_note"]

    def clean_position(self):
        position = self.cleaned_data["position"].strip().upper()
        if not parse_position(position):
            raise ValidationError(
                f'"{position}" is not a sleeve position: write A1, B2 … for vinyl sides, '
                "1-1, 2-3 for discs, or 1, 2, 3.",
                code="position",
            )
        return position


class TrackInlineForm(TrackForm):
    """A track row in the release form, with its artist credit as one line of text."""

    artists = forms.CharField(
        label="Artist credit", required=False, max_length=1000, help_text=ARTIST_CREDIT_HELP
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["artists"] = format_artist_credit(self.instance.artist_credit.all())

    def clean_artists(self):
        return parse_artist_credit(self.cleaned_data["artists"])


class TrackInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """Name the clashing position and tracks instead of Django's generic duplicate message."""
        seen = {}
        clashes = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            position = form.cleaned_data.get("position")
            if not position:
                continue
            if position in seen:
                form.add_error(
                    "position",
                    f'{position} is already the position of "{seen[position]}"; '
                    "each position appears once on a release.",
                )
                clashes.append(position)
            else:
                seen[position] = form.cleaned_data.get("title", "")
        if clashes:
            raise ValidationError(
                "Two tracks share position %(positions)s. Give each track its own position.",
                params={"positions": ", ".join(sorted(set(clashes)))},
                code="duplicate_position",
            )
        super().clean()


class ReleaseForm(forms.ModelForm):
    embed = forms.CharField(
        label="Listening link",
        required=False,
        max_length=300,
        help_text="Paste a YouTube or Vimeo video or playlist link. Readers see a play button; "
        "nothing loads from YouTube or Vimeo until they click it.",
    )

    class Meta:
        model = Release
        fields = [
            "title",
            "slug",
            "film",
            "release_type",
            "original_year",
            "genres",
            "cover",
            "cover_alt",
            "description",
            "status",
            "published_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.embed_provider and instance.embed_id:
            embed = Embed(instance.embed_provider, instance.embed_id, instance.embed_is_playlist)
            self.initial["embed"] = embed.watch_url

    def clean_embed(self):
        value = self.cleaned_data["embed"].strip()
        return parse_embed(value) if value else None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Status.PUBLISHED and not cleaned.get("published_at"):
            # Publishing from the form works like the Publish action: it goes live now.
            cleaned["published_at"] = timezone.now()
        return cleaned

    def _post_clean(self):
        embed = self.cleaned_data.get("embed")
        self.instance.embed_provider = embed.provider if embed else ""
        self.instance.embed_id = embed.id if embed else ""
        self.instance.embed_is_playlist = embed.is_playlist if embed else False
        super()._post_clean()
