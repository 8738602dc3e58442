"""ratings_cast_vote(): a reader's vote, the address limit and the tally move in one round trip.

A vote is the poll's hot path on release day. Done from Python it took ten round trips (lock the
reader's row, lock the address, count, insert, move the tally, read both back); here it is one
statement, so the locks are held for microseconds instead of a dozen network waits. The steps
and the lock order are those of ratings.services: the reader's vote row, then the address lock,
then the release's tally row. Each statement in a PL/pgSQL function takes a fresh snapshot, so
the address count still sees every vote committed while this one waited for the lock.

Returns one row: outcome ('created', 'changed', 'address_limited' or 'busy'), the vote's id,
answer and would_pay, and the release's four counts after the vote.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION ratings_cast_vote(
    p_release bigint,
    p_voter text,
    p_answer text,
    p_address text,
    p_lock_space integer,
    p_lock_key integer,
    p_limit integer,
    p_now timestamptz
) RETURNS TABLE (
    outcome text,
    vote_id bigint,
    vote_answer text,
    vote_would_pay numeric,
    buying integer,
    maybe integer,
    not_my_style integer,
    too_expensive integer
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_id bigint;
    v_previous text;
    v_would_pay numeric;
    v_recent integer;
BEGIN
    FOR attempt IN 1..3 LOOP
        SELECT v.id, v.answer, v.would_pay INTO v_id, v_previous, v_would_pay
          FROM ratings_vote v
         WHERE v.release_id = p_release AND v.voter_key = p_voter
           FOR UPDATE;
        EXIT WHEN FOUND;

        -- A new vote: it counts against the client address's hourly limit, exactly.
        PERFORM pg_advisory_xact_lock(p_lock_space, p_lock_key);
        SELECT count(*) INTO v_recent
          FROM ratings_vote v
         WHERE v.address_hash = p_address AND v.created_at > p_now - interval '1 hour';
        IF v_recent >= p_limit THEN
            RETURN QUERY SELECT 'address_limited'::text, NULL::bigint, NULL::text, NULL::numeric,
                                0, 0, 0, 0;
            RETURN;
        END IF;

        INSERT INTO ratings_vote
               (release_id, voter_key, answer, would_pay, address_hash, created_at, updated_at)
        VALUES (p_release, p_voter, p_answer, NULL, p_address, p_now, p_now)
        ON CONFLICT (release_id, voter_key) DO NOTHING
        RETURNING id INTO v_id;
        IF v_id IS NOT NULL THEN
            RETURN QUERY
            INSERT INTO ratings_tally AS t
                   (release_id, buying, maybe, not_my_style, too_expensive)
            VALUES (p_release, (p_answer = 'buying')::int, (p_answer = 'maybe')::int,
                    (p_answer = 'not_my_style')::int, (p_answer = 'too_expensive')::int)
            ON CONFLICT (release_id) DO UPDATE SET
                buying = t.buying + EXCLUDED.buying,
                maybe = t.maybe + EXCLUDED.maybe,
                not_my_style = t.not_my_style + EXCLUDED.not_my_style,
                too_expensive = t.too_expensive + EXCLUDED.too_expensive
            RETURNING 'created'::text, v_id, p_answer, NULL::numeric,
                      t.buying, t.maybe, t.not_my_style, t.too_expensive;
            RETURN;
        END IF;
        -- The same reader's other window inserted first: loop, lock that row and change it
        -- (or, had it been withdrawn meanwhile, try the insert again).
    END LOOP;

    IF v_id IS NULL THEN
        RETURN QUERY SELECT 'busy'::text, NULL::bigint, NULL::text, NULL::numeric, 0, 0, 0, 0;
        RETURN;
    END IF;

    -- A change of answer: a price given for "Too Expensive" goes with that answer.
    IF p_answer <> 'too_expensive' THEN
        v_would_pay := NULL;
    END IF;
    UPDATE ratings_vote
       SET answer = p_answer, would_pay = v_would_pay, updated_at = p_now
     WHERE id = v_id;
    RETURN QUERY
    UPDATE ratings_tally AS t SET
        buying = t.buying + (p_answer = 'buying')::int - (v_previous = 'buying')::int,
        maybe = t.maybe + (p_answer = 'maybe')::int - (v_previous = 'maybe')::int,
        not_my_style = t.not_my_style + (p_answer = 'not_my_style')::int
                       - (v_previous = 'not_my_style')::int,
        too_expensive = t.too_expensive + (p_answer = 'too_expensive')::int
                        - (v_previous = 'too_expensive')::int
     WHERE t.release_id = p_release
    RETURNING 'changed'::text, v_id, p_answer, v_would_pay,
              t.buying, t.maybe, t.not_my_style, t.too_expensive;
END;
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS ratings_cast_vote(
    bigint, text, text, text, integer, integer, integer, timestamptz
);
"""


class Migration(migrations.Migration):
    dependencies = [("ratings", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
