"""Aggregates of the war room, one module each."""
