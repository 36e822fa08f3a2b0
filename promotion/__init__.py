"""promotion: promotions, coupons, points, red packets, stored-value cards and
the quote engine."""
