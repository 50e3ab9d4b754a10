"""Background upload jobs, in a store every worker sees: one JSON file per job in a directory next to the
database (`<db>.jobs/`), written atomically (temporary file + os.replace). Under `gunicorn -w 2` the upload may
start in one worker and be polled through the other: both read the same file. Finished jobs older than
`KEEP_SECONDS` (and jobs left running by a worker that died, after `STALE_SECONDS`) are pruned whenever a job
is created. One import at a time per database, across workers: `import_lock()` (an flock).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path
from collections.abc import Callable
from typing import Any

from .locks import exclusive

KEEP_SECONDS = 24 * 3600  # a finished job's result stays readable this long
STALE_SECONDS = 6 * 3600  # a job still "running" after this long belongs to a worker that is gone
_ID = re.compile(r"[0-9a-f]{32}")


class JobStore:
    def __init__(self, db_path: str | os.PathLike):
        db = Path(db_path)
        self.dir = db.with_name(db.name + ".jobs")

    def _path(self, job_id: str) -> Path | None:
        return self.dir / f"{job_id}.json" if _ID.fullmatch(job_id or "") else None

    def create(self, **fields: Any) -> str:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.prune()
        job_id = uuid.uuid4().hex
        self._write(job_id, {"state": "queued", "started": time.time(), **fields, "updated": time.time()})
        return job_id

    def get(self, job_id: str | None) -> dict | None:
        path = self._path(job_id or "")
        if path is None:
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def update(self, job_id: str, **fields: Any) -> dict:
        job = {**(self.get(job_id) or {}), **fields, "updated": time.time()}
        self._write(job_id, job)
        return job

    def _write(self, job_id: str, job: dict) -> None:
        path = self._path(job_id)
        if path is None:
            raise ValueError(f"invalid job id {job_id!r}")
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".job-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(job, f, ensure_ascii=False, default=str)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def jobs(self) -> list[str]:
        return sorted(p.stem for p in self.dir.glob("*.json")) if self.dir.exists() else []

    def prune(self, now: float | None = None) -> int:
        """Remove finished jobs older than KEEP_SECONDS and abandoned running ones; returns how many."""
        now = time.time() if now is None else now
        removed = 0
        for job_id in self.jobs():
            job = self.get(job_id)
            age = now - float((job or {}).get("updated") or 0)
            finished = job is None or job.get("state") in ("done", "error", "cancelled")
            if age > (KEEP_SECONDS if finished else STALE_SECONDS):
                if job and job.get("tmpdir"):  # an upload previewed and never confirmed: its files go too
                    shutil.rmtree(job["tmpdir"], ignore_errors=True)
                with contextlib.suppress(FileNotFoundError):
                    (self.dir / f"{job_id}.json").unlink()
                removed += 1
        return removed

    def start(self, job_id: str, work: Callable[..., dict | None], *args: Any, known: tuple = (),
              prefix: str = "") -> threading.Thread:
        """Run `work(*args)` for the job in a background thread (no request held while it runs). What it returns
        is written to the job (state "done" unless it says otherwise); an exception of a `known` class becomes the
        job's error message (`prefix` + the message), any other one too, with its type: reported on the page that
        polls the job, never a traceback, the published data untouched."""

        def run() -> None:
            try:
                fields = work(*args) or {}
            except known as exc:
                self.update(job_id, state="error", message=f"{prefix}{exc}")
            except Exception as exc:
                self.update(job_id, state="error", message=f"{prefix}{type(exc).__name__}: {exc}")
            else:
                self.update(job_id, **{"state": "done", **fields})

        thread = threading.Thread(target=run, name=f"cchc-job-{job_id[:8]}", daemon=True)
        thread.start()
        return thread

    def import_lock(self) -> contextlib.AbstractContextManager[None]:
        """One import at a time for this database, whichever worker (or process) runs it."""
        return exclusive(self.dir / ".import.lock")
