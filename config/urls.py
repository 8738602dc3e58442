from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from config import views
from config.admin_login import throttled
from config.sitemaps import SITEMAPS

admin.site.login = throttled(admin.site.login)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("", include("catalogue.urls")),
    path("", include("reviews.urls")),
    path("", include("ratings.urls")),
    path("", include("shop.urls")),
]

if settings.BENCHMARK_VIEWS:
    urlpatterns += [
        path("bench/ceiling/", views.ceiling, name="bench-ceiling"),
        path("bench/checkout-floor/", views.checkout_floor, name="bench-checkout-floor"),
    ]

handler500 = "config.views.server_error"

if settings.SERVE_MEDIA:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
