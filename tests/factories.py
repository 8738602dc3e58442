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


# Ratings: a stored vote (tallies follow through ratings.services, so tests of counts use those).
class VoteFactory(DjangoModelFactory):
    class Meta:
        model = "ratings.Vote"

    release = factory.SubFactory(ReleaseFactory)
    voter_key = factory.Sequence(lambda n: f"c:factory-voter-{n:08d}")
    answer = "buying"
    address_hash = factory.Sequence(lambda n: f"{n:064x}")
