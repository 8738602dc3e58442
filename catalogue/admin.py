"""The editors' admin. help_text on the models and forms is their manual."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html

from catalogue.admin_forms import ReleaseForm, TrackForm, TrackInlineForm, TrackInlineFormSet
from catalogue.models import (
    Accolade,
    Artist,
    ChartEntry,
    Credit,
    Endorsement,
    Film,
    FilmCredit,
    Genre,
    Label,
    Pressing,
    PressingCompany,
    PressingImage,
    Release,
    RiylEntry,
    Role,
    Track,
    TrackArtist,
)
from catalogue.search import update_search_vectors
from catalogue.services import publish_releases, set_track_artists, unpublish_releases


def refresh_search(release_ids):
    """Edits show up in search at once rather than after a nightly rebuild."""
    update_search_vectors(Release.objects.filter(pk__in=release_ids))


@admin.register(Artist)
class ArtistAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "sort_name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["name", "website"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class FilmCreditInline(admin.TabularInline):
    model = FilmCredit
    autocomplete_fields = ["artist", "role"]
    extra = 1


class AccoladeInline(admin.TabularInline):
    model = Accolade
    extra = 0


@admin.register(Film)
class FilmAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "kind"]
    list_filter = ["kind"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title", "year"]}
    inlines = [FilmCreditInline, AccoladeInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_search(form.instance.releases.values_list("pk", flat=True))


class TrackInline(admin.TabularInline):
    model = Track
    form = TrackInlineForm
    formset = TrackInlineFormSet
    fields = ["position", "title", "duration", "artists", "kind", "scene_note"]
    extra = 3
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("artist_credit__artist")


class ReleaseCreditInline(admin.TabularInline):
    model = Credit
    fk_name = "release"
    fields = ["artist", "role", "credited_as", "note", "order"]
    autocomplete_fields = ["artist", "role"]
    extra = 1
    verbose_name = "release credit"
    verbose_name_plural = "release credits (track credits are on each track's page)"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(track__isnull=True)


class PressingInline(admin.StackedInline):
    model = Pressing
    autocomplete_fields = ["label"]
    extra = 0
    show_change_link = True
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("label", "catalogue_number", "sku"),
                    ("format", "colour", "colour_family", "effect"),
                    ("availability", "release_date", "edition_year", "country"),
                ]
            },
        ),
        (
            "Edition, barcode, matrix",
            {
                "classes": ["collapse"],
                "fields": [
                    ("weight_grams", "edition_size", "numbered", "exclusive"),
                    ("barcode", "order"),
                    "matrix",
                    "notes",
                ],
                "description": "Companies (licensed from, distributed by…) and photos are on "
                "the pressing's own page: save, then follow its Change link.",
            },
        ),
    ]


class RiylInline(admin.TabularInline):
    model = RiylEntry
    autocomplete_fields = ["artist"]
    fields = ["artist", "name", "order"]
    extra = 1


class EndorsementInline(admin.StackedInline):
    model = Endorsement
    fields = ["quote", ("name", "affiliation", "order")]
    extra = 0


class ChartEntryInline(admin.TabularInline):
    model = ChartEntry
    extra = 0


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    form = ReleaseForm
    list_display = ["title", "film", "original_year", "status", "published_at", "pressing_count"]
    list_filter = ["status", "release_type", "film__kind", "pressings__format", "genres"]
    list_select_related = ["film"]
    # Releases have no default order of their own; the changelist and the editors' autocomplete
    # menus (reviews, features) list them by title.
    ordering = ["title", "id"]
    search_fields = [
        "title",
        "film__title",
        "credits__artist__name",
        "pressings__catalogue_number",
    ]
    autocomplete_fields = ["film", "genres"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["cover_preview"]
    date_hierarchy = "published_at"
    actions = ["publish", "unpublish"]
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", "film", "release_type", "original_year", "genres"]},
        ),
        ("Sleeve", {"fields": ["cover", "cover_preview", "cover_alt"]}),
        ("The details", {"fields": ["description", "embed"]}),
        ("Publication", {"fields": ["status", "published_at"]}),
    ]
    inlines = [
        TrackInline,
        ReleaseCreditInline,
        PressingInline,
        RiylInline,
        EndorsementInline,
        ChartEntryInline,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pressing_total=Count("pressings"))

    @admin.display(description="pressings", ordering="pressing_total")
    def pressing_count(self, release):
        return release.pressing_total

    @admin.display(description="cover as saved")
    def cover_preview(self, release):
        if not release.cover:
            return "No cover yet: the site shows a generated sleeve until one is uploaded."
        return format_html(
            '<img src="{}" alt="{}" width="240" loading="lazy">',
            release.cover.url,
            release.cover_alt or release.title,
        )

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is not Track:
            return
        created = []
        for track_form in formset.forms:
            if track_form in formset.deleted_forms or not track_form.instance.pk:
                continue
            if "artists" in track_form.changed_data:
                created += set_track_artists(
                    track=track_form.instance, credit=track_form.cleaned_data["artists"]
                )
        if created:
            names = ", ".join(artist.name for artist in created)
            messages.info(request, f"New artists added to the catalogue: {names}.")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_search([form.instance.pk])

    @admin.action(description="Publish the selected releases")
    def publish(self, request, queryset):
        count = publish_releases(releases=queryset)
        refresh_search(queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} release(s) published.", messages.SUCCESS)

    @admin.action(description="Unpublish the selected releases (back to draft)")
    def unpublish(self, request, queryset):
        count = unpublish_releases(releases=queryset)
        self.message_user(request, f"{count} release(s) back to draft.", messages.SUCCESS)


class TrackArtistInline(admin.TabularInline):
    model = TrackArtist
    autocomplete_fields = ["artist"]
    fields = ["artist", "credited_as", "join_phrase", "order"]
    extra = 1
    verbose_name = "artist in the credit"
    verbose_name_plural = "artist credit, in order"


class TrackCreditInline(admin.TabularInline):
    model = Credit
    fk_name = "track"
    fields = ["artist", "role", "credited_as", "note", "order"]
    autocomplete_fields = ["artist", "role"]
    extra = 1
    verbose_name = "track credit"


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    form = TrackForm
    list_display = ["title", "position", "release"]
    list_select_related = ["release"]
    search_fields = ["title", "release__title"]
    autocomplete_fields = ["release"]
    fields = ["release", "position", "title", "duration", "kind", "scene_note"]
    inlines = [TrackArtistInline, TrackCreditInline]

    def save_formset(self, request, form, formset, change):
        # A track credit belongs to the track's release too, so release pages can list it.
        for credit_form in formset.forms:
            if isinstance(credit_form.instance, Credit):
                credit_form.instance.release_id = form.instance.release_id
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_search([form.instance.release_id])


class PressingCompanyInline(admin.TabularInline):
    model = PressingCompany
    autocomplete_fields = ["company"]
    extra = 1


class PressingImageInline(admin.TabularInline):
    model = PressingImage
    extra = 0


@admin.register(Pressing)
class PressingAdmin(admin.ModelAdmin):
    list_display = [
        "sku",
        "release",
        "label",
        "catalogue_number",
        "format",
        "colour",
        "availability",
        "release_date",
    ]
    list_filter = ["format", "colour_family", "availability", "label"]
    list_select_related = ["release", "label"]
    search_fields = ["sku", "catalogue_number", "barcode", "release__title"]
    autocomplete_fields = ["release", "label"]
    inlines = [PressingCompanyInline, PressingImageInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_search([form.instance.release_id])
