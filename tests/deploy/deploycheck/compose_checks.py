"""deploy/docker-compose.yml and deploy/.env.example against the server's configuration."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .common import check_env_names, check_env_values, env_mapping, seconds, urls_in
from .dockerfile import parse_dockerfile
from .facts import ENV_PREFIX, RepoFacts
from .image_checks import ImageFacts
from .layout import Layout
from .loader_check import check_loader_accepts
from .nginx_check import check_nginx
from .prometheus_checks import check_job, promtool_check, shop_jobs, static_targets
from .report import Report
from .tools import Tools

TOP_LEVEL = {"name", "services", "networks", "volumes", "configs", "secrets", "include", "models"}
SERVICE_KEYS = set(
    """annotations attach build blkio_config cap_add cap_drop cgroup cgroup_parent command configs
    container_name cpu_count cpu_percent cpu_period cpu_quota cpu_rt_period cpu_rt_runtime cpu_shares
    cpus cpuset credential_spec depends_on deploy develop device_cgroup_rules devices dns dns_opt
    dns_search domainname entrypoint env_file environment expose extends external_links extra_hosts
    gpus group_add healthcheck hostname image init ipc isolation label_file labels links logging
    mac_address mem_limit mem_reservation mem_swappiness memswap_limit network_mode networks
    oom_kill_disable oom_score_adj pid pids_limit platform ports post_start pre_stop privileged
    profiles pull_policy read_only restart runtime scale secrets security_opt shm_size stdin_open
    stop_grace_period stop_signal storage_opt sysctls tmpfs tty ulimits user userns_mode uts volumes
    volumes_from working_dir""".split()
)
HEALTHCHECK_KEYS = {"test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
DEFAULT_STOP_GRACE = 10.0  # Docker's, when stop_grace_period is not given
INTERPOLATION = re.compile(r"\$\{([A-Za-z_]\w*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}")
SECRET_WORDS = ("PASSWORD", "SECRET", "TOKEN", "KEY")


@dataclass
class Stack:
    """The parsed compose file and what the checks need to look things up in it."""

    layout: Layout
    data: dict
    env_file: dict[str, str]
    stages: list[str]  # deploy/Dockerfile's stage names, in order

    @property
    def services(self) -> dict[str, dict]:
        return self.data.get("services") or {}

    def resolve(self, text: object) -> str | None:
        """A value as compose would pass it with the example .env, or None where a secret goes."""
        if text is None:
            return None
        unknown = False

        def substitute(match: re.Match[str]) -> str:
            nonlocal unknown
            name, operator, argument = match[1], match[2] or "", match[3] or ""
            value = self.env_file.get(name, "")
            if operator in (":-", "-") and not value:
                return argument
            if not value:
                unknown = True
            return value

        result = INTERPOLATION.sub(substitute, str(text).replace("$$", "\0")).replace("\0", "$")
        return None if unknown else result

    def volume_targets(self, service: dict) -> dict[str, str]:
        """Mount target -> source (a named volume, a path, or '' for an anonymous volume/tmpfs)."""
        targets: dict[str, str] = {}
        for entry in service.get("volumes") or []:
            if isinstance(entry, dict):
                targets[str(entry.get("target"))] = str(entry.get("source", ""))
            else:
                parts = str(entry).split(":")
                if len(parts) == 1:
                    targets[parts[0]] = ""
                else:
                    targets[parts[1]] = parts[0]
        for entry in service.get("tmpfs") or []:
            targets[str(entry).split(":")[0]] = ""
        return targets

    def host_path(self, source: str) -> Path | None:
        if source.startswith((".", "/")):
            return (self.layout.compose.parent / source).resolve()
        return None


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.partition("=")
        values[name.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


def _healthcheck_words(healthcheck: dict | None) -> str:
    test = (healthcheck or {}).get("test")
    if isinstance(test, list):
        return " ".join(str(w) for w in test[1:])
    return str(test or "")


def _built_from_ours(service: dict, stack: Stack) -> bool:
    build = service.get("build")
    if isinstance(build, dict):
        context = stack.layout.compose.parent / str(build.get("context", "."))
        dockerfile = (context / str(build.get("dockerfile", "Dockerfile"))).resolve()
        return dockerfile == stack.layout.dockerfile.resolve()
    return False


def _is_shop(name: str, service: dict, stack: Stack) -> bool:
    """Built from deploy/Dockerfile's default target, its last stage: the shop's image."""
    if not _built_from_ours(service, stack):
        return False
    target = (service.get("build") or {}).get("target")
    return target is None or (bool(stack.stages) and target == stack.stages[-1])


def _check_structure(stack: Stack, report: Report) -> None:
    data = stack.data
    unknown = sorted(k for k in data if k not in TOP_LEVEL and not str(k).startswith("x-"))
    report.check(not unknown, "top-level keys are compose's", f"unknown top-level keys {unknown}")
    problems = []
    for name, service in stack.services.items():
        problems += [f"{name}.{k}" for k in service if k not in SERVICE_KEYS and not str(k).startswith("x-")]
        if "image" not in service and "build" not in service:
            problems.append(f"{name} has neither image nor build")
        problems += [f"{name}.healthcheck.{k}" for k in (service.get("healthcheck") or {}) if k not in HEALTHCHECK_KEYS]
    report.check(not problems, f"{len(stack.services)} services, every key a compose service key", f"not compose keys: {problems}")
    targets = {n: (s.get("build") or {}).get("target") for n, s in stack.services.items() if _built_from_ours(s, stack)}
    unknown_targets = {n: t for n, t in targets.items() if t is not None and t not in stack.stages}
    report.check(
        not unknown_targets,
        f"services built from deploy/Dockerfile name stages it has ({', '.join(f'{n}: {t or stack.stages[-1] if stack.stages else t}' for n, t in targets.items())})",
        f"build targets {unknown_targets} are not stages of deploy/Dockerfile ({stack.stages})",
    )

    declared = {kind: set((data.get(kind) or {}).keys()) for kind in ("volumes", "networks", "configs", "secrets")}
    missing = []
    for name, service in stack.services.items():
        for source in stack.volume_targets(service).values():
            if source and not source.startswith((".", "/", "~")) and source not in declared["volumes"]:
                missing.append(f"{name}: volume {source}")
        networks = service.get("networks") or []
        for network in networks if isinstance(networks, list) else networks.keys():
            if network not in declared["networks"]:
                missing.append(f"{name}: network {network}")
        for kind in ("configs", "secrets"):
            for entry in service.get(kind) or []:
                source = entry.get("source") if isinstance(entry, dict) else entry
                if source not in declared[kind]:
                    missing.append(f"{name}: {kind[:-1]} {source}")
    report.check(not missing, "every volume, network, config and secret a service uses is declared", f"undeclared: {missing}")

    bad = []
    for name, service in stack.services.items():
        depends = service.get("depends_on") or {}
        for target, spec in (depends.items() if isinstance(depends, dict) else ((d, {}) for d in depends)):
            condition = (spec or {}).get("condition", "service_started")
            if target not in stack.services:
                bad.append(f"{name} -> {target} (no such service)")
            elif condition not in CONDITIONS:
                bad.append(f"{name} -> {target}: condition {condition}")
            elif condition == "service_healthy" and not stack.services[target].get("healthcheck") and not _is_shop(target, stack.services[target], stack):
                bad.append(f"{name} -> {target}: waits for healthy, but {target} has no healthcheck")
    report.check(not bad, "depends_on: existing services, valid conditions, health checks where health is awaited", f"depends_on: {bad}")


def _check_interpolation(stack: Stack, raw: str, report: Report) -> None:
    escaped = raw.replace("$$", "")
    used = {m[1]: m[2] or "" for m in INTERPOLATION.finditer(escaped)}
    bare = sorted(set(re.findall(r"\$([A-Za-z_]\w*)", escaped)))
    report.check(not bare, "no bare $VAR interpolation (always ${VAR...})", f"bare interpolation of {bare}: write ${{NAME}} or $$ for a literal $")
    undocumented = sorted(name for name in used if name not in stack.env_file)
    report.check(
        not undocumented,
        f"every one of the {len(used)} variables compose interpolates is listed in .env.example",
        f"variables interpolated but not in .env.example: {', '.join(undocumented)}",
    )


def _check_env_example(stack: Stack, facts: RepoFacts, report: Report) -> None:
    shown = stack.layout.shown(stack.layout.env_example)
    check_env_names(list(stack.env_file), shown, facts, report)
    filled = sorted(n for n, v in stack.env_file.items() if v and any(w in n for w in SECRET_WORDS))
    report.check(
        not filled,
        f"{shown}: every secret is an empty placeholder (compose refuses to start until it is set)",
        f"{shown}: {', '.join(filled)} carry values; an example file must hold placeholders only",
    )


def _shop_env(stack: Stack, service: dict) -> tuple[dict[str, str | None], dict[str, str]]:
    """The shop's environment as written, and each value as compose passes it (None: secret)."""
    written = env_mapping(service.get("environment"))
    resolved = {n: stack.resolve(v) for n, v in written.items()}
    return written, {n: v for n, v in resolved.items() if v is not None}


