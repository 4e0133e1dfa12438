"""A disk cache of compiled regelsets, so a cold `verordening evaluate` skips load and compile.

Reading, validating and compiling a version (and building the pydantic schemas of the rule
files for it) is most of a cold start that is not imports; unpickling the result is a tenth
of it. An entry is keyed by the sha256 of the version's files (as `api` fingerprints them),
the folder, the engine's own modules (name, size, mtime: an edited engine is a miss), the
Python version and pydantic's. Entries live in the user's cache directory (`platformdirs`),
or in $VERORDENING_CACHE_DIR; an empty $VERORDENING_CACHE_DIR switches the cache off.

Written to a temporary file and moved into place with `os.replace`, so concurrent writers
and readers never see half an entry; an entry that cannot be read (corrupt, truncated, from
another engine or Python) is a miss and is overwritten. Drafts are never cached: their
content depends on the version they amend, found outside their folder. Storing is best
effort: a compiled form that cannot be pickled is simply not cached.

Compiled rule expressions are closures. They are pickled by value here (their code with
`marshal`, their cells, the globals of the module that defined them); cloudpickle does the
same but costs ~18 ms to import on every cold start, more than the rest of a cache hit.
"""

from __future__ import annotations

import gc
import io
import marshal
import os
import pickle
import sys
import types
from pathlib import Path
from typing import Any

from .compiled import CompiledRegelset

ENV = "VERORDENING_CACHE_DIR"
MAGIC = "verordening-compiled-1"
MAX_ENTRIES = 32  # the least recently written go first
_ENGINE: list[str] = []  # fingerprint of the engine's modules, once per process


def cache_dir() -> Path | None:
    """Where entries live; None when $VERORDENING_CACHE_DIR is set to an empty value."""
    configured = os.environ.get(ENV)
    if configured is not None:
        return Path(configured) if configured.strip() else None
    if sys.platform == "linux":  # the XDG rule platformdirs applies, without its ~6 ms import
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = xdg if xdg.strip() else os.path.expanduser("~/.cache")
        return Path(base) / "verordening-engine" / "compiled"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("verordening-engine")) / "compiled"


def _engine_fingerprint() -> str:
    if not _ENGINE:
        import hashlib

        import pydantic.version

        package = Path(__file__).resolve().parent.parent
        digest = hashlib.sha256(
            f"{MAGIC}\0{sys.version}\0{sys.implementation.cache_tag}\0"
            f"{pydantic.version.VERSION}\0".encode()
        )
        for top, dirs, files in os.walk(package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(f for f in files if f.endswith(".py")):
                stat = os.stat(os.path.join(top, name))
                rel = os.path.relpath(os.path.join(top, name), package)
                digest.update(f"{rel}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
        _ENGINE.append(digest.hexdigest())
    return _ENGINE[0]


def entry_key(folder: Path, fingerprint: str) -> str:
    """The entry of `folder` (as given and resolved: both show in the compiled form)."""
    import hashlib

    text = f"{_engine_fingerprint()}\0{folder}\0{folder.resolve()}\0{fingerprint}"
    return hashlib.sha256(text.encode()).hexdigest()


def load(folder: Path, fingerprint: str) -> CompiledRegelset | None:
    """The cached compiled form of `folder` with these files, or None."""
    try:
        where = cache_dir()
        if where is None:
            return None
        key = entry_key(folder, fingerprint)
        with open(where / f"{key}.pickle", "rb") as handle:
            data = handle.read()
        collecting = gc.isenabled()
        gc.disable()  # unpickling allocates many objects at once: nothing to collect in them
        try:
            entry = pickle.loads(data)
        finally:
            if collecting:
                gc.enable()
    except Exception:  # missing, unreadable, corrupt, another engine: a miss
        return None
    if (
        isinstance(entry, tuple)
        and len(entry) == 3
        and entry[0] == MAGIC
        and entry[1] == key
        and isinstance(entry[2], CompiledRegelset)
    ):
        return entry[2]
    return None


def store(folder: Path, fingerprint: str, compiled: CompiledRegelset) -> bool:
    """Cache `compiled` for `folder`; False when it is not cached (see the module doc)."""
    try:
        where = cache_dir()
        if where is None or compiled.meta.basis is not None:
            return False
        listed = {p.name for p in folder.glob("*.y*ml")}
        if not set(compiled.source.documents) <= listed:
            return False  # the fingerprint would not cover every file it was made from
        key = entry_key(folder, fingerprint)
        buffer = io.BytesIO()
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump((MAGIC, key, compiled))
    except Exception:  # not picklable (or the folder went away): not cached
        return False
    import tempfile

    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=where, prefix=f".{key}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(buffer.getvalue())
            os.replace(temporary, where / f"{key}.pickle")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _prune(where)
    except OSError:  # a read-only or full cache directory: run without
        return False
    return True


def _prune(where: Path) -> None:
    entries = []
    for path in where.glob("*.pickle"):
        try:
            entries.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue
    for _, path in sorted(entries, reverse=True)[MAX_ENTRIES:]:
        path.unlink(missing_ok=True)


# ------------------------------------------------------------------ closures by value


class _Pickler(pickle.Pickler):
    """Pickles functions that are not importable by name (closures, lambdas) by value."""

    def reducer_override(self, obj: Any) -> Any:
        if not isinstance(obj, types.FunctionType) or _importable(obj):
            return NotImplemented
        module = sys.modules.get(obj.__module__)
        if module is None or obj.__globals__ is not module.__dict__:
            raise pickle.PicklingError(f"{obj.__qualname__}: globals of no module")
        cells = len(obj.__closure__ or ())
        state = (
            tuple(c.cell_contents for c in obj.__closure__ or ()),
            obj.__defaults__,
            obj.__kwdefaults__,
            obj.__dict__ or None,
        )
        code = marshal.dumps(obj.__code__)
        args = (code, obj.__module__, obj.__name__, obj.__qualname__, cells)
        return _function, args, state, None, None, _set_function_state


def _importable(func: types.FunctionType) -> bool:
    module = sys.modules.get(func.__module__)
    found: Any = module
    for part in func.__qualname__.split("."):
        found = getattr(found, part, None)
    return found is func


def _function(code: bytes, module: str, name: str, qualname: str, cells: int) -> types.FunctionType:
    import importlib

    namespace = importlib.import_module(module).__dict__
    closure = tuple(types.CellType() for _ in range(cells)) or None
    func = types.FunctionType(marshal.loads(code), namespace, name, None, closure)
    func.__qualname__ = qualname
    return func


def _set_function_state(func: types.FunctionType, state: tuple[Any, ...]) -> None:
    contents, defaults, kwdefaults, attributes = state
    for cell, value in zip(func.__closure__ or (), contents, strict=True):
        cell.cell_contents = value
    func.__defaults__ = defaults
    func.__kwdefaults__ = kwdefaults
    if attributes:
        func.__dict__.update(attributes)
