"""The only module that touches durable-rules: a Rete agenda for our compiled rules.

Each compiled rule becomes a durable rule that joins the request fact with the derived
facts the rule reads; durable-rules decides when a rule can fire (forward chaining over
derived facts), our action evaluates the typed expressions and asserts the derived facts
it defines. Pitfalls handled (see shared/docs/engine-notes.md): a sentinel fact per case,
a Host without timer threads, no negation, exceptions in actions surfaced, only consumed
fact types asserted, JSON-safe values, a bound on firings, one lock per ruleset.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import durable_rules_engine
from durable.engine import Host

from ..errors import EvaluationError

Scalar = bool | int | str
FireCallback = Callable[[int, str, dict[str, Scalar]], list[tuple[str, Scalar]]]

REQUEST = "aanvraag"
SENTINEL = "$start"


@dataclass(frozen=True)
class EngineRule:
    """Rules that wait for the same facts: one durable rule, one action, fewer round trips."""

    indices: tuple[int, ...]
    applies_to: frozenset[str]
    needs: tuple[str, ...]


@dataclass(frozen=True)
class EngineRequest:
    key: str
    voorziening: str


class _QuietHost(Host):  # type: ignore[misc]
    """A Host without the timer threads that would run actions off the caller's thread."""

    def _run(self) -> None:
        return None


_HOST = _QuietHost()
_HOST_LOCK = threading.Lock()
_NAMES = itertools.count()


class _Run:
    def __init__(self, fire: FireCallback, max_firings: int) -> None:
        self.fire = fire
        self.max_firings = max_firings
        self.firings = 0
        self.error: BaseException | None = None


class DurableRuleset:
    """One regelset version registered once in the process-wide host (never removed)."""

    def __init__(
        self,
        label: str,
        rules: Sequence[EngineRule],
        all_voorzieningen: frozenset[str],
        consumed: frozenset[str],
    ) -> None:
        self.consumed = consumed
        self._lock = threading.Lock()
        self._sids = itertools.count()
        self._run: _Run | None = None
        definition: dict[str, Any] = {
            "start": {"all": [{"s": {"t": SENTINEL}}], "run": self._sentinel_action},
        }
        for number, rule in enumerate(rules):
            request: dict[str, Any] = {"t": REQUEST}
            if rule.applies_to != all_voorzieningen:
                choices = [{"v": v} for v in sorted(rule.applies_to)]
                request = {
                    "$and": [{"t": REQUEST}, choices[0] if len(choices) == 1 else {"$or": choices}]
                }
            pattern: list[dict[str, Any]] = [{"a": request}]
            for i, name in enumerate(rule.needs):
                pattern.append({f"d{i}": {"$and": [{"t": "f:" + name}, {"k": {"a": "k"}}]}})
            definition[f"r{number}"] = {"all": pattern, "run": self._action(rule)}
        self.name = f"{label}#{next(_NAMES)}"
        with _HOST_LOCK:
            _HOST.register_rulesets({self.name: _with_actions(definition)})
            self._ruleset = _HOST.get_ruleset(self.name)

    def _sentinel_action(self, c: Any) -> None:
        return None

    def _action(self, rule: EngineRule) -> Callable[[Any], None]:
        needs = rule.needs
        indices = rule.indices

        def action(c: Any) -> None:
            run = self._run
            if run is None or run.error is not None:
                return
            try:
                run.firings += len(indices)
                if run.firings > run.max_firings:
                    raise EvaluationError(f"more than {run.max_firings} rule firings in one case")
                matched = c._m
                key = matched["a"]["k"]
                derived = {name: matched[f"d{i}"]["w"] for i, name in enumerate(needs)}
                for index in indices:
                    for name, value in run.fire(index, key, derived):
                        if name in self.consumed:
                            c.assert_fact({"t": "f:" + name, "k": key, "w": value})
            except BaseException as exc:  # surfaced after the run (pitfall 4)
                run.error = exc

        return action

    def run(self, requests: Sequence[EngineRequest], fire: FireCallback, max_firings: int) -> int:
        """Evaluate one case in its own working memory; returns the number of firings."""
        with self._lock:
            sid = f"c{next(self._sids)}"
            run = _Run(fire, max_firings)
            self._run = run
            facts: list[dict[str, Scalar]] = [{"sid": sid, "t": SENTINEL}]
            facts += [{"sid": sid, "t": REQUEST, "k": r.key, "v": r.voorziening} for r in requests]
            try:
                code, state = durable_rules_engine.assert_facts(
                    self._ruleset._handle, json.dumps(facts, ensure_ascii=False)
                )
                if code == 2:
                    raise EvaluationError("two requests in one case have the same key")
                errors: list[BaseException] = []
                self._ruleset.do_actions(state, lambda e, _s: errors.append(e) if e else None)
                if errors and run.error is None:
                    run.error = errors[0]
            finally:
                self._run = None
                self._ruleset.delete_state(sid)
            if run.error is not None:
                if isinstance(run.error, EvaluationError):
                    raise run.error
                raise EvaluationError(f"a rule action failed: {run.error!r}") from run.error
            return run.firings


def _with_actions(definition: dict[str, Any]) -> dict[str, Any]:
    # register_rulesets mutates what it is given (it pops "run"): hand it a copy
    return {name: dict(rule) for name, rule in definition.items()}
