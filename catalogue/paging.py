"""The page links under a list of releases or a search, composed in Python.

As an inclusion template they cost 0.55 ms a list page (a new context and a dozen {% if %} and
{% for %} nodes per link); this is the same markup from f-strings of escaped values.
"""

from django.utils.safestring import mark_safe

from catalogue.escaping import escaped

PAGE = '<span class="visually-hidden">Page </span>'
HIDDEN_PAGE = '<span class="visually-hidden"> page</span>'


def pagination_html(page_obj, page_query=""):
    """Previous/next and nearby page links, keeping the filters (``page_query``, encoded and
    ending in "&" when not empty) in the address; empty for a list of one page."""
    if not page_obj.has_other_pages():
        return ""
    paginator = page_obj.paginator
    query = escaped(page_query)
    current = page_obj.number
    items = []
    if page_obj.has_previous():
        items.append(
            f'<li><a class="pagination__step" rel="prev" href="?{query}page='
            f'{page_obj.previous_page_number()}">← Previous{HIDDEN_PAGE}</a></li>'
        )
    for number in paginator.get_elided_page_range(current, on_each_side=1, on_ends=1):
        if number == paginator.ELLIPSIS:
            items.append('<li><span class="pagination__gap" aria-hidden="true">…</span></li>')
        elif number == current:
            items.append(
                f'<li><span class="pagination__current" aria-current="page">{PAGE}{number}'
                "</span></li>"
            )
        else:
            items.append(f'<li><a href="?{query}page={number}">{PAGE}{number}</a></li>')
    if page_obj.has_next():
        items.append(
            f'<li><a class="pagination__step" rel="next" href="?{query}page='
            f'{page_obj.next_page_number()}">Next{HIDDEN_PAGE} →</a></li>'
        )
    note = ""
    if getattr(paginator, "is_capped", False):
        note = (
            f'\n  <p class="pagination__note">Showing the first {paginator.cap:,} matches: add a '
            "filter to narrow them down.</p>"
        )
    links = "\n    ".join(items)
    return mark_safe(  # noqa: S308 (every value above is escaped or a number)
        f'<nav class="pagination" aria-label="Pages">\n  <ul>\n    {links}\n  </ul>{note}\n</nav>'
    )
