"""The release list's filters and sorts, read from the URL, and the search box."""

import copy
import functools
from types import MappingProxyType

from django import forms
from django.core.cache import cache
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from catalogue import hooks
from catalogue.cache import generations
from catalogue.escaping import escaped
from catalogue.models import Artist, Film, Label, Pressing

DECADES = list(range(1920, 2040, 10))
BUILT_IN_SORTS = {
    "newest": ("Newest", ("-published_at", "-id")),
    "title": ("Title A–Z", ("title", "id")),
}
# Parameters that are part of the page's address but are not filters.
NOT_FILTERS = {"page", "sort", "q"}


class PlainSelect(forms.Select):
    """A <select> rendered in Python: Django renders each option through a template, which
    costs milliseconds per option on a menu of every label. Even format_html() costs some 25 µs
    an option, 10 ms for 400 labels, so the options are joined from escaped strings."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = {str(v) for v in self.format_value(value)}
        options = "".join(
            f'<option value="{escaped(key)}"'
            f"{' selected' if str(key) in selected else ''}>{escaped(label)}</option>"
            for key, label in self.choices
        )
        # Every value and label above went through escaped().
        return format_html("<select{}>{}</select>", flatatt(attrs), mark_safe(options))  # noqa: S308


def label_menu():
    """The label menu's choices, every label by name: cached until the catalogue changes."""
    key = f"catalogue:label-menu:{generations('catalogue')}"
    menu = cache.get(key)
    if menu is None:
        menu = [("", "Any label"), *Label.objects.order_by("name").values_list("slug", "name")]
        cache.set(key, menu, timeout=3600)
    return menu


class _FilterFields(forms.Form):
    """The release list's own filter fields, declared; ReleaseFilterForm adds the sort menu and
    the filters other apps register (catalogue.hooks), and shares the set (_filter_fields)."""

    format = forms.ChoiceField(
        choices=[("", "Any format"), *Pressing.Format.choices], required=False, widget=PlainSelect
    )
    colour = forms.ChoiceField(
        label="Vinyl colour",
        choices=[("", "Any colour"), *Pressing.Colour.choices],
        required=False,
        widget=PlainSelect,
    )
    label = forms.ModelChoiceField(
        queryset=Label.objects.only("name", "slug").order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="Any label",
        widget=PlainSelect,
        error_messages={"invalid_choice": "There is no such label; showing every label."},
    )
    composer = forms.ModelChoiceField(
        queryset=Artist.objects.only("name", "slug"),
        to_field_name="slug",
        required=False,
        # Thousands of composers make a poor menu: the filter is set from artist pages.
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "There is no such composer; showing every composer."},
    )
    decade = forms.TypedChoiceField(
        choices=[("", "Any decade"), *((d, f"{d}s") for d in DECADES)],
        coerce=int,
        required=False,
        widget=PlainSelect,
    )
    kind = forms.ChoiceField(
        label="Made for",
        choices=[("", "Film, TV or game"), *Film.Kind.choices],
        required=False,
        widget=PlainSelect,
    )
    sort = forms.ChoiceField(required=False, widget=PlainSelect)


@functools.lru_cache(maxsize=16)
def _filter_fields(extra_sorts, sorts, filters):
    """The filter form's fields for one sort menu and one set of registered sorts and filters,
    made once per process and shared by every form with that menu.

    Django deep-copies a form's fields for every instance, in case the instance changes them:
    0.5 ms of a list page for this form's menus and two model fields. These fields are set up
    here and never changed afterwards; a form reads them, binds its own data and keeps its own
    errors, so instances can share them. The label menu is a callable, read when the form is
    shown (label_menu, cached until the catalogue changes).
    """
    fields = copy.deepcopy(_FilterFields.base_fields)
    sort_choices = list(extra_sorts)
    sort_choices += [(key, label) for key, (label, _) in BUILT_IN_SORTS.items()]
    sort_choices += [(sort.key, sort.label) for _, sort in sorts]
    fields["sort"].choices = sort_choices
    # The menu is read when the form is shown; the submitted label is still checked against
    # the table (ModelChoiceField's queryset).
    fields["label"].choices = label_menu
    for key, registered in filters:
        if key in fields:
            continue
        if registered.widget == "checkbox":
            field = forms.BooleanField(label=registered.label, required=False)
        elif registered.widget == "number":
            field = forms.DecimalField(
                label=registered.label, required=False, min_value=0, max_digits=10
            )
        else:
            field = forms.CharField(label=registered.label, required=False, max_length=100)
        field.registered = True
        fields[key] = field
    return MappingProxyType(fields)