def _check_shops(
    stack: Stack, shops: list[str], facts: RepoFacts, image: ImageFacts, report: Report, tools: Tools
) -> tuple[int, set[str]]:
    """Per-shop checks; returns the shops' port and the names of the services they depend on."""
    scraped = any("prometheus" in str(s.get("image", "")) for s in stack.services.values())
    port = int(facts.defaults["server.port"])
    node_ids: dict[str, str] = {}
    upload_sources: dict[str, str] = {}
    backing: set[str] = set()
    for name in shops:
        service = stack.services[name]
        written, known = _shop_env(stack, service)
        check_env_names(list(written), f"{name} environment", facts, report)
        check_env_values({n: v for n, v in known.items() if n.startswith(ENV_PREFIX)}, f"{name} environment", facts, report)
        passed = {n: known.get(n, "<secret>") for n in written}
        settings = facts.effective(passed)
        check_loader_accepts(passed, name, facts.root, report, tools)
        if not report.check(
            all(settings[k].isdigit() for k in ("server.port", "server.shutdown_timeout_seconds", "order.node_id")),
            f"{name}: server.port, server.shutdown_timeout_seconds and order.node_id resolve to numbers",
        ):
            continue
        port = int(settings["server.port"])
        report.check(
            settings["server.host"] in {"0.0.0.0", "::"},
            f"{name}: listens on all interfaces ({settings['server.host']}), reachable from nginx",
            f"{name}: server.host {settings['server.host']} is not reachable from other containers",
        )
        required = set(facts.prod_required_env)
        if scraped and facts.metrics_need_token_in_prod:
            required.add("GOMALL_METRICS_TOKEN")
        missing = sorted(required - set(written))
        report.check(
            not missing,
            f"{name}: sets what prod refuses to start without ({', '.join(sorted(required))})",
            f"{name}: prod needs {', '.join(missing)}",
        )
        if len(shops) > 1:
            report.check(
                settings["database.driver"] == "mysql" and settings["seckill.mode"] == "full",
                f"{name}: several instances share MariaDB (database.driver mysql) and the full flash-sale mode",
                f"{name}: {len(shops)} instances need database.driver mysql and seckill.mode full "
                f"(have {settings['database.driver']}, {settings['seckill.mode']})",
            )
        hosts = {settings["database.mysql_host"]} if settings["database.driver"] == "mysql" else set()
        if settings["seckill.mode"] == "full":
            hosts |= {settings["redis.host"], settings["rabbitmq.host"]}
        depends = service.get("depends_on") or {}
        awaited = {t for t, spec in (depends.items() if isinstance(depends, dict) else []) if (spec or {}).get("condition") == "service_healthy"}
        report.check(
            hosts <= set(stack.services) and hosts <= awaited,
            f"{name}: its database, Redis and RabbitMQ hosts ({', '.join(sorted(hosts))}) are services it waits healthy for",
            f"{name}: hosts {sorted(hosts)} must be compose services in depends_on with condition service_healthy (have {sorted(awaited)})",
        )
        backing |= hosts
        node_ids[name] = settings["order.node_id"]

        probes = urls_in(_healthcheck_words(service.get("healthcheck"))) if service.get("healthcheck") else []
        if service.get("healthcheck"):
            report.check(
                bool(probes) and all(p.port == port and p.path in facts.routes for p in probes),
                f"{name}: healthcheck asks {', '.join(p.path for p in probes)} on port {port}",
                f"{name}: healthcheck {[f'{p.port}{p.path}' for p in probes]} is not a registered route on server.port {port}",
            )
        else:
            report.check(bool(image.health_paths), f"{name}: uses the image's HEALTHCHECK", f"{name}: no healthcheck here or in the image")

        grace = seconds(service.get("stop_grace_period", DEFAULT_STOP_GRACE))
        drain = float(settings["server.shutdown_timeout_seconds"])
        if settings["tracing.enabled"].lower() in {"true", "1", "yes", "on"}:
            drain += float(settings["tracing.timeout_ms"]) / 1000
        report.check(
            grace is not None and grace > drain,
            f"{name}: stop_grace_period {grace:g} s > the drain ({drain:g} s: server.shutdown_timeout_seconds"
            f"{' + tracing.timeout_ms' if drain > float(settings['server.shutdown_timeout_seconds']) else ''})",
            f"{name}: stop_grace_period {service.get('stop_grace_period', '10s (default)')} does not exceed the drain of {drain:g} s "
            f"(server.shutdown_timeout_seconds): Docker would SIGKILL requests in flight",
        )

        mounts = stack.volume_targets(service)
        upload = settings["upload.dir"]
        upload_target = upload if upload.startswith("/") else f"{image.workdir.rstrip('/')}/{upload}"
        writable = [upload_target]
        if settings["database.driver"] == "sqlite":
            sqlite = settings["database.sqlite_path"]
            writable.append(str(Path(sqlite if sqlite.startswith("/") else f"{image.workdir}/{sqlite}").parent))
        if service.get("read_only"):
            unmounted = [w for w in writable if not any(w == t or w.startswith(t.rstrip("/") + "/") for t in mounts)]
            report.check(
                not unmounted,
                f"{name}: read-only root filesystem; {', '.join(writable)} is a volume",
                f"{name}: read_only, but {unmounted} (where the server writes) is not mounted",
            )
        upload_sources[name] = mounts.get(upload_target, "")

    distinct = len(set(node_ids.values())) == len(node_ids)
    report.check(
        distinct,
        f"each shop has its own order.node_id ({', '.join(f'{n}={v}' for n, v in node_ids.items())})",
        f"shops share an order.node_id ({node_ids}): order numbers embed it and would collide",
    )
    sources = set(upload_sources.values())
    report.check(
        len(sources) == 1 and "" not in sources and next(iter(sources)) in (stack.data.get("volumes") or {}),
        f"the shops share one named volume for uploads ({', '.join(sources)})",
        f"uploads must be one named volume shared by every shop (have {upload_sources}): an image uploaded to one would be missing on the others",
    )
    return port, backing


