from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"

    def ready(self):
        from catalogue import hooks
        from catalogue.signals import demo_loaded
        from shop import demo, selectors
        from shop.templatetags.shop import card_price

        hooks.register_list_annotation(selectors.annotate_releases)
        # Prices and stock move list filters and counts ("in stock", "price up to").
        hooks.register_list_scope("shop")
        hooks.register_filter(
            hooks.ListFilter("in_stock", "In stock", selectors.filter_in_stock, "checkbox")
        )
        hooks.register_filter(
            hooks.ListFilter("price_min", "Price from", selectors.filter_price_min, "number")
        )
        hooks.register_filter(
            hooks.ListFilter("price_max", "Price up to", selectors.filter_price_max, "number")
        )
        hooks.register_sort(hooks.ListSort("price", "Price, low to high", selectors.sort_by_price))
        hooks.register_pressing_annotation(selectors.prefetch_for_pressings)
        hooks.register_json_ld(selectors.add_offers_to_json_ld)
        hooks.register_card_part(card_price)
        demo_loaded.connect(demo.load_shop_demo, dispatch_uid="shop.demo")

        from django.db.models.signals import post_delete, post_save

        from catalogue.cache import bump
        from catalogue.models import Pressing
        from shop.models import Price, Stock

        # Staff edit prices and stock in the admin; checkouts move stock through services,
        # which bump the same generations themselves (queryset updates send no signal).
        def offer_changed(sender, instance, **kwargs):
            slug = (
                Pressing.objects.filter(pk=instance.pressing_id)
                .values_list("release__slug", flat=True)
                .first()
            )
            bump("shop", f"shop:release:{slug}")

        for model in (Price, Stock):
            post_save.connect(
                offer_changed,
                sender=model,
                weak=False,
                dispatch_uid=f"shop.cache.save.{model.__name__}",
            )
            post_delete.connect(
                offer_changed,
                sender=model,
                weak=False,
                dispatch_uid=f"shop.cache.delete.{model.__name__}",
            )
