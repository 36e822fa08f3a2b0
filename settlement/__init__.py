"""Settlement: versioned fee rules, the clearing (清分) of paid orders and a
double-entry ledger (docs/settlement.md)."""