def _container_files(stack: Stack, service: dict) -> dict[str, str]:
    """Path in the container -> text, of the files a service gets from the host and from configs."""
    files: dict[str, str] = {}
    for target, source in stack.volume_targets(service).items():
        path = stack.host_path(source)
        if path is not None and path.is_file():
            files[target] = path.read_text(encoding="utf-8")
    for entry in service.get("configs") or []:
        name = entry.get("source") if isinstance(entry, dict) else entry
        target = entry.get("target", f"/{name}") if isinstance(entry, dict) else f"/{name}"
        config = (stack.data.get("configs") or {}).get(name) or {}
        if "content" in config:
            files[target] = stack.resolve(config["content"]) or ""
        elif "file" in config:
            path = stack.host_path(str(config["file"]))
            if path is not None and path.is_file():
                files[target] = path.read_text(encoding="utf-8")
    return files


def _check_nginx_service(stack: Stack, shops: list[str], port: int, report: Report, tools: Tools) -> None:
    conf = stack.layout.deploy / "nginx.conf"
    mounted = []
    for name, service in stack.services.items():
        for target, source in stack.volume_targets(service).items():
            if stack.host_path(source) == conf.resolve():
                mounted.append((name, target))
    if not report.check(len(mounted) == 1, f"one service mounts deploy/nginx.conf ({', '.join(f'{n} at {t}' for n, t in mounted)})", "no service mounts deploy/nginx.conf"):
        return
    name, target = mounted[0]
    service = stack.services[name]
    depends = service.get("depends_on") or {}
    report.check(
        set(shops) <= set(depends),
        f"{name} starts after the shops",
        f"{name} does not depend on every shop ({sorted(set(shops) - set(depends))} missing)",
    )
    if not conf.is_file():
        report.skip(f"{stack.layout.shown(conf)} does not exist yet (written separately): its upstream and nginx -t are not checked")
        return
    drain = re.search(r"^\s*worker_shutdown_timeout\s+(\S+);", conf.read_text(encoding="utf-8"), re.M)
    if drain is not None:
        wait, grace = seconds(drain[1]), seconds(service.get("stop_grace_period", DEFAULT_STOP_GRACE))
        report.check(
            wait is not None and grace is not None and grace > wait,
            f"{name}: stop_grace_period {grace:g} s > nginx.conf's worker_shutdown_timeout {drain[1]}",
            f"{name}: stop_grace_period {service.get('stop_grace_period', '10s (default)')} does not exceed "
            f"worker_shutdown_timeout {drain[1]}: Docker would kill nginx with requests open",
        )
    published = set()
    for entry in service.get("ports") or []:
        text = str(entry.get("target") if isinstance(entry, dict) else entry).split("/")[0]
        published.add(int(text.rsplit(":", 1)[-1]))
    check_nginx(
        _container_files(stack, service), target, stack.layout.shown(conf), set(shops), set(stack.services), port, published, report, tools
    )


