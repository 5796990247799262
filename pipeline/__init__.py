"""newsflow: event-driven news ingestion (feeds -> articles -> entities -> stories -> alerts)."""

__version__ = "0.1.0"
