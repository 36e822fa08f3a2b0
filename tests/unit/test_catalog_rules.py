"""catalog's ownership rule: who may change an item, its SKUs and their
stock (``domain.require_seller``)."""

from __future__ import annotations

import pytest

from catalog import domain
from zhongtai.auth import Identity, Role
from zhongtai.errors import PermissionDenied


def test_a_seller_acts_only_for_its_own_sellers_staff_for_any() -> None:
    allowed = [Identity(Role.SELLER, "acct", frozenset({"s1", "s2"})),
               Identity(Role.OPERATOR, "ops"), Identity.for_service("trade")]
    for caller in allowed:
        domain.require_seller(caller, "s1", "SKU k1", sku_id="k1")
    refused = [Identity(Role.SELLER, "acct", frozenset({"s2"})),
               Identity(Role.SELLER, "s1", frozenset({"s3"})),  # the subject is no seller id
               Identity(Role.BUYER, "s1")]
    for caller in refused:
        with pytest.raises(PermissionDenied) as e:
            domain.require_seller(caller, "s1", "SKU k1", sku_id="k1")
        assert (e.value.reason, e.value.metadata) == ("NOT_THE_SELLER", {"sku_id": "k1"})
