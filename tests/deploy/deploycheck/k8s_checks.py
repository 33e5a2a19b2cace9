"""deploy/k8s against the server: settings, ports, probes, shutdown, security, and each other."""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .common import check_env_names, check_env_values
from .facts import RepoFacts
from .image_checks import ImageFacts
from .k8s_schema import KINDS, shape_problems
from .layout import Layout
from .loader_check import check_loader_accepts
from .report import Report
from .tools import Tools, first_line

POD_INDEX = "metadata.labels['apps.kubernetes.io/pod-index']"
WORKLOAD_KINDS = {"StatefulSet", "Deployment"}
DEFAULT_GRACE = 30  # Kubernetes' terminationGracePeriodSeconds when none is given
PLACEHOLDER = "CHANGE-ME"
NGINX_INGRESS = "nginx.ingress.kubernetes.io/"


@dataclass
class Manifest:
    path: Path
    doc: dict

    @property
    def kind(self) -> str:
        return str(self.doc.get("kind", ""))

    @property
    def name(self) -> str:
        return str((self.doc.get("metadata") or {}).get("name", ""))

    @property
    def spec(self) -> dict:
        return self.doc.get("spec") or {}

    def label(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass
class Cluster:
    objects: list[Manifest] = field(default_factory=list)

    def of(self, kind: str) -> list[Manifest]:
        return [m for m in self.objects if m.kind == kind]

    def find(self, kind: str, name: str) -> Manifest | None:
        return next((m for m in self.objects if m.kind == kind and m.name == name), None)


def _load(layout: Layout, report: Report) -> tuple[Cluster, list[Path]] | None:
    files = sorted(p for p in layout.k8s.glob("*.y*ml") if p.name != "kustomization.yaml")
    if not report.check(bool(files), f"{layout.shown(layout.k8s)} holds manifests ({len(files)} files)"):
        return None
    cluster = Cluster()
    broken = []
    for path in files:
        try:
            docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
        except yaml.YAMLError as error:
            broken.append(f"{layout.shown(path)} does not parse: {' '.join(str(error).split())}")
            continue
        cluster.objects += [Manifest(path, d) for d in docs if isinstance(d, dict)]
    report.check(not broken, f"every manifest parses ({len(cluster.objects)} objects)", "; ".join(broken))
    return cluster, files


def _check_shapes(cluster: Cluster, layout: Layout, report: Report) -> None:
    problems = []
    for m in cluster.objects:
        schema = KINDS.get((str(m.doc.get("apiVersion")), m.kind))
        if schema is None:
            problems.append(f"{layout.shown(m.path)}: {m.doc.get('apiVersion')} {m.kind} is not a kind the checker knows")
            continue
        problems += [f"{layout.shown(m.path)}: {p}" for p in shape_problems(m.doc, schema, m.label())]
    report.check(
        not problems,
        "every object's fields, types and enumerations fit its kind (offline schema subset)",
        "; ".join(problems[:8]) + (f" (and {len(problems) - 8} more)" if len(problems) > 8 else ""),
    )
    namespaces = [m.name for m in cluster.of("Namespace")]
    outside = [m.label() for m in cluster.objects if m.kind != "Namespace" and (m.doc.get("metadata") or {}).get("namespace") not in namespaces]
    report.check(
        len(namespaces) == 1 and not outside,
        f"every object is in namespace {namespaces[0] if namespaces else '?'}, which the manifests create",
        f"objects outside the one Namespace the manifests define ({namespaces}): {outside}",
    )


def _selects(selector: dict, labels: dict) -> bool:
    wanted = (selector or {}).get("matchLabels", selector or {})
    return bool(wanted) and all(labels.get(k) == v for k, v in wanted.items())


def _shop_workload(cluster: Cluster) -> tuple[Manifest, dict] | None:
    for m in cluster.objects:
        if m.kind in WORKLOAD_KINDS:
            for container in ((m.spec.get("template") or {}).get("spec") or {}).get("containers") or []:
                if "gomall" in str(container.get("image", "")):
                    return m, container
    return None


def _container_env(cluster: Cluster, container: dict) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(settings as the pod gets them, literal values, problems) from envFrom and env."""
    env: dict[str, str] = {}
    literal: dict[str, str] = {}
    problems = []
    for source in container.get("envFrom") or []:
        for kind, ref in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            if ref in source:
                target = cluster.find(kind, source[ref].get("name", ""))
                if target is None:
                    problems.append(f"envFrom {kind} {source[ref].get('name')} is not in the manifests")
                    continue
                data = {**(target.doc.get("data") or {}), **(target.doc.get("stringData") or {})}
                for key, value in data.items():
                    env[key] = str(value) if kind == "ConfigMap" else "<secret>"
                    if kind == "ConfigMap":
                        literal[key] = str(value)
    for variable in container.get("env") or []:
        name = variable.get("name", "")
        if "value" in variable:
            env[name] = literal[name] = str(variable["value"])
        else:
            env[name] = "<from the pod>"
    return env, literal, problems


def _number(value: object) -> float | None:
    text = str(value)
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    if text.endswith("m") and text[:-1].isdigit():
        return int(text[:-1]) / 1000
    return None


def _probe_port(probe: dict, container: dict) -> int | None:
    port = ((probe or {}).get("httpGet") or {}).get("port")
    if isinstance(port, int):
        return port
    return next((p.get("containerPort") for p in container.get("ports") or [] if p.get("name") == port), None)


def _prestop_seconds(container: dict) -> float:
    handler = ((container.get("lifecycle") or {}).get("preStop")) or {}
    if "sleep" in handler:
        return float(handler["sleep"].get("seconds", 0))
    command = " ".join((handler.get("exec") or {}).get("command") or [])
    match = re.search(r"\bsleep\s+(\d+(?:\.\d+)?)", command)
    return float(match[1]) if match else 0.0


def _check_workload(
    cluster: Cluster, facts: RepoFacts, image: ImageFacts, report: Report, tools: Tools
) -> tuple[Manifest, dict, dict[str, str]] | None:
    found = _shop_workload(cluster)
    if not report.check(found is not None, "a StatefulSet or Deployment runs the gomall image"):
        return None
    assert found is not None
    workload, container = found
    name = workload.label()
    template = workload.spec.get("template") or {}
    pod = template.get("spec") or {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    report.check(_selects(workload.spec.get("selector") or {}, labels), f"{name}: selector matches the pod template's labels")

    env, literal, problems = _container_env(cluster, container)
    report.check(not problems, f"{name}: envFrom names ConfigMaps and Secrets the manifests define", "; ".join(problems))
    check_env_names(list(env), f"{name} environment (env and envFrom)", facts, report)
    check_env_values(literal, f"{name} environment", facts, report)
    check_loader_accepts(env, name, facts.root, report, tools)
    settings = facts.effective({k: v for k, v in env.items() if not v.startswith("<")})
    for key, value in env.items():
        if value.startswith("<") and key in facts.keys:
            settings[facts.keys[key].dotted] = value

    port = int(settings["server.port"]) if settings["server.port"].isdigit() else None
    ports = {p.get("name"): p.get("containerPort") for p in container.get("ports") or []}
    report.check(
        port is not None and port in ports.values() and port in image.exposed,
        f"{name}: containerPort {port} = server.port = the image's EXPOSE",
        f"{name}: containerPorts {sorted(v for v in ports.values() if v)} vs server.port {settings['server.port']} vs EXPOSE {sorted(image.exposed)}",
    )
    report.check(
        settings["server.host"] in {"0.0.0.0", "::"},
        f"{name}: listens on all interfaces ({settings['server.host']})",
        f"{name}: server.host {settings['server.host']} is not reachable from the kubelet or the Service",
    )

    probes = {kind: container.get(kind) for kind in ("startupProbe", "livenessProbe", "readinessProbe")}
    wanted = {"livenessProbe": "/health", "readinessProbe": "/ready", "startupProbe": "/health"}
    for kind, probe in probes.items():
        if probe is None:
            report.check(kind == "startupProbe", f"{name}: no {kind}", f"{name}: {kind} is missing")
            continue
        path = (probe.get("httpGet") or {}).get("path")
        probe_port = _probe_port(probe, container)
        report.check(
            path == wanted[kind] and path in facts.routes and probe_port == port,
            f"{name}: {kind} GET {path} on {probe_port}, a route the server registers",
            f"{name}: {kind} asks {path} on port {probe_port}; it must be GET {wanted[kind]} (registered in src/http) on server.port {port}",
        )

    scraped = (template.get("metadata") or {}).get("annotations") or {}
    if scraped.get("prometheus.io/scrape") == "true":
        report.check(
            scraped.get("prometheus.io/path") == settings["metrics.path"] and scraped.get("prometheus.io/port") == str(port),
            f"{name}: prometheus.io annotations name {settings['metrics.path']} on {port}",
            f"{name}: prometheus.io path/port {scraped.get('prometheus.io/path')}:{scraped.get('prometheus.io/port')} "
            f"are not metrics.path {settings['metrics.path']} on {port}",
        )
    required = set(facts.prod_required_env)
    if facts.metrics_need_token_in_prod and scraped.get("prometheus.io/scrape") == "true":
        required.add("GOMALL_METRICS_TOKEN")
    report.check(
        required <= set(env),
        f"{name}: sets what prod refuses to start without ({', '.join(sorted(required))})",
        f"{name}: prod needs {', '.join(sorted(required - set(env)))}",
    )

    grace = pod.get("terminationGracePeriodSeconds", DEFAULT_GRACE)
    pause = _prestop_seconds(container)
    drain = float(settings["server.shutdown_timeout_seconds"])
    tracing = float(settings["tracing.timeout_ms"]) / 1000 if settings["tracing.enabled"].lower() in {"true", "1", "yes", "on"} else 0.0
    report.check(
        grace > pause + drain + tracing,
        f"{name}: terminationGracePeriodSeconds {grace} > preStop {pause:g} s + server.shutdown_timeout_seconds {drain:g} s"
        + (f" + tracing.timeout_ms {tracing:g} s" if tracing else ""),
        f"{name}: terminationGracePeriodSeconds {grace} does not exceed preStop {pause:g} s + "
        f"server.shutdown_timeout_seconds {drain:g} s{f' + tracing {tracing:g} s' if tracing else ''}: the kubelet would SIGKILL the drain",
    )

    resources = container.get("resources") or {}
    complete = all(r in (resources.get(side) or {}) for side in ("requests", "limits") for r in ("cpu", "memory"))
    report.check(complete, f"{name}: cpu and memory requests and limits", f"{name}: resources need cpu and memory requests and limits")
    cpu_limit = _number((resources.get("limits") or {}).get("cpu"))
    threads = settings["server.io_threads"]
    if cpu_limit is not None:
        report.check(
            threads.isdigit() and 0 < int(threads) <= math.ceil(cpu_limit),
            f"{name}: server.io_threads {threads} fits the cpu limit {cpu_limit:g}",
            f"{name}: server.io_threads {threads} with a cpu limit of {cpu_limit:g}: 0 starts one thread per core of the node",
        )
    return workload, container, settings


def _check_security(cluster: Cluster, workload: Manifest, container: dict, image: ImageFacts, settings: dict[str, str], report: Report) -> None:
    name = workload.label()
    pod = (workload.spec.get("template") or {}).get("spec") or {}
    pod_security = pod.get("securityContext") or {}
    own = container.get("securityContext") or {}

    def setting(key: str) -> object:
        return own.get(key, pod_security.get(key))

    user = setting("runAsUser")
    report.check(
        setting("runAsNonRoot") is True and user not in (None, 0) and (image.uid is None or user == image.uid),
        f"{name}: runs as non-root user {user} (the image's USER {image.uid})",
        f"{name}: runAsNonRoot must be true and runAsUser the image's non-root user {image.uid} (have {setting('runAsNonRoot')}, {user})",
    )
    report.check(own.get("readOnlyRootFilesystem") is True, f"{name}: read-only root filesystem")
    namespace = next(iter(cluster.of("Namespace")), None)
    level = ((namespace.doc.get("metadata") or {}).get("labels") or {}).get("pod-security.kubernetes.io/enforce") if namespace else None
    if level == "restricted":
        drops = (own.get("capabilities") or {}).get("drop") or []
        seccomp = (setting("seccompProfile") or {}).get("type")
        report.check(
            own.get("allowPrivilegeEscalation") is False and "ALL" in drops and seccomp in {"RuntimeDefault", "Localhost"},
            f"{name}: meets the namespace's restricted Pod Security level (no privilege escalation, capabilities dropped, seccomp {seccomp})",
            f"{name}: the namespace enforces restricted; needs allowPrivilegeEscalation false, capabilities drop ALL, seccompProfile RuntimeDefault",
        )

    mounts = {m.get("mountPath"): m.get("name") for m in container.get("volumeMounts") or []}
    volumes = {v.get("name"): v for v in pod.get("volumes") or []}
    upload = settings["upload.dir"]
    writable = [upload if upload.startswith("/") else f"{image.workdir.rstrip('/')}/{upload}"]
    if settings["database.driver"] == "sqlite":
        sqlite = settings["database.sqlite_path"]
        writable.append(str(Path(sqlite if sqlite.startswith("/") else f"{image.workdir}/{sqlite}").parent))
    unmounted = [w for w in writable if not any(w == t or w.startswith(str(t).rstrip("/") + "/") for t in mounts)]
    report.check(
        not unmounted,
        f"{name}: where the server writes ({', '.join(writable)}) is a volume",
        f"{name}: the root filesystem is read-only but {unmounted} (where the server writes) is not mounted",
    )
    dangling = [n for n in mounts.values() if n not in volumes]
    claims = [v["persistentVolumeClaim"]["claimName"] for v in volumes.values() if "persistentVolumeClaim" in v]
    missing_claims = [c for c in claims if cluster.find("PersistentVolumeClaim", c) is None]
    report.check(
        not dangling and not missing_claims,
        f"{name}: every volumeMount has its volume, every claim its PersistentVolumeClaim",
        f"{name}: mounts without volume {dangling}, claims not in the manifests {missing_claims}",
    )
    upload_volume = volumes.get(mounts.get(writable[0]), {})
    claim = cluster.find("PersistentVolumeClaim", (upload_volume.get("persistentVolumeClaim") or {}).get("claimName", ""))
    if claim is not None:
        report.check(
            "ReadWriteMany" in (claim.spec.get("accessModes") or []),
            f"{name}: the uploads claim is ReadWriteMany, shared by every pod",
            f"{name}: the uploads claim {claim.name} must be ReadWriteMany: every pod serves every uploaded image",
        )


def _check_node_ids(cluster: Cluster, workload: Manifest, container: dict, facts: RepoFacts, report: Report) -> None:
    name = workload.label()
    variable = next((v for v in container.get("env") or [] if v.get("name") == "GOMALL_ORDER_NODE_ID"), None)
    field_path = (((variable or {}).get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath")
    report.check(
        workload.kind == "StatefulSet" and field_path == POD_INDEX,
        f"{name}: order.node_id is the pod index (distinct per pod)",
        f"{name}: every pod needs its own order.node_id: set GOMALL_ORDER_NODE_ID from {POD_INDEX} of a StatefulSet",
    )
    key = facts.keys["GOMALL_ORDER_NODE_ID"]
    start = (workload.spec.get("ordinals") or {}).get("start", 0)
    counts = [workload.spec.get("replicas", 1)] + [
        h.spec.get("maxReplicas", 0) for h in cluster.of("HorizontalPodAutoscaler") if (h.spec.get("scaleTargetRef") or {}).get("name") == workload.name
    ]
    highest = start + max(counts) - 1
    report.check(
        key.minimum is not None and key.maximum is not None and key.minimum <= start and highest <= key.maximum,
        f"{name}: pod indexes {start}..{highest} stay within order.node_id's {key.minimum}..{key.maximum}",
        f"{name}: pod indexes up to {highest} exceed order.node_id's range {key.minimum}..{key.maximum}",
    )
    if workload.kind == "StatefulSet":
        service = cluster.find("Service", str(workload.spec.get("serviceName", "")))
        report.check(
            service is not None and service.spec.get("clusterIP") == "None",
            f"{name}: serviceName {workload.spec.get('serviceName')} is a headless Service",
            f"{name}: serviceName {workload.spec.get('serviceName')} must name a headless Service (clusterIP: None) of the manifests",
        )


def _service_port(service: Manifest, reference: dict) -> dict | None:
    for port in service.spec.get("ports") or []:
        if ("name" in reference and port.get("name") == reference["name"]) or ("number" in reference and port.get("port") == reference["number"]):
            return port
    return None


def _check_services(cluster: Cluster, workload: Manifest, container: dict, report: Report) -> None:
    labels = ((workload.spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    ports = {p.get("name"): p.get("containerPort") for p in container.get("ports") or []}
    for service in cluster.of("Service"):
        targets = [p.get("targetPort", p.get("port")) for p in service.spec.get("ports") or []]
        resolved = all((t in ports) if isinstance(t, str) else (t in ports.values()) for t in targets)
        report.check(
            _selects(service.spec.get("selector") or {}, labels) and resolved,
            f"{service.label()}: selects the shop's pods, targetPort {targets} resolves to the container",
            f"{service.label()}: selector {service.spec.get('selector')} or targetPorts {targets} do not reach {workload.label()} ({ports})",
        )


def _nginx_size(text: str) -> int | None:
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", str(text))
    if match is None:
        return None
    return int(match[1]) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match[2].lower()]


def _ingress_paths(ingress: Manifest) -> list[tuple[str, str, dict]]:
    return [
        (p.get("path", "/"), p.get("pathType", ""), p.get("backend") or {})
        for rule in ingress.spec.get("rules") or []
        for p in ((rule.get("http") or {}).get("paths") or [])
    ]


def _covering(cluster: Cluster, route: str) -> Manifest | None:
    """The Ingress whose most specific path serves `route` (a template such as /a/:id/events)."""
    best: tuple[int, Manifest] | None = None
    for ingress in cluster.of("Ingress"):
        for path, kind, _ in _ingress_paths(ingress):
            exact = kind == "Exact" and path == route
            prefix = kind == "Prefix" and (route == path or route.startswith(path.rstrip("/") + "/") or path == "/")
            if exact or prefix:
                rank = len(path) + (1000 if exact else 0)
                if best is None or rank > best[0]:
                    best = (rank, ingress)
    return best[1] if best else None


def _check_ingresses(cluster: Cluster, facts: RepoFacts, settings: dict[str, str], report: Report) -> None:
    for ingress in cluster.of("Ingress"):
        broken = []
        for path, _, backend in _ingress_paths(ingress):
            target = backend.get("service") or {}
            service = cluster.find("Service", target.get("name", ""))
            if service is None or _service_port(service, target.get("port") or {}) is None:
                broken.append(f"{path} -> {target.get('name')}:{target.get('port')}")
        report.check(not broken, f"{ingress.label()}: every backend is a Service port of the manifests", f"{ingress.label()}: backends {broken} do not exist")

    shop = _covering(cluster, "/api/upload/multi")
    limit = int(settings["upload.max_total_bytes"])
    size = _nginx_size(((shop.doc.get("metadata") or {}).get("annotations") or {}).get(NGINX_INGRESS + "proxy-body-size", "1m")) if shop else None
    report.check(
        size is not None and size >= limit,
        f"{shop.label() if shop else 'Ingress'}: proxy-body-size {size} bytes admits upload.max_total_bytes {limit}",
        f"the Ingress of /api/upload/multi lets {size} bytes through, less than upload.max_total_bytes {limit}",
    )
    for route in sorted(facts.event_stream_routes):
        ingress = _covering(cluster, route)
        annotations = ((ingress.doc.get("metadata") or {}).get("annotations") or {}) if ingress else {}
        unbuffered = annotations.get(NGINX_INGRESS + "proxy-buffering") == "off"
        if route == "/api/seckill/events":
            timeout = int(annotations.get(NGINX_INGRESS + "proxy-read-timeout", "60"))
            quiet = facts.seckill_stream_seconds or 0
            report.check(
                ingress is not None and unbuffered and timeout > quiet,
                f"{route}: served by {ingress.label() if ingress else '?'} with proxy-buffering off and a {timeout} s read timeout (> {quiet} s stream)",
                f"{route} needs an Ingress with {NGINX_INGRESS}proxy-buffering \"off\" and proxy-read-timeout above the stream's {quiet} s "
                f"(have {ingress.label() if ingress else 'none'}: {annotations})",
            )
        else:
            report.check(
                ingress is not None and (unbuffered or facts.server_disables_proxy_buffering),
                f"{route}: unbuffered through {ingress.label() if ingress else '?'} "
                f"({'annotation' if unbuffered else 'the server sends X-Accel-Buffering: no'})",
                f"{route}: no Ingress serves it unbuffered, and the server no longer sends X-Accel-Buffering: no",
            )


def _check_scaling(cluster: Cluster, workload: Manifest, container: dict, report: Report) -> None:
    labels = ((workload.spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    hpas = [h for h in cluster.of("HorizontalPodAutoscaler")]
    for hpa in hpas:
        ref = hpa.spec.get("scaleTargetRef") or {}
        target = cluster.find(str(ref.get("kind")), str(ref.get("name")))
        low, high = hpa.spec.get("minReplicas", 1), hpa.spec.get("maxReplicas", 0)
        report.check(
            target is not None and ref.get("apiVersion") == target.doc.get("apiVersion") and 2 <= low <= high,
            f"{hpa.label()}: scales {ref.get('kind')}/{ref.get('name')} between {low} and {high}",
            f"{hpa.label()}: scaleTargetRef {ref} must be a workload of the manifests, 2 <= minReplicas <= maxReplicas (have {low}, {high})",
        )
        uses_cpu = any(((m.get("resource") or {}).get("name") == "cpu") for m in hpa.spec.get("metrics") or [])
        if uses_cpu:
            report.check(
                "cpu" in ((container.get("resources") or {}).get("requests") or {}),
                f"{hpa.label()}: CPU utilization is measured against the container's cpu request",
                f"{hpa.label()}: scales on CPU utilization but the container requests no cpu",
            )
    if "replicas" in workload.spec and hpas:
        report.fail(f"{workload.label()}: replicas is set while an HPA owns the count (every apply resets it)")
    minimum = min((h.spec.get("minReplicas", 1) for h in hpas), default=workload.spec.get("replicas", 1))
    for pdb in cluster.of("PodDisruptionBudget"):
        available = pdb.spec.get("minAvailable")
        allows = pdb.spec.get("maxUnavailable", 0) not in (0, "0%") if available is None else (isinstance(available, int) and available < minimum)
        report.check(
            _selects(pdb.spec.get("selector") or {}, labels) and allows,
            f"{pdb.label()}: covers the shop's pods and lets a drain proceed ({minimum} pods at least)",
            f"{pdb.label()}: must select the shop's pods and allow one disruption with {minimum} pods",
        )


def _check_secrets(cluster: Cluster, report: Report) -> None:
    real = []
    for secret in cluster.of("Secret"):
        values = dict(secret.doc.get("stringData") or {})
        for key, encoded in (secret.doc.get("data") or {}).items():
            try:
                values[key] = base64.b64decode(str(encoded)).decode("utf-8", "replace")
            except ValueError:
                values[key] = str(encoded)
        real += [f"{secret.name}.{k}" for k, v in values.items() if v not in ("", None) and PLACEHOLDER not in str(v)]
    report.check(
        not real,
        f"Secrets hold placeholders only (empty or {PLACEHOLDER})",
        f"Secrets carry values that are not placeholders: {', '.join(real)} (never commit a secret)",
    )


def _check_kustomization(layout: Layout, files: list[Path], report: Report) -> None:
    path = layout.k8s / "kustomization.yaml"
    if not path.is_file():
        report.skip("no kustomization.yaml")
        return
    listed = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("resources") or []
    names = {p.name for p in files}
    report.check(
        set(listed) == names,
        f"kustomization.yaml lists every manifest ({len(listed)})",
        f"kustomization.yaml resources {sorted(listed)} differ from the files {sorted(names)}",
    )


def _check_with_kubectl(layout: Layout, cluster: Cluster, report: Report, tools: Tools) -> None:
    if not tools.available("kubectl"):
        report.skip("kubectl: not installed")
        return
    rc, rendered = tools.run(["kubectl", "kustomize", str(layout.k8s)], timeout=60)
    count = len([d for d in yaml.safe_load_all(rendered) if d]) if rc == 0 else 0
    report.check(
        rc == 0 and count == len(cluster.objects),
        f"kubectl kustomize builds the {count} objects offline",
        f"kubectl kustomize failed: {first_line(rendered, 400)}",
    )
    # A client-side dry run still asks the API server for its resource list (discovery); with no
    # cluster it cannot validate anything. A closed loopback port makes that fail fast instead of
    # reaching whatever a kubeconfig or localhost:8080 points at.
    rc, output = tools.run(
        ["kubectl", "apply", "--dry-run=client", "--validate=false", "-o", "name", "-f", str(layout.k8s),
         "--kubeconfig=/dev/null", "--server=https://127.0.0.1:1", "--token=offline-check", "--request-timeout=5s"],
        timeout=30,
    )
    if rc == 0:
        report.ok("kubectl apply --dry-run=client accepts the manifests")
    else:
        reason = next((line for line in output.splitlines() if "unable to recognize" in line or line.startswith("error")), first_line(output))
        reason = reason.replace(str(layout.repo) + "/", "").strip()[:160]
        report.skip(f"kubectl apply --dry-run=client needs an API server ({reason}); the offline schema subset above stands in")


def check_k8s(layout: Layout, facts: RepoFacts, image: ImageFacts, report: Report, tools: Tools) -> None:
    report.section(f"kubernetes: {layout.shown(layout.k8s)}")
    loaded = _load(layout, report)
    if loaded is None:
        return
    cluster, files = loaded
    _check_shapes(cluster, layout, report)
    _check_kustomization(layout, files, report)
    found = _check_workload(cluster, facts, image, report, tools)
    if found is not None:
        workload, container, settings = found
        _check_security(cluster, workload, container, image, settings, report)
        _check_node_ids(cluster, workload, container, facts, report)
        _check_services(cluster, workload, container, report)
        _check_ingresses(cluster, facts, settings, report)
        _check_scaling(cluster, workload, container, report)
    _check_secrets(cluster, report)
    _check_with_kubectl(layout, cluster, report, tools)
