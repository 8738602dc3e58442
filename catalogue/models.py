"""The catalogue: what exists, as a record collector describes it. No prices, votes or reviews."""

import functools
import re

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

from catalogue.compiled import PreparedSQL
from catalogue.escaping import markup
from catalogue.links import slug_url
from catalogue.markdown import render_markdown
from catalogue.prefetch import init_listened, listed, saved_instance
from catalogue.validators import validate_image

POSITION_RE = re.compile(
    r"^(?:(?P<disc>\d{1,2})-(?P<dnum>\d{1,3})|(?P<side>[A-Z]{1,2})(?P<snum>\d{1,3})?|(?P<num>\d{1,3}))$"
)


def parse_position(position):
    """Split a sleeve position into (group, number): "B3" -> ("B", 3), "2-4" -> ("2", 4), "7" -> ("", 7)."""
    match = POSITION_RE.match(position.strip().upper())
    if not match:
        return None
    if match["disc"]:
        return match["disc"], int(match["dnum"])
    if match["side"]:
        return match["side"], int(match["snum"] or 0)
    return "", int(match["num"])


class PublishedQuerySet(models.QuerySet):
    def published(self):
        # Now() is the database's clock at query time: a queryset built once (a view's class
        # attribute) must not freeze the moment it was built.
        return self.filter(status=Status.PUBLISHED, published_at__lte=Now())


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


# Below this many credits, the artist page gathers the artist's release ids first (see
# Artist.release_ids_by_role); from it on, its shelves walk the releases in order.
ARTIST_IDS_BELOW = 10_000

# An artist's release ids, each with whether the credit is "Composed By": their release credits,
# then the releases of their track credits (artist page shelves, Artist.release_ids_by_role).
_RELEASE_IDS_BY_ROLE = """
SELECT c.release_id, role.name = %s
  FROM catalogue_credit c JOIN catalogue_role role ON role.id = c.role_id
 WHERE c.artist_id = %s
UNION ALL
SELECT ta.release_id, false FROM catalogue_trackartist ta WHERE ta.artist_id = %s
LIMIT %s
"""


@functools.cache
def _release_ids_by_role():
    """_RELEASE_IDS_BY_ROLE prepared on each connection (catalogue/compiled.py): planned on every
    artist page, it spent longer in the planner than in its two index scans."""
    credits, tracks = object(), object()  # each stands for the artist's id
    params = [COMPOSED_BY, credits, tracks, ARTIST_IDS_BELOW]
    return PreparedSQL(_RELEASE_IDS_BY_ROLE, params, credits=credits, tracks=tracks)


class QuickLoading(models.Model):
    """A model whose rows become instances without Model.__init__.

    Django builds every row a query reads through __init__, which handles keyword arguments and
    sends the pre_init and post_init signals: a list page's 24 cards with their films were 48 such
    instances, 0.78 ms of it in a profile (docs/performance.md). The instance is the one __init__
    would make; a model something listens to at init goes through it as before.
    """

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        if init_listened(cls):
            return super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        return saved_instance(cls, db, field_names, values, fetch_mode)

    def _get_FIELD_display(self, field):
        """What get_<field>_display() returns: Model's, with the field's choices made into a
        dict once per process rather than on every call (16 µs a label; a release page shows a
        dozen). The catalogue's choices are fixed in code."""
        value = getattr(self, field.attname)
        label = _choice_labels(field).get(make_hashable(value), value)
        return force_str(label, strings_only=True)


@functools.cache
def _choice_labels(field):
    return dict(make_hashable(field.flatchoices))


