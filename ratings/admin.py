import csv
from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Min
from django.db.models.functions import TruncHour
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from ratings.models import Answer, Tally, Vote
from ratings.selectors import Median, results_from_counts, round_money
from ratings.services import withdraw_vote

REPORT_PAGE_SIZE = 100
BURST_DAYS = 7


def report_rows(tallies):
    """One row per release: its results and the median would-pay (one query for the medians)."""
    tallies = list(tallies)
    medians = dict(
        Vote.objects.filter(
            release_id__in=[t.release_id for t in tallies],
            answer=Answer.TOO_EXPENSIVE,
            would_pay__isnull=False,
        )
        .values("release_id")
        .annotate(median=Median("would_pay"))
        .values_list("release_id", "median")
        .order_by()
    )
    return [
        {
            "release": tally.release,
            "results": results_from_counts(tally.counts()),
            "median_would_pay": round_money(medians.get(tally.release_id)),
        }
        for tally in tallies
    ]


def suspicious_bursts(*, since, threshold):
    """Address hashes that cast at least `threshold` new votes within one clock hour."""
    return (
        Vote.objects.filter(created_at__gte=since)
        .annotate(hour=TruncHour("created_at"))
        .values("address_hash", "hour")
        .annotate(
            votes=Count("id"),
            releases=Count("release", distinct=True),
            first=Min("created_at"),
            last=Max("created_at"),
        )
        .filter(votes__gte=threshold)
        .order_by("-votes", "-hour")[:50]
    )


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    """Votes are read-only: they change through the poll, and leave through the withdraw action."""

    list_display = ["release", "answer", "would_pay", "reader", "address", "created_at"]
    list_filter = ["answer", "created_at"]
    search_fields = ["release__title", "address_hash"]
    list_select_related = ["release"]
    date_hierarchy = "created_at"
    actions = ["withdraw_selected"]
    readonly_fields = [f.name for f in Vote._meta.fields]
    change_list_template = "admin/ratings/vote/change_list.html"

    @admin.display(description="reader")
    def reader(self, vote):
        return "account" if vote.voter_key.startswith("u:") else "cookie"

    @admin.display(description="address (hashed)", ordering="address_hash")
    def address(self, vote):
        return vote.address_hash[:12]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting through the admin would bypass the tally; the withdraw action keeps it exact.
        return False

    def has_withdraw_permission(self, request):
        return request.user.has_perm("ratings.delete_vote")

    @admin.action(
        description="Withdraw the selected votes (e.g. a stuffing burst)",
        permissions=["withdraw"],
    )
    def withdraw_selected(self, request, queryset):
        withdrawn = 0
        for vote in queryset.select_related("release"):
            withdrawn += withdraw_vote(release=vote.release, voter_key=vote.voter_key)
        self.message_user(request, f"{withdrawn} votes withdrawn.", messages.SUCCESS)

    def get_urls(self):
        report = self.admin_site.admin_view(self.report_view)
        return [path("report/", report, name="ratings_vote_report"), *super().get_urls()]

    def report_view(self, request):
        """Releases by votes, each answer's share and the median would-pay; ?format=csv exports."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        tallies = (
            Tally.objects.select_related("release")
            .annotate(votes=F("buying") + F("maybe") + F("not_my_style") + F("too_expensive"))
            .filter(votes__gt=0)
            .order_by("-votes", "release__title")
        )
        if request.GET.get("format") == "csv":
            return self.report_csv(tallies)
        page = Paginator(tallies, REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
        threshold = max(2, settings.POLL_RATE_PER_ADDRESS // 2)
        context = {
            **self.admin_site.each_context(request),
            "title": "Poll report",
            "opts": self.model._meta,
            "page": page,
            "rows": report_rows(page.object_list),
            "answers": Answer.choices,
            "bursts": suspicious_bursts(
                since=timezone.now() - timedelta(days=BURST_DAYS), threshold=threshold
            ),
            "burst_threshold": threshold,
            "burst_days": BURST_DAYS,
        }
        return TemplateResponse(request, "admin/ratings/vote/report.html", context)

    def report_csv(self, tallies):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="poll-report.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "release",
                "slug",
                "votes",
                *(f"{label} %" for _, label in Answer.choices),
                *(f"{label} votes" for _, label in Answer.choices),
                f"median would pay ({settings.CURRENCY})",
            ]
        )
        for start in range(0, tallies.count(), 1000):
            for row in report_rows(tallies[start : start + 1000]):
                results = row["results"]
                writer.writerow(
                    [
                        _csv_safe(row["release"].title),
                        row["release"].slug,
                        results.total,
                        *(r.percent for r in results.answers),
                        *(r.count for r in results.answers),
                        row["median_would_pay"] if row["median_would_pay"] is not None else "",
                    ]
                )
        return response


def _csv_safe(value):
    # A cell starting with =, +, - or @ runs as a formula in spreadsheet programs.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
