"""Benchmarks and external reference instances (not part of the installed package)."""
