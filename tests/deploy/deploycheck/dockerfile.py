"""Reads a Dockerfile into stages of instructions, and a .dockerignore into a path filter."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field


@dataclass
class Instruction:
    keyword: str  # upper case
    args: str
    line: int

    def exec_form(self) -> list[str] | None:
        """The JSON array of an exec-form RUN/CMD/ENTRYPOINT, or None for shell form."""
        text = self.args.strip()
        if not text.startswith("["):
            return None
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return None
        return [str(item) for item in value] if isinstance(value, list) else None

    def flags_and_words(self) -> tuple[dict[str, str], list[str]]:
        """COPY --from=x a b: ({'from': 'x'}, ['a', 'b'])."""
        flags: dict[str, str] = {}
        words: list[str] = []
        for word in shlex.split(self.args):
            if word.startswith("--") and not words:
                name, _, value = word[2:].partition("=")
                flags[name] = value
            else:
                words.append(word)
        return flags, words


@dataclass
class Stage:
    base: str
    name: str
    line: int
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None

    def run_text(self) -> str:
        return "\n".join(i.args for i in self.all("RUN"))

    def apt_packages(self) -> set[str]:
        """Names passed to apt-get install in this stage's RUN lines."""
        packages: set[str] = set()
        for run in self.all("RUN"):
            for command in re.split(r"&&|;|\|\|", run.args):
                words = command.split()
                if "apt-get" in words and "install" in words:
                    after = words[words.index("install") + 1 :]
                    packages.update(w for w in after if not w.startswith("-") and re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", w))
        return packages

    def workdir(self) -> str:
        path = "/"
        for i in self.all("WORKDIR"):
            value = i.args.strip()
            path = value if value.startswith("/") else f"{path.rstrip('/')}/{value}"
        return path


def logical_lines(text: str) -> list[tuple[int, str]]:
    """Instructions with their continuation lines joined and comment lines dropped."""
    lines: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not current):
            continue
        if not current:
            start = number
        if stripped.endswith("\\"):
            current.append(stripped[:-1].strip())
            continue
        current.append(stripped)
        lines.append((start, " ".join(part for part in current if part)))
        current = []
    if current:
        lines.append((start, " ".join(current)))
    return lines


def parse_dockerfile(text: str) -> list[Stage]:
    stages: list[Stage] = []
    for line, content in logical_lines(text):
        keyword, _, args = content.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = [w for w in args.split() if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else str(len(stages))
            stages.append(Stage(base=words[0] if words else "", name=name, line=line))
        elif keyword == "ARG" and not stages:
            continue  # global build arguments before the first stage
        elif stages:
            stages[-1].instructions.append(Instruction(keyword, args, line))
    return stages


class DockerIgnore:
    """The build context filter: Docker's rules (last matching pattern wins, `!` re-includes, a
    pattern also matches every path below what it names, `**` spans directories)."""

    def __init__(self, text: str) -> None:
        self.patterns: list[tuple[bool, str]] = []
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            pattern = line[1:].strip() if negate else line
            pattern = pattern.strip("/")
            if pattern:
                self.patterns.append((negate, pattern))

    @staticmethod
    def _matches(pattern: str, path: str) -> bool:
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex += "(?:.*/)?"
                i += 3
            elif pattern.startswith("**", i):
                regex += ".*"
                i += 2
            else:
                char = pattern[i]
                regex += "[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char)
                i += 1
        parts = path.split("/")
        # A pattern naming a directory also covers everything below it.
        return any(re.fullmatch(regex, "/".join(parts[:n])) for n in range(1, len(parts) + 1))

    def may_reinclude_below(self, path: str) -> bool:
        """Whether a `!` pattern could bring back something under the excluded folder `path`."""
        prefix = path.strip("/") + "/"
        return any(negate and (pattern.startswith(prefix) or pattern.startswith("**")) for negate, pattern in self.patterns)

    def excluded(self, path: str) -> bool:
        path = path.strip("/")
        verdict = False
        for negate, pattern in self.patterns:
            if self._matches(pattern, path):
                verdict = not negate
        return verdict

