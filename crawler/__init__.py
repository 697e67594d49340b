"""Archiving crawler for the Central Asia-Caucasus Analyst: WARC captures and clean JSON."""

__version__ = "0.1.0"
