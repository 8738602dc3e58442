"""Demo votes for `manage.py load_demo`: a plausible spread on a few published releases."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from catalogue.models import Release
from ratings.models import Answer, Vote
from ratings.services import recount_tallies
from ratings.voters import address_hash

# Votes per answer (buying, maybe, not my style, too expensive) for the newest releases in turn.
SPREADS = [(48, 21, 6, 9), (31, 17, 12, 14), (12, 19, 9, 22), (7, 11, 15, 4), (22, 8, 3, 5)]
WOULD_PAY = [Decimal(v) for v in ("20.00", "22.50", "25.00", "18.00", "28.00", "24.99")]


@transaction.atomic
def add_demo_votes(sender=None, stdout=None, **kwargs):
    """Idempotent: demo readers have fixed keys, and the unique constraint skips existing votes."""
    releases = list(Release.objects.published().order_by("-published_at", "-id")[: len(SPREADS)])
    now = timezone.now()
    votes = []
    for release, spread in zip(releases, SPREADS, strict=False):
        reader = 0
        for answer, count in zip(Answer.values, spread, strict=True):
            for _ in range(count):
                # Spread over four weeks and many (documentation-range) addresses: no bursts.
                when = now - timedelta(hours=3 + reader * 7)
                votes.append(
                    Vote(
                        release=release,
                        voter_key=f"demo:{release.pk}:{reader}",
                        answer=answer,
                        would_pay=(
                            WOULD_PAY[reader % len(WOULD_PAY)]
                            if answer == Answer.TOO_EXPENSIVE and reader % 2
                            else None
                        ),
                        address_hash=address_hash(f"192.0.2.{reader % 250 + 1}"),
                        created_at=when,
                        updated_at=when,
                    )
                )
                reader += 1
    Vote.objects.bulk_create(votes, ignore_conflicts=True)
    recount_tallies(releases=releases)
    if stdout is not None:
        stdout.write(f"Poll votes added to {len(releases)} releases.")
