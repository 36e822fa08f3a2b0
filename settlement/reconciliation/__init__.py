"""Reconciliation (对账): a channel's daily statement matched against
settlement's own record of payments and refunds (docs/settlement.md)."""
