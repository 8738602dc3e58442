"""The magazine: reviews of releases and list features, written by editors in the admin."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone

from catalogue.embeds import Embed, parse_embed
from catalogue.models import Film, Release
from catalogue.validators import validate_image

MARKDOWN_HELP = (
    "Markdown: **bold**, *italic*, [a link](https://…), ## a subheading, > a quotation, "
    "blank lines between paragraphs. Link a track of a reviewed release with [[track:B2]] "
    "(its sleeve position) or [[I Drive]] (its title); a mention that matches no track shows as "
    "plain text. Place an inline image with [[image:1]] on a line of its own (1 is the first "
    "image below); images not placed this way follow the text in order. HTML is not allowed."
)


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"


class PieceQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published or scheduled pieces whose publish time has come."""
        return self.filter(
            # The database's clock at query time, so a queryset built early never goes stale.
            status__in=[Status.SCHEDULED, Status.PUBLISHED],
            publish_at__lte=Now(),
        )


class Author(models.Model):
    """A byline: a staff user and the name readers see."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="author"
    )
    display_name = models.CharField(
        max_length=100, help_text='The name printed in bylines, e.g. "Maeve Harlow".'
    )

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.display_name


class Piece(models.Model):
    """What reviews and features share: headline, byline, hero image and publication state."""

    headline = models.CharField(max_length=200)
    standfirst = models.CharField(
        max_length=300, help_text="The one-line deck under the headline; also the feed summary."
    )
    slug = models.SlugField(
        max_length=200, unique=True, help_text="The last part of the address; unique."
    )
    authors = models.ManyToManyField(
        Author, related_name="%(class)ss", help_text="The byline, in the order given."
    )
    hero_image = models.ImageField(upload_to="magazine/", blank=True, validators=[validate_image])
    hero_alt = models.CharField(
        "hero image alt text",
        max_length=200,
        blank=True,
        help_text="Required with a hero image: what it shows, for readers who cannot see it.",
    )
    hero_credit = models.CharField(
        "hero image credit", max_length=200, blank=True, help_text='e.g. "Lakeshore Records".'
    )
    hero_credit_url = models.URLField(
        "hero image source",
        blank=True,
        help_text="Where the image comes from; the credit links here.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="Draft: only staff see it. Scheduled: appears by itself at the publish time. "
        "Published: visible from the publish time (now when left empty).",
    )
    publish_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        help_text="When readers first see it. Required for scheduled pieces and in the future.",
    )
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped each time the stored HTML is rendered again (services.render_*), so caches of a
    # page can key on it.
    revision = models.PositiveIntegerField(default=0, editable=False)

    objects = PieceQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-publish_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=Status.DRAFT) | Q(publish_at__isnull=False),
                name="%(class)s_visible_has_publish_time",
                violation_error_message="A scheduled or published piece needs a publish time.",
            ),
            models.CheckConstraint(
                condition=Q(hero_image="") | ~Q(hero_alt=""),
                name="%(class)s_hero_has_alt",
                violation_error_message="Describe the hero image in its alt text.",
            ),
        ]
        indexes = [models.Index(fields=["status", "-publish_at"], name="%(class)s_published_idx")]

    def __str__(self):
        return self.headline

    @property
    def is_public(self):
        return (
            self.status != Status.DRAFT
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    @property
    def byline(self):
        return ", ".join(a.display_name for a in self.authors.all())

    def clean(self):
        if self.hero_image and not self.hero_alt:
            raise ValidationError(
                {"hero_alt": "Describe the hero image for readers who cannot see it."}
            )

    def set_status(self, status, publish_at=None):
        """Move to a status; first_published_at follows the publish time until readers saw it."""
        self.status = status
        if status == Status.PUBLISHED and publish_at is None:
            publish_at = self.publish_at or timezone.now()
        self.publish_at = publish_at if publish_at is not None else self.publish_at
        if status != Status.DRAFT and (
            self.first_published_at is None or self.first_published_at > timezone.now()
        ):
            self.first_published_at = self.publish_at


class Review(Piece):
    body = models.TextField(help_text=MARKDOWN_HELP)
    body_html = models.TextField(editable=False, blank=True)
    releases = models.ManyToManyField(
        Release,
        related_name="reviews",
        help_text="The release or releases reviewed. Track mentions link to their tracks.",
    )
    pull_quote = models.CharField(
        max_length=240,
        blank=True,
        help_text="One short line from the review, shown as an endorsement on the release page.",
    )

    def get_absolute_url(self):
        return reverse("reviews:review-detail", args=[self.slug])


class ReviewImage(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="magazine/", validators=[validate_image])
    alt = models.CharField(
        "alt text", max_length=200, help_text="What it shows, for readers who cannot see it."
    )
    caption = models.CharField(max_length=300, blank=True)
    credit = models.CharField(max_length=200, blank=True)
    credit_url = models.URLField("credit source", blank=True)
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Images are numbered 1, 2, 3 … in this order for [[image:N]]."
    )

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.alt


class VideoFields(models.Model):
    """A pasted YouTube or Vimeo link, stored as provider and id; never as HTML."""

    video_url = models.CharField(
        "video link",
        max_length=300,
        blank=True,
        help_text="Paste a YouTube or Vimeo link (or an 11-character YouTube id).",
    )
    video_provider = models.CharField(max_length=10, blank=True, editable=False)
    video_id = models.CharField(max_length=64, blank=True, editable=False)
    video_is_playlist = models.BooleanField(default=False, editable=False)

    class Meta:
        abstract = True

    @property
    def embed(self):
        if not self.video_id:
            return None
        return Embed(self.video_provider, self.video_id, self.video_is_playlist)

    def clean(self):
        super().clean()
        if not self.video_url:
            self.video_provider = self.video_id = ""
            self.video_is_playlist = False
            return
        try:
            embed = parse_embed(self.video_url)
        except ValidationError as error:
            raise ValidationError({"video_url": error.messages}) from error
        self.video_provider, self.video_id = embed.provider, embed.id
        self.video_is_playlist = embed.is_playlist


class ReviewVideo(VideoFields):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="videos")
    caption = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(video_id=""), name="reviewvideo_has_video")
        ]

    def __str__(self):
        return self.caption or self.video_url

    def clean(self):
        if not self.video_url:
            raise ValidationError({"video_url": "Paste a YouTube or Vimeo link."})
        super().clean()


class Feature(Piece):
    """A list article: an introduction, then ordered entries."""

    intro = models.TextField(blank=True, help_text=MARKDOWN_HELP)
    intro_html = models.TextField(editable=False, blank=True)

    def get_absolute_url(self):
        return reverse("reviews:feature-detail", args=[self.slug])


class FeatureEntry(VideoFields):
    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="entries")
    order = models.PositiveSmallIntegerField(default=0, help_text="Entries are shown lowest first.")
    release = models.ForeignKey(
        Release,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feature_entries",
        help_text="The release this entry is about, when it is in the catalogue.",
    )
    film = models.ForeignKey(
        Film,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feature_entries",
        help_text="Otherwise the film, when it is in the catalogue.",
    )
    title = models.CharField(
        max_length=200, blank=True, help_text="Otherwise the title as free text."
    )
    heading = models.CharField(
        max_length=200, blank=True, help_text="Shown above the entry; blank uses the title."
    )
    text = models.TextField(
        blank=True,
        help_text="Markdown, as in the introduction; [[track:A1]] links tracks of this entry's release.",
    )
    text_html = models.TextField(editable=False, blank=True)
    image = models.ImageField(upload_to="magazine/", blank=True, validators=[validate_image])
    image_alt = models.CharField("image alt text", max_length=200, blank=True)
    image_credit = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name_plural = "feature entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(release__isnull=False) | Q(film__isnull=False) | ~Q(title=""),
                name="featureentry_names_something",
                violation_error_message="Choose a release or a film, or type the title.",
            ),
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""), name="featureentry_image_has_alt"
            ),
        ]

    def __str__(self):
        return self.display_heading

    @property
    def display_heading(self):
        if self.heading:
            return self.heading
        if self.release_id:
            return self.release.title
        if self.film_id:
            return str(self.film)
        return self.title

    def clean(self):
        super().clean()
        if not (self.release_id or self.film_id or self.title):
            raise ValidationError("Choose a release or a film, or type the title.")
        if self.image and not self.image_alt:
            raise ValidationError(
                {"image_alt": "Describe the image for readers who cannot see it."}
            )
