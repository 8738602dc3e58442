from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "catalogue"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from catalogue.cache import bump

        # Editors change the catalogue through the admin's forms and inlines, the importer and
        # scripts; a signal is the one place that sees every such write, so cached pages never
        # outlive the data they show.
        def catalogue_changed(sender, **kwargs):
            if sender._meta.app_label == "catalogue":
                bump("catalogue")

        for name, signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
            signal.connect(catalogue_changed, weak=False, dispatch_uid=f"catalogue.cache.{name}")

        from catalogue.images import renditions_on_save
        from catalogue.models import Artist, Film, PressingImage, Release

        # Each image in the widths of the pages that show it (catalogue/images.py, SIZES).
        renditions_on_save(Release, "cover", ("card", "large"))
        for model, field_name in ((Artist, "image"), (Film, "poster"), (PressingImage, "image")):
            renditions_on_save(model, field_name, ("thumb",))
