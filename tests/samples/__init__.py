"""Hand-made WARC files for the tests (built by ``make_samples``; none are committed)."""
