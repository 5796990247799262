"""Cycle steps: each composes one stage with the store for one part of an ingest cycle.

Drivers (the CLI, the Airflow DAGs, pipeline/cycle.py) call these; stages stay free of I/O.
"""
