from decimal import Decimal

from django import forms

from shop.models import ShippingRate
from shop.services import MAX_QUANTITY


class StrictForm(forms.Form):
    """A form that refuses fields it does not know, such as a price slipped into the post."""

    allowed_extra = {"csrfmiddlewaretoken", "next"}

    def clean(self):
        cleaned = super().clean()
        unknown = set(self.data) - set(self.fields) - self.allowed_extra
        if unknown:
            raise forms.ValidationError(
                "This form does not accept %(fields)s; prices are set by the shop.",
                params={"fields": ", ".join(sorted(unknown)[:5])},
                code="unknown_field",
            )
        return cleaned


class AddToCartForm(StrictForm):
    pressing = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY, initial=1)


class UpdateCartForm(StrictForm):
    pressing = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        min_value=0, max_value=MAX_QUANTITY, help_text="0 removes the pressing."
    )


class RemoveFromCartForm(StrictForm):
    pressing = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)


class CheckoutForm(StrictForm):
    email = forms.EmailField(
        required=False,
        max_length=254,
        help_text="Needed for pressings limited per customer; otherwise Stripe asks for it.",
    )


class NotifyForm(StrictForm):
    pressing = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    email = forms.EmailField(max_length=254)


class TestPaymentForm(StrictForm):
    email = forms.EmailField(max_length=254, initial="buyer@example.com")
    name = forms.CharField(max_length=200, initial="Test Buyer")
    line1 = forms.CharField(label="Address", max_length=200, initial="1 Test Street")
    city = forms.CharField(max_length=100, initial="Bristol")
    postal_code = forms.CharField(max_length=20, initial="BS1 1AA")
    country = forms.CharField(max_length=2, min_length=2, initial="GB")
    shipping_rate = forms.ModelChoiceField(queryset=None, required=False, empty_label="No shipping")
    action = forms.ChoiceField(choices=[("pay", "Pay"), ("cancel", "Cancel")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shipping_rate"].queryset = ShippingRate.objects.active()

    def clean_country(self):
        return self.cleaned_data["country"].upper()


class ShipForm(forms.Form):
    carrier = forms.CharField(max_length=100, help_text='e.g. "Royal Mail".')
    tracking_number = forms.CharField(max_length=100)


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        min_value=Decimal("0.01"),
        help_text="Leave blank to refund everything not yet refunded.",
    )
