"""Where checks register themselves: ``@register("name")`` on a function
``check(project) -> list[Diagnostic]``. A new check is one module that registers."""

from __future__ import annotations

from collections.abc import Callable

from policybrief.errors import Diagnostic
from policybrief.model import Project

Check = Callable[[Project], list[Diagnostic]]

CHECKS: dict[str, Check] = {}


def register(name: str) -> Callable[[Check], Check]:
    def add(check: Check) -> Check:
        if name in CHECKS and CHECKS[name] is not check:
            raise ValueError(f"two checks are called '{name}'")
        CHECKS[name] = check
        return check

    return add
