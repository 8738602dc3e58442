"""Build the benchmark's data and tell bench/run.py what to request.

Runs with the benchmark's own settings (its own database), never the development one.
"""

import json
import random
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Count, F, Q
from django.http import HttpResponse
from django.utils import timezone

from catalogue.models import Artist, Credit, Pressing, Release
from catalogue.search import NOISE_WORDS
from ratings.models import Answer, Tally, Vote
from ratings.services import cast_vote
from ratings.voters import (
    VOTER_COOKIE,
    address_hash,
    cookie_key,
    new_voter_token,
    set_voter_cookie,
)
from shop.models import Order, Price, Stock

SEARCH_KINDS = {"common": "common word", "misspelt": "misspelt artist", "nohit": "no hits"}
SEARCHES = 20_000  # distinct queries per kind, more than a scenario sends
TOKENS = 30_000  # more than a scenario sends in its time, so each request is a new voter
CHECKOUT_SESSIONS = 10_000
RETURNING_READERS = 2_000
COLD_PAGES = 10_000  # more than a cold scenario requests in its time


class Command(BaseCommand):
    help = "Prepare (or --verify) the benchmark's catalogue, shop data and request lists."

    def add_arguments(self, parser):
        parser.add_argument("--releases", type=int, default=100_000)
        parser.add_argument("--out", required=True)
        parser.add_argument("--verify", action="store_true")

    def handle(self, *args, **options):
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        if options["verify"]:
            self.stdout.write(json.dumps(self.verify(out)))
            return
        self.build_catalogue(options["releases"])
        self.build_shop()
        targets = self.targets(out)
        (out / "targets.json").write_text(json.dumps(targets, indent=2))

    def build_catalogue(self, releases):
        existing = Release.objects.count()
        if existing == releases:
            self.stderr.write(f"reusing the catalogue of {existing:,} releases")
            return
        if existing:
            self.stderr.write(
                f"the catalogue has {existing:,} releases, not {releases:,}: rebuilding"
            )
            call_command("flush", "--noinput", verbosity=0)
        call_command("seed_catalogue", "--releases", str(releases), stdout=self.stderr)

    def build_shop(self):
        """A price and generous stock for every pressing that has none (bulk, idempotent)."""
        rng = random.Random(7)
        missing = (
            Pressing.objects.filter(shop_price__isnull=True).values_list("pk", flat=True).iterator()
        )
        prices, stocks = [], []
        for pk in missing:
            prices.append(
                Price(
                    pressing_id=pk,
                    amount=Decimal(rng.choice(["19.99", "24.99", "28.60", "32.00", "39.99"])),
                )
            )
            stocks.append(Stock(pressing_id=pk, on_hand=rng.choice([0, 5, 40, 200])))
            if len(prices) == 5000:
                self._flush(prices, stocks)
        self._flush(prices, stocks)
        # Vacuumed and analysed now, not by autovacuum in the middle of the measurements: after a
        # fresh seed of 1.2 million tracks it would take a core for minutes (one run straight
        # after seeding measured searches and votes at half the speed of a run an hour later).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")

    @staticmethod
    def _flush(prices, stocks):
        Price.objects.bulk_create(prices, ignore_conflicts=True)
        Stock.objects.bulk_create(stocks, ignore_conflicts=True)
        prices.clear()
        stocks.clear()

    def targets(self, out):
        published = Release.objects.published()
        typical = published.annotate(n=Count("tracks")).filter(n=12).order_by("pk").first()
        longest = (
            published.annotate(n=Count("tracks")).filter(n__gte=40).order_by("pk").first()
            or typical
        )
        artist = (
            Artist.objects.annotate(n=Count("credits__release", distinct=True))
            .order_by("-n")
            .first()
        )
        # The pressing every cart and checkout buys: stock that cannot run out during a run.
        pressing = Pressing.objects.filter(release=typical).first()
        Stock.objects.filter(pressing=pressing).update(
            on_hand=10_000_000, reserved=0, per_order_limit=5, per_customer_limit=None
        )

        # The cold scenarios rotate through more pages than a run requests, so none is served from
        # the page cache: each request builds its page from the database.
        slugs = list(published.order_by("?").values_list("slug", flat=True)[:COLD_PAGES])
        (out / "release-paths.txt").write_text("".join(f"/releases/{s}/\n" for s in slugs))
        cold_lists = [
            f"/releases/?{urlencode({k: v for k, v in query.items() if v})}"
            for query in (
                {"format": fmt, "sort": sort, "page": page}
                for page in range(1, 401)
                for fmt in ("", "lp", "cd")
                for sort in ("", "title", "price")
            )
        ]
        random.Random(8).shuffle(cold_lists)
        (out / "list-cold-paths.txt").write_text("".join(p + "\n" for p in cold_lists))
        # Each artist once: DISTINCT over a join with a random order repeats artists (the random
        # key joins the distinct columns), and a repeated page would be served from the cache.
        credited = Credit.objects.filter(release__in=published).values("artist_id")
        artists = Artist.objects.filter(pk__in=credited)
        artist_slugs = list(artists.order_by("?").values_list("slug", flat=True)[:COLD_PAGES])
        (out / "artist-paths.txt").write_text("".join(f"/artists/{s}/\n" for s in artist_slugs))
        list_paths = [
            "/releases/",
            "/releases/?page=200",
            "/releases/?format=lp&colour=black&decade=1990",
            "/releases/?sort=price",
        ]
        (out / "list-paths.txt").write_text("".join(p + "\n" for p in list_paths))
        # The search scenarios send a different query each request, as readers type: no two hit
        # the same cached page. The mixed profile takes the first three of each kind.
        search_paths = []
        for kind, queries in self.search_queries().items():
            paths = [f"/search/?{urlencode({'q': q})}" for q in queries]
            (out / f"search-{kind}.txt").write_text("".join(p + "\n" for p in paths))
            search_paths += paths[:3]

        for name in ("voters.txt", "voters-one-address.txt", "voters-mixed.txt"):
            voters = []
            for _ in range(TOKENS):
                response = HttpResponse()
                set_voter_cookie(response, new_voter_token())
                voters.append(response.cookies[VOTER_COOKIE].value)
            (out / name).write_text("\n".join(voters) + "\n")

        # Returning readers: a voter cookie each, and every other one has voted on the typical
        # release (through the poll's own function, so its counts stay exact), so its page
        # shows them their answer and the results.
        returning, answers = [], [Answer.BUYING, Answer.MAYBE, Answer.NOT_MY_STYLE]
        for n in range(RETURNING_READERS):
            token, voted = new_voter_token(), bool(n % 2)
            response = HttpResponse()
            # A voter's cookie is marked as the vote view marks it once their vote is counted.
            set_voter_cookie(response, token, voted=voted)
            returning.append(response.cookies[VOTER_COOKIE].value)
            if voted:
                cast_vote(
                    release=typical,
                    voter_key=cookie_key(token),
                    answer=answers[n % len(answers)],
                    address_hash=address_hash("192.0.2.20"),
                )
        (out / "returning-readers.txt").write_text("\n".join(returning) + "\n")

        # Sessions written straight to the table (the cached_db backend reads them from there).
        store = SessionStore()
        data = store.encode({"cart": {str(pressing.pk): 1}})
        expires = timezone.now() + timedelta(days=1)
        sessions = [store._get_new_session_key() for _ in range(CHECKOUT_SESSIONS)]
        Session.objects.bulk_create(
            [Session(session_key=key, session_data=data, expire_date=expires) for key in sessions],
            batch_size=2000,
        )
        (out / "carts.txt").write_text("\n".join(sessions) + "\n")

        vote_path = f"/releases/{typical.slug}/poll/"
        # 60% release pages, 20% lists, 10% searches, 5% add to cart, 5% votes (new voters).
        mixed = (
            [f"/releases/{s}/" for s in slugs[:60]]
            + list_paths * 5
            + search_paths
            + ["/search/?q=night"]
            + [f"POST /cart/add/ pressing={pressing.pk}&quantity=1"] * 5
            + [f"POST {vote_path} choice=buying"] * 5
        )
        (out / "mixed-paths.txt").write_text("".join(p + "\n" for p in mixed))
        (out / "vote-release.txt").write_text(typical.slug)
        session_cookie = settings.SESSION_COOKIE_NAME
        return {
            "server_env": {},
            "release": typical.slug,
            "scenarios": [
                {"name": "ceiling", "path": "/bench/ceiling/", "page": ""},
                {"name": "home", "path": "/", "page": "home"},
                {
                    "name": "release (12 tracks)",
                    "path": typical.get_absolute_url(),
                    "page": "release",
                },
                {
                    "name": "release (40 tracks)",
                    "path": longest.get_absolute_url(),
                    "page": "release",
                },
                {
                    # The same page for readers who have been before, each with a voter cookie:
                    # half have never voted (the poll kept for first-time visitors), half have
                    # (the poll filled in with their vote and the results).
                    "name": "release (returning reader)",
                    "path": typical.get_absolute_url(),
                    "page": "release-returning",
                    "cookie": VOTER_COOKIE,
                    "tokens": str(out / "returning-readers.txt"),
                    "returning": True,
                },
                {
                    "name": "release cold (rotating)",
                    "path": "/",
                    "paths": str(out / "release-paths.txt"),
                    "page": "release",
                },
                {"name": "list first page", "path": "/releases/", "page": "release-list"},
                {
                    "name": "list cold (rotating)",
                    "path": "/",
                    "paths": str(out / "list-cold-paths.txt"),
                    "page": "release-list",
                },
                {"name": "list deep page", "path": "/releases/?page=200", "page": "release-list"},
                {"name": "list three filters", "path": list_paths[2], "page": "release-list"},
                {
                    "name": "list sort by price",
                    "path": "/releases/?sort=price",
                    "page": "release-list",
                },
                *(
                    {
                        "name": f"search {label}",
                        "path": "/search/",
                        "paths": str(out / f"search-{kind}.txt"),
                        "page": "search",
                    }
                    for kind, label in SEARCH_KINDS.items()
                ),
                # The same searches one at a time: how long a search itself takes, without
                # the queue of 16 clients on two cores in front of it.
                *(
                    {
                        "name": f"search {label} (1 client)",
                        "path": "/search/",
                        "paths": str(out / f"search-{kind}.txt"),
                        "page": "search",
                        "connections": 1,
                    }
                    for kind, label in SEARCH_KINDS.items()
                ),
                {"name": "artist page", "path": artist.get_absolute_url(), "page": "artist"},
                {
                    "name": "artist cold (rotating)",
                    "path": "/",
                    "paths": str(out / "artist-paths.txt"),
                    "page": "artist",
                },
                {
                    "name": "add to cart",
                    "path": "/cart/add/",
                    "method": "POST",
                    "page": "cart-add",
                    "body": f"pressing={pressing.pk}&quantity=1",
                },
                {
                    "name": "start checkout",
                    "path": "/checkout/",
                    "method": "POST",
                    "page": "checkout",
                    "body": "email=bench%40needledrop.test",
                    "cookie": session_cookie,
                    "tokens": str(out / "carts.txt"),
                    # Release-day buyers come from many networks (SHOP_HOLDS_PER_ADDRESS).
                    "spread_addresses": True,
                },
                {
                    # Not a page: the form post and the Stripe call every checkout makes, with
                    # none of the shop's work, bounding what "start checkout" can reach.
                    "name": "checkout floor (Stripe call only)",
                    "path": "/bench/checkout-floor/",
                    "method": "POST",
                    "page": "",
                    "body": "email=bench%40needledrop.test",
                },
                {
                    # A release-day crowd: a new voter each request, from many addresses.
                    "name": "poll vote (new voters)",
                    "path": vote_path,
                    "method": "POST",
                    "page": "vote",
                    "body": "choice=buying",
                    "cookie": VOTER_COOKIE,
                    "tokens": str(out / "voters.txt"),
                    "spread_addresses": True,
                },
                {
                    # The worst case: every new voter behind one address, whose votes the exact
                    # per-address limit serialises by design.
                    "name": "poll vote (one address)",
                    "path": vote_path,
                    "method": "POST",
                    "page": "vote",
                    "body": "choice=buying",
                    "cookie": VOTER_COOKIE,
                    "tokens": str(out / "voters-one-address.txt"),
                },
                {
                    "name": "mixed browse",
                    "path": "/",
                    "paths": str(out / "mixed-paths.txt"),
                    "page": "",
                    "cookie": VOTER_COOKIE,
                    "tokens": str(out / "voters-mixed.txt"),
                    "spread_addresses": True,
                },
            ],
        }

    def search_queries(self):
        """Distinct queries of each kind, more than a scenario sends, in a fixed shuffled order."""
        rng = random.Random(11)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word FROM ts_stat('SELECT to_tsvector(''simple'', title) FROM catalogue_release') "
                "WHERE length(word) >= 4 AND word ~ '^[a-z]+$' AND word <> ALL(%s) "
                "ORDER BY ndoc DESC, word LIMIT 40",
                [sorted(NOISE_WORDS)],
            )
            common_words = [word for (word,) in cursor.fetchall()] or ["night"]
        # One common word, written the ways readers write it ("Night", "the NIGHT", "night ost lp").
        noise = sorted(NOISE_WORDS)
        common = {
            text
            for word in common_words
            for shaped in (word, word.title(), word.upper())
            for text in (
                shaped,
                *(f"{n} {shaped}" for n in noise),
                *(f"{shaped} {n} {m}" for n in noise for m in noise if n != m),
            )
        }
        # The most credited artists (the most releases to find), one typo in the longest word.
        names = (
            Artist.objects.annotate(n=Count("credits"))
            .order_by("-n", "pk")
            .values_list("name", flat=True)[:400]
        )
        misspelt = set()
        for name in names:
            # "Hans Zimmer", not the "Orchestra" or number some names end with.
            parts = [p for p in name.split()[:2] if not p.isdigit()]
            longest = max(parts, key=len, default="")
            if len(longest) < 5:
                continue
            for typo in self.typos(longest.lower()):
                misspelt.add(typo)
                misspelt.add(" ".join(typo if p == longest else p for p in parts))
        letters = "bcdfghjklmnpqrstvwxz"
        no_hits = {
            "".join(rng.choice(letters) for _ in range(rng.randint(6, 10))) for _ in range(SEARCHES)
        }
        queries = {"common": sorted(common), "misspelt": sorted(misspelt), "nohit": sorted(no_hits)}
        for kind, texts in queries.items():
            rng.shuffle(texts)
            queries[kind] = texts[:SEARCHES]
        return queries

    @staticmethod
    def typos(word):
        """The one-letter slips of ``word`` a reader makes: two letters swapped, one dropped, one doubled."""
        inner = range(1, len(word) - 1)
        return (
            {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in inner}
            | {word[:i] + word[i + 1 :] for i in inner}
            | {word[:i] + word[i] + word[i:] for i in inner}
        ) - {word}

    def verify(self, out):
        """What must hold after the run: exact poll counts, no oversold stock."""
        slug = (out / "vote-release.txt").read_text().strip()
        release = Release.objects.get(slug=slug)
        stored = Vote.objects.filter(release=release).aggregate(
            buying=Count("pk", filter=Q(answer="buying")), total=Count("pk")
        )
        tally = Tally.objects.filter(release=release).first()
        tally_total = (
            (tally.buying + tally.maybe + tally.not_my_style + tally.too_expensive) if tally else 0
        )
        # The database's constraints forbid these; counted again here so the report shows it.
        oversold = Stock.objects.filter(
            Q(reserved__gt=F("on_hand")) & Q(reserved__gt=F("preorder_allocation"))
        ).count()
        negative = Stock.objects.filter(Q(on_hand__lt=0) | Q(reserved__lt=0)).count()
        return {
            "votes stored": stored["total"],
            "votes tallied": tally_total,
            "poll counts exact": stored["total"] == tally_total
            and (tally.buying if tally else 0) == stored["buying"],
            "pending checkout orders": Order.objects.count(),
            "stock rows oversold or negative": oversold + negative,
        }
