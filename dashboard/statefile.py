"""A small JSON file next to the database that the CLI and the server share (digest subscriptions, alert state):
read and rewritten whole, atomically and mode 600, under an exclusive lock held on a sibling `.lock` file (the data
file itself is replaced, so it cannot carry the lock)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .auth import _write_private


class StateFile:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(str(self.path) + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def read(self, default: Any) -> Any:
        """The file's JSON; `default` when there is no file. ValueError when it is not JSON."""
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return default

    def write(self, obj: Any) -> None:
        _write_private(self.path, json.dumps(obj, ensure_ascii=False, indent=1))
