"""The page links under lists and searches (catalogue.paging)."""

import re

from django.core.paginator import Paginator

from catalogue.paging import pagination_html


class Capped(Paginator):
    cap = 10_000
    is_capped = True


def links(html):
    return re.findall(r'href="([^"]+)"', html)


def test_one_page_needs_no_links():
    assert pagination_html(Paginator(range(24), 24).page(1), "format=lp&") == ""


def test_the_first_page_links_onwards_keeping_the_filters_escaped():
    html = pagination_html(Paginator(range(100), 24).page(1), "format=lp&sort=price&")
    assert links(html) == [
        "?format=lp&amp;sort=price&amp;page=2",
        "?format=lp&amp;sort=price&amp;page=5",  # 3 and 4 elided
        "?format=lp&amp;sort=price&amp;page=2",  # Next
    ]
    assert html.count('class="pagination__gap"') == 1
    assert 'aria-current="page"><span class="visually-hidden">Page </span>1<' in html
    assert 'rel="prev"' not in html
    assert "pagination__note" not in html


def test_a_middle_page_elides_distant_pages_and_links_both_ways():
    html = pagination_html(Paginator(range(24 * 50), 24).page(25), "")
    assert links(html) == ["?page=24", "?page=1", "?page=24", "?page=26", "?page=50", "?page=26"]
    assert html.count('class="pagination__gap"') == 2
    assert 'rel="prev" href="?page=24"' in html and 'rel="next" href="?page=26"' in html


def test_a_query_cannot_break_out_of_the_address():
    html = pagination_html(Paginator(range(48), 24).page(1), 'q="><script>&')
    assert "<script>" not in html
    assert links(html)[0] == "?q=&quot;&gt;&lt;script&gt;&amp;page=2"


def test_a_capped_list_says_how_many_it_shows():
    html = pagination_html(Capped(range(100), 24).page(2), "")
    assert "Showing the first 10,000 matches: add a filter to narrow them down." in html
