"""Breaks copies of the deployment files on purpose and expects the checks to catch every break.

Each case copies deploy/ and the .dockerignore into a scratch directory, changes one thing, runs
every check in Python (no external programs, so the cases take well under a second each) and
passes when a failure mentions what was broken. The unchanged copy must pass, so a case cannot
pass because the copy was broken in some other way.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .facts import RepoFacts
from .layout import Layout
from .report import Report
from .runner import run_checks
from .tools import Tools

# A whole nginx.conf as compose mounts it; the copies get this one, so the nginx checks are
# exercised the same way whatever deploy/nginx.conf holds (or whether it exists yet).
NGINX_CONF = """\
events {}
http {
    upstream shops {
        server shop1:8080;
        server shop2:8080;
        server shop3:8080;
    }
    server {
        listen 80;
        location / { proxy_pass http://shops; }
    }
}
"""


@dataclass(frozen=True)
class Break:
    title: str
    file: str  # relative to the copy's deploy/ ("../.dockerignore" for the context filter)
    old: str
    new: str
    expect: str  # a failure must contain this


CASES = [
    Break("an unknown GOMALL_ variable in the Kubernetes ConfigMap", "k8s/configmap.yaml",
          "  GOMALL_SECKILL_MODE: full\n", "  GOMALL_SECKILL_MODE: full\n  GOMALL_SECKILL_MOOD: full\n", "GOMALL_SECKILL_MOOD"),
    Break("an unknown GOMALL_ variable in a compose shop", "docker-compose.yml",
          '      GOMALL_ORDER_NODE_ID: "2"\n', '      GOMALL_ORDER_NODE_ID: "2"\n      GOMALL_SERVER_PORTS: "8080"\n', "GOMALL_SERVER_PORTS"),
    Break("an unknown GOMALL_ variable in .env.example", ".env.example",
          "GOMALL_METRICS_TOKEN=\n", "GOMALL_METRICS_TOKEN=\nGOMALL_METRIC_TOKEN=\n", "GOMALL_METRIC_TOKEN"),
    Break("a value the loader refuses", "k8s/configmap.yaml",
          "GOMALL_SECKILL_MODE: full", "GOMALL_SECKILL_MODE: fast", "seckill.mode"),
    Break("a grace period shorter than the drain", "k8s/statefulset.yaml",
          "terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds: 12", "terminationGracePeriodSeconds 12"),
    Break("a readiness probe on a path the server does not serve", "k8s/statefulset.yaml",
          "path: /ready", "path: /readyz", "/readyz"),
    Break("a container port that is not server.port", "k8s/statefulset.yaml",
          "containerPort: 8080", "containerPort: 9090", "containerPorts [9090]"),
    Break("a misspelt Kubernetes field", "k8s/statefulset.yaml",
          "readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true", "readOnlyRootFileSystem"),
    Break("a ConfigMap value that is a number, not a string", "k8s/configmap.yaml",
          'GOMALL_REDIS_PORT: "6379"', "GOMALL_REDIS_PORT: 6379", "is not a string"),
    Break("a real-looking value in the Secret", "k8s/secret.yaml",
          "GOMALL_REDIS_PASSWORD: CHANGE-ME", "GOMALL_REDIS_PASSWORD: s3cr3t-value", "gomall-secrets.GOMALL_REDIS_PASSWORD"),
    Break("a manifest that does not parse", "k8s/hpa.yaml", "  minReplicas: 3\n", "  minReplicas: [3\n", "does not parse"),
    Break("the image running as root", "Dockerfile", "USER 10001:10001\n", "", "runs as root"),
    Break("a health check on the wrong port", "Dockerfile", "GOMALL_SERVER_PORT:-8080", "GOMALL_SERVER_PORT:-8081", "HEALTHCHECK URLs"),
    Break("a compose stop grace no longer than the drain", "docker-compose.yml",
          "stop_grace_period: 30s", "stop_grace_period: 10s", "stop_grace_period 10s"),
    Break("two compose shops with one order.node_id", "docker-compose.yml",
          'GOMALL_ORDER_NODE_ID: "3"', 'GOMALL_ORDER_NODE_ID: "1"', "share an order.node_id"),
    Break("a filled-in secret in .env.example", ".env.example",
          "GOMALL_REDIS_PASSWORD=\n", "GOMALL_REDIS_PASSWORD=hunter2\n", "GOMALL_REDIS_PASSWORD carry values"),
    Break("nginx's upstream missing a shop", "nginx.conf", "        server shop3:8080;\n", "", "missing ['shop3']"),
    Break("nginx's upstream naming a host compose does not run", "nginx.conf",
          "server shop3:8080;", "server shop3:8080;\n        server shop4:8080;", "['shop4'] are not compose services"),
    Break("nginx.conf including a file compose does not mount", "nginx.conf",
          "    upstream shops {", "    include extra-upstreams.conf;\n    upstream shops {", "which compose does not mount"),
    Break("a compose build target the Dockerfile lacks", "docker-compose.yml", "target: nginx", "target: proxy", "not stages of deploy/Dockerfile"),
    Break("the event stream's Ingress buffering", "k8s/ingress.yaml",
          'proxy-buffering: "off"', 'proxy-buffering: "on"', "/api/seckill/events needs"),
    Break("a .dockerignore that drops the sources", "../.dockerignore", "!src/\n", "", "src/ is excluded"),
]


def _copy(layout: Layout, scratch: Path) -> Layout:
    deploy = scratch / "deploy"
    shutil.copytree(layout.deploy, deploy, ignore=shutil.ignore_patterns(".env"))
    shutil.copy(layout.dockerignore, scratch / ".dockerignore")
    (deploy / "nginx.conf").write_text(NGINX_CONF, encoding="utf-8")
    return Layout(repo=layout.repo, deploy=deploy, dockerignore=scratch / ".dockerignore")


def _run(copy: Layout, facts: RepoFacts) -> Report:
    quiet = Report(quiet=True)
    run_checks(copy, facts, quiet, Tools(enabled=False))
    return quiet


def run_self_test(layout: Layout, facts: RepoFacts, report: Report) -> None:
    report.section("self-test: broken copies must fail")
    with tempfile.TemporaryDirectory(prefix="gomall-deploy-selftest-") as scratch:
        baseline = _run(_copy(layout, Path(scratch) / "unchanged"), facts)
        if not report.check(
            baseline.failed == 0,
            f"the unchanged copy passes ({baseline.passed} checks)",
            f"the unchanged copy fails, so no case below could show anything: {baseline.failures[:3]}",
        ):
            return
        for number, case in enumerate(CASES, start=1):
            copy = _copy(layout, Path(scratch) / f"case-{number}")
            target = copy.deploy / case.file
            text = target.read_text(encoding="utf-8")
            if case.old not in text:
                report.fail(f"self-test case '{case.title}': {case.file} no longer contains {case.old.strip()!r}; update the case")
                continue
            target.write_text(text.replace(case.old, case.new, 1), encoding="utf-8")
            result = _run(copy, facts)
            caught = [f for f in result.failures if case.expect in f]
            report.check(
                bool(caught),
                f"caught: {case.title} ({caught[0][:110] if caught else ''})",
                f"self-test: {case.title} was not caught (expected a failure mentioning {case.expect!r}; got {result.failures[:2]})",
            )
