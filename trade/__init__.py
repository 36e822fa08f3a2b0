"""trade: orders (biz_order, pay_order, log_order), the creation saga, the
order state machine."""
