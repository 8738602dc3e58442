"""The reader poll: one answer per reader per release, and the running tally of those answers."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from catalogue.models import Release

# "What would you pay?" accepts amounts in the store currency up to this bound.
WOULD_PAY_MAX = Decimal("1000.00")


class Answer(models.TextChoices):
    BUYING = "buying", "Buying!"
    MAYBE = "maybe", "Maybe Buy"
    NOT_MY_STYLE = "not_my_style", "Not My Style"
    TOO_EXPENSIVE = "too_expensive", "Too Expensive"


# Answer.values and Answer.choices build a new list on every access; the poll's hot paths (every
# vote, every poll shown) read these instead.
ANSWER_VALUES = tuple(Answer.values)
ANSWER_CHOICES = tuple(Answer.choices)


class Vote(models.Model):
    """A reader's answer to "What do you think of this release?"."""

    # No index of its own: one_vote_per_reader and vote_release_answer_idx both lead with it, and
    # a third index would be one more write on every vote.
    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="poll_votes", db_index=False
    )
    # "c:<token>" for the signed voter cookie, "u:<pk>" for a signed-in account.
    voter_key = models.CharField(max_length=64)
    answer = models.CharField(max_length=16, choices=Answer.choices)
    would_pay = models.DecimalField(
        "would pay",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text='The reader\'s answer to "What would you pay?", asked after "Too Expensive".',
    )
    # A keyed HMAC of the client address (see ratings.voters.address_hash); never the address.
    address_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["release", "answer"], name="vote_release_answer_idx"),
            models.Index(fields=["address_hash", "created_at"], name="vote_address_time_idx"),
            models.Index(fields=["voter_key"], name="vote_voter_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["release", "voter_key"], name="one_vote_per_reader"),
            models.CheckConstraint(condition=Q(answer__in=Answer.values), name="vote_answer_valid"),
            models.CheckConstraint(
                condition=Q(would_pay__isnull=True)
                | Q(
                    answer=Answer.TOO_EXPENSIVE,
                    would_pay__gt=0,
                    would_pay__lte=WOULD_PAY_MAX,
                ),
                name="would_pay_only_when_too_expensive",
            ),
        ]

    def __str__(self):
        return f"{self.get_answer_display()} on {self.release_id}"


class Tally(models.Model):
    """How many stored votes each answer has for a release, kept in the vote's own transaction."""

    release = models.OneToOneField(
        Release, on_delete=models.CASCADE, primary_key=True, related_name="poll_tally"
    )
    buying = models.PositiveIntegerField(default=0)
    maybe = models.PositiveIntegerField(default=0)
    not_my_style = models.PositiveIntegerField(default=0)
    too_expensive = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "tallies"
        # No index on the counts: a vote that changed an indexed column could not update the row
        # in place (a HOT update), and on release day one release's row takes hundreds of votes
        # a second (docs/performance.md). The "Most wanted" sort joins every release to its
        # tally and sorts them whatever the index.

    def __str__(self):
        return f"Poll tally of {self.release_id}"

    @property
    def total(self):
        return sum(self.counts().values())

    def counts(self):
        return {answer: getattr(self, answer) for answer in ANSWER_VALUES}
