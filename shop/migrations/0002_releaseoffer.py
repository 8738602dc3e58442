"""ReleaseOffer: each release's lowest price and in-stock dates, kept by database triggers.

Triggers rather than signals or services, because stock moves through queryset updates
(checkouts) and prices and stock arrive through bulk inserts (imports, the benchmark), which
send no signal. Every trigger calls shop_refresh_offers(release ids), which recomputes the rows
of those releases from their pressings, prices and stock.
"""

from django.db import migrations, models

FUNCTIONS = """
CREATE FUNCTION shop_refresh_offers(release_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- A row for every release that exists (a deleted release's row goes with it, below).
    INSERT INTO shop_releaseoffer (release_id)
    SELECT id FROM catalogue_release WHERE id = ANY (release_ids) ORDER BY id
    ON CONFLICT (release_id) DO NOTHING;
    -- Lock the rows, in id order so two refreshes cannot deadlock, before reading: a concurrent
    -- change to another pressing of the same release has then committed, and the next
    -- statement's fresh snapshot (READ COMMITTED) sees it.
    PERFORM 1 FROM shop_releaseoffer
    WHERE release_id = ANY (release_ids) ORDER BY release_id FOR NO KEY UPDATE;
    -- The rule of shop.selectors: a pressing sells when it is priced, stocked and not out of
    -- print, from the pre-order allocation before its release date and from the shelf after.
    UPDATE shop_releaseoffer AS o
    SET price_from = a.price_from, shelf_from = a.shelf_from, preorder_until = a.preorder_until
    FROM (
        SELECT
            r.id,
            min(pr.amount) AS price_from,
            min(coalesce(p.release_date, DATE '0001-01-01')) FILTER (
                WHERE p.availability <> 'out_of_print' AND pr.id IS NOT NULL
                AND s.on_hand > s.reserved
            ) AS shelf_from,
            max(p.release_date) FILTER (
                WHERE p.availability <> 'out_of_print' AND pr.id IS NOT NULL
                AND s.preorder_allocation > s.reserved
            ) AS preorder_until
        FROM (SELECT DISTINCT unnest(release_ids) AS id) AS r
        LEFT JOIN catalogue_pressing AS p ON p.release_id = r.id
        LEFT JOIN shop_price AS pr ON pr.pressing_id = p.id
        LEFT JOIN shop_stock AS s ON s.pressing_id = p.id
        GROUP BY r.id
    ) AS a
    WHERE o.release_id = a.id
    AND (o.price_from, o.shelf_from, o.preorder_until)
        IS DISTINCT FROM (a.price_from, a.shelf_from, a.preorder_until);
END
$$;

-- New releases: an empty row each, so every release has one (the price sort joins them).
CREATE FUNCTION shop_offers_release_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO shop_releaseoffer (release_id) SELECT id FROM changed ORDER BY id
    ON CONFLICT (release_id) DO NOTHING;
    RETURN NULL;
END
$$;

CREATE FUNCTION shop_offers_release_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM shop_releaseoffer WHERE release_id IN (SELECT id FROM changed);
    RETURN NULL;
END
$$;

-- Pressings moved to another release, put out of print or given another release date.
CREATE FUNCTION shop_offers_pressing_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM shop_refresh_offers(ARRAY[OLD.release_id, NEW.release_id]);
    RETURN NULL;
END
$$;

CREATE FUNCTION shop_offers_pressings_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM shop_refresh_offers(ARRAY(SELECT DISTINCT release_id FROM changed));
    RETURN NULL;
END
$$;

-- Prices and stock rows added or removed (a whole statement's worth at once: bulk inserts).
CREATE FUNCTION shop_offers_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM shop_refresh_offers(ARRAY(
        SELECT DISTINCT p.release_id FROM changed JOIN catalogue_pressing AS p
        ON p.id = changed.pressing_id
    ));
    RETURN NULL;
END
$$;

-- A price or stock row changed in a way that matters (see each trigger's WHEN).
CREATE FUNCTION shop_offers_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM shop_refresh_offers(ARRAY(
        SELECT release_id FROM catalogue_pressing WHERE id IN (OLD.pressing_id, NEW.pressing_id)
    ));
    RETURN NULL;
END
$$;
"""

