from django.db.models import Prefetch
from django.views.generic import DetailView, ListView

from catalogue.models import Release
from reviews.models import Feature, FeatureEntry, Review
from reviews.structured_data import feature_data, review_data

# Querysets are built per request: published() compares with the current time, so a class
# attribute would freeze "now" at import and scheduled pieces would never appear.


def releases_with_film():
    return Prefetch("releases", queryset=Release.objects.select_related("film"))


class ReviewListView(ListView):
    template_name = "reviews/review_list.html"
    paginate_by = 12

    def get_queryset(self):
        return Review.objects.published().prefetch_related("authors", releases_with_film())


class FeatureListView(ListView):
    template_name = "reviews/feature_list.html"
    paginate_by = 12

    def get_queryset(self):
        return Feature.objects.published().prefetch_related("authors")


class PieceDetailView(DetailView):
    """Readers see published pieces; staff who may view drafts see those too, marked as previews."""

    def get_queryset(self):
        opts = self.model._meta
        user = self.request.user
        if user.is_staff and user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            return self.model.objects.all()
        return self.model.objects.published()


class ReviewDetailView(PieceDetailView):
    model = Review
    template_name = "reviews/review_detail.html"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("authors", releases_with_film(), "videos")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["structured_data"] = review_data(self.object, self.request)
        return context


class FeatureDetailView(PieceDetailView):
    model = Feature
    template_name = "reviews/feature_detail.html"

    def get_queryset(self):
        entries = FeatureEntry.objects.select_related("release", "film")
        return super().get_queryset().prefetch_related("authors", Prefetch("entries", entries))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["structured_data"] = feature_data(self.object, self.request)
        return context
