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


_list_scopes: list[str] = ["catalogue"]


def register_list_scope(scope: str) -> None:
    """A cache generation scope (catalogue.cache) whose bumps change what lists and counts show."""
    if scope not in _list_scopes:
        _list_scopes.append(scope)


def list_scopes() -> list[str]:
    return list(_list_scopes)


def annotate_for_list(queryset):
    for annotate in _annotators:
        queryset = annotate(queryset)
    return queryset


_pressing_annotators: list[Callable[[Any], Any]] = []
_release_page_annotations: dict[str, Callable[[], Any]] = {}


def register_release_page_annotation(name: str, expression: Callable[[], Any]) -> None:
    """``expression()`` makes an annotation on the release page's own row (say, whether the
    release has published reviews), so the app's tag reads it there instead of sending a
    statement of its own. Made once per process, with the page's query."""
    _release_page_annotations[name] = expression


def release_page_annotations() -> dict[str, Any]:
    return {name: expression() for name, expression in _release_page_annotations.items()}


_json_ld_contributors: list[Callable[[Any, dict], None]] = []


def register_pressing_annotation(annotate: Callable[[Any], Any]) -> None:
    """A function adding to the release page's pressings queryset (e.g. price and stock), so a
    per-pressing template tag reads annotations instead of querying once per pressing."""
    _pressing_annotators.append(annotate)


def annotate_pressings(queryset):
    for annotate in _pressing_annotators:
        queryset = annotate(queryset)
    return queryset


def register_json_ld(contribute: Callable[[Any, dict], None]) -> None:
    """A function ``contribute(release, data)`` adding to the release page's schema.org data.

    ``data`` is the MusicAlbum dict; ``data["albumRelease"]`` holds one MusicRelease dict per
    pressing, in the order of ``release.pressings.all()`` (prefetched, annotated as above), each
    with ``"@id"`` set to the pressing's absolute URL. The shop adds ``"offers"`` to those.
    """
    _json_ld_contributors.append(contribute)


def contribute_json_ld(release, data):
    for contribute in _json_ld_contributors:
        contribute(release, data)
    return data


_card_parts: list[Callable[[Any], str]] = []


def register_card_part(render: Callable[[Any], str]) -> None:
    """A function (release) -> safe HTML, added at the foot of every release card.

    It may read the annotations its app added through ``register_list_annotation`` (e.g. the
    lowest price) and must not query: cards are rendered in loops.
    """
    if render not in _card_parts:
        _card_parts.append(render)


def card_parts() -> list[Callable[[Any], str]]:
    return list(_card_parts)
