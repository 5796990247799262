"""Writes and reads of pipeline records, one module per kind of record.

Every write is an upsert on a natural key, so any write can be repeated with no change.
"""
