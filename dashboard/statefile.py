"""A small JSON file next to the database that the CLI and the server share (digest subscriptions, alert state):
read and rewritten whole, atomically and mode 600, under an exclusive lock held on a sibling `.lock` file (the data
file itself is replaced, so it cannot carry the lock)."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from .auth import _write_private
from .locks import exclusive


class StateFile:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def locked(self) -> contextlib.AbstractContextManager[None]:
        return exclusive(str(self.path) + ".lock")

    def read(self, default: Any) -> Any:
        """The file's JSON; `default` when there is no file. ValueError when it is not JSON."""
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return default

    def write(self, obj: Any) -> None:
        _write_private(self.path, json.dumps(obj, ensure_ascii=False, indent=1))
