"""The only module that touches durable-rules: the agenda that chains the strata of a case.

Design (see shared/docs/engine-notes.md for the measured pitfalls):

- The derivation graph of a regelset is cut into strata (a rule's stratum is one more than
  the strata of the rules defining what it reads). Durable-rules holds one rule, `stratum`,
  that fires on a bundle fact `{t: "b", s: k}`; its action evaluates stratum k for every
  request of the case and asserts the bundle of stratum k+1, so durable-rules chains the
  strata and every action does a stratum's worth of work (one assert per action).
- The durable definition is the same whatever the regelset: no rule set that validates can
  reach durable's fixed 64-entry Rete stack (error 303, then a crash in `delete_state`) or
  error 107, and one registered ruleset serves every regelset version the process loads,
  so reloading edited rules does not grow the process (durable rulesets cannot be removed).
- The C API is driven directly (`assert_fact`, `start_action_for_state`,
  `complete_and_start_action`, `delete_state`): no JSON state round trip per action, and an
  interrupt (KeyboardInterrupt, SystemExit) inside an action propagates as itself instead of
  being recorded as a rule failure; the case's working memory is still released.
- The first bundle always matches, so an action completes before `delete_state` (pitfall 1);
  there are no timer threads (no Host at all), no negation, only consumed facts asserted.
- glibc: `mallopt(M_TOP_PAD, 16 MiB)` once, so the per-case working memory is not handed
  back to the OS and faulted in again on every case.
- One lock serialises the engine; it is replaced in a forked child, so forking while
  another thread evaluates cannot deadlock the child.
"""

from __future__ import annotations

import ctypes
import itertools
import json
import os
import re
import sys
import threading
from collections.abc import Callable

import durable_rules_engine

from ..errors import EvaluationError

_DEFINITION = {"stratum": {"all": [{"b": {"t": "b"}}]}}
_M_TOP_PAD = -2
_TOP_PAD = 16 << 20


def _keep_heap_top() -> None:
    """Ask glibc to keep 16 MiB at the top of the heap (no page faults per case)."""
    try:  # glibc answers this instantly (platform.libc_ver() reads the whole executable)
        libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError, AttributeError):
        libc = ""
    if not sys.platform.startswith("linux") or not libc.startswith("glibc"):
        return
    try:
        ctypes.CDLL(None).mallopt(_M_TOP_PAD, _TOP_PAD)
    except (OSError, AttributeError):  # not glibc after all: nothing to tune
        return


class DurableAgenda:
    """The process-wide durable ruleset that chains strata; use `agenda()` to get it."""

    def __init__(self) -> None:
        self.name = f"verordening-strata-{os.getpid()}"
        self.lock = threading.Lock()
        self._sids = itertools.count()
        try:
            self._handle = durable_rules_engine.create_ruleset(self.name, json.dumps(_DEFINITION))
        except Exception as exc:  # durable reports failures as bare exceptions with a code
            raise EvaluationError(f"durable-rules could not create the agenda: {exc}") from None

    def run(self, strata: int, step: Callable[[int], None], label: str) -> int:
        """Fire `step(0)`, ..., `step(strata - 1)` through durable-rules; returns the actions.

        `step` evaluates one stratum for every request of the case. An `Exception` from it
        stops the chain and is re-raised; the case's working memory is released either way.
        """
        if strata <= 0:
            return 0
        h = self._handle
        with self.lock:
            sid = f"c{next(self._sids)}"
            state = self._assert(sid, 0, label)
            actions = 0
            message: str | None = None
            try:
                started = durable_rules_engine.start_action_for_state(h, state)
                message = started[1] if started else None
                while message is not None:
                    actions += 1
                    stratum = _stratum(message)
                    if stratum != actions - 1 or actions > strata:
                        raise EvaluationError(
                            f"{label}: durable-rules fired stratum {stratum} out of order"
                        )
                    step(stratum)
                    if stratum + 1 < strata:
                        self._assert(sid, stratum + 1, label)
                    message = durable_rules_engine.complete_and_start_action(h, state)
                if actions != strata:
                    raise EvaluationError(
                        f"{label}: durable-rules fired {actions} of {strata} strata"
                    )
                return actions
            finally:
                self._release(sid, state, message)

    def _assert(self, sid: str, stratum: int, label: str) -> int:
        fact = f'{{"sid":"{sid}","t":"b","s":{stratum}}}'
        try:
            result = durable_rules_engine.assert_fact(self._handle, fact)
        except Exception as exc:
            raise EvaluationError(
                f"{label}: durable-rules error in stratum {stratum}: {exc}"
            ) from None
        code = result[0] if isinstance(result, tuple) else result
        if code not in (0,):
            raise EvaluationError(f"{label}: durable-rules error code {code} in stratum {stratum}")
        state: int = result[1] if isinstance(result, tuple) else 0
        return state

    def _release(self, sid: str, state: int, message: str | None) -> None:
        # finish an interrupted chain without evaluating, so the sid can be deleted safely
        try:
            while message is not None:
                message = durable_rules_engine.complete_and_start_action(self._handle, state)
        except Exception:  # the case already failed: deleting the sid is what matters
            pass
        durable_rules_engine.delete_state(self._handle, sid)


# the bundle's stratum in durable's message: `"s":k` (the other fields are texts that
# cannot hold it: the sid "c<n>", the type "b", durable's own id)
_STRATUM = re.compile(r'"s":(\d+)[,}]')


def _stratum(message: str) -> int:
    found = _STRATUM.findall(message)
    if len(found) == 1:
        return int(found[0])
    bundle = json.loads(message)["stratum"]["b"]  # anything unexpected: read it properly
    return int(bundle["s"])


_AGENDA: DurableAgenda | None = None
_AGENDA_LOCK = threading.Lock()


def agenda() -> DurableAgenda:
    """The one agenda of this process (created on first use)."""
    global _AGENDA
    if _AGENDA is None:
        with _AGENDA_LOCK:
            if _AGENDA is None:
                _keep_heap_top()
                _AGENDA = DurableAgenda()
    return _AGENDA


def _after_fork_in_child() -> None:
    # a thread of the parent may have held a lock at fork time; the child has no such thread
    global _AGENDA_LOCK
    _AGENDA_LOCK = threading.Lock()
    if _AGENDA is not None:
        _AGENDA.lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)
