from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Model, signals
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from catalogue.compiled import CompiledQuery, Statement, id_marks, run_for_ids, run_together
from catalogue.models import Release, Status, Track
from catalogue.views import _release_page_parts, release_page_queries
from tests.factories import (
    CreditFactory,
    PressingFactory,
    ReleaseFactory,
    TrackArtistFactory,
    TrackFactory,
    pressing_on_sale,
)

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


def test_a_query_without_marks_runs_with_its_fixed_values(django_assert_num_queries):
    compiled = CompiledQuery(Release.objects.filter(status=Status.DRAFT).order_by("title"))
    drafts = [ReleaseFactory(title=title, status=Status.DRAFT, published_at=None) for title in "BA"]
    ReleaseFactory(published_at=timezone.now() - timedelta(days=1))
    with django_assert_num_queries(1):
        assert compiled.run() == drafts[::-1]


@pytest.mark.django_db(transaction=True)
def test_a_locking_query_runs_only_inside_a_transaction():
    """As the queryset's own select_for_update(): outside a transaction its lock would end at once."""
    release = ReleaseFactory()
    with transaction.atomic():
        compiled = CompiledQuery(Release.objects.select_for_update().filter(slug=MARK), slug=MARK)
        assert compiled.run(slug=release.slug) == [release]
    with pytest.raises(TransactionManagementError):
        compiled.run(slug=release.slug)


def test_queries_run_together_answer_as_each_alone_in_one_round_trip(django_assert_num_queries):
    by_slug = CompiledQuery(Release.objects.published().filter(slug=MARK), slug=MARK)
    tracks = CompiledQuery(Track.objects.filter(release__slug=MARK).order_by("-id"), slug=MARK)
    drafts = CompiledQuery(Release.objects.filter(status=Status.DRAFT).order_by("title"))
    release = ReleaseFactory(published_at=timezone.now() - timedelta(days=1))
    songs = [TrackFactory(release=release) for _ in range(2)][::-1]
    TrackFactory()  # another release's
    draft = ReleaseFactory(status=Status.DRAFT, published_at=None)
    runs = [(by_slug, {"slug": release.slug}), (tracks, {"slug": release.slug}), (drafts, {})]
    by_slug.run(slug="warm"), tracks.run(slug="warm"), drafts.run()  # each connection prepares once
    with django_assert_num_queries(1):
        together = run_together(*runs)
    assert together == [[release], songs, [draft]]
    assert together == [query.run(**values) for query, values in runs]
    # A statement with no rows keeps its place among the answers.
    assert run_together((by_slug, {"slug": draft.slug}), (tracks, {"slug": release.slug})) == [
        [],
        songs,
    ]


def test_plain_statements_run_in_order_with_compiled_queries(django_assert_num_queries):
    """A write, then a read that sees it, in one round trip; an UPDATE answers with []."""
    by_slug = CompiledQuery(Release.objects.filter(slug=MARK), slug=MARK)
    release = ReleaseFactory(title="Drive")
    rename = Statement(
        "UPDATE catalogue_release SET title = %s WHERE id = %s",
        ["Drive (Deluxe)", release.pk],
        returns_rows=False,
    )
    count = Statement("SELECT count(*) FROM catalogue_release WHERE title = %s", ["Drive (Deluxe)"])
    by_slug.run(slug="warm")
    with django_assert_num_queries(1):
        renamed, [(counted,)], [found] = run_together(
            (rename, {}), (count, {}), (by_slug, {"slug": release.slug})
        )
    assert (renamed, counted, found.title) == ([], 1, "Drive (Deluxe)")


def test_a_query_for_ids_is_compiled_once_per_number_of_ids(django_assert_num_queries):
    compiled = {}

    def query_for_count(count):
        if count not in compiled:
            marks = id_marks(count)
            queryset = Release.objects.filter(pk__in=marks.values()).order_by("pk")
            compiled[count] = CompiledQuery(queryset, **marks)
        return compiled[count]

    first, second, third = ReleaseFactory.create_batch(3)
    assert run_for_ids(query_for_count, [third.pk, first.pk, third.pk]) == [first, third]
    assert run_for_ids(query_for_count, [second.pk, first.pk]) == [first, second]
    assert set(compiled) == {2}  # the same query for any two ids, repeats counted once
    with django_assert_num_queries(0):
        assert run_for_ids(query_for_count, []) == []


