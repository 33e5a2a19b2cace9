"""The shape of the Kubernetes objects deploy/k8s uses: field names, types and enumerations.

kubectl validates against the API server's OpenAPI document, so without a cluster it validates
nothing (`kubectl apply --dry-run=client` needs the server's discovery as well). This is the
offline stand-in: the subset of each kind's schema that these manifests and their likely edits
use. A field outside it is reported as unknown; if it is a real field, add it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Fields:
    known: dict[str, Schema]
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListOf:
    item: Schema


@dataclass(frozen=True)
class OneOf:
    words: frozenset[str]


@dataclass(frozen=True)
class Scalar:
    types: tuple[type, ...]
    name: str


@dataclass(frozen=True)
class MapOf:
    value: Schema


Schema = Union[Fields, ListOf, OneOf, Scalar, MapOf, None]  # None: anything goes

STR = Scalar((str,), "a string")
INT = Scalar((int,), "an integer")
BOOL = Scalar((bool,), "true or false")
INT_OR_STR = Scalar((int, str), "an integer or a string")
STRINGS = MapOf(STR)  # labels, annotations, ConfigMap data: the API refuses numbers and booleans there


def fields(required: tuple[str, ...] = (), **known: Schema) -> Fields:
    return Fields(known, required)


def one_of(*words: str) -> OneOf:
    return OneOf(frozenset(words))


METADATA = fields(("name",), name=STR, namespace=STR, labels=STRINGS, annotations=STRINGS)
SELECTOR = fields(
    matchLabels=STRINGS,
    matchExpressions=ListOf(fields(("key", "operator"), key=STR, operator=one_of("In", "NotIn", "Exists", "DoesNotExist"), values=ListOf(STR))),
)
HTTP_GET = fields(("port",), path=STR, port=INT_OR_STR, host=STR, scheme=one_of("HTTP", "HTTPS"), httpHeaders=ListOf(fields(name=STR, value=STR)))
EXEC = fields(("command",), command=ListOf(STR))
PROBE = fields(
    httpGet=HTTP_GET,
    tcpSocket=fields(("port",), port=INT_OR_STR, host=STR),
    exec=EXEC,
    grpc=fields(("port",), port=INT, service=STR),
    initialDelaySeconds=INT,
    periodSeconds=INT,
    timeoutSeconds=INT,
    successThreshold=INT,
    failureThreshold=INT,
    terminationGracePeriodSeconds=INT,
)
HANDLER = fields(exec=EXEC, httpGet=HTTP_GET, tcpSocket=fields(("port",), port=INT_OR_STR), sleep=fields(("seconds",), seconds=INT))
KEY_REF = fields(("key",), name=STR, key=STR, optional=BOOL)
ENV_VAR = fields(
    ("name",),
    name=STR,
    value=STR,
    valueFrom=fields(
        fieldRef=fields(("fieldPath",), fieldPath=STR, apiVersion=STR),
        resourceFieldRef=fields(("resource",), resource=STR, containerName=STR, divisor=INT_OR_STR),
        configMapKeyRef=KEY_REF,
        secretKeyRef=KEY_REF,
    ),
)
ENV_FROM = fields(prefix=STR, configMapRef=fields(("name",), name=STR, optional=BOOL), secretRef=fields(("name",), name=STR, optional=BOOL))
QUANTITIES = MapOf(INT_OR_STR)
SECCOMP = fields(("type",), type=one_of("RuntimeDefault", "Localhost", "Unconfined"), localhostProfile=STR)
CONTAINER_SECURITY = fields(
    allowPrivilegeEscalation=BOOL,
    readOnlyRootFilesystem=BOOL,
    runAsNonRoot=BOOL,
    runAsUser=INT,
    runAsGroup=INT,
    privileged=BOOL,
    capabilities=fields(add=ListOf(STR), drop=ListOf(STR)),
    seccompProfile=SECCOMP,
    procMount=STR,
)
CONTAINER = fields(
    ("name", "image"),
    name=STR,
    image=STR,
    imagePullPolicy=one_of("Always", "IfNotPresent", "Never"),
    command=ListOf(STR),
    args=ListOf(STR),
    workingDir=STR,
    ports=ListOf(fields(("containerPort",), name=STR, containerPort=INT, protocol=one_of("TCP", "UDP", "SCTP"), hostPort=INT, hostIP=STR)),
    env=ListOf(ENV_VAR),
    envFrom=ListOf(ENV_FROM),
    resources=fields(requests=QUANTITIES, limits=QUANTITIES),
    volumeMounts=ListOf(fields(("name", "mountPath"), name=STR, mountPath=STR, readOnly=BOOL, subPath=STR, subPathExpr=STR)),
    livenessProbe=PROBE,
    readinessProbe=PROBE,
    startupProbe=PROBE,
    lifecycle=fields(preStop=HANDLER, postStart=HANDLER),
    securityContext=CONTAINER_SECURITY,
    terminationMessagePath=STR,
    terminationMessagePolicy=one_of("File", "FallbackToLogsOnError"),
    stdin=BOOL,
    tty=BOOL,
)
ITEMS = ListOf(fields(("key", "path"), key=STR, path=STR, mode=INT))
VOLUME = fields(
    ("name",),
    name=STR,
    persistentVolumeClaim=fields(("claimName",), claimName=STR, readOnly=BOOL),
    emptyDir=fields(medium=STR, sizeLimit=INT_OR_STR),
    configMap=fields(name=STR, items=ITEMS, defaultMode=INT, optional=BOOL),
    secret=fields(secretName=STR, items=ITEMS, defaultMode=INT, optional=BOOL),
)
POD_SPEC = fields(
    ("containers",),
    containers=ListOf(CONTAINER),
    initContainers=ListOf(CONTAINER),
    volumes=ListOf(VOLUME),
    securityContext=fields(
        runAsNonRoot=BOOL,
        runAsUser=INT,
        runAsGroup=INT,
        fsGroup=INT,
        fsGroupChangePolicy=one_of("OnRootMismatch", "Always"),
        supplementalGroups=ListOf(INT),
        seccompProfile=SECCOMP,
        sysctls=ListOf(fields(("name", "value"), name=STR, value=STR)),
    ),
    terminationGracePeriodSeconds=INT,
    serviceAccountName=STR,
    automountServiceAccountToken=BOOL,
    enableServiceLinks=BOOL,
    affinity=None,
    tolerations=None,
    topologySpreadConstraints=None,
    nodeSelector=STRINGS,
    priorityClassName=STR,
    imagePullSecrets=ListOf(fields(("name",), name=STR)),
    dnsPolicy=STR,
    restartPolicy=one_of("Always", "OnFailure", "Never"),
)
POD_TEMPLATE = fields(("spec",), metadata=fields(labels=STRINGS, annotations=STRINGS), spec=POD_SPEC)
SCALING_RULES = fields(
    stabilizationWindowSeconds=INT,
    selectPolicy=one_of("Max", "Min", "Disabled"),
    policies=ListOf(fields(("type", "value", "periodSeconds"), type=one_of("Pods", "Percent"), value=INT, periodSeconds=INT)),
)
BACKEND = fields(service=fields(("name", "port"), name=STR, port=fields(name=STR, number=INT)), resource=None)
ACCESS_MODES = ListOf(one_of("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"))


def _object(spec: Schema = None, **extra: Schema) -> Fields:
    known: dict[str, Schema] = {"apiVersion": STR, "kind": STR, "metadata": METADATA, **extra}
    required = ("apiVersion", "kind", "metadata")
    if spec is not None:
        known["spec"] = spec
        required += ("spec",)
    return Fields(known, required)


KINDS: dict[tuple[str, str], Fields] = {
    ("v1", "Namespace"): Fields({"apiVersion": STR, "kind": STR, "metadata": METADATA, "spec": None}, ("apiVersion", "kind", "metadata")),
    ("v1", "ConfigMap"): _object(None, data=STRINGS, binaryData=STRINGS, immutable=BOOL),
    ("v1", "Secret"): _object(None, type=STR, data=STRINGS, stringData=STRINGS, immutable=BOOL),
    ("v1", "PersistentVolumeClaim"): _object(
        fields(
            ("accessModes", "resources"),
            accessModes=ACCESS_MODES,
            resources=fields(("requests",), requests=QUANTITIES, limits=QUANTITIES),
            storageClassName=STR,
            volumeMode=one_of("Filesystem", "Block"),
            selector=SELECTOR,
            volumeName=STR,
        )
    ),
    ("v1", "Service"): _object(
        fields(
            ("ports",),
            type=one_of("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"),
            selector=STRINGS,
            clusterIP=STR,
            ports=ListOf(fields(("port",), name=STR, port=INT, targetPort=INT_OR_STR, protocol=one_of("TCP", "UDP", "SCTP"), nodePort=INT, appProtocol=STR)),
            publishNotReadyAddresses=BOOL,
            sessionAffinity=one_of("None", "ClientIP"),
            internalTrafficPolicy=one_of("Cluster", "Local"),
            externalTrafficPolicy=one_of("Cluster", "Local"),
        )
    ),
    ("apps/v1", "StatefulSet"): _object(
        fields(
            ("selector", "template"),
            serviceName=STR,
            replicas=INT,
            podManagementPolicy=one_of("OrderedReady", "Parallel"),
            updateStrategy=fields(type=one_of("RollingUpdate", "OnDelete"), rollingUpdate=fields(partition=INT, maxUnavailable=INT_OR_STR)),
            selector=SELECTOR,
            template=POD_TEMPLATE,
            volumeClaimTemplates=None,
            minReadySeconds=INT,
            revisionHistoryLimit=INT,
            persistentVolumeClaimRetentionPolicy=fields(whenDeleted=one_of("Retain", "Delete"), whenScaled=one_of("Retain", "Delete")),
            ordinals=fields(start=INT),
        )
    ),
    ("apps/v1", "Deployment"): _object(
        fields(
            ("selector", "template"),
            replicas=INT,
            selector=SELECTOR,
            template=POD_TEMPLATE,
            strategy=fields(type=one_of("RollingUpdate", "Recreate"), rollingUpdate=fields(maxSurge=INT_OR_STR, maxUnavailable=INT_OR_STR)),
            minReadySeconds=INT,
            revisionHistoryLimit=INT,
            progressDeadlineSeconds=INT,
            paused=BOOL,
        )
    ),
    ("networking.k8s.io/v1", "Ingress"): _object(
        fields(
            ingressClassName=STR,
            defaultBackend=BACKEND,
            tls=ListOf(fields(hosts=ListOf(STR), secretName=STR)),
            rules=ListOf(
                fields(
                    host=STR,
                    http=fields(
                        ("paths",),
                        paths=ListOf(fields(("pathType", "backend"), path=STR, pathType=one_of("Exact", "Prefix", "ImplementationSpecific"), backend=BACKEND)),
                    ),
                )
            ),
        )
    ),
    ("policy/v1", "PodDisruptionBudget"): _object(
        fields(minAvailable=INT_OR_STR, maxUnavailable=INT_OR_STR, selector=SELECTOR, unhealthyPodEvictionPolicy=one_of("IfHealthyBudget", "AlwaysAllow"))
    ),
    ("autoscaling/v2", "HorizontalPodAutoscaler"): _object(
        fields(
            ("scaleTargetRef", "maxReplicas"),
            scaleTargetRef=fields(("kind", "name"), apiVersion=STR, kind=STR, name=STR),
            minReplicas=INT,
            maxReplicas=INT,
            metrics=ListOf(
                fields(
                    ("type",),
                    type=one_of("Resource", "Pods", "Object", "External", "ContainerResource"),
                    resource=fields(
                        ("name", "target"),
                        name=STR,
                        target=fields(("type",), type=one_of("Utilization", "Value", "AverageValue"), averageUtilization=INT, averageValue=INT_OR_STR, value=INT_OR_STR),
                    ),
                    pods=None,
                    object=None,
                    external=None,
                    containerResource=None,
                )
            ),
            behavior=fields(scaleUp=SCALING_RULES, scaleDown=SCALING_RULES),
        )
    ),
}


def shape_problems(value: object, schema: Schema, path: str) -> list[str]:
    """Where `value` leaves `schema`: unknown fields, missing required ones, wrong types."""
    if schema is None:
        return []
    if isinstance(schema, Scalar):
        # bool is an int in Python; the API does not take true for a number.
        wrong = not isinstance(value, schema.types) or (isinstance(value, bool) and bool not in schema.types)
        return [f"{path}: {value!r} is not {schema.name}"] if wrong else []
    if isinstance(schema, OneOf):
        return [] if value in schema.words else [f"{path}: {value!r} is not one of {', '.join(sorted(schema.words))}"]
    if isinstance(schema, ListOf):
        if not isinstance(value, list):
            return [f"{path}: not a list"]
        return [p for i, item in enumerate(value) for p in shape_problems(item, schema.item, f"{path}[{i}]")]
    if isinstance(schema, MapOf):
        if not isinstance(value, dict):
            return [f"{path}: not a mapping"]
        return [p for key, item in value.items() for p in shape_problems(item, schema.value, f"{path}.{key}")]
    if not isinstance(value, dict):
        return [f"{path}: not a mapping"]
    problems = [f"{path}: {name} is required" for name in schema.required if name not in value]
    for name, item in value.items():
        if name not in schema.known:
            problems.append(f"{path}.{name}: not a field the checker knows (typo? if real, add it to tests/deploy/deploycheck/k8s_schema.py)")
        else:
            problems += shape_problems(item, schema.known[name], f"{path}.{name}")
    return problems
