"""Small readers shared by the checks: URLs in health checks, durations, environment lists."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .facts import ENV_PREFIX, RepoFacts
from .report import Report


@dataclass(frozen=True)
class Probe:
    port: int | None
    path: str
    port_variable: str | None = None  # ${GOMALL_SERVER_PORT:-8080}: the variable that moves it


def urls_in(text: str) -> list[Probe]:
    """The local HTTP URLs of a health-check command, with shell defaults resolved."""
    probes = []
    for match in re.finditer(r"https?://[^/\s\"':]+(?::(\$\{[^}]+\}|\d+))?(/[^\s\"'|;>]*)?", text):
        port_text, path = match[1], match[2] or "/"
        variable = None
        port: int | None = 80
        if port_text and port_text.isdigit():
            port = int(port_text)
        elif port_text:
            default = re.fullmatch(r"\$\{(\w+):?-(\d+)\}", port_text)
            variable = default[1] if default else None
            port = int(default[2]) if default else None
        probes.append(Probe(port, path, variable))
    return probes


def seconds(value: object) -> float | None:
    """Compose durations (30s, 1m30s, 1h, 500ms, or a number of seconds)."""
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    total = 0.0
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 1e-6}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    for number, unit in parts:
        total += float(number) * units[unit]
    return total


def env_mapping(value: object) -> dict[str, str | None]:
    """Compose's environment, as a mapping or a list of NAME=value, into a mapping."""
    if isinstance(value, dict):
        return {str(k): (None if v is None else str(v).lower() if isinstance(v, bool) else str(v)) for k, v in value.items()}
    mapping: dict[str, str | None] = {}
    for item in value or []:
        name, has_value, text = str(item).partition("=")
        mapping[name] = text if has_value else None
    return mapping


def check_env_names(names: list[str], where: str, facts: RepoFacts, report: Report) -> None:
    """Every GOMALL_* name must be one the server reads; anything else is silently ignored by it."""
    ours = sorted({n for n in names if n.startswith(ENV_PREFIX)})
    unknown = [n for n in ours if not facts.is_known_env(n)]
    report.check(
        not unknown,
        f"{where}: {len(ours)} GOMALL_* variables, all read by the server",
        f"{where}: {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not a configuration variable "
        f"(the loader reads GOMALL_<SECTION>_<KEY> of src/app/config.cpp's keys only; a typo is ignored silently)",
    )


def check_env_values(values: dict[str, str], where: str, facts: RepoFacts, report: Report) -> None:
    """Literal values must pass the loader's own checks (ranges, true/false, the allowed words)."""
    problems = [p for p in (facts.value_problem(n, v) for n, v in sorted(values.items())) if p]
    report.check(
        not problems,
        f"{where}: every literal GOMALL_* value passes the loader's checks",
        f"{where}: {'; '.join(problems)}",
    )