def _prometheus_config(stack: Stack, service: dict) -> tuple[dict | None, str]:
    for entry in service.get("configs") or []:
        if isinstance(entry, dict) and str(entry.get("target", "")).endswith("prometheus.yml"):
            source = (stack.data.get("configs") or {}).get(entry.get("source"), {})
            if "content" in source:
                return yaml.safe_load(stack.resolve(source["content"]) or ""), f"config {entry['source']} (inline)"
            if "file" in source:
                path = stack.host_path(str(source["file"]))
                return (yaml.safe_load(path.read_text(encoding="utf-8")) if path and path.is_file() else None), str(source["file"])
    for target, source in stack.volume_targets(service).items():
        if target.endswith("prometheus.yml"):
            path = stack.host_path(source)
            return (yaml.safe_load(path.read_text(encoding="utf-8")) if path and path.is_file() else None), source
    return None, "(none)"


def _check_same_job(stack: Stack, config: dict, job: dict, where: str, report: Report) -> None:
    """The stack's job is deploy/prometheus.yml's, with its own targets and the token added."""
    shipped_path = stack.layout.prometheus
    if not shipped_path.is_file():
        return
    shipped = yaml.safe_load(shipped_path.read_text(encoding="utf-8")) or {}
    jobs = shop_jobs(shipped)
    if not jobs:
        return
    differences = [
        key for key in ("metrics_path", "scrape_interval", "scrape_timeout", "scheme")
        if jobs[0].get(key) != job.get(key)
    ]
    if (shipped.get("global") or {}) != (config.get("global") or {}):
        differences.append("global")
    labels = [group.get("labels") for group in jobs[0].get("static_configs") or []]
    if labels != [group.get("labels") for group in job.get("static_configs") or []]:
        differences.append("labels")
    report.check(
        not differences,
        f"{where}: the same job as {stack.layout.shown(shipped_path)} (apart from targets and the token)",
        f"{where} and {stack.layout.shown(shipped_path)} differ in {', '.join(differences)}",
    )


