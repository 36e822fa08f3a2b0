"""payment: payment orders, the cashier, channels, callbacks, refunds."""
