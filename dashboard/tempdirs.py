"""Per-process temporary folders (web uploads): named with the server's process id, so the folders a server
killed with SIGKILL left behind are recognised and removed when a server starts again."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

UPLOAD_PREFIX = "cchc-upload-"  # + the server process id: a folder left by a killed server is found and removed


def sweep_uploads(tmp: str | None = None) -> list[str]:
    """Remove the upload folders of server processes that no longer run (killed with SIGKILL mid-upload)."""
    removed = []
    for d in Path(tmp or tempfile.gettempdir()).glob(UPLOAD_PREFIX + "*-*"):
        pid = d.name[len(UPLOAD_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except PermissionError:  # another user's live process
            continue
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d.name)
    return removed