@pytest.mark.django_db(transaction=True)
def test_queries_run_together_lock_only_inside_a_transaction():
    release = ReleaseFactory()
    plain = CompiledQuery(Release.objects.filter(slug=MARK), slug=MARK)
    with transaction.atomic():  # Django compiles a locking query only inside a transaction
        locking = CompiledQuery(Release.objects.select_for_update().filter(slug=MARK), slug=MARK)
        runs = [(plain, {"slug": release.slug}), (locking, {"slug": release.slug})]
        assert run_together(*runs) == [[release], [release]]
    with pytest.raises(TransactionManagementError):
        run_together(*runs)


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


def test_the_same_sql_with_other_fixed_values_is_another_statement():
    """The cards' query compiled for a new day has the same SQL as the day before's, with
    another date written into the prepared statement: a connection must prepare both."""
    old = ReleaseFactory(title="Older", published_at=timezone.now() - timedelta(days=30))
    new = ReleaseFactory(title="Newer", published_at=timezone.now() - timedelta(days=1))

    def since(days):
        queryset = Release.objects.filter(
            slug=MARK, published_at__gte=timezone.now() - timedelta(days=days)
        )
        return CompiledQuery(queryset, slug=MARK)

    week, year = since(7), since(365)
    assert week.sql == year.sql and week.name != year.name
    assert week.run(slug=old.slug) == []
    assert year.run(slug=old.slug) == [old]  # on the connection that prepared the week's
    assert week.run(slug=new.slug) == [new]


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


def test_rows_become_the_instances_django_would_make():
    """QuickLoading.from_db against Model.from_db: every loaded field and deferred one, the
    state, a deferred field loading on access, and related objects from select_related."""
    release = ReleaseFactory(title="Drive", description="Neon and synths.")
    every = [field.attname for field in Release._meta.concrete_fields]
    for queryset, names in (
        (Release.objects.all(), every),
        (Release.objects.only("title", "slug"), ["id", "title", "slug"]),
        (
            Release.objects.select_related("film").only("title", "film__title"),
            ["id", "title", "film_id"],
        ),
    ):
        quick = queryset.get(pk=release.pk)
        values = Release.objects.filter(pk=release.pk).values_list(*names).get()
        django = Model.from_db.__func__(Release, "default", names, values)
        own = {key: value for key, value in quick.__dict__.items() if key != "_state"}
        assert own == {key: value for key, value in django.__dict__.items() if key != "_state"}
        assert quick.get_deferred_fields() == django.get_deferred_fields()
        assert (quick._state.adding, quick._state.db) == (False, "default")
    assert quick.film.title == release.film.title
    assert Release.objects.only("title").get(pk=release.pk).description == "Neon and synths."


def test_a_model_listened_to_at_init_is_built_through_init():
    release = ReleaseFactory()
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance.pk)

    signals.post_init.connect(listener, sender=Release)
    try:
        Release.objects.get(pk=release.pk)
    finally:
        signals.post_init.disconnect(listener, sender=Release)
    assert seen == [release.pk]


def _loaded(instance, seen=()):
    """An instance's own values, its annotations and its select_related objects, recursively
    (an object met again on the way down, as a reverse one-to-one's back reference, by its type)."""
    if any(instance is other for other in seen):
        return type(instance).__name__
    own = {
        k: v for k, v in vars(instance).items() if k not in {"_state", "_prefetched_objects_cache"}
    }
    related = {
        name: None if obj is None else _loaded(obj, (*seen, instance))
        for name, obj in instance._state.fields_cache.items()
    }
    return own, related, instance._state.adding, instance._state.db


def test_the_release_pages_rows_are_read_as_the_querysets_own_iterable_reads_them():
    release = ReleaseFactory(published_at=timezone.now() - timedelta(days=1))
    pressing_on_sale(release=release, amount=Decimal("31.99"))
    PressingFactory(release=release)  # no price, no stock: empty reverse one-to-ones
    track = TrackFactory(release=release, position="A1")
    TrackArtistFactory(track=track)
    CreditFactory(release=release)  # the release's own
    CreditFactory(release=release, track=track)  # a track's
    release_query, lists = release_page_queries()
    release_queryset, list_querysets = _release_page_parts()  # the same, before compiling
    pairs = [
        (release_query.run(slug=release.slug), release_queryset.filter(slug=release.slug)),
        *(
            (lists[name].run(slug=release.slug), queryset.filter(release_id=release.pk))
            for name, queryset in list_querysets.items()
        ),
    ]
    for compiled, django in pairs:
        assert compiled, "each list has rows here"
        assert [_loaded(i) for i in compiled] == [_loaded(i) for i in django]
