"""ratings_cast_vote(), version 2: the same steps as 0002, with two changes.

1. The vote's transaction commits without waiting for its WAL record to reach the disk
   (synchronous_commit off, for this transaction only). On release day every vote on a release
   updates that release's one tally row, so each vote held the row's lock through a disk flush
   and the votes queued behind it. If the database server itself crashed, the votes of its last
   fraction of a second (at most three wal_writer_delay, 0.6 s by default) could be lost, each
   with its tally change, so the counts still match the stored votes. Orders, stock and payments
   keep synchronous commits.

2. The address count stops at the limit: it answers "has this address reached the limit?", so it
   reads at most POLL_RATE_PER_ADDRESS rows instead of every vote from the address in the hour.
"""

import importlib

from django.db import migrations

_PREVIOUS = importlib.import_module("ratings.migrations.0002_cast_vote_function").CREATE

_CHANGES = [
    (
        "BEGIN\n    FOR attempt IN 1..3 LOOP",
        "BEGIN\n    PERFORM set_config('synchronous_commit', 'off', true);\n"
        "    FOR attempt IN 1..3 LOOP",
    ),
    (
        "        SELECT count(*) INTO v_recent\n"
        "          FROM ratings_vote v\n"
        "         WHERE v.address_hash = p_address AND v.created_at > p_now - interval '1 hour';",
        "        SELECT count(*) INTO v_recent\n"
        "          FROM (SELECT 1\n"
        "                  FROM ratings_vote v\n"
        "                 WHERE v.address_hash = p_address\n"
        "                   AND v.created_at > p_now - interval '1 hour'\n"
        "                 LIMIT p_limit) recent;",
    ),
]


def _changed(sql):
    for before, after in _CHANGES:
        if sql.count(before) != 1:
            raise ValueError(f"ratings_cast_vote no longer contains {before!r}")
        sql = sql.replace(before, after)
    return sql


class Migration(migrations.Migration):
    dependencies = [("ratings", "0003_vote_release_index")]

    operations = [migrations.RunSQL(_changed(_PREVIOUS), _PREVIOUS)]
