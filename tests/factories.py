import factory
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from catalogue.models import (
    Artist,
    Credit,
    Film,
    Label,
    Pressing,
    Release,
    Role,
    Status,
    Track,
    TrackArtist,
)


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


# --- Shop -----------------------------------------------------------------------------------

from decimal import Decimal  # noqa: E402

from shop.models import Price, ShippingRate, Stock  # noqa: E402


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
