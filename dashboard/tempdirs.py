"""Per-process temporary folders (web uploads, an import's working files): named with the process id, so the
folders a process killed with SIGKILL left behind are recognised and removed when a server or an import starts."""

from __future__ import annotations

import os
import shutil
import tempfile
import unicodedata
from pathlib import Path

UPLOAD_PREFIX = "cchc-upload-"  # + the server process id: a folder left by a killed server is found and removed
INGEST_PREFIX = "cchc-ingest-"  # + the importing process id (CLI or web worker)
PREFIXES = (UPLOAD_PREFIX, INGEST_PREFIX)


def sweep_uploads(tmp: str | None = None) -> list[str]:
    """Remove the upload and import folders of processes that no longer run (killed with SIGKILL mid-upload or
    mid-import)."""
    removed = []
    for prefix in PREFIXES:
        for d in Path(tmp or tempfile.gettempdir()).glob(prefix + "*-*"):
            pid = d.name[len(prefix) :].split("-", 1)[0]
            if not pid.isdigit() or int(pid) == os.getpid() or not d.is_dir():
                continue
            try:
                os.kill(int(pid), 0)
                continue  # still running
            except ProcessLookupError:
                pass
            except (PermissionError, OverflowError):  # another user's live process; a pid no process can have
                continue
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d.name)
    return removed


def ingest_dir() -> tempfile.TemporaryDirectory:
    """An import's working folder (decoded CSV copies), swept after a kill -9 like the upload folders."""
    sweep_uploads()
    return tempfile.TemporaryDirectory(prefix=f"{INGEST_PREFIX}{os.getpid()}-")


def upload_name(name: str | None, taken: set[str]) -> str:
    """The name an uploaded file is stored under in its folder: the browser's name without any folder part,
    control characters or a leading dot (`..`, `.`, `../x` can never leave the folder), at most 120 characters,
    and unique within the upload (two files called the same never overwrite each other). Characters such as `*`
    stay: a file name is never read as a pattern."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if ch.isprintable()).strip().lstrip(".")
    base = base[-120:] or "upload.csv"
    out, n = base, 1
    while out in taken:
        n += 1
        out = f"{n}-{base}"
    taken.add(out)
    return out
