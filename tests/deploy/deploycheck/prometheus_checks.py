"""Prometheus configurations: they scrape the shop's metrics path, and promtool accepts them."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml

from .facts import RepoFacts
from .report import Report
from .tools import Tools, first_line


def shop_jobs(config: dict) -> list[dict]:
    return [job for job in config.get("scrape_configs") or [] if job.get("job_name") == "gomall"]


def static_targets(job: dict) -> set[str]:
    return {t for group in job.get("static_configs") or [] for t in group.get("targets") or []}


def check_job(config: object, where: str, facts: RepoFacts, report: Report) -> dict | None:
    """The gomall job exists and scrapes metrics.path; returns it."""
    jobs = shop_jobs(config) if isinstance(config, dict) else []
    if not report.check(len(jobs) == 1, f"{where}: one scrape job named gomall", f"{where}: no single scrape job named gomall"):
        return None
    job = jobs[0]
    path = facts.defaults["metrics.path"]
    report.check(
        job.get("metrics_path", "/metrics") == path,
        f"{where}: scrapes {path} (metrics.path of conf/)",
        f"{where}: metrics_path {job.get('metrics_path', '/metrics')} is not metrics.path {path} of conf/",
    )
    return job


def promtool_check(
    config: dict,
    where: str,
    rule_files: dict[str, Path],
    report: Report,
    tools: Tools,
) -> None:
    """promtool check config on a copy whose credentials and rule files point at real files."""
    if not tools.available("promtool"):
        report.skip(f"promtool check config ({where}): promtool is not installed")
        return
    with tempfile.TemporaryDirectory(prefix="gomall-prometheus-") as scratch:
        directory = Path(scratch)
        token = directory / "token"
        token.write_text("a-token-for-the-check-only\n", encoding="utf-8")
        copy = yaml.safe_load(yaml.safe_dump(config))
        for job in copy.get("scrape_configs") or []:
            authorization = job.get("authorization") or {}
            if "credentials_file" in authorization:
                authorization["credentials_file"] = str(token)
        copy["rule_files"] = [str(rule_files.get(r, r)) for r in copy.get("rule_files") or []]
        path = directory / "prometheus.yml"
        path.write_text(yaml.safe_dump(copy), encoding="utf-8")
        rc, output = tools.run(["promtool", "check", "config", str(path)], timeout=60)
        report.check(
            rc == 0,
            f"promtool check config accepts {where} (rules loaded)",
            f"promtool check config rejects {where}: {first_line(output.replace(str(directory), ''), 400)}",
        )


def check_shipped_config(path: Path, shown: str, facts: RepoFacts, report: Report, tools: Tools) -> None:
    """deploy/prometheus.yml, the configuration for Prometheus outside compose."""
    if not report.check(path.is_file(), f"{shown} exists"):
        return
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        report.fail(f"{shown} does not parse: {error}")
        return
    report.ok(f"{shown} parses")
    if check_job(config, shown, facts, report) is None:
        return
    rules = {r: path.parent / r for r in config.get("rule_files") or []}
    promtool_check(config, shown, rules, report, tools)
