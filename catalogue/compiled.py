"""Querysets compiled to SQL once per process, then run again with other values.

The release page's queryset carries a dozen JSON subqueries and the shop's annotations; turning it
into SQL took 2.2 ms of CPU per request against 0.2 ms to run it, and its three prefetches
another 2.9 ms (docs/performance.md). Nothing in that SQL depends on the request but a few
values (a slug, a release id), so it is compiled once with stand-in values ("marks"), and each
run swaps in the real ones. Rows still become model instances through Django's own iterable,
with select_related objects and annotations, exactly as the queryset would build them.

PostgreSQL then spent longer planning these statements than running them (2.5 ms against 0.9
for a release page), so each is also a prepared statement on every database connection that runs
it: planned for its first runs, then from a kept plan. A prepared statement belongs to its
connection and survives rollbacks; a new connection (after a restart of the database, or from
the pool) prepares it again. This needs a direct connection to PostgreSQL or a pooler in session
mode (PgBouncer's transaction mode does not keep a connection's prepared statements).

Only for querysets whose SQL holds no value of the moment: compare with the database's clock
(Now()), or key the cache by the day, as selectors.cards_in_order does.
"""

import hashlib
import weakref

from django.db import DEFAULT_DB_ALIAS
from psycopg import ClientCursor

# The prepared statements of each open database connection (psycopg's), by name.
_prepared = weakref.WeakKeyDictionary()

# Stand-in values for the marks: no slug or text field holds a NUL, and no id is negative.
# A query with several id marks uses ID_MARK, ID_MARK - 1, ...
TEXT_MARK = "\x00mark"
ID_MARK = -2_000_000_001


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
        self.name = "nd_" + hashlib.sha256(self.sql.encode()).hexdigest()[:24]
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
        placeholders = ", ".join(["%s"] * len(ordered))
        return f"EXECUTE {self.name}({placeholders})", ordered


class CompiledQuery(PreparedSQL):
    """queryset's SQL with each mark's parameter slot known: CompiledQuery(qs, slug=MARK).

    Each mark must be a value that appears exactly once among the compiled parameters.
    """

    _STATE = ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")

    def __init__(self, queryset, **marks):
        if queryset._prefetch_related_lookups:
            raise ValueError("A compiled query cannot prefetch: run each list as its own query.")
        self.queryset = queryset
        compiler = queryset.query.get_compiler(using=queryset.db or DEFAULT_DB_ALIAS)
        sql, params = compiler.as_sql()
        super().__init__(sql, params, **marks)
        self.state = {attr: getattr(compiler, attr) for attr in self._STATE}
        # The converters of the selected columns (JSON, dates, decimals...), worked out on the first
        # run and kept: every run selects the same columns (the release page's row has 33, its
        # pressings 40), and each run's compiler would work them out again.
        self._converters = {}

    def run(self, **values):
        """The model instances of the compiled query, run with these values for the marks."""
        queryset, query = self._fresh()
        state = self.state

        def compiled(using=None, connection=None, elide_empty=True):
            compiler = type(query).get_compiler(query, using, connection, elide_empty)
            compiler.__dict__.update(state)
            compiler.as_sql = lambda *args, **kwargs: self.execute_sql(
                compiler.connection, **values
            )
            compiler.get_converters = lambda expressions: self._get_converters(
                compiler, expressions
            )
            return compiler

        # Only this private copy answers with the compiled SQL; it is iterated once, below.
        query.get_compiler = compiled
        return list(queryset)

    def _fresh(self):
        """An unevaluated copy of the queryset and of its query, sharing everything else.

        QuerySet.all() would clone the query's every part (its joins, filters and the dozen
        annotations of the release page), which cost more than the rest of a run; nothing here
        changes any of them. The copy's query only gains its own get_compiler, above.
        """
        queryset = object.__new__(type(self.queryset))
        queryset.__dict__.update(self.queryset.__dict__)
        query = object.__new__(type(self.queryset.query))
        query.__dict__.update(self.queryset.query.__dict__)
        queryset._query = query
        return queryset, query

    def _get_converters(self, compiler, expressions):
        # Every run selects the same column objects (self.state, which keeps them alive), on the
        # one database the SQL is for.
        key = tuple(map(id, expressions))
        converters = self._converters.get(key)
        if converters is None:
            converters = self._converters[key] = type(compiler).get_converters(
                compiler, expressions
            )
        return converters
