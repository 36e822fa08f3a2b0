from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhongtai.money import Money, allocate

weights_st = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30).filter(
    lambda ws: sum(ws) > 0
)


@given(amount=st.integers(min_value=-(10**12), max_value=10**12), weights=weights_st)
def test_allocation_sums_exactly(amount: int, weights: list[int]) -> None:
    shares = allocate(amount, weights)
    assert len(shares) == len(weights)
    assert sum(shares) == amount


@given(amount=st.integers(min_value=0, max_value=10**12), weights=weights_st)
def test_allocation_is_proportional_with_remainder_last(amount: int, weights: list[int]) -> None:
    shares = allocate(amount, weights)
    total = sum(weights)
    for share, w in zip(shares[:-1], weights[:-1], strict=True):
        assert share == amount * w // total  # floor of the exact proportion
    floor_last = amount * weights[-1] // total
    assert floor_last <= shares[-1] < floor_last + len(weights)


@given(data=st.data(), weights=weights_st)
def test_capped_allocation_never_exceeds_a_weight(data: st.DataObject, weights: list[int]) -> None:
    amount = data.draw(st.integers(min_value=0, max_value=sum(weights)))
    shares = allocate(amount, weights, capped=True)
    assert sum(shares) == amount
    assert all(0 <= s <= w for s, w in zip(shares, weights, strict=True))


def test_seed_example_remainder_goes_to_last_line() -> None:
    # 10.00 off across three lines of 33.33: 3.33 + 3.33 + 3.34
    assert allocate(1000, [3333, 3333, 3333]) == [333, 333, 334]


def test_uncapped_remainder_can_exceed_last_weight_and_capped_fixes_it() -> None:
    assert allocate(2, [1, 1, 1]) == [0, 0, 2]
    assert allocate(2, [1, 1, 1], capped=True) == [0, 1, 1]


def test_allocate_rejects_bad_weights() -> None:
    with pytest.raises(ValueError):
        allocate(10, [])
    with pytest.raises(ValueError):
        allocate(10, [0, 0])
    with pytest.raises(ValueError):
        allocate(10, [1, -1, 3])
    with pytest.raises(ValueError):
        allocate(10, [1, 2], capped=True)


def test_money_refuses_float_and_mixed_currencies() -> None:
    with pytest.raises(TypeError):
        Money(1.5, "CNY")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Money(1, "cny")
    with pytest.raises(ValueError):
        Money(1, "CNY") + Money(1, "USD")
    assert Money(150, "CNY") + Money(50, "CNY") == Money(200, "CNY")
    assert str(Money(-1234, "CNY")) == "-12.34 CNY"
    assert [m.amount for m in Money(100, "CNY").allocate([1, 1, 1])] == [33, 33, 34]
