"""Benchmarks: scripts that measure the crawler side by side and print ratios."""