# (name, table, event, function, condition). Without a condition a trigger runs once per
# statement, with the statement's rows in "changed" (a bulk insert costs one refresh); with one,
# once per row that meets it.
TRIGGERS = [
    ("release_added", "catalogue_release", "INSERT", "release_added", None),
    ("release_deleted", "catalogue_release", "DELETE", "release_deleted", None),
    (
        "pressing_changed",
        "catalogue_pressing",
        "UPDATE",
        "pressing_changed",
        "OLD.release_id IS DISTINCT FROM NEW.release_id"
        " OR OLD.availability IS DISTINCT FROM NEW.availability"
        " OR OLD.release_date IS DISTINCT FROM NEW.release_date",
    ),
    ("pressings_deleted", "catalogue_pressing", "DELETE", "pressings_deleted", None),
    ("prices_added", "shop_price", "INSERT", "rows_changed", None),
    ("prices_deleted", "shop_price", "DELETE", "rows_changed", None),
    (
        "price_changed",
        "shop_price",
        "UPDATE",
        "row_changed",
        "OLD.amount <> NEW.amount OR OLD.pressing_id <> NEW.pressing_id",
    ),
    ("stock_added", "shop_stock", "INSERT", "rows_changed", None),
    ("stock_deleted", "shop_stock", "DELETE", "rows_changed", None),
    # Most stock updates (a copy held, sold or given back) turn no pressing from sellable to
    # sold out or back, and so cost nothing here.
    (
        "stock_changed",
        "shop_stock",
        "UPDATE",
        "row_changed",
        "(OLD.on_hand > OLD.reserved) <> (NEW.on_hand > NEW.reserved)"
        " OR (OLD.preorder_allocation > OLD.reserved) <> (NEW.preorder_allocation > NEW.reserved)"
        " OR OLD.pressing_id <> NEW.pressing_id",
    ),
]


def create_trigger(name, table, event, function, when):
    if when is None:
        transition = "NEW" if event == "INSERT" else "OLD"
        level = f"REFERENCING {transition} TABLE AS changed FOR EACH STATEMENT"
    else:
        level = f"FOR EACH ROW WHEN ({when})"
    return (
        f"CREATE TRIGGER shop_offers_{name} AFTER {event} ON {table} {level} "
        f"EXECUTE FUNCTION shop_offers_{function}();"
    )


CREATE = "\n".join(
    [
        FUNCTIONS,
        *(create_trigger(*trigger) for trigger in TRIGGERS),
        # Rows for the releases there already are.
        "SELECT shop_refresh_offers(ARRAY(SELECT id FROM catalogue_release));",
    ]
)
DROP = "\n".join(
    [
        *(f"DROP TRIGGER shop_offers_{name} ON {table};" for name, table, *_ in TRIGGERS),
        *(
            f"DROP FUNCTION shop_offers_{function}();"
            for function in dict.fromkeys(trigger[3] for trigger in TRIGGERS)
        ),
        "DROP FUNCTION shop_refresh_offers(bigint[]);",
    ]
)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0002_role_vocabulary"),
        ("shop", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReleaseOffer",
            fields=[
                (
                    "release",
                    models.OneToOneField(
                        on_delete=models.DO_NOTHING,
                        primary_key=True,
                        related_name="shop_offer",
                        serialize=False,
                        to="catalogue.release",
                    ),
                ),
                ("price_from", models.DecimalField(decimal_places=2, max_digits=10, null=True)),
                ("shelf_from", models.DateField(null=True)),
                ("preorder_until", models.DateField(null=True)),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["price_from", "release"],
                        include=("shelf_from", "preorder_until"),
                        name="releaseoffer_price_idx",
                    )
                ],
            },
        ),
        migrations.RunSQL(CREATE, DROP),
    ]
