"""Spiders of the project: `analyst` archives the Central Asia-Caucasus Analyst."""
