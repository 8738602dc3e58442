"""The Editors group: the magazine and the catalogue's texts, never prices, stock, orders or users."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import ReleaseFactory

pytestmark = pytest.mark.django_db
FORBIDDEN_APPS = {"shop", "auth"}


def forbidden_admin_models():
    return sorted(
        (model._meta.app_label, model._meta.model_name)
        for model in admin.site._registry
        if model._meta.app_label in FORBIDDEN_APPS
    )


def test_editors_group_holds_no_shop_or_auth_permission():
    group = Group.objects.get(name="Editors")
    labels = set(group.permissions.values_list("content_type__app_label", flat=True))
    assert labels == {"catalogue", "reviews"}


def test_editors_may_change_catalogue_texts_and_write_the_magazine(editor):
    for perm in [
        "catalogue.change_release",
        "catalogue.add_track",
        "catalogue.change_credit",
        "catalogue.change_artist",
        "catalogue.change_film",
        "catalogue.change_label",
        "catalogue.add_endorsement",
        "reviews.add_review",
        "reviews.change_feature",
    ]:
        assert editor.has_perm(perm), perm
    assert not editor.has_perm("catalogue.delete_release")
    assert not editor.has_perm("auth.change_user")


def test_editor_opens_the_review_add_page_and_the_release_change_page(editor_client):
    assert editor_client.get("/admin/reviews/review/add/").status_code == 200
    assert editor_client.get("/admin/reviews/feature/add/").status_code == 200
    release = ReleaseFactory()
    response = editor_client.get(reverse("admin:catalogue_release_change", args=[release.pk]))
    assert response.status_code == 200


def test_the_guard_sees_the_user_admin():
    # The list below grows with the shop's admin; it is never empty, since auth registers users.
    assert ("auth", "user") in forbidden_admin_models()


@pytest.mark.parametrize(("app_label", "model_name"), forbidden_admin_models())
def test_editor_is_refused_every_shop_and_auth_admin_page(editor_client, app_label, model_name):
    for view in ("changelist", "add"):
        url = reverse(f"admin:{app_label}_{model_name}_{view}")
        assert editor_client.get(url).status_code == 403, url
