"""The one error type a source raises: it names the source, the file or URL, and the spot."""

import errno

# What to do about the operating-system errors an ETL run meets, after saying what happened.
OS_ERROR_HINTS = {
    errno.ENOENT: "another ETL run or a person moved or deleted it meanwhile; run the command"
    " again",
    errno.ENOSPC: "the disk is full; free some space and run the command again",
    errno.EDQUOT: "the disk quota is used up; free some space and run the command again",
    errno.EACCES: "the user running the ETL may not read or write it",
    errno.EPERM: "the user running the ETL may not read or write it",
    errno.EROFS: "the file system is read-only",
}


class SourceError(Exception):
    """Bad input from one source; the build stops and the last good data stays in place."""

    def __init__(self, source: str, location: str, detail: str) -> None:
        self.source = source
        self.location = location
        self.detail = detail
        super().__init__(f"{source}: {location}: {detail}")


class FileProblemError(Exception):
    """An operating-system error on one file, told as a sentence instead of `[Errno 2] ...`."""

    def __init__(self, error: OSError) -> None:
        self.error = error
        where = error.filename or "a file"
        super().__init__(f"{where}: {describe_os_error(error)}")


def describe_os_error(error: OSError) -> str:
    """`no such file or directory (another ETL run ... moved or deleted it ...)`: no errno."""
    what = (error.strerror or str(error) or type(error).__name__).rstrip(".")
    what = what[:1].lower() + what[1:]
    if error.filename2:
        what = f"{what} (moving it to {error.filename2})"
    hint = OS_ERROR_HINTS.get(error.errno or 0)
    return f"{what}: {hint}" if hint else what
