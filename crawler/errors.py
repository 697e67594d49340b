"""Errors that end a run with one clear line instead of a traceback."""


class PreflightError(Exception):
    """Bad input found before the crawl starts: nothing has been written yet."""
