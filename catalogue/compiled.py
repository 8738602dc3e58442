"""Querysets compiled to SQL once per process, then run again with other values.

The release page's queryset carries a dozen JSON subqueries and the shop's annotations; turning it
into SQL took 2.2 ms of CPU per request against 0.2 ms to run it, and its three prefetches
another 2.9 ms (docs/performance.md). Nothing in that SQL depends on the request but a few
values (a slug, a release id), so it is compiled once with stand-in values ("marks"), and each
run swaps in the real ones. Rows still become model instances by the steps of Django's own
iterable, with select_related objects and annotations, as the queryset would build them.

PostgreSQL then spent longer planning these statements than running them (2.5 ms against 0.9
for a release page), so each is also a prepared statement on every database connection that runs
it: planned for its first runs, then from a kept plan. A prepared statement belongs to its
connection and survives rollbacks; a new connection (after a restart of the database, or from
the pool) prepares it again. This needs a direct connection to PostgreSQL or a pooler in session
mode (PgBouncer's transaction mode does not keep a connection's prepared statements).

Only for querysets whose SQL holds no value of the moment: compare with the database's clock
(Now()), or key the cache by the day, as selectors.cards_in_order does.
"""

import functools
import hashlib
import weakref

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError
from psycopg import ClientCursor

# The prepared statements of each open database connection (psycopg's), by name.
_prepared = weakref.WeakKeyDictionary()

# Stand-in values for the marks: no slug or text field holds a NUL, and no id is negative.
# A query with several id marks uses ID_MARK, ID_MARK - 1, ...
TEXT_MARK = "\x00mark"
ID_MARK = -2_000_000_001


def id_marks(count):
    """Marks for ``count`` ids, for ``pk__in=id_marks(count).values()``: ID_MARK, ID_MARK - 1, …"""
    return {f"id{n}": ID_MARK - n for n in range(count)}


def id_values(ids):
    """The values of the marks of ``id_marks(len(ids))``, for ``run()``: ids in order."""
    return {f"id{n}": pk for n, pk in enumerate(ids)}


def for_ids(query_for_count, ids):
    """(query, values) for these ids (any order, repeats allowed), to run or to send with other
    statements (run_together): the query ``query_for_count(count)`` compiles with
    ``id_marks(count)`` once per number of ids, and the ids in order, their smallest first.
    None without ids."""
    ids = sorted(set(ids))
    if not ids:
        return None
    return query_for_count(len(ids)), id_values(ids)


def run_for_ids(query_for_count, ids):
    """The instances ``query_for_count(count)`` finds for these ids (for_ids). No ids, no
    statement."""
    run = for_ids(query_for_count, ids)
    if run is None:
        return []
    query, values = run
    return query.run(**values)


class PreparedSQL:
    """SQL with %s parameters, some of them marks: run as a prepared statement on each
    connection, with values for the marks and the other parameters fixed.

    PreparedSQL(sql, params, slug=MARK): each mark must appear exactly once among params.
    """

    def __init__(self, sql, params, **marks):
        self.sql = sql
        self.params = list(params)
        self.slots = {}
        for name, mark in marks.items():
            found = [i for i, value in enumerate(self.params) if value == mark]
            if len(found) != 1:
                raise ValueError(f"The mark for {name!r} appears {len(found)} times in the SQL.")
            self.slots[name] = found[0]
        # Named by its SQL and its fixed values, which the prepared statement holds: the cards'
        # query compiled for another day, with the same SQL, must not find yesterday's statement
        # on a connection that lived through midnight.
        named = f"{self.sql}\x00{self.params!r}"
        self.name = "nd_" + hashlib.sha256(named.encode()).hexdigest()[:24]
        self._statement = None

    def _prepared_sql(self, cursor):
        """The SQL with its fixed values written in (as psycopg's client-side binding writes
        them) and a $n parameter for each mark, in the order of self.slots."""
        if self._statement is None:
            params = list(self.params)
            stand_ins = {}
            for n, slot in enumerate(self.slots.values(), start=1):
                stand_in = f"nd-mark-{n}-{self.name}"
                params[slot] = stand_in
                stand_ins[f"'{stand_in}'"] = f"${n}"
            sql = cursor.mogrify(self.sql, params)
            for literal, parameter in stand_ins.items():
                if sql.count(literal) != 1:
                    raise ValueError(f"{literal} does not appear once in the bound SQL.")
                sql = sql.replace(literal, parameter)
            self._statement = sql
        return self._statement

    def with_values(self, **values):
        """(sql, params) with these values in the marks' slots, to run as a plain statement,
        planned for its values each time: for statements whose generic plan is worse (searches)."""
        params = list(self.params)
        for name, value in values.items():
            params[self.slots[name]] = value
        return self.sql, params

    def execute_sql(self, connection, **values):
        """(sql, params) of the EXECUTE of this statement on connection (Django's), preparing
        it first if the connection has not yet."""
        connection.ensure_connection()
        raw = connection.connection
        prepared = _prepared.setdefault(raw, set())
        if self.name not in prepared:
            # Straight on psycopg's connection, as Django sets a new connection up: preparing is
            # part of opening the connection for this query, not one of the page's queries.
            # Django's wrapper turns psycopg's errors into its own, so a database that went away
            # answers 503 here as everywhere else, and the connection is not reused.
            with connection.wrap_database_errors, ClientCursor(raw) as cursor:
                cursor.execute(f"PREPARE {self.name} AS {self._prepared_sql(cursor)}")
            prepared.add(self.name)
        ordered = [values[name] for name in self.slots]
        if not ordered:
            return f"EXECUTE {self.name}", []  # EXECUTE takes no empty parentheses
        placeholders = ", ".join(["%s"] * len(ordered))
        return f"EXECUTE {self.name}({placeholders})", ordered