def _check_prometheus_service(stack: Stack, shops: list[str], port: int, facts: RepoFacts, report: Report, tools: Tools) -> None:
    found = [n for n, s in stack.services.items() if "prometheus" in str(s.get("image", ""))]
    if not report.check(len(found) == 1, f"one Prometheus service ({', '.join(found)})", "no Prometheus service"):
        return
    name = found[0]
    service = stack.services[name]
    config, origin = _prometheus_config(stack, service)
    where = f"{name}'s {origin}"
    if not report.check(isinstance(config, dict), f"{where} parses"):
        return
    assert isinstance(config, dict)
    job = check_job(config, where, facts, report)
    if job is None:
        return
    wanted = {f"{shop}:{port}" for shop in shops}
    report.check(
        static_targets(job) == wanted,
        f"{where}: scrapes every shop directly ({', '.join(sorted(wanted))})",
        f"{where}: targets {sorted(static_targets(job))}, not the shops {sorted(wanted)}",
    )
    _check_same_job(stack, config, job, where, report)
    credentials = (job.get("authorization") or {}).get("credentials_file")
    token_vars = set()
    for shop in shops:
        value = env_mapping(stack.services[shop].get("environment")).get("GOMALL_METRICS_TOKEN")
        token_vars |= {m[1] for m in INTERPOLATION.finditer(str(value or ""))}
    secret_sources = {}
    for entry in service.get("secrets") or []:
        source = entry.get("source") if isinstance(entry, dict) else entry
        target = entry.get("target", source) if isinstance(entry, dict) else entry
        target = target if str(target).startswith("/") else f"/run/secrets/{target}"
        secret_sources[target] = (stack.data.get("secrets") or {}).get(source, {})
    if facts.metrics_need_token_in_prod:
        secret = secret_sources.get(str(credentials), {})
        report.check(
            credentials is not None and secret.get("environment") in token_vars and bool(token_vars),
            f"{where}: sends the shops' metrics token (secret from {', '.join(sorted(token_vars))} at {credentials})",
            f"{where}: must send the token the shops get as GOMALL_METRICS_TOKEN ({sorted(token_vars)}) through a "
            f"credentials_file that is a secret from that variable (have {credentials}, {secret})",
        )
    mounts = stack.volume_targets(service)
    rules: dict[str, Path] = {}
    for rule in config.get("rule_files") or []:
        host = stack.host_path(mounts.get(rule, ""))
        if host is not None:
            rules[rule] = host
    unmounted = sorted(set(config.get("rule_files") or []) - set(rules))
    report.check(
        not unmounted and all(p.is_file() for p in rules.values()),
        f"{where}: its rule files are mounted from {', '.join(stack.layout.shown(p) for p in rules.values())}",
        f"{where}: rule files {unmounted or sorted(map(str, rules.values()))} are not mounted from existing files",
    )
    promtool_check(config, where, rules, report, tools)


