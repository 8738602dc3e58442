"""The release list's filter form shares its fields between instances (catalogue.forms)."""

import pytest
from django.http import QueryDict

from catalogue import hooks
from catalogue.forms import ReleaseFilterForm

pytestmark = pytest.mark.django_db


def test_forms_share_fields_but_keep_their_own_data_and_errors():
    bad = ReleaseFilterForm(QueryDict("format=cassette8&decade=1990"))
    good = ReleaseFilterForm(QueryDict("format=lp"))
    assert bad.fields["format"] is good.fields["format"]  # one set of fields per process
    assert bad.values == {"decade": 1990} and "format" in bad.errors
    assert good.values == {"format": "lp"} and not good.errors
    assert 'value="lp" selected' in str(good["format"])
    assert 'value="lp" selected' not in str(ReleaseFilterForm(QueryDict(""))["format"])


def test_each_sort_menu_has_its_own_fields():
    listing = ReleaseFilterForm(QueryDict(""))
    search = ReleaseFilterForm(QueryDict(""), extra_sorts=(("relevance", "Best match"),))
    assert "relevance" not in dict(listing.fields["sort"].choices)
    assert dict(search.fields["sort"].choices)["relevance"] == "Best match"
    assert ReleaseFilterForm(QueryDict("sort=relevance")).values == {}  # not on the list's menu


def test_a_filter_registered_later_gets_its_field(monkeypatch):
    monkeypatch.setattr(hooks, "_filters", dict(hooks._filters))
    assert "signed" not in ReleaseFilterForm(QueryDict("")).fields
    hooks.register_filter(
        hooks.ListFilter(
            key="signed",
            label="Signed copies",
            apply=lambda queryset, raw: queryset,
            widget="checkbox",
        )
    )
    form = ReleaseFilterForm(QueryDict("signed=on"))
    assert form.fields["signed"].label == "Signed copies"
    assert form.values["signed"] is True
