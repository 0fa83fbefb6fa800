"""One writer for every result set under ``--out``: stage, seal, lock, commit, verify.

A *result set* is a directory (a run's ``<name>/``, a sweep's ``<name>/``) or the comparison
files at the top of ``--out``. Every writer follows the same steps:

1. stage the files in a hidden directory next to the destination,
   ``.<name>.<pid>-<token>.tmp`` (the pid says whose it is);
2. :func:`seal` it: ``manifest.json`` is written last and lists every file with its sha256;
3. take the lock of ``--out`` (:func:`locked`, ``fcntl.flock`` on the directory itself: no lock
   file is left behind); a second writer waits up to ``TRADESIM_LOCK_TIMEOUT`` seconds (600) and
   then exits 2 with a message;
4. under the lock, :func:`clean_stale` removes hidden entries of dead processes (and puts back a
   previous result a kill left only under its ``.old`` name), then :func:`commit` swaps the
   staged directory into place with two renames.

Readers (``report``, ``rerun``, ``sweep --resume``) trust a set only when :func:`verify` finds
every listed file with its recorded sha256 and nothing else.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from model.errors import InputError

MANIFEST = "manifest.json"
LOCK_TIMEOUT_ENV = "TRADESIM_LOCK_TIMEOUT"
LOCK_TIMEOUT_S = 600.0
# hidden entries this module makes: .<name>.<pid>-<token>.tmp (staging) and .old (swapped out)
TEMP_RE = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]+\.(?P<what>tmp|old)$")

_held: dict[str, list[int]] = {}  # directory -> [fd, depth]: the lock is re-entrant in-process


def umask() -> int:
    """The process umask (read by setting and restoring it: there is no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def temp_name(name: str, what: str = "tmp") -> str:
    return f".{name}.{os.getpid()}-{secrets.token_hex(4)}.{what}"


def staging_dir(dest: Path) -> Path:
    """A fresh hidden directory next to ``dest`` for building its next version."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(temp_name(dest.name))
    tmp.mkdir(mode=0o777)  # the umask applies: results are for sharing
    return tmp


def plain_name(name: Any) -> bool:
    """A name read from data that may be used as one directory directly under ``--out``."""
    return (isinstance(name, str) and name not in ("", ".", "..") and "/" not in name
            and "\\" not in name and "\0" not in name)


def pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def clean_stale(parent: Path) -> list[str]:
    """Remove the hidden staging entries of dead processes under ``parent``; a ``.old`` whose
    result is missing (killed between the two renames of a commit) is put back. Returns what
    was done, for tests."""
    done = []
    try:
        entries = list(Path(parent).iterdir())
    except FileNotFoundError:
        return done
    for p in entries:
        m = TEMP_RE.match(p.name)
        if not m or pid_alive(int(m["pid"])):
            continue
        dest = p.with_name(m["name"])
        if m["what"] == "old" and not dest.exists() and not dest.is_symlink():
            p.rename(dest)
            done.append(f"restored {dest.name}")
        else:
            remove(p)
            done.append(f"removed {p.name}")
    return done


# ------------------------------------------------------------------------------ lock
def lock_timeout() -> float:
    try:
        return float(os.environ.get(LOCK_TIMEOUT_ENV, LOCK_TIMEOUT_S))
    except ValueError:
        raise InputError(f"must be a number of seconds (got {os.environ[LOCK_TIMEOUT_ENV]!r})",
                         key=LOCK_TIMEOUT_ENV) from None


@contextmanager
def locked(directory: Path, *, timeout: float | None = None) -> Iterator[None]:
    """Hold the exclusive lock of ``directory`` (created if missing) for the block."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key = os.path.realpath(directory)
    if key in _held:
        _held[key][1] += 1
        try:
            yield
        finally:
            _held[key][1] -= 1
        return
    limit = lock_timeout() if timeout is None else timeout
    start = time.monotonic()
    while True:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            _acquire(fd, directory, max(0.0, limit - (time.monotonic() - start)))
            if _same_file(fd, directory):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the directory was renamed away while we waited (a sweep's checkpoint
        directory.mkdir(parents=True, exist_ok=True)  # became a result): lock the new one
    try:
        _held[key] = [fd, 1]
        try:
            yield
        finally:
            del _held[key]
    finally:
        os.close(fd)  # releases the lock


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _acquire(fd: int, directory: Path, timeout: float) -> None:
    start = time.monotonic()
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as err:
            if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise
        waited = time.monotonic() - start
        if waited >= timeout:
            raise InputError(f"{directory} is being written by another tradesim process; gave "
                             f"up after {waited:.0f} s (set {LOCK_TIMEOUT_ENV} to wait longer, "
                             "or use another --out)", key="--out")
        if not told:
            print(f"tradesim: waiting for another tradesim process writing {directory} "
                  f"(up to {timeout:g} s)", file=sys.stderr)
            told = True
        time.sleep(0.05)


# ------------------------------------------------------------------------------ manifest
def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def digests(root: Path, *, skip: tuple[str, ...] = (MANIFEST,)) -> dict[str, str]:
    """sha256 of every file under ``root`` (relative POSIX paths), except ``skip`` at the top."""
    root = Path(root)
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_file() and rel not in skip:
            out[rel] = sha256_file(p)
    return out


def write_json(path: Path, obj: Any) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(obj, indent=2, default=str) + "\n")
        f.flush()
        os.fsync(f.fileno())


def seal(tmp: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Write ``tmp/manifest.json`` last, listing every file of the set and its sha256."""
    sums = digests(tmp)
    manifest = {**manifest, "files": sorted([*sums, MANIFEST]), "sha256": sums}
    write_json(Path(tmp) / MANIFEST, manifest)
    return manifest


def read_manifest(root: Path) -> dict[str, Any] | None:
    try:
        m = json.loads((Path(root) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return m if isinstance(m, dict) else None


def verify(root: Path, manifest: dict[str, Any] | None = None) -> list[str]:
    """What is wrong with the set at ``root`` against its manifest; empty if it matches."""
    root = Path(root)
    m = read_manifest(root) if manifest is None else manifest
    if m is None:
        return [f"{root / MANIFEST}: missing or not a JSON object"]
    sums = m.get("sha256")
    if not isinstance(sums, dict):
        return [f"{root / MANIFEST}: lists no sha256 (written by an older tradesim?)"]
    problems = []
    for rel, digest in sums.items():
        p = root / rel
        if not p.is_file():
            problems.append(f"{rel}: listed in the manifest but missing")
        elif sha256_file(p) != digest:
            problems.append(f"{rel}: sha256 differs from the manifest (changed or damaged)")
    extra = sorted(set(digests(root)) - set(sums))
    problems += [f"{rel}: not listed in the manifest" for rel in extra]
    return problems


_libc = ctypes.CDLL(None, use_errno=True)
_renameat2 = getattr(_libc, "renameat2", None)
if _renameat2 is not None:
    _renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                           ctypes.c_uint]
AT_FDCWD, RENAME_EXCHANGE = -100, 2


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False where
    the system or file system cannot (the caller then falls back to two renames)."""
    if _renameat2 is None:
        return False
    if _renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(b))


def commit(tmp: Path, dest: Path) -> Path:
    """Swap the sealed ``tmp`` into ``dest`` (hold the lock of ``dest.parent``). The result is
    never missing: the directories are exchanged atomically, and the old one (now under the
    staging name) is removed; where that is not possible, two renames, and a kill between them
    is repaired by :func:`clean_stale` (it puts ``.old`` back)."""
    tmp, dest = Path(tmp), Path(dest)
    if not (dest.exists() or dest.is_symlink()):
        tmp.rename(dest)
    elif exchange(tmp, dest):
        remove(tmp)  # the old set, under a staging name: removed by the next writer if killed
    else:
        old = dest.with_name(temp_name(dest.name, "old"))
        dest.rename(old)
        tmp.rename(dest)
        remove(old)
    return dest


@contextmanager
def staged(dest: Path) -> Iterator[Path]:
    """A staging directory for ``dest``, removed if the block fails (the caller commits)."""
    tmp = staging_dir(dest)
    try:
        yield tmp
    except BaseException:
        remove(tmp)
        raise


def publish(tmp: Path, dest: Path) -> Path:
    """Lock ``dest.parent``, clean stale entries, commit ``tmp`` as ``dest``."""
    try:
        with locked(Path(dest).parent):
            clean_stale(Path(dest).parent)
            return commit(tmp, dest)
    except BaseException:
        remove(Path(tmp))
        raise


def copy_set(src: Path, tmp: Path) -> None:
    """Copy a committed set's files (not its manifest) into the staging directory ``tmp``."""
    for rel in digests(src):
        target = tmp / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / rel, target)
