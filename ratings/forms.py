from decimal import Decimal

from django import forms
from django.conf import settings

from ratings.models import WOULD_PAY_MAX, Answer
from ratings.sharing import mastodon_host

WITHDRAW = "withdraw"


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        choices=[*Answer.choices, (WITHDRAW, "Withdraw my vote")],
        error_messages={
            "required": "Choose one of the four answers.",
            "invalid_choice": "That is not one of the poll's answers: choose Buying!, Maybe Buy, "
            "Not My Style or Too Expensive.",
        },
    )


def clean_vote_choice(data):
    """The answer posted in data, or a ValidationError whose message is for the reader.

    VoteForm's own field, without building a form: a form deep-copies its fields for every
    request, which cost a vote, the poll's hot path, more than validating its one value.
    """
    return VoteForm.base_fields["choice"].clean(data.get("choice"))


class WouldPayForm(forms.Form):
    amount = forms.DecimalField(
        label="What would you pay?",
        min_value=Decimal("0.01"),
        max_value=WOULD_PAY_MAX,
        max_digits=7,
        decimal_places=2,
        error_messages={
            "required": "Enter an amount, e.g. 25.00.",
            "invalid": "Enter an amount as a number, e.g. 25.00.",
            "min_value": "Enter an amount above zero.",
            "max_value": f"Enter an amount of at most {WOULD_PAY_MAX}.",
            "max_digits": f"Enter an amount of at most {WOULD_PAY_MAX}.",
            "max_whole_digits": f"Enter an amount of at most {WOULD_PAY_MAX}.",
            "max_decimal_places": "Use at most two decimal places, e.g. 24.99.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].label = f"What would you pay? ({settings.CURRENCY})"


class MastodonShareForm(forms.Form):
    instance = forms.CharField(
        label="Your Mastodon server",
        max_length=253,
        error_messages={"required": "Enter your Mastodon server, e.g. mastodon.social."},
    )
    choice = forms.ChoiceField(choices=Answer.choices, required=False)

    def clean_instance(self):
        host = mastodon_host(self.cleaned_data["instance"])
        if host is None:
            raise forms.ValidationError(
                "Enter the name of a Mastodon server, like mastodon.social (no address or path)."
            )
        return host
