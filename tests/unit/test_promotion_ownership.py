"""promotion's ownership rules (promotion.ownership), for any caller: who
may create and end a shop's or the platform's rules, and act for a buyer or
on a buyer's card."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from promotion import ownership
from zhongtai.auth import Identity, Role
from zhongtai.errors import InvalidArgument, PermissionDenied

NAMES = st.sampled_from(["", "s1", "s2", "b1", "b2"])
CALLERS = st.builds(
    lambda role, subject, sellers: Identity(role, subject or "x",
                                            frozenset(sellers) if role is Role.SELLER
                                            else frozenset()),
    st.sampled_from(list(Role)), NAMES, st.sets(st.sampled_from(["s1", "s2"]), min_size=1))


def reason(call: object) -> str | None:
    """The reason a rule refuses with, or None if it allows."""
    try:
        call()  # type: ignore[operator]
    except (PermissionDenied, InvalidArgument) as e:
        return e.reason
    return None


@given(CALLERS, NAMES, st.sampled_from([0, 1, 10_000]))
def test_a_seller_creates_only_its_own_shops_rules_at_its_own_cost(
        caller: Identity, seller_id: str, share: int) -> None:
    refused = reason(lambda: ownership.rule_owner(caller, "promotion", seller_id, share))
    if caller.is_staff:
        assert refused is None
    elif not seller_id:
        assert refused == "PLATFORM_RULE_STAFF_ONLY"
    elif seller_id not in caller.sellers:  # another seller's shop (a buyer has none)
        assert refused == "SUBJECT_MISMATCH"
    elif share:
        assert refused == "PLATFORM_RULE_STAFF_ONLY"
    else:
        assert refused is None


@given(CALLERS, NAMES, NAMES)
def test_a_resource_is_its_buyers_its_sellers_and_staffs(
        caller: Identity, buyer_id: str, seller_id: str) -> None:
    allowed = (caller.is_staff or (caller.role is Role.BUYER and caller.subject == buyer_id)
               or (caller.role is Role.SELLER and seller_id in caller.sellers))
    refused = reason(lambda: ownership.owner(caller, "things/1", buyer_id=buyer_id,
                                             seller_id=seller_id))
    assert refused == (None if allowed else "NOT_THE_OWNER")


@given(CALLERS, NAMES)
def test_a_buyer_acts_for_themself_and_staff_name_the_buyer(caller: Identity,
                                                             requested: str) -> None:
    refused = reason(lambda: ownership.buyer_of(caller, requested))
    if caller.role is Role.BUYER:
        if requested in ("", caller.subject):
            assert ownership.buyer_of(caller, requested) == caller.subject
        else:
            assert refused == "SUBJECT_MISMATCH"
    elif caller.role is Role.SELLER:
        assert refused == "SUBJECT_MISMATCH"
    elif requested:
        assert ownership.buyer_of(caller, requested) == requested
    else:
        assert refused == "INVALID_ARGUMENT"  # staff must name the buyer


def test_a_buyer_promotion_cannot_keep_is_refused_not_stored() -> None:
    long_subject = Identity(Role.BUYER, "b" * (ownership.MAX_ID + 1))
    with pytest.raises(InvalidArgument) as e:
        ownership.buyer_of(long_subject, "")
    assert [v.field for v in e.value.violations] == ["buyer_id"]
