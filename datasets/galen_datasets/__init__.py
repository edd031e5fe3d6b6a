"""Turns public compound data into Galen compound-library files (see datasets/README.md)."""

__version__ = "1.0.0"
