"""The extraction's one error, importable without the extraction itself (trafilatura)."""


class ExtractionError(Exception):
    """The page could not be read as an article at all."""
