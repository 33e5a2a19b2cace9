"""External programs the checks use when they are installed (kubectl, promtool, nginx, dpkg)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass


@dataclass
class Tools:
    """enabled=False (the self-test) runs no external program: only the checks in Python."""

    enabled: bool = True

    def available(self, program: str) -> bool:
        return self.enabled and shutil.which(program) is not None

    @staticmethod
    def run(command: list[str], timeout: float = 60, cwd: str | None = None, env: dict[str, str] | None = None) -> tuple[int, str]:
        """Exit status and combined output; 124 when the time ran out, 127 when not found."""
        try:
            done = subprocess.run(
                command,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return 124, f"{command[0]} did not finish within {timeout:.0f} s"
        except FileNotFoundError:
            return 127, f"{command[0]} not found"
        return done.returncode, done.stdout


def first_line(text: str, limit: int = 200) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:limit]
    return ""
