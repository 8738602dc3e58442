from django.urls import path

from shop import views

app_name = "shop"

urlpatterns = [
    path("cart/", views.cart_detail, name="cart"),
    path("cart/add/", views.cart_add, name="cart-add"),
    path("cart/update/", views.cart_update, name="cart-update"),
    path("cart/remove/", views.cart_remove, name="cart-remove"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/success/", views.checkout_success, name="checkout-success"),
    path("checkout/cancel/", views.checkout_cancel, name="checkout-cancel"),
    path("checkout/test/<slug:number>/", views.test_checkout, name="test-checkout"),
    path("orders/<slug:number>/", views.order_detail, name="order-detail"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
    path("notify/", views.notify_signup, name="notify-signup"),
    path("notify/confirm/<slug:token>/", views.notify_confirm, name="notify-confirm"),
    path("notify/unsubscribe/<slug:token>/", views.notify_unsubscribe, name="notify-unsubscribe"),
]
