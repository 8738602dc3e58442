from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from catalogue.models import (
    Accolade,
    Artist,
    ChartEntry,
    Credit,
    Endorsement,
    Film,
    Label,
    Pressing,
    PressingCompany,
    Release,
    RiylEntry,
    Role,
    Status,
    Track,
    TrackArtist,
)
from reviews.models import Author, Feature, FeatureEntry, Review
from reviews.models import Status as PieceStatus
from shop.models import Price, ShippingRate, Stock


class ArtistFactory(DjangoModelFactory):
    class Meta:
        model = Artist

    name = factory.Sequence(lambda n: f"Composer {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class LabelFactory(DjangoModelFactory):
    class Meta:
        model = Label

    name = factory.Sequence(lambda n: f"Label {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class RoleFactory(DjangoModelFactory):
    class Meta:
        model = Role
        django_get_or_create = ("slug",)

    name = "Composed By"
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class FilmFactory(DjangoModelFactory):
    class Meta:
        model = Film

    title = factory.Sequence(lambda n: f"Film {n}")
    year = 2011
    slug = factory.LazyAttribute(lambda o: slugify(o.title))


class ReleaseFactory(DjangoModelFactory):
    class Meta:
        model = Release

    title = factory.Sequence(lambda n: f"Original Score {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    film = factory.SubFactory(FilmFactory)
    original_year = 2011
    status = Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class TrackFactory(DjangoModelFactory):
    class Meta:
        model = Track

    release = factory.SubFactory(ReleaseFactory)
    position = factory.Sequence(lambda n: f"A{n + 1}")
    title = factory.Sequence(lambda n: f"Cue {n}")
    duration = 180


class TrackArtistFactory(DjangoModelFactory):
    class Meta:
        model = TrackArtist

    track = factory.SubFactory(TrackFactory)
    artist = factory.SubFactory(ArtistFactory)


class CreditFactory(DjangoModelFactory):
    class Meta:
        model = Credit

    release = factory.SubFactory(ReleaseFactory)
    artist = factory.SubFactory(ArtistFactory)
    role = factory.SubFactory(RoleFactory)


class PressingFactory(DjangoModelFactory):
    class Meta:
        model = Pressing

    release = factory.SubFactory(ReleaseFactory)
    label = factory.SubFactory(LabelFactory)
    catalogue_number = factory.Sequence(lambda n: f"CAT{n:04d}")
    format = Pressing.Format.LP
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")


# Magazine (reviews app).


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@needledrop.test")
    password = factory.django.Password("a-long-test-password")


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = Author

    user = factory.SubFactory(UserFactory, is_staff=True)
    display_name = factory.Sequence(lambda n: f"Writer {n}")


class PieceFactory(DjangoModelFactory):
    """A published piece; pass status=PieceStatus.DRAFT (and publish_at=None) for a draft."""

    headline = factory.Sequence(lambda n: f"Headline {n}")
    standfirst = "A one-line deck."
    slug = factory.LazyAttribute(lambda o: slugify(o.headline))
    status = PieceStatus.PUBLISHED
    publish_at = factory.LazyFunction(timezone.now)
    first_published_at = factory.LazyAttribute(lambda o: o.publish_at)

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create:
            self.authors.add(*(extracted if extracted is not None else [AuthorFactory()]))


class ReviewFactory(PieceFactory):
    class Meta:
        model = Review
        skip_postgeneration_save = True

    body = "Some *Markdown* text about the record."
    body_html = "<p>Some <em>Markdown</em> text about the record.</p>"

    @factory.post_generation
    def releases(self, create, extracted, **kwargs):
        if create:
            self.releases.add(*(extracted if extracted is not None else [ReleaseFactory()]))


class FeatureFactory(PieceFactory):
    class Meta:
        model = Feature
        skip_postgeneration_save = True

    intro = "An introduction."
    intro_html = "<p>An introduction.</p>"


class FeatureEntryFactory(DjangoModelFactory):
    class Meta:
        model = FeatureEntry

    feature = factory.SubFactory(FeatureFactory)
    release = factory.SubFactory(ReleaseFactory)
    order = factory.Sequence(lambda n: n)
    heading = factory.Sequence(lambda n: f"Entry {n}")
    text = "Why it matters."
    text_html = "<p>Why it matters.</p>"


# Ratings: a stored vote (tallies follow through ratings.services, so tests of counts use those).
class VoteFactory(DjangoModelFactory):
    class Meta:
        model = "ratings.Vote"

    release = factory.SubFactory(ReleaseFactory)
    voter_key = factory.Sequence(lambda n: f"c:factory-voter-{n:08d}")
    answer = "buying"
    address_hash = factory.Sequence(lambda n: f"{n:064x}")


# Catalogue pages: the rest of a release page's pieces.


class AccoladeFactory(DjangoModelFactory):
    class Meta:
        model = Accolade

    film = factory.SubFactory(FilmFactory)
    text = "No. 1 film of the year"
    source = "A film magazine"


class RiylEntryFactory(DjangoModelFactory):
    class Meta:
        model = RiylEntry

    release = factory.SubFactory(ReleaseFactory)
    artist = factory.SubFactory(ArtistFactory)
    order = factory.Sequence(lambda n: n)


class PressingCompanyFactory(DjangoModelFactory):
    class Meta:
        model = PressingCompany

    pressing = factory.SubFactory(PressingFactory)
    company = factory.SubFactory(LabelFactory)
    role = PressingCompany.Role.LICENSED_FROM


class EndorsementFactory(DjangoModelFactory):
    class Meta:
        model = Endorsement

    release = factory.SubFactory(ReleaseFactory)
    quote = factory.Sequence(lambda n: f"A record worth owning, reason {n}.")
    name = factory.Sequence(lambda n: f"Critic {n}")


class ChartEntryFactory(DjangoModelFactory):
    class Meta:
        model = ChartEntry

    release = factory.SubFactory(ReleaseFactory)
    chart = "Billboard 200"
    peak = 35
    year = 2011


# --- Shop -----------------------------------------------------------------------------------


class PriceFactory(DjangoModelFactory):
    class Meta:
        model = Price

    pressing = factory.SubFactory(PressingFactory)
    amount = Decimal("28.60")


class StockFactory(DjangoModelFactory):
    class Meta:
        model = Stock

    pressing = factory.SubFactory(PressingFactory)
    on_hand = 20


class ShippingRateFactory(DjangoModelFactory):
    class Meta:
        model = ShippingRate

    name = "UK, tracked"
    zone = "UK"
    countries = "GB"
    amount = Decimal("8.00")


def pressing_on_sale(*, amount=Decimal("28.60"), on_hand=20, release=None, **stock):
    """A pressing with a price and stock, ready to sell."""
    pressing = PressingFactory(release=release) if release else PressingFactory()
    PriceFactory(pressing=pressing, amount=amount)
    StockFactory(pressing=pressing, on_hand=on_hand, **stock)
    return pressing
