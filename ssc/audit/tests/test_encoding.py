"""The hashed text: the fast verifier and the reference ``event_hash`` agree on every input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from ssc.audit.chain import GENESIS_HASH, SEP, canonical_time, event_hash, preimage, sm3_hex, verify_rows


def test_sm3_known_answer():
    # GB/T 32905-2016, example 1: SM3("abc").
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_canonical_time_is_exact_microseconds_since_epoch():
    assert canonical_time(datetime(1970, 1, 1, tzinfo=UTC)) == "0"
    assert canonical_time(datetime(2025, 2, 24, 9, 30, 0, 5, tzinfo=timezone(timedelta(hours=8)))) == (
        "1740360600000005"
    )


def test_preimage_layout():
    text = preimage("f" * 64, [1, "17", None, "张三", "", 5])
    assert text == "f" * 64 + SEP.join(["1", "17", "", "张三", "", "5"])


# --- the fast verifier and the reference hash agree ------------------------------------------------------

_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x1f"), max_size=40)
_ident = st.one_of(st.none(), st.integers(min_value=0, max_value=2**62))
_zones = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))])


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2200, 1, 1)),
            _zones,
            _ident,
            _ident,
            st.lists(_text, min_size=13, max_size=13),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_fast_verifier_matches_event_hash(rows):
    """``verify_rows`` formats the hashed text by hand for speed; it must equal ``event_hash`` exactly."""
    prev = GENESIS_HASH
    stored = []
    for i, (naive, zone, actor_id, org_id, texts) in enumerate(rows, start=1):
        at = naive.replace(tzinfo=zone)
        values = [i, canonical_time(at), actor_id, *texts[:2], org_id, *texts[2:]]
        h = event_hash(prev, values)
        stored.append((i, prev, h, at, actor_id, *texts[:2], org_id, *texts[2:]))
        prev = h
    assert verify_rows(iter(stored), (len(rows), prev)) == (len(rows), None)
    # …and any single changed field is found at its row.
    k = len(stored) - 1
    bad = list(stored[k])
    bad[5] = bad[5] + "!"
    stored[k] = tuple(bad)
    _n, brk = verify_rows(iter(stored), (len(rows), prev))
    assert brk is not None and brk.seq == k + 1 and brk.code == "edited"
