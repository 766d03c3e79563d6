"""Benchmarks (make bench). Not tests: they do not run in CI."""
