"""Extension points for apps that depend on the catalogue.

The catalogue knows nothing of prices or votes, yet its release list can filter by price and sort
by "most wanted". Dependent apps register what they add here from their AppConfig.ready(); the
catalogue calls the registered functions without importing those apps.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ListSort:
    key: str  # the value of ?sort= in the URL
    label: str  # shown in the sort menu
    apply: Callable[[Any], Any]  # queryset -> ordered queryset


@dataclass(frozen=True)
class ListFilter:
    key: str  # the query parameter, e.g. "in_stock" or "price_min"
    label: str
    apply: Callable[
        [Any, str], Any
    ]  # (queryset, raw value) -> filtered queryset; ignore bad values
    widget: str = "text"  # "checkbox", "number" or "text": how the filter form shows it


_sorts: dict[str, ListSort] = {}
_filters: dict[str, ListFilter] = {}
_annotators: list[Callable[[Any], Any]] = []


def register_sort(sort: ListSort) -> None:
    _sorts[sort.key] = sort


def register_filter(list_filter: ListFilter) -> None:
    _filters[list_filter.key] = list_filter


def register_list_annotation(annotate: Callable[[Any], Any]) -> None:
    """A function adding annotations every release card shows (e.g. the lowest price)."""
    _annotators.append(annotate)


def sorts() -> dict[str, ListSort]:
    return dict(_sorts)


def filters() -> dict[str, ListFilter]:
    return dict(_filters)


def annotate_for_list(queryset):
    for annotate in _annotators:
        queryset = annotate(queryset)
    return queryset


# Pressing prefetches: a dependent app joins what its per-pressing template tags read (the shop's
# price and stock), so a page listing pressings runs no query per pressing. Views pass their
# Pressing queryset through prefetch_for_pressings(), e.g. inside Prefetch("pressings", ...).
_pressing_prefetchers: list[Callable[[Any], Any]] = []


def register_pressing_prefetch(prefetch: Callable[[Any], Any]) -> None:
    """A function taking a Pressing queryset and returning it with select/prefetch_related added."""
    _pressing_prefetchers.append(prefetch)


def prefetch_for_pressings(queryset):
    for prefetch in _pressing_prefetchers:
        queryset = prefetch(queryset)
    return queryset
