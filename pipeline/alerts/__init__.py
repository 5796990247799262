"""Alerts on tracked deals: rules (what deserves an alert), messages (what it says), notifiers
(how it is sent), the outbox (delivery with retries) and run (one evaluate-and-deliver pass).
"""
