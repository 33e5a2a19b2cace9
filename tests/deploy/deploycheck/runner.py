"""Runs every check on one set of deployment files."""

from __future__ import annotations

import traceback
from collections.abc import Callable

from .compose_checks import check_compose
from .facts import RepoFacts
from .image_checks import ImageFacts, check_image
from .k8s_checks import check_k8s
from .layout import Layout
from .prometheus_checks import check_shipped_config
from .report import Report
from .tools import Tools


def _guarded(report: Report, title: str, step: Callable[[], object], fallback: object = None) -> object:
    """A bug or an unexpected file shape in one group of checks fails that group, not the run."""
    try:
        return step()
    except Exception as error:  # noqa: BLE001 - reported as a failure with its trace
        if not report.quiet:
            traceback.print_exc()
        report.fail(f"{title}: the checker stopped on {type(error).__name__}: {error}")
        return fallback


def describe_facts(facts: RepoFacts, report: Report) -> None:
    report.section("facts read from the code")
    d = facts.defaults
    report.ok(
        f"src/app/config.cpp registers {len(facts.keys)} keys (GOMALL_<SECTION>_<KEY>); read by name as well: "
        f"{', '.join(sorted(facts.direct_env))}"
    )
    report.ok(
        f"{facts.conf_dir}/config.yaml + config-prod.yaml: server.port {d['server.port']}, "
        f"shutdown_timeout_seconds {d['server.shutdown_timeout_seconds']}, metrics.path {d['metrics.path']}, upload.dir {d['upload.dir']}"
    )
    report.ok(
        f"src/http registers {len(facts.routes)} routes, /health and /ready among them; event streams: "
        f"{', '.join(sorted(facts.event_stream_routes))}"
    )
    report.ok(f"prod refuses to start without {', '.join(sorted(facts.prod_required_env))}"
              + (" and serves /metrics only with metrics.token" if facts.metrics_need_token_in_prod else ""))


def run_checks(layout: Layout, facts: RepoFacts, report: Report, tools: Tools) -> None:
    describe_facts(facts, report)
    image = _guarded(report, "image", lambda: check_image(layout, facts, report, tools), ImageFacts())
    assert isinstance(image, ImageFacts)
    _guarded(report, "compose", lambda: check_compose(layout, facts, image, report, tools))
    _guarded(report, "kubernetes", lambda: check_k8s(layout, facts, image, report, tools))
    report.section(f"prometheus: {layout.shown(layout.prometheus)}")
    _guarded(report, "prometheus", lambda: check_shipped_config(layout.prometheus, layout.shown(layout.prometheus), facts, report, tools))
