"""A URL configuration mounting the catalogue elsewhere (tests/config/test_template_tags.py)."""

from django.urls import include, path

urlpatterns = [path("elsewhere/", include("catalogue.urls"))]
