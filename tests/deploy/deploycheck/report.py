"""Collects the verdict of every check and prints it as it goes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Report:
    """One line per check: ok, FAIL or skip. Quiet reports (the self-test's) print nothing."""

    quiet: bool = False
    passed: int = 0
    failures: list[str] = field(default_factory=list)
    skipped: int = 0

    def _say(self, line: str) -> None:
        if not self.quiet:
            print(line, flush=True)

    def section(self, title: str) -> None:
        self._say(f"--- {title}")

    def ok(self, what: str) -> None:
        self.passed += 1
        self._say(f"  ok    {what}")

    def fail(self, what: str) -> None:
        self.failures.append(what)
        self._say(f"  FAIL  {what}")

    def skip(self, what: str) -> None:
        self.skipped += 1
        self._say(f"  skip  {what}")

    def check(self, condition: bool, what: str, problem: str | None = None) -> bool:
        """ok(what) when condition holds, else fail(problem or what)."""
        if condition:
            self.ok(what)
        else:
            self.fail(problem or what)
        return condition

    @property
    def failed(self) -> int:
        return len(self.failures)

    def summary_line(self) -> str:
        return f"check-deploy: {self.passed} passed, {self.failed} failed, {self.skipped} skipped"

