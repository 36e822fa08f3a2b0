"""catalog: sellers, items with SKUs and immutable versions, stock per SKU."""