class Artist(QuickLoading):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        GROUP = "group", "Group"

    name = models.CharField(max_length=200)
    sort_name = models.CharField(
        max_length=200,
        blank=True,
        help_text='How the name sorts, e.g. "Martinez, Cliff". Blank sorts by name.',
    )
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSON)
    bio = models.TextField(
        blank=True, help_text="A short biography in plain text, two or three sentences."
    )
    image = models.ImageField(upload_to="artists/", blank=True, validators=[validate_image])

    class Meta:
        ordering = ["sort_name", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("catalogue:artist-detail", self.slug)

    def release_ids_by_role(self):
        """(composed, appears on) release ids, from one query over the artist's release and track
        credits; None when the artist has ARTIST_IDS_BELOW credits or more.

        The artist page's shelves walk the releases in year order and check each against the
        artist's credits (ReleaseQuerySet.appearing), the only way that stays quick for an artist
        on tens of thousands of releases. For an artist on a few thousand, PostgreSQL still chose
        that walk and checked tens of thousands of releases for a shelf of 24 (150-250 ms at
        100,000 releases); their ids, gathered first, make the shelves a few index lookups.
        """
        statement = _release_ids_by_role()
        with connection.cursor() as cursor:
            cursor.execute(*statement.execute_sql(connection, credits=self.pk, tracks=self.pk))
            rows = cursor.fetchall()
        if len(rows) >= ARTIST_IDS_BELOW:
            return None
        composed = {release_id for release_id, is_composer in rows if is_composer}
        appears_on = {release_id for release_id, is_composer in rows if not is_composer}
        return composed, appears_on - composed


class Label(QuickLoading):
    """A record label, also used for the companies named on a pressing (licensors, distributors)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("catalogue:label-detail", self.slug)


class Role(QuickLoading):
    """A credit role from the controlled vocabulary: Composed By, Producer, Director..."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(
        default=100, help_text="Roles are listed on a release page in this order, lowest first."
    )

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Genre(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Film(QuickLoading):
    class Kind(models.TextChoices):
        FILM = "film", "Film"
        SERIES = "series", "TV series"
        GAME = "game", "Video game"
        DOCUMENTARY = "documentary", "Documentary"

    title = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.FILM)
    poster = models.ImageField(upload_to="posters/", blank=True, validators=[validate_image])

    class Meta:
        ordering = ["title", "year"]
        indexes = [models.Index(fields=["kind"])]

    def __str__(self):
        return f"{self.title} ({self.year})" if self.year else self.title

    def get_absolute_url(self):
        return slug_url("catalogue:film-detail", self.slug)


class FilmCredit(models.Model):
    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="credits")
    artist = models.ForeignKey(Artist, on_delete=models.PROTECT, related_name="film_credits")
    role = models.ForeignKey(Role, on_delete=models.PROTECT)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.role}: {self.artist}"


class Accolade(models.Model):
    """Praise for the film, e.g. "No. 1 film of 2011" from Rolling Stone."""

    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="accolades")
    text = models.CharField(max_length=200, help_text='e.g. "No. 1 film of 2011".')
    source = models.CharField(
        max_length=200, blank=True, help_text='Who said it, e.g. "Rolling Stone".'
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "id"]

    def __str__(self):
        return self.text


# The role whose credits make an artist a release's composer (the list's composer filter).
COMPOSED_BY = "Composed By"


def composer_credits(artist):
    """The artist's composer credits on the outer query's release."""
    return Credit.objects.filter(
        release=models.OuterRef("pk"), artist=artist, role__name=COMPOSED_BY
    )


class ReleaseQuerySet(PublishedQuerySet):
    def for_cards(self, *extra_fields):
        """Only what a release card shows, with its badges, from the release's and its film's
        rows: the composer and the badges' facts are kept on the release's row."""
        today = timezone.localdate()
        return (
            self.select_related("film")
            .only(
                "title",
                "slug",
                "cover",
                "cover_alt",
                "original_year",
                "published_at",
                "film__title",
                "film__year",
                "film__slug",
                *extra_fields,
            )
            .annotate(
                composer_name=models.F("card_composer"),
                has_limited=models.F("has_limited_pressing"),
                has_preorder=models.ExpressionWrapper(
                    models.Q(latest_pressing_date__gt=today),
                    output_field=models.BooleanField(),
                ),
            )
        )

    def with_format(self, fmt):
        """Releases with a pressing in this format (read from the release's own row)."""
        return self.filter(pressing_formats__contains=[fmt])

    def with_colour(self, colour_family):
        """Releases with a pressing in this colour family (read from the release's own row)."""
        return self.filter(pressing_colours__contains=[colour_family])

    def on_label(self, label):
        return self.filter(
            models.Exists(Pressing.objects.filter(release=models.OuterRef("pk"), label=label))
        )

    def composed_by(self, artist):
        return self.filter(models.Exists(composer_credits(artist)))

    def appearing(self, artist):
        """Releases the artist is on other than as composer, as two querysets: those crediting
        the artist in another role, and those with a track by the artist.

        Each is a semi-join the database can run either way round: walking the releases in the
        order asked and checking each, for an artist on thousands of them, or starting from the
        artist's few credits. One query for both (an OR, or a UNION of release ids) would collect
        every release of the artist first, 40,000 of them for the busiest at 100,000 releases.
        """
        not_composed = self.exclude(models.Exists(composer_credits(artist)))
        in_another_role = Credit.objects.filter(
            release=models.OuterRef("pk"), artist=artist
        ).exclude(role__name=COMPOSED_BY)
        on_a_track = TrackArtist.objects.filter(release=models.OuterRef("pk"), artist=artist)
        return (
            not_composed.filter(models.Exists(in_another_role)),
            not_composed.filter(models.Exists(on_a_track)),
        )

    def from_decade(self, decade):
        return self.filter(original_year__gte=decade, original_year__lt=decade + 10)

    def limited(self):
        """Releases with a limited pressing still to be had."""
        return self.filter(
            models.Exists(
                Pressing.objects.filter(
                    release=models.OuterRef("pk"), edition_size__isnull=False
                ).exclude(availability=Pressing.Availability.OUT_OF_PRINT)
            )
        )

    def upcoming(self):
        """Releases with a pressing whose release date is still ahead: pre-orders."""
        return self.filter(
            models.Exists(
                Pressing.objects.filter(
                    release=models.OuterRef("pk"), release_date__gt=timezone.localdate()
                )
            )
        )


