from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.db.models import F
from django.utils import timezone

from catalogue.compiled import CompiledQuery
from catalogue.models import Release, Status, Track
from tests.factories import ReleaseFactory, TrackFactory

pytestmark = pytest.mark.django_db

MARK = "\x00mark"


def test_a_compiled_query_gives_what_its_queryset_gives(django_assert_num_queries):
    queryset = Release.objects.published().select_related("film").filter(slug=MARK)
    compiled = CompiledQuery(queryset, slug=MARK)  # compiled before the rows exist
    release = ReleaseFactory(published_at=timezone.now() - timedelta(days=1))
    draft = ReleaseFactory(status=Status.DRAFT, published_at=None)
    with django_assert_num_queries(1):
        [found] = compiled.run(slug=release.slug)
        assert found.film.title == release.film.title  # select_related came along
    assert found == Release.objects.get(slug=release.slug)
    assert compiled.run(slug=draft.slug) == []
    Release.objects.filter(pk=draft.pk).update(status=Status.PUBLISHED, published_at=timezone.now())
    assert compiled.run(slug=draft.slug) == [draft]  # "published" is read when the query runs


def test_annotations_and_order_survive():
    release = ReleaseFactory()
    for number in (3, 1, 2):
        TrackFactory(release=release, position=f"A{number}")
    other = TrackFactory(position="B1")

    queryset = Track.objects.filter(release_id=-1).annotate(twice=F("number") * 2)
    compiled = CompiledQuery(queryset, release=-1)
    tracks = compiled.run(release=release.pk)
    assert [(t.number, t.twice) for t in tracks] == [(1, 2), (2, 4), (3, 6)]
    assert [t.pk for t in compiled.run(release=other.release_id)] == [other.pk]


def test_a_mark_must_name_one_parameter():
    with pytest.raises(ValueError, match="appears 0 times"):
        CompiledQuery(Release.objects.filter(slug="x"), slug=MARK)
    with pytest.raises(ValueError, match="appears 2 times"):
        CompiledQuery(Release.objects.filter(slug=MARK, title=MARK), slug=MARK)
    with pytest.raises(ValueError, match="cannot prefetch"):
        CompiledQuery(Release.objects.filter(slug=MARK).prefetch_related("tracks"), slug=MARK)


@pytest.mark.django_db(transaction=True)
def test_each_connection_prepares_the_statement_once():
    release = ReleaseFactory()
    compiled = CompiledQuery(Release.objects.filter(slug=MARK), slug=MARK)

    def prepared():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [compiled.name]
            )
            return cursor.fetchone()[0]

    assert prepared() == 0
    assert compiled.run(slug=release.slug) == [release]
    assert compiled.run(slug="no-such-release") == []
    assert prepared() == 1
    connection.close()  # as after a restart of the database: the next connection is a new one
    assert prepared() == 0
    assert compiled.run(slug=release.slug) == [release]
    assert prepared() == 1


@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_before_preparing_raises_djangos_database_error():
    # The error pages answer 503 to Django's database errors; psycopg's own would be a 500.
    compiled = CompiledQuery(Release.objects.filter(slug=MARK), slug=MARK)
    connection.ensure_connection()
    connection.connection.close()  # as when the database restarts under an open connection
    with pytest.raises(DatabaseError):
        compiled.run(slug="anything")
    connection.close()
    assert compiled.run(slug="anything") == []  # a new connection prepares it again


def test_runs_leave_the_compiled_queryset_as_it_was():
    release = ReleaseFactory()
    TrackFactory(release=release, position="A1")
    queryset = Track.objects.filter(release_id=-1)
    compiled = CompiledQuery(queryset, release=-1)
    where_before = str(queryset.query.where)
    first = compiled.run(release=release.pk)
    second = compiled.run(release=release.pk)
    assert first == second and first is not second and first[0] is not second[0]
    # Each run answered from its own copy: the queryset itself never ran and compiles as before.
    assert "get_compiler" not in vars(queryset.query)
    assert queryset._result_cache is None
    assert str(queryset.query.where) == where_before
