"""Model engines: one contract per kind (``base``), backends registered by name (``registry``)."""
