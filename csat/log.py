"""What the trainer must see, in the trainer's terminal: the ``csat`` logger.

Every module logs under ``csat`` (``logging.getLogger(__name__)``). :func:`to_terminal` sends
those lines to the terminal where ``csat app`` (or ``jupyter lab``) runs, and never to a
trainee's page: inside a Jupyter kernel ``sys.stderr`` is the page's output area, and
ipykernel also pipes the process's file descriptor 2 to the page, keeping a copy of the
original descriptor — the terminal the kernel was started from — which is where these
lines go.

Until :func:`to_terminal` is called the lines go nowhere (a :class:`logging.NullHandler`):
Python's last-resort handler would print them on ``sys.stderr``, which in a kernel is the page.
"""

from __future__ import annotations

import io
import logging
import sys
from typing import TextIO

LOGGER = "csat"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
DATEFMT = "%H:%M:%S"

logging.getLogger(LOGGER).addHandler(logging.NullHandler())

_fd_streams: dict[int, TextIO] = {}


def terminal_stream() -> TextIO:
    """Where a line for the trainer's terminal is written now: in a Jupyter kernel the copy of
    the descriptor the kernel was started with, elsewhere ``sys.stderr``."""
    err = sys.stderr
    fd = getattr(err, "_original_stdstream_copy", None)
    if isinstance(fd, int):
        if fd not in _fd_streams:
            raw = io.FileIO(fd, "w", closefd=False)
            _fd_streams[fd] = io.TextIOWrapper(
                raw, encoding="utf-8", errors="replace", line_buffering=True
            )
        return _fd_streams[fd]
    if type(err).__module__.startswith("ipykernel"):  # a kernel that does not pipe fd 2
        return sys.__stderr__ or err
    return err


class TerminalHandler(logging.StreamHandler):
    """A stream handler writing to :func:`terminal_stream`, looked up at every line (the
    stream can change: pytest's capture, a kernel's set-up)."""

    def __init__(self) -> None:
        super().__init__(stream=None)

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return terminal_stream()

    @stream.setter
    def stream(self, _value: TextIO | None) -> None:
        pass  # always the terminal


def to_terminal(level: int = logging.INFO) -> logging.Logger:
    """Print the ``csat`` logger's lines of ``level`` and above in the trainer's terminal
    (once, however often it is called); returns the logger."""
    logger = logging.getLogger(LOGGER)
    if not any(isinstance(h, TerminalHandler) for h in logger.handlers):
        handler = TerminalHandler()
        handler.setFormatter(logging.Formatter(FORMAT, DATEFMT))
        logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
    return logger
