"""The war room's benchmark: the product beside the raw limits of its database.

Run it with `python -m tests.benchmarks [--db sqlite|postgresql|both] [--quick]
[--out results.json]`; see README.md beside this file for what each figure means.
"""
