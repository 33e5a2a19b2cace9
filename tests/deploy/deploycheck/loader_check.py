"""The server's own configuration loader, run on an environment the deployment files give it.

`gomall --env prod migrate` loads the configuration exactly as `serve` does (conf/config.yaml,
conf/config-prod.yaml, then GOMALL_* variables, then prod's refusals) before it opens the
database. With the database pointed at a closed loopback port it stops right after: on the
connection when the configuration is good (exit 1), or on the configuration (exit 2, "gomall:
config ..."). Secrets get stand-ins of a valid shape; values from the pod (the node id) get 0.
"""

from __future__ import annotations

import os
from pathlib import Path

from .report import Report
from .tools import Tools, first_line

STAND_IN_SECRET = "deploy-check-stand-in-0123456789abcdef0123456789abcdef"  # 32+ characters
CLOSED_PORT = "1"  # nothing listens on loopback port 1: the connection is refused at once
INPUTS = ("src/app/config.cpp", "conf/config.yaml", "conf/config-prod.yaml")


def current_binary(repo: Path) -> tuple[Path | None, str]:
    """A built server at least as new as the loader and conf/, or None and why not."""
    candidates = [os.environ.get("GOMALL_BIN"), "build/debug/bin/gomall", "build/release/bin/gomall"]
    newest_input = max((repo / p).stat().st_mtime for p in INPUTS if (repo / p).exists())
    stale = []
    for candidate in candidates:
        if not candidate:
            continue
        path = Path(candidate) if Path(candidate).is_absolute() else repo / candidate
        if not path.is_file():
            continue
        if path.stat().st_mtime >= newest_input:
            return path, ""
        stale.append(str(path.relative_to(repo)) if path.is_relative_to(repo) else str(path))
    if stale:
        return None, f"{', '.join(stale)} older than src/app/config.cpp or conf/ (rebuild to run it)"
    return None, "no built server (build/debug or build/release)"


def check_loader_accepts(env: dict[str, str], where: str, repo: Path, report: Report, tools: Tools) -> None:
    if not tools.enabled:
        return
    binary, why_not = current_binary(repo)
    if binary is None:
        report.skip(f"{where}: the server's loader on this environment: {why_not}")
        return
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("GOMALL_")}
    for name, value in env.items():
        if value == "<secret>":
            value = STAND_IN_SECRET
        elif value.startswith("<"):
            value = "0"
        run_env[name] = value
    run_env["GOMALL_DATABASE_MYSQL_HOST"] = "127.0.0.1"
    run_env["GOMALL_DATABASE_MYSQL_PORT"] = CLOSED_PORT
    run_env["GOMALL_DATABASE_SQLITE_PATH"] = "/nonexistent/deploy-check/gomall.db"
    rc, output = Tools.run([str(binary), "--env", "prod", "migrate"], timeout=30, cwd=str(repo), env=run_env)
    refused = rc == 2 or "gomall: config" in output
    report.check(
        not refused and rc != 124,
        f"{where}: {binary.name} --env prod accepts the configuration (stops at the closed database port)",
        f"{where}: the server refuses this configuration: {first_line(output, 300)}",
    )