class Release(QuickLoading):
    class Type(models.TextChoices):
        SCORE = "score", "Original score"
        COMPILATION = "compilation", "Soundtrack compilation"
        SCORE_AND_SONGS = "score_and_songs", "Score and songs"

    class EmbedProvider(models.TextChoices):
        YOUTUBE = "youtube", "YouTube"
        VIMEO = "vimeo", "Vimeo"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    film = models.ForeignKey(
        Film, on_delete=models.SET_NULL, null=True, blank=True, related_name="releases"
    )
    release_type = models.CharField(max_length=20, choices=Type.choices, default=Type.SCORE)
    original_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The year the album first came out, in any format."
    )
    cover = models.ImageField(upload_to="covers/", blank=True, validators=[validate_image])
    cover_alt = models.CharField(
        max_length=200, blank=True, help_text="Describe the sleeve for readers who cannot see it."
    )
    description = models.TextField(
        "the details",
        blank=True,
        help_text="The editors' text about this release, in Markdown: **bold**, *italic*, [links](https://…), "
        "blank lines between paragraphs.",
    )
    # The details as sanitised HTML, rendered from the Markdown by save(): a page nobody has asked
    # for yet no longer renders it (0.4 ms of a cold release page for one sentence). A writer that
    # bypasses save() and changes the description sets it too (seed_catalogue does); a row
    # without it (fixtures, bulk inserts) is rendered on the page, as before.
    description_html = models.TextField(blank=True, editable=False)
    genres = models.ManyToManyField(Genre, blank=True, related_name="releases")
    embed_provider = models.CharField(max_length=10, choices=EmbedProvider.choices, blank=True)
    embed_id = models.CharField(max_length=64, blank=True)
    embed_is_playlist = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the release appears on the site. Set when it is published.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept up to date by catalogue.search.update_search_vectors(); weighted A (title, film) to D.
    search_vector = SearchVectorField(null=True, editable=False)
    # The words of the release's own title: a search with too many matches to rank one by one
    # lists the releases whose title holds every word first. Stored, as to_tsvector() costs more
    # than the rest of checking a row.
    title_vector = SearchVectorField(null=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    # The distinct formats and colour families of the release's pressings, for the list's filters:
    # kept by the database's triggers (catalogue/migrations/0005), whatever writes them.
    pressing_formats = ArrayField(models.CharField(max_length=10), default=list, editable=False)
    pressing_colours = ArrayField(models.CharField(max_length=10), default=list, editable=False)
    # What a card shows beside the title, on the release's own row, kept by the database's
    # triggers (catalogue/migrations/0009) from its credits, artists and pressings: the first
    # composer as credited, whether a pressing is limited, and the latest pressing's date (a
    # date after today makes a pre-order).
    card_composer = models.CharField(max_length=200, blank=True, editable=False)
    has_limited_pressing = models.BooleanField(default=False, editable=False)
    latest_pressing_date = models.DateField(null=True, editable=False)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            # Both carry what the list's filters read, so a deep page of a filtered list walks
            # the index alone, never the wide rows (docs/performance.md).
            models.Index(
                fields=["status", "-published_at", "-id"],
                include=["pressing_formats", "pressing_colours"],
                name="release_published_idx",
            ),
            models.Index(
                fields=["title", "id"],
                include=["status", "published_at", "pressing_formats", "pressing_colours"],
                name="release_title_idx",
            ),
            # The decade filter, and artist and film pages, newest first by year.
            models.Index(
                fields=["-original_year", "-published_at", "-id"], name="release_year_order_idx"
            ),
            GinIndex(fields=["search_vector"], name="release_search_idx"),
            GinIndex(fields=["title_vector"], name="release_title_vector_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_release_has_date",
            ),
        ]

    def __str__(self):
        return self.title

    def composers(self):
        """The release's "Composed By" credits (not a track's), in credit order, read from its
        prefetched or placed credits when it has them."""
        return [c for c in listed(self, "credits") if c.role.name == COMPOSED_BY and not c.track_id]

    def get_absolute_url(self):
        return slug_url("catalogue:release-detail", self.slug)

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            # A deferred description is not written, and loading it would cost a query.
            writes_description = "description" not in self.get_deferred_fields()
        else:
            writes_description = "description" in update_fields
        if writes_description:
            self.description_html = render_markdown(self.description)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "description_html"}
        super().save(*args, **kwargs)

    def description_as_html(self):
        """The details as safe HTML: the HTML save() rendered, or rendered now for a row written
        without save()."""
        if self.description_html or not self.description:
            return markup(self.description_html)  # sanitised by render_markdown
        return render_markdown(self.description)

    @property
    def is_public(self):
        return (
            self.status == Status.PUBLISHED
            and self.published_at
            and self.published_at <= timezone.now()
        )