class Statement:
    """A plain statement to send in run_together()'s message beside compiled queries: its rows
    come back as tuples. Statement(sql, params). For statements that differ each run (the
    values an insert writes) or whose order among the others matters (a lock taken first).
    ``returns_rows=False`` for one that answers with none (an UPDATE): its answer is []."""

    alias = DEFAULT_DB_ALIAS

    def __init__(self, sql, params=(), *, returns_rows=True):
        self.sql = sql
        self.params = list(params)
        self.returns_rows = returns_rows

    def run(self):
        """This statement alone: its rows as tuples ([] for one that returns none)."""
        return run_together((self, {}))[0]

    def check_can_run(self, connection):
        pass

    def execute_sql(self, connection):
        return self.sql, self.params

    def read(self, rows, connection):
        return rows


class CompiledQuery(PreparedSQL):
    """queryset's SQL with each mark's parameter slot known: CompiledQuery(qs, slug=MARK).

    Each mark must be a value that appears exactly once among the compiled parameters.
    """

    _STATE = ("select", "klass_info", "annotation_col_map", "col_count")
    returns_rows = True

    def __init__(self, queryset, *, with_clause=("", ()), **marks):
        """``with_clause``: (sql, params) of a WITH clause put before the queryset's SQL, for
        common tables the queryset refers to in RawSQL (selectors.related_releases)."""
        if queryset._prefetch_related_lookups:
            raise ValueError("A compiled query cannot prefetch: run each list as its own query.")
        self.queryset = queryset
        compiler = queryset.query.get_compiler(using=queryset.db or DEFAULT_DB_ALIAS)
        sql, params = compiler.as_sql()
        with_sql, with_params = with_clause
        super().__init__(with_sql + sql, [*with_params, *params], **marks)
        self.state = {attr: getattr(compiler, attr) for attr in self._STATE}
        self._reader = None

    @property
    def alias(self):
        return self.queryset.db

    def run(self, **values):
        """The model instances of the compiled query, run with these values for the marks.

        The rows are read whole through Django's cursor and turned into instances by _reader:
        the same steps as the queryset's own iterable, without the layers of generators and the
        compiler each run built around them (0.05-0.1 ms of CPU a statement). Several that do not
        wait for each other's rows go together: run_together()."""
        return run_together((self, values))[0]

    def check_can_run(self, connection):
        if self.queryset.query.select_for_update and connection.get_autocommit():
            # As the queryset's own compiler refuses: outside a transaction a lock ends at once.
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )

    def read(self, rows, connection):
        """These rows of this query's statement as model instances."""
        if not rows:
            return []
        reader = self._reader or self._make_reader()
        return reader(rows, connection)

    def _make_reader(self):
        """A function turning this query's rows into instances as Django's ModelIterable does:
        the columns' converters (JSON, dates, decimals...), the model's from_db() with the
        queryset's fetch mode, the select_related objects through Django's populators, the
        annotations. Worked out on the first run and kept: every run selects the same columns
        (the release page's row has 33, its pressings 40)."""
        queryset = self.queryset
        db = queryset.db
        state = self.state
        select, klass_info = state["select"], state["klass_info"]
        annotations = tuple(state["annotation_col_map"].items())
        fetch_mode = queryset._fetch_mode
        model_cls = klass_info["model"]
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
        from_db = functools.partial(model_cls.from_db, fetch_mode=fetch_mode)
        populators = get_related_populators(klass_info, select, db, fetch_mode)
        compiler = queryset.query.get_compiler(using=db)
        columns = [column[0] for column in select[: state["col_count"]]]
        converters = tuple(compiler.get_converters(columns).items())
        if (
            queryset._known_related_objects
            or fetch_mode.track_peers
            or compiler.has_composite_fields(columns)
        ):
            raise ValueError("A compiled query reads no composite keys, known objects or peers.")

        def read(rows, connection):
            instances = []
            for row in rows:
                if converters:
                    row = list(row)
                    for pos, (functions, expression) in converters:
                        value = row[pos]
                        for convert in functions:
                            value = convert(value, expression, connection)
                        row[pos] = value
                obj = from_db(db, init_list, row[start:end])
                for populator in populators:
                    populator.populate(row, obj)
                for name, pos in annotations:
                    setattr(obj, name, row[pos])
                instances.append(obj)
            return instances

        self._reader = read
        return read


def run_together(*runs):
    """The instances of several compiled queries sent to PostgreSQL as one message:
    ``run_together((query, values), …)`` returns a list of instances for each, in order. A
    Statement among them, given as ``(statement, {})``, answers with its rows as tuples.

    Each statement sent on its own paid a round trip: Django's and psycopg's work around the
    execute, the server's reading of the message, its transaction and its answer, and a wake-up of
    each process. The release page's four statements cost 1.1 ms of the machine's CPU one at a
    time and 0.62 ms sent together (docs/performance.md). PostgreSQL runs the statements of one
    message in order, as one transaction (inside the caller's, if one is open); each answers with
    its own rows. The values must not depend on another statement's rows.
    """
    queries = [query for query, _ in runs]
    alias = queries[0].alias
    if any(query.alias != alias for query in queries):
        raise ValueError("Queries run together must use one database.")
    connection = connections[alias]
    for query in queries:
        query.check_can_run(connection)
    statements = [query.execute_sql(connection, **values) for query, values in runs]
    sql = "; ".join(statement for statement, _ in statements)
    params = [value for _, values in statements for value in values]
    results = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for position, query in enumerate(queries):
            if position and not cursor.nextset():
                raise RuntimeError("PostgreSQL answered fewer statements than were sent.")
            rows = cursor.fetchall() if query.returns_rows else []
            results.append(query.read(rows, connection))
    return results
