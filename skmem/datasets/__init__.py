"""Readers of real data sets and seeded generators of synthetic ones."""