class RiylEntry(models.Model):
    """One name in the "recommended if you like" line, linked when the artist is in the catalogue."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="riyl")
    artist = models.ForeignKey(
        Artist, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(
        max_length=200, blank=True, help_text="Used when the artist is not in the catalogue."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "RIYL entry"
        verbose_name_plural = "RIYL (recommended if you like)"
        constraints = [
            models.CheckConstraint(
                condition=Q(artist__isnull=False) | ~Q(name=""), name="riyl_names_someone"
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return self.name or self.artist.name


class Track(QuickLoading):
    class Kind(models.TextChoices):
        SCORE = "score", "Original score cue"
        SONG = "song", "Licensed song"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="tracks")
    position = models.CharField(
        max_length=8,
        help_text="As printed on the sleeve: A1, B2 … for vinyl sides, 1-1, 2-3 for discs, or 1, 2, 3.",
    )
    side = models.CharField(max_length=4, blank=True, editable=False)
    number = models.PositiveSmallIntegerField(default=0, editable=False)
    title = models.CharField(max_length=300)
    duration = models.PositiveIntegerField(null=True, blank=True, help_text="Length in seconds.")
    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.SCORE)
    scene_note = models.CharField(
        max_length=300,
        blank=True,
        help_text='Where it plays in the film, e.g. "title credits". Shown behind a spoiler toggle.',
    )

    class Meta:
        ordering = ["release", "side", "number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["release", "position"], name="unique_track_position"),
            models.CheckConstraint(
                condition=Q(duration__isnull=True) | Q(duration__gt=0),
                name="track_duration_positive",
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"

    def get_absolute_url(self):
        return f"{self.release.get_absolute_url()}#track-{self.anchor}"

    @property
    def anchor(self):
        return self.position.lower()

    def set_side_and_number(self):
        """Derive the grouping fields from the sleeve position."""
        parsed = parse_position(self.position) or ("", 0)
        self.side, self.number = parsed

    def save(self, *args, **kwargs):
        self.set_side_and_number()
        super().save(*args, **kwargs)


class TrackArtist(models.Model):
    """One name in a track's artist credit; join phrases make "College feat. Electric Youth".

    ``release`` is the track's release, written by database triggers on every write of a credit
    or a track (catalogue/migrations/0006_trackartist_release.py), never by the application: an
    artist's releases and whether a release has a track by an artist are then one index lookup,
    not a lookup of each of the release's tracks.
    """

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="artist_credit")
    artist = models.ForeignKey(
        Artist, on_delete=models.PROTECT, related_name="track_credits", db_index=False
    )
    release = models.ForeignKey(
        Release,
        on_delete=models.DO_NOTHING,  # the credit goes with its track
        db_constraint=False,  # the track's own key holds the release
        related_name="+",
        editable=False,
        null=True,  # written NULL by the application, filled in by the trigger
        db_index=False,  # trackartist_release_artist_idx leads with it
    )
    credited_as = models.CharField(
        max_length=200, blank=True, help_text="The name as printed, if not the artist's own."
    )
    join_phrase = models.CharField(
        max_length=30,
        blank=True,
        help_text='What follows this name: " & ", " feat. ", ", ". Blank for the last name.',
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        indexes = [
            # An artist's releases (artist pages), and a release's credit for an artist.
            models.Index(fields=["artist", "release"], name="trackartist_artist_release_idx"),
            models.Index(fields=["release", "artist"], name="trackartist_release_artist_idx"),
        ]

    def __str__(self):
        return self.name + self.join_phrase

    @property
    def name(self):
        return self.credited_as or self.artist.name


class Credit(QuickLoading):
    """A person's role on a release, or on one of its tracks."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="credits")
    track = models.ForeignKey(
        Track, on_delete=models.CASCADE, null=True, blank=True, related_name="credits"
    )
    artist = models.ForeignKey(Artist, on_delete=models.PROTECT, related_name="credits")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="credits")
    credited_as = models.CharField(
        max_length=200, blank=True, help_text="The name as printed, if not the artist's own."
    )
    note = models.CharField(
        max_length=200, blank=True, help_text='e.g. "tracks A1 to A5" or "cristal baschet".'
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["role__order", "order", "id"]
        indexes = [
            # An artist's credits by role, with their releases: read from the index alone.
            models.Index(
                fields=["artist", "role"],
                include=["release", "track"],
                name="credit_artist_role_idx",
            )
        ]

    def __str__(self):
        return f"{self.role}: {self.name}"

    @property
    def name(self):
        return self.credited_as or self.artist.name


class Pressing(QuickLoading):
    """One edition of a release: the thing a shopper buys. Price and stock live in the shop."""

    class Format(models.TextChoices):
        LP = "lp", "LP"
        LP2 = "2lp", "2×LP"
        LP3 = "3lp", "3×LP"
        TEN = "10in", '10"'
        SEVEN = "7in", '7"'
        CD = "cd", "CD"
        CASSETTE = "cassette", "Cassette"
        DIGITAL = "digital", "Digital"

    class Colour(models.TextChoices):
        BLACK = "black", "Black"
        PINK = "pink", "Pink"
        RED = "red", "Red"
        ORANGE = "orange", "Orange"
        YELLOW = "yellow", "Yellow"
        GREEN = "green", "Green"
        BLUE = "blue", "Blue"
        PURPLE = "purple", "Purple"
        WHITE = "white", "White"
        CLEAR = "clear", "Clear"
        SILVER = "silver", "Silver / grey"
        GOLD = "gold", "Gold"
        MULTI = "multi", "Multicolour"

    class Availability(models.TextChoices):
        ANNOUNCED = "announced", "Announced"
        AVAILABLE = "available", "Available"
        OUT_OF_PRINT = "out_of_print", "Out of print"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="pressings")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="pressings")
    catalogue_number = models.CharField(max_length=50, blank=True)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.LP)
    colour = models.CharField(
        max_length=100,
        blank=True,
        help_text='The vinyl colour as the label names it, e.g. "Hot pink". Blank for black.',
    )
    colour_family = models.CharField(
        max_length=10,
        choices=Colour.choices,
        default=Colour.BLACK,
        help_text="Used by the colour filter.",
    )
    effect = models.CharField(
        max_length=50, blank=True, help_text='e.g. "splatter", "marbled", "picture disc".'
    )
    weight_grams = models.PositiveSmallIntegerField(null=True, blank=True, help_text="e.g. 180.")
    edition_size = models.PositiveIntegerField(
        null=True, blank=True, help_text="Copies pressed, for a limited edition."
    )
    numbered = models.BooleanField(default=False, help_text="Each copy carries its own number.")
    exclusive = models.CharField(
        max_length=100, blank=True, help_text='e.g. "Needle Drop exclusive".'
    )
    edition_year = models.PositiveSmallIntegerField(null=True, blank=True)
    release_date = models.DateField(
        null=True, blank=True, help_text="A date in the future makes this a pre-order."
    )
    country = models.CharField(max_length=60, blank=True)
    sku = models.CharField(max_length=40, unique=True, help_text="Our stock-keeping code; unique.")
    barcode = models.CharField(max_length=20, blank=True)
    matrix = models.TextField("matrix / runout", blank=True)
    notes = models.CharField(
        max_length=300, blank=True, help_text="One line shown under the pressing."
    )
    availability = models.CharField(
        max_length=14, choices=Availability.choices, default=Availability.AVAILABLE
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        indexes = [
            models.Index(fields=["format", "release"]),
            models.Index(fields=["colour_family", "release"]),
            models.Index(fields=["label", "release"]),
            models.Index(fields=["release_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(edition_size__isnull=True) | Q(edition_size__gt=0),
                name="edition_size_positive",
            ),
        ]

    def __str__(self):
        return f"{self.release.title}: {self.description}"

    def get_absolute_url(self):
        return f"{self.release.get_absolute_url()}#pressing-{self.pk}"

    @property
    def description(self):
        """A one-line description: "LP, hot pink, 180 g, limited to 500"."""
        parts = [self.get_format_display()]
        colour = " ".join(filter(None, [self.colour, self.effect]))
        if colour:
            parts.append(colour)
        if self.weight_grams:
            parts.append(f"{self.weight_grams} g")
        if self.edition_size:
            parts.append(f"{'numbered, ' if self.numbered else ''}limited to {self.edition_size:,}")
        return ", ".join(parts)

    @property
    def is_preorder(self):
        return bool(self.release_date and self.release_date > timezone.localdate())

    @property
    def is_limited(self):
        return self.edition_size is not None


class PressingCompany(models.Model):
    class Role(models.TextChoices):
        LICENSED_FROM = "licensed_from", "Licensed from"
        DISTRIBUTED_BY = "distributed_by", "Distributed by"
        MANUFACTURED_BY = "manufactured_by", "Manufactured by"
        MARKETED_BY = "marketed_by", "Marketed by"

    pressing = models.ForeignKey(Pressing, on_delete=models.CASCADE, related_name="companies")
    company = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="company_roles")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["role", "id"]
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(
                fields=["pressing", "company", "role"], name="unique_pressing_company_role"
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.company}"


class PressingImage(models.Model):
    pressing = models.ForeignKey(Pressing, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="pressings/", validators=[validate_image])
    alt = models.CharField(
        max_length=200, help_text="What the photo shows, for readers who cannot see it."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.alt


class Endorsement(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="endorsements")
    quote = models.TextField()
    name = models.CharField(max_length=200, help_text="Who said it.")
    affiliation = models.CharField(
        max_length=200, blank=True, help_text='e.g. "Portishead / Invada".'
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.name}: {self.quote[:40]}"


class ChartEntry(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="chart_entries")
    chart = models.CharField(max_length=100, help_text='e.g. "Billboard 200" or "iTunes albums".')
    peak = models.PositiveSmallIntegerField(help_text="Peak position.")
    date = models.DateField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(
        max_length=200, blank=True, help_text='e.g. "within a week of the digital release".'
    )

    class Meta:
        ordering = ["peak", "id"]
        verbose_name_plural = "chart entries"
        constraints = [models.CheckConstraint(condition=Q(peak__gt=0), name="chart_peak_positive")]

    def __str__(self):
        return f"No. {self.peak}, {self.chart}"


class SearchWord(models.Model):
    """A word of a release's title, film, artists, labels or tracks, for search to look words up in.

    Search finds here the close spellings of a misspelt word and the title words a typed prefix
    stands for. Kept up to date by catalogue.search.update_search_vectors(). One row per distinct
    word, not per release, so each look-up is an index lookup whatever the size of the catalogue.
    """

    # The word as the search vector holds it (lower-case). C collation: byte order, so "words
    # starting with" is a range of the primary key's index.
    word = models.CharField(max_length=100, primary_key=True, db_collation="C")
    display = models.CharField(max_length=100, help_text='As written, e.g. "Kavinsky".')
    in_titles = models.BooleanField(default=False, help_text="In some release's own title.")

    class Meta:
        indexes = [GinIndex(OpClass("word", name="gin_trgm_ops"), name="searchword_trgm")]

    def __str__(self):
        return self.display


class SearchLexeme(models.Model):
    """Every word (lexeme) of the releases' search vectors, for a typed prefix to stand for.

    Search looks "pablo" up as the words starting with it ("pablo", "pablos", …) rather than as a
    prefix: PostgreSQL reads a prefix from the search index by gathering every release holding a
    word that starts with it, a cost that grows with the catalogue, while exact words it can
    intersect with the query's other words cheaply (docs/performance.md). So that a prefix and its
    words always find the same releases, a word is added with the vector that holds it
    (catalogue.search.update_search_vectors) and never removed: a word no release holds any more
    matches nothing, where a missing one would lose matches.
    """

    # C collation: byte order, so "starting with" is a range of the primary key's index.
    lexeme = models.TextField(primary_key=True, db_collation="C")

    def __str__(self):
        return self.lexeme
