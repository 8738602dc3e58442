"""Show how PostgreSQL runs a search: EXPLAIN (ANALYZE, BUFFERS) of every query the page sends."""

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from catalogue.views import SearchView


class Command(BaseCommand):
    help = (
        "Run each search as the search page does (close spellings, the capped count, the first "
        "page of cards) and print the plan of every query, to check which indexes serve it."
    )

    def add_arguments(self, parser):
        parser.add_argument("queries", nargs="+", help='what a reader types, e.g. "kavinksy"')

    def handle(self, *args, queries, **options):
        for raw in queries:
            # The search page's own view, short of its template: the same queries, in order.
            view = SearchView()
            view.setup(RequestFactory().get("/search/", {"q": raw}))
            with CaptureQueriesContext(connection) as captured:
                view.object_list = view.get_queryset()
                page_obj = view.get_context_data()["page_obj"]
                page = list(page_obj.object_list) if page_obj else []
            result, paginator = view.result, page_obj.paginator if page_obj else None
            count = paginator.count if paginator else 0
            capped = " (capped)" if paginator and paginator.is_capped else ""
            self.stdout.write(
                self.style.MIGRATE_HEADING(
                    f"{raw!r}: words {result.words if result else []}, close spellings "
                    f"{result.corrections if result else []}, {count:,} matches{capped}, "
                    f"{len(page)} on the first page"
                )
            )
            for query in captured.captured_queries:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    plan = "\n".join(f"    {row[0]}" for row in cursor.fetchall())
                self.stdout.write(f"  {query['sql'][:160]}…\n{plan}\n")
