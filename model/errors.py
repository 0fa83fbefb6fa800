"""The one exception type for bad user input.

Every check of a scenario, sweep or command-line argument raises :class:`InputError`; the CLI turns
it into a single line on stderr and exit code 2. Anything else escaping is a bug (exit code 1).
"""

from __future__ import annotations


class InputError(Exception):
    """Bad input: names the file, the key path inside it and what is allowed.

    Parameters
    ----------
    message : what is wrong and what is allowed, e.g. ``"must be >= 0 (got -1.0)"``.
    file : the file the input came from, if any.
    key : dotted key path inside the file, e.g. ``"levers.oil.volume_mbd"``.
    """

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None):
        self.message = message
        self.file = None if file is None else str(file)
        self.key = key
        super().__init__(self.render())

    def render(self) -> str:
        where = ": ".join(p for p in (self.file, self.key) if p)
        return one_line(f"{where}: {self.message}" if where else self.message)

    def with_file(self, file: str) -> InputError:
        """Same error, attributed to ``file`` unless it already names one."""
        return self if self.file else InputError(self.message, file=file, key=self.key)


def one_line(text: str) -> str:
    """``text`` with control and line-breaking characters escaped (``\\n``), so that a message
    quoting a user's key or value is always one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
