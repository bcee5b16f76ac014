"""The output folder: safe names, atomic writes, and a lock against concurrent runs."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from translate_sum.errors import OutputError

MANIFEST = "manifest.json"
LOCK_NAME = ".tsum.lock"
_MAX_SLUG = 80


_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10))}


def base_slug(title: str, date: str | None) -> str:
    """``2020-07-24-the-deputy-secretary-general-of-the-sco-visited-weidong``: ASCII, lower case, no
    path separators or dots, so it can never name anything outside the output folder."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    date_part = re.sub(r"[^0-9]+", "-", date or "").strip("-")
    slug = "-".join(p for p in (date_part, words) if p)
    if len(slug) > _MAX_SLUG:
        cut = slug[: _MAX_SLUG + 1]
        # At the last word boundary, never mid-word ("…distance-le"); a single overlong word is cut.
        slug = cut[: cut.rfind("-")] if "-" in cut[len(date_part) + 1 :] else slug[:_MAX_SLUG]
    slug = slug.rstrip("-")
    if slug.upper() in _WINDOWS_RESERVED:  # "con", "nul": names Windows cannot open
        slug = f"{slug}-article"
    return slug or "article"


def unique_slugs(keys: list[tuple[str, str]]) -> dict[str, str]:
    """Map each ``(input_name, base_slug)`` to a slug unique in the run.

    A collision gets a suffix from a hash of the input's file name, so the same input keeps the
    same slug from run to run whatever else is in the folder.
    """
    counts: dict[str, int] = {}
    for _, slug in keys:
        counts[slug] = counts.get(slug, 0) + 1
    result = {}
    for name, slug in keys:
        if counts[slug] > 1:
            slug = f"{slug}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
        result[name] = slug
    return result


def article_dir(output: Path, slug: str) -> Path:
    """``output/slug``, refusing any slug that would leave ``output``."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise OutputError(f"refusing unsafe output name {slug!r}")
    return output / slug


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write ``path`` so that readers see the old file or the whole new one, never a part.

    The file gets the mode a plain ``open()`` would give it (0644 under the usual umask 022), so a
    shared output folder stays readable. The data reaches the disk before the rename, and the
    rename before this returns, so a crash leaves the old file or the new one.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(_describe(exc, path)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), 0o666 & ~current_umask())  # mkstemp's 0600 is for secrets
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        _fsync_folder(path.parent)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(_describe(exc, path)) from None


_umask_lock = threading.Lock()


def current_umask() -> int:
    """The process's umask, read without changing it where Linux says it (/proc), else set and restored."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _umask_lock:  # os.umask can only be read by setting it: keep other threads out meanwhile
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable; a file system that cannot sync folders is left as it is."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # a platform that cannot open folders (Windows)
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def write_json(path: Path, data: dict) -> None:
    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n")


def remove_stale_temporaries(folder: Path) -> None:
    """Temporary files left by a run that was killed mid-write."""
    for tmp in folder.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def _describe(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return (
            f"{path}: no space left on the device; free some space and run again (finished articles are kept)"
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{path}: output folder is not writable ({exc.strerror}); choose another output folder"
    return f"{path}: cannot write: {exc.strerror or exc}"


@contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Hold the output folder for this run; a second run at the same time fails with a clear message."""
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(_describe(exc, output)) from None
    lock = FileLock(str(output / LOCK_NAME))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise OutputError(
            f"{output}: another tsum run is writing to this folder; wait for it to finish "
            "(or choose another output folder)"
        ) from None
    except OSError as exc:
        raise OutputError(_describe(exc, output / LOCK_NAME)) from None
    try:
        yield
    finally:
        lock.release()
