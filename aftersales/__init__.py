"""After-sales (售后): refund-only and return-and-refund applications of one
order line, reviewed by the seller, arbitrated by the platform, refunded
exactly once through trade, payment, promotion and catalog
(``docs/aftersales.md``)."""
