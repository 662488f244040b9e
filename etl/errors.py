"""The one error type a source raises: it names the source, the file or URL, and the spot."""


class SourceError(Exception):
    """Bad input from one source; the build stops and the last good data stays in place."""

    def __init__(self, source: str, location: str, detail: str) -> None:
        self.source = source
        self.location = location
        self.detail = detail
        super().__init__(f"{source}: {location}: {detail}")
