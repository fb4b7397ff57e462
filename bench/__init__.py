"""Benchmarks, each runnable from the project root as `python -m bench.<name>`."""
