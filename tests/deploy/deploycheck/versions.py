"""npm-style version ranges (only the forms the web UI's lock file uses) and Debian's Node.js."""

from __future__ import annotations

import re

# The nodejs package of each Debian release (packages.debian.org, stable updates included). The web
# stage installs Node.js from Debian, so its release decides whether the build tools run at all.
DEBIAN_NODEJS = {"12": "18.20.4", "bookworm": "18.20.4", "13": "20.19.2", "trixie": "20.19.2"}
DEBIAN_RELEASES = {"12": "12", "bookworm": "12", "13": "13", "trixie": "13"}


def _parts(version: str) -> tuple[int, int, int]:
    numbers = [int(n) for n in re.findall(r"\d+", version)[:3]]
    while len(numbers) < 3:
        numbers.append(0)
    return numbers[0], numbers[1], numbers[2]


def _satisfies_one(version: tuple[int, int, int], clause: str) -> bool:
    for comparator in clause.split():
        match = re.fullmatch(r"(\^|~|>=|<=|>|<|=)?v?([\d.x*]+)", comparator)
        if match is None:
            raise ValueError(f"unsupported version range {clause!r}")
        operator, wanted = match[1] or "=", _parts(match[2].replace("x", "0").replace("*", "0"))
        if operator == "^":
            upper = (wanted[0] + 1, 0, 0) if wanted[0] > 0 else (0, wanted[1] + 1, 0)
            ok = wanted <= version < upper
        elif operator == "~":
            ok = wanted <= version < (wanted[0], wanted[1] + 1, 0)
        elif operator == ">=":
            ok = version >= wanted
        elif operator == ">":
            ok = version > wanted
        elif operator == "<=":
            ok = version <= wanted
        elif operator == "<":
            ok = version < wanted
        else:
            ok = version == wanted
        if not ok:
            return False
    return True


def satisfies(version: str, npm_range: str) -> bool:
    """Whether `version` (e.g. 20.19.2) is in `npm_range` (e.g. "^20.19.0 || >=22.12.0")."""
    parsed = _parts(version)
    return any(_satisfies_one(parsed, clause.strip()) for clause in npm_range.split("||"))


def debian_release(image: str) -> str | None:
    """'12' for debian:12, debian:bookworm, debian:bookworm-slim, debian:12.8; else None."""
    match = re.fullmatch(r"(?:docker\.io/)?(?:library/)?debian:([a-z]+|\d+)(?:[.\-][\w.\-]*)?", image)
    return DEBIAN_RELEASES.get(match[1]) if match else None


def debian_nodejs(image: str) -> str | None:
    release = debian_release(image)
    return DEBIAN_NODEJS.get(release) if release else None
