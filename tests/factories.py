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


# Catalogue pages: the rest of a release page's pieces.
from catalogue.models import (  # noqa: E402
    Accolade,
    ChartEntry,
    Endorsement,
    PressingCompany,
    RiylEntry,
)


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
