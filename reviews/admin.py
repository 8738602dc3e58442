"""The editors' writing desk: reviews and list features."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from reviews import services
from reviews.models import (
    Author,
    Feature,
    FeatureEntry,
    Review,
    ReviewImage,
    ReviewVideo,
    Status,
)

MARKDOWN_PANEL = mark_safe(
    "<p><strong>Markdown.</strong> <code>**bold**</code>, <code>*italic*</code>, "
    "<code>[a link](https://…)</code>, <code>## Subheading</code>, <code>&gt; quotation</code>; "
    "leave a blank line between paragraphs. HTML is shown as text, never run.</p>"
    "<p><strong>Track mentions.</strong> <code>[[track:B2]]</code> links the track at sleeve "
    "position B2 of a reviewed release, shown with its title; <code>[[I Drive]]</code> links the "
    "track with that title, shown as typed. A mention that matches no track appears as plain "
    "text.</p>"
    "<p><strong>Images.</strong> <code>[[image:1]]</code> on a line of its own places the first "
    "inline image below (numbered in their order); images not placed follow the text.</p>"
    "<p><strong>Videos</strong> are pasted as links below and shown after the text, behind a "
    "click-to-play cover: nothing loads from YouTube or Vimeo until a reader presses play.</p>"
)
WORD_COUNT_ATTRS = {"data-word-count": "", "rows": 24}


class PieceAdminForm(forms.ModelForm):
    """Status and publish time: scheduled needs a future time; published without one means now."""

    def clean(self):
        cleaned = super().clean()
        status, publish_at = cleaned.get("status"), cleaned.get("publish_at")
        if status == Status.SCHEDULED:
            if publish_at is None:
                self.add_error("publish_at", "Choose when a scheduled piece should appear.")
            elif publish_at <= timezone.now() and {"status", "publish_at"} & set(self.changed_data):
                self.add_error(
                    "publish_at",
                    "This publish time has passed; choose a time in the future, "
                    "or choose Published to show it now.",
                )
        elif status == Status.PUBLISHED and publish_at is None:
            cleaned["publish_at"] = timezone.now()
        return cleaned


def markdown_widget(db_field, kwargs):
    """Markdown text areas get the live word count (static/js/admin-word-count.js)."""
    if db_field.name in {"body", "intro", "text"}:
        kwargs["widget"] = forms.Textarea(attrs=WORD_COUNT_ATTRS)
    return kwargs


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user"]
    search_fields = ["display_name", "user__username"]
    autocomplete_fields = ["user"]


class PieceAdmin(admin.ModelAdmin):
    list_filter = ["status", "authors"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["authors"]
    readonly_fields = ["preview_link", "first_published_at", "updated_at", "revision"]
    radio_fields = {"status": admin.HORIZONTAL}
    actions = ["publish_now", "unpublish"]
    publish_fieldset = (
        "Publishing",
        {
            "fields": [
                "status",
                "publish_at",
                "preview_link",
                "first_published_at",
                "updated_at",
                "revision",
            ],
            "description": "Save as Draft to keep working; Scheduled appears by itself at the "
            "publish time; Published shows it now (or from the publish time given).",
        },
    )
    hero_fieldset = (
        "Hero image",
        {"fields": ["hero_image", "hero_alt", "hero_credit", "hero_credit_url"]},
    )

    class Media:
        js = ["js/admin-word-count.js"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return super().formfield_for_dbfield(db_field, request, **markdown_widget(db_field, kwargs))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("authors")

    @admin.display(description="Status", ordering="status")
    def status_display(self, obj):
        if obj.status == Status.SCHEDULED and obj.is_public:
            return "Scheduled (live)"
        return obj.get_status_display()

    @admin.display(description="Byline")
    def byline(self, obj):
        return obj.byline

    @admin.display(description="Preview")
    def preview_link(self, obj):
        if not obj.pk:
            return "Save first; the preview then opens at the piece's real address."
        label = "View on site" if obj.is_public else "Preview (only staff can see it)"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), label
        )

    def save_model(self, request, obj, form, change):
        obj.set_status(obj.status, obj.publish_at)
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish now", permissions=["change"])
    def publish_now(self, request, queryset):
        for piece in queryset:
            services.publish_piece(piece=piece)
        self.message_user(request, f"Published {len(queryset)}.", messages.SUCCESS)

    @admin.action(description="Back to draft", permissions=["change"])
    def unpublish(self, request, queryset):
        for piece in queryset:
            services.unpublish_piece(piece=piece)
        self.message_user(request, f"{len(queryset)} back to draft.", messages.SUCCESS)


@admin.register(Review)
class ReviewAdmin(PieceAdmin):
    form = PieceAdminForm
    list_display = ["headline", "status_display", "publish_at", "byline", "word_count"]
    search_fields = ["headline", "standfirst", "body", "releases__title"]
    autocomplete_fields = ["authors", "releases"]
    fieldsets = [
        (None, {"fields": ["headline", "standfirst", "slug", "authors", "releases"]}),
        ("Text", {"fields": ["body", "pull_quote"], "description": MARKDOWN_PANEL}),
        PieceAdmin.hero_fieldset,
        PieceAdmin.publish_fieldset,
    ]

    class ImageInline(admin.StackedInline):
        model = ReviewImage
        extra = 0
        fields = ["order", "image", "alt", "caption", "credit", "credit_url"]

    class VideoInline(admin.TabularInline):
        model = ReviewVideo
        extra = 0
        fields = ["order", "video_url", "caption"]

    inlines = [ImageInline, VideoInline]

    @admin.display(description="Words")
    def word_count(self, obj):
        return len(obj.body.split())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.render_review(review=form.instance)


class FeatureEntryInline(admin.StackedInline):
    model = FeatureEntry
    extra = 0
    autocomplete_fields = ["release", "film"]
    fields = [
        "order",
        ("release", "film", "title"),
        "heading",
        "text",
        ("image", "image_alt", "image_credit"),
        "video_url",
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return super().formfield_for_dbfield(db_field, request, **markdown_widget(db_field, kwargs))


@admin.register(Feature)
class FeatureAdmin(PieceAdmin):
    form = PieceAdminForm
    list_display = ["headline", "status_display", "publish_at", "byline", "word_count"]
    search_fields = ["headline", "standfirst", "intro", "entries__heading", "entries__title"]
    fieldsets = [
        (None, {"fields": ["headline", "standfirst", "slug", "authors"]}),
        ("Introduction", {"fields": ["intro"], "description": MARKDOWN_PANEL}),
        PieceAdmin.hero_fieldset,
        PieceAdmin.publish_fieldset,
    ]
    inlines = [FeatureEntryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("entries")

    @admin.display(description="Words")
    def word_count(self, obj):
        return len(obj.intro.split()) + sum(len(e.text.split()) for e in obj.entries.all())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.render_feature(feature=form.instance)
