"""Where a generated household's random choices come from: a seeded generator for
regression populations, or hypothesis draws, so that failing households shrink."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Protocol, TypeVar

from hypothesis import strategies as st

X = TypeVar("X")


class Source(Protocol):
    """Where the random choices come from."""

    def integer(self, low: int, high: int) -> int: ...

    def choice(self, items: Sequence[X]) -> X: ...


class RandomSource:
    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd

    def integer(self, low: int, high: int) -> int:
        return self.rnd.randint(low, high)

    def choice(self, items: Sequence[X]) -> X:
        return items[self.rnd.randrange(len(items))]


class HypothesisSource:
    """Choices as hypothesis draws, so failing households shrink to minimal ones."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def integer(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def choice(self, items: Sequence[X]) -> X:
        return self.draw(st.sampled_from(items))


def mostly(src: Source, rare: bool = False) -> bool:
    """True two times in three, or 19 in 20 for `rare` (and for hypothesis' simplest draw)."""
    return src.integer(0, 19) < 19 if rare else src.integer(0, 2) < 2