def check_compose(layout: Layout, facts: RepoFacts, image: ImageFacts, report: Report, tools: Tools) -> None:
    shown = layout.shown(layout.compose)
    report.section(f"compose: {shown}")
    if not report.check(layout.compose.is_file() and layout.env_example.is_file(), f"{shown} and {layout.shown(layout.env_example)} exist"):
        return
    raw = layout.compose.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        report.fail(f"{shown} does not parse: {error}")
        return
    if not report.check(isinstance(data, dict) and isinstance(data.get("services"), dict), f"{shown} parses (YAML, anchors merged)"):
        return
    stages = [st.name for st in parse_dockerfile(layout.dockerfile.read_text(encoding="utf-8"))] if layout.dockerfile.is_file() else []
    stack = Stack(layout, data, read_env_file(layout.env_example), stages)
    _check_structure(stack, report)
    _check_interpolation(stack, raw, report)
    _check_env_example(stack, facts, report)
    shops = sorted(n for n, s in stack.services.items() if _is_shop(n, s, stack))
    if not report.check(len(shops) >= 2, f"{len(shops)} shop services built from deploy/Dockerfile ({', '.join(shops)})", f"need 2+ shop services built from deploy/Dockerfile, found {shops}"):
        return
    port, backing = _check_shops(stack, shops, facts, image, report, tools)
    report.check(
        all(stack.services[b].get("volumes") for b in backing),
        f"the data stores keep their data in volumes ({', '.join(sorted(backing))})",
        f"a data store has no volume: {sorted(b for b in backing if not stack.services[b].get('volumes'))}",
    )
    _check_nginx_service(stack, shops, port, report, tools)
    _check_prometheus_service(stack, shops, port, facts, report, tools)
