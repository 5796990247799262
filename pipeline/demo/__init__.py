"""The demo: feeds written by us, served from loopback, so newsflow runs with no internet."""
