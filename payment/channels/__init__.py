"""Payment channels behind one adapter interface (``base.Channel``)."""
