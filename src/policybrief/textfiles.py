"""Reading a brief's text files: UTF-8 only, with located errors and a size limit."""

from __future__ import annotations

from pathlib import Path

from policybrief.errors import Location, SourceError

MAX_FILE_BYTES = 4 * 1024 * 1024  # a chapter or data file; the flagship's largest is 40 kB


def read_text(path: Path) -> str:
    """Read UTF-8 text, locating a decoding error at its line and column. Files over
    4 MB are refused: no brief needs one, and a pull request must not be able to make
    a build take minutes or exhaust memory. At most one byte over the limit is read,
    whatever the file claims to be (a link to ``/dev/zero`` has no size), and the error
    points where the limit is passed."""
    if not path.is_file():  # a FIFO or a device would never end, or never start
        raise SourceError("not a regular file", Location(path))
    with path.open("rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        size = max(path.stat().st_size, len(data))
        line = data.count(b"\n", 0, MAX_FILE_BYTES) + 1
        col = MAX_FILE_BYTES - (data.rfind(b"\n", 0, MAX_FILE_BYTES) + 1) + 1
        raise SourceError(f"file is {size / 1024 / 1024:.1f} MB; the limit is "
                          f"{MAX_FILE_BYTES // 1024 // 1024} MB (passed on this line)",
                          Location(path, line, col))
    try:
        # A byte-order mark and Windows line ends are editors' habits, not content.
        return data.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise SourceError(
            f"file is not UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8",
            Location(path, line, col),
        ) from None
