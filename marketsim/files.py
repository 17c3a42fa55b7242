"""Result files: each written whole or not at all, a run's files as one set, modes as the umask says,
and a lock on a folder that two processes might write."""

from __future__ import annotations

import fcntl
import math
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


def json_safe(value):
    """JSON has no NaN or infinity: write them as null and "inf"."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def _umask_mode() -> int:
    """The mode a plain ``open(..., "w")`` would give a new file (mkstemp makes 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_path(final: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; on success it replaces ``final`` in one step.
    On any failure, or an interrupt, the temporary file is removed."""
    final = Path(final)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=final.suffix, dir=final.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, _umask_mode())
        os.replace(tmp, final)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_text(final: str | Path, text: str) -> Path:
    with atomic_path(final) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(final)


def write_parquet(final: str | Path, frame) -> Path:
    with atomic_path(final) as tmp:
        frame.to_parquet(tmp, index=False)
    return Path(final)


def write_csv(final: str | Path, frame) -> Path:
    with atomic_path(final) as tmp:
        frame.to_csv(tmp, index=False)
    return Path(final)


def unwritable_folder(folder: str | Path) -> str | None:
    """Why results cannot go into ``folder`` (which may not exist yet), or None if they can."""
    folder = Path(folder)
    try:
        if folder.exists() and not folder.is_dir():
            return f"{folder} is a file, not a folder"
        existing = folder
        while not existing.exists():
            if existing.parent == existing:
                break
            existing = existing.parent
        if not existing.is_dir():
            return f"{existing} is a file, so {folder} cannot be a folder"
        if not os.access(existing, os.W_OK | os.X_OK):
            return f"cannot write in {existing} (permission denied)"
        limit = os.pathconf(existing, "PC_NAME_MAX")
    except OSError as exc:  # such as a name longer than the file system allows
        return f"cannot use this path ({exc.strerror or type(exc).__name__})"
    if any(len(os.fsencode(part)) > limit for part in folder.parts):
        return f"a name in this path is longer than the file system allows ({limit} bytes)"
    return None


@contextmanager
def file_set(folder: str | Path, owned: Iterable[str]) -> Iterator[Path]:
    """Write a set of result files into a temporary folder, yielded, then put them into ``folder``.

    Every file named in ``owned`` (the files a run may write) is removed from ``folder`` first, so
    the folder never holds files of two runs (such as a stale run.png next to new tables); a failure
    before the move leaves ``folder`` as it was. Other files in ``folder`` are left alone.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".marketsim-", dir=folder))
    try:
        yield staging
        for name in owned:
            (folder / name).unlink(missing_ok=True)
        for path in sorted(staging.iterdir()):
            os.replace(path, folder / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


class FolderBusy(ValueError):
    """Another process (or thread) holds the folder's lock."""


_held: dict[tuple[Path, int], int] = {}  # (folder, thread) -> how deep this thread holds its lock
_held_guard = threading.Lock()
LOCK_NAME = ".marketsim.lock"


@contextmanager
def folder_lock(folder: str | Path) -> Iterator[Path]:
    """Hold ``folder``'s lock (made if missing) from the check of what it holds to the last write,
    so that two sweeps into one folder cannot mix their tables. Fails at once if another process or
    thread holds it; the same thread may take it again inside (an assessment around its sweep).
    The lock is the kernel's (flock): it goes with the process, so a killed run leaves none behind."""
    folder = Path(folder).resolve()
    key = (folder, threading.get_ident())
    with _held_guard:
        if _held.get(key):
            _held[key] += 1
            handle = None
        else:
            folder.mkdir(parents=True, exist_ok=True)
            handle = open(folder / LOCK_NAME, "a")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                raise FolderBusy(f"{folder} is being written by another marketsim process; wait for it to "
                                 f"finish or choose another --out") from None
            _held[key] = 1
    try:
        yield folder
    finally:
        with _held_guard:
            _held[key] -= 1
            if not _held[key]:
                del _held[key]
                if handle is not None:
                    handle.close()  # closing releases the lock