class ReleaseFilterForm(forms.Form):
    """Filters combine (AND); each bad value is reported and ignored, the rest still apply."""

    def __init__(self, *args, default_sort="newest", extra_sorts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_sort = default_sort
        self.registered_filters = hooks.filters()
        self.registered_sorts = hooks.sorts()
        # Registered sorts and filters are frozen dataclasses: their items are the cache's key.
        shared = _filter_fields(
            tuple(extra_sorts or ()),
            tuple(self.registered_sorts.items()),
            tuple(self.registered_filters.items()),
        )
        # A dict of its own (a form may add a field), of the shared, never-changed fields.
        self.fields = dict(shared)

    def clean(self):
        cleaned = super().clean()
        # A field that failed validation is dropped rather than failing the whole page.
        for name in self.errors:
            cleaned.pop(name, None)
        return cleaned

    @property
    def values(self):
        """The valid, non-empty values, whatever the form's overall validity."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}

    def filters_described(self):
        """The filters in use as text, the same for the same filters whatever the address's order
        (a label or a composer by id): what a list's cached count and pages are kept under."""
        return urlencode(
            sorted(
                (name, getattr(value, "pk", value))
                for name, value in self.values.items()
                if name not in NOT_FILTERS
            )
        )

    @property
    def sort_key(self):
        return self.values.get("sort") or self.default_sort

    def apply(self, queryset):
        """The queryset filtered as asked (sorting is separate, see ``order``)."""
        values = self.values
        if "format" in values:
            queryset = queryset.with_format(values["format"])
        if "colour" in values:
            queryset = queryset.with_colour(values["colour"])
        if "label" in values:
            queryset = queryset.on_label(values["label"])
        if "composer" in values:
            queryset = queryset.composed_by(values["composer"])
        if "decade" in values:
            queryset = queryset.from_decade(values["decade"])
        if "kind" in values:
            queryset = queryset.filter(film__kind=values["kind"])
        for key, registered in self.registered_filters.items():
            if key in values:
                value = values[key]
                raw = "1" if value is True else str(value)
                queryset = registered.apply(queryset, raw)
        return queryset

    def order(self, queryset):
        key = self.sort_key
        if key in BUILT_IN_SORTS:
            return queryset.order_by(*BUILT_IN_SORTS[key][1])
        if key in self.registered_sorts:
            return self.registered_sorts[key].apply(queryset)
        return queryset

    def active_filters(self):
        """(label, value shown, URL without this filter) for each filter in use."""
        active = []
        for name, value in self.values.items():
            if name in NOT_FILTERS:
                continue
            field = self.fields[name]
            if isinstance(value, Label | Artist):
                shown = value.name
            elif hasattr(field, "choices") and not isinstance(field, forms.ModelChoiceField):
                shown = {str(k): v for k, v in field.choices}.get(str(value), value)
            elif value is True:
                shown = "Yes"
            else:
                shown = value
            active.append((field.label or name.title(), shown, self.url_without(name)))
        return active

    def query_items(self, exclude=()):
        """The address's parameters in a stable order: the same filters always give one URL."""
        items = []
        for name in self.fields:
            if name in exclude or name not in self.data:
                continue
            raw = self.data.get(name, "")
            if raw == "" or name in self.errors:
                continue
            if name == "sort" and raw == self.default_sort:
                continue
            items.append((name, raw))
        query = self.data.get("q")
        if query and "q" not in exclude:
            items.insert(0, ("q", query))
        return items

    def url_without(self, name):
        query = urlencode(self.query_items(exclude={name, "page"}))
        return f"?{query}" if query else "?"

    def page_query(self):
        """The parameters to keep on pagination links, encoded, ending ready for ``page=``."""
        query = urlencode(self.query_items(exclude={"page"}))
        return f"{query}&" if query else ""


class SearchForm(forms.Form):
    # CharField also refuses NUL characters, which PostgreSQL cannot store or compare.
    q = forms.CharField(
        label="Search releases",
        max_length=200,
        required=False,
        strip=True,
        error_messages={"max_length": "That search is too long: keep it under 200 characters."},
    )
