"""Benchmarks: a synthetic feed generator and the harness behind `make bench`."""
