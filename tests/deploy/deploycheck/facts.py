"""What the deployment files must agree with, read from the code and the configuration.

Nothing here is typed in by hand: the configuration keys and their environment names come from
the loader's registrations in src/app/config.cpp, the defaults from conf/, the routes from the
router calls in src/http/, the build packages from scripts/bootstrap. When the code changes, the
checks follow it; when a pattern stops matching, FactError says which one, so the checker is
updated rather than silently checking nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ENV_PREFIX = "GOMALL_"
BOOL_WORDS = {"true", "1", "yes", "on", "false", "0", "no", "off"}


class FactError(Exception):
    """A fact could not be read from the code: the checker no longer matches the code."""


@dataclass(frozen=True)
class ConfigKey:
    section: str
    name: str
    kind: str  # int | bool | choice | text
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()

    @property
    def dotted(self) -> str:
        return f"{self.section}.{self.name}"

    @property
    def env(self) -> str:
        return f"{ENV_PREFIX}{self.section}_{self.name}".upper()


@dataclass
class RepoFacts:
    root: Path
    keys: dict[str, ConfigKey]  # by environment name
    direct_env: set[str]  # read by name, outside the key table (GOMALL_ENV, ...)
    prod_required_env: set[str]
    metrics_need_token_in_prod: bool
    conf_dir: str
    defaults: dict[str, str]  # section.key -> text, conf/config.yaml overlaid by config-prod.yaml
    routes: set[str]
    event_stream_routes: set[str]
    server_disables_proxy_buffering: bool
    seckill_stream_seconds: int | None
    bootstrap_packages: list[str]
    release_generator: str
    release_cache: dict[str, str]  # the release preset's cacheVariables, inherited ones included
    cmake_options: dict[str, str]  # option(NAME "..." ON|OFF) defaults of CMakeLists.txt
    build_node_ranges: dict[str, str] = field(default_factory=dict)  # package -> engines.node

    def is_known_env(self, name: str) -> bool:
        return name in self.keys or name in self.direct_env

    def effective(self, env: dict[str, str]) -> dict[str, str]:
        """The settings a prod server started with `env` runs with (files, then environment)."""
        values = dict(self.defaults)
        for name, value in env.items():
            key = self.keys.get(name)
            if key is not None and value is not None:
                values[key.dotted] = str(value)
        return values

    def value_problem(self, name: str, value: str) -> str | None:
        """Why the loader would refuse `value` for environment variable `name`, or None."""
        key = self.keys.get(name)
        if key is None:
            return None
        text = str(value)
        if key.kind == "bool" and text.lower() not in BOOL_WORDS:
            return f"{name}={text!r}: {key.dotted} is true or false"
        if key.kind == "int":
            if not re.fullmatch(r"-?\d+", text):
                return f"{name}={text!r}: {key.dotted} is an integer"
            number = int(text)
            if key.minimum is not None and key.maximum is not None and not key.minimum <= number <= key.maximum:
                return f"{name}={text}: {key.dotted} is out of range {key.minimum}..{key.maximum}"
        if key.kind == "choice" and text not in key.choices:
            return f"{name}={text!r}: {key.dotted} is one of {', '.join(key.choices)}"
        return None


def _read(root: Path, relative: str) -> str:
    path = root / relative
    if not path.is_file():
        raise FactError(f"{relative} is missing")
    return path.read_text(encoding="utf-8")


def _integer_expression(text: str) -> int | None:
    """The value of a C++ integer bound such as `1LL << 30` or `30LL * 86400`, or None."""
    cleaned = re.sub(r"(?<=\d)(?:LL|ULL|L|U)\b", "", text.strip())
    if not re.fullmatch(r"[\d\s*<+()-]+", cleaned):
        return None
    return int(eval(cleaned, {"__builtins__": {}}, {}))  # only digits and integer operators remain


def _key_from_block(section: str, name: str, block: str) -> ConfigKey:
    bounds = re.search(r'parse_integer\(\s*"[^"]+"\s*,\s*v\s*,\s*([^,]+?)\s*,\s*([^)]+?)\s*\)', block)
    if bounds is None:
        bounds = re.search(r"int_field\(\s*&\w+::\w+\s*,\s*([^,]+?)\s*,\s*([^,]+?)\s*,", block)
    if bounds is not None:
        return ConfigKey(section, name, "int", _integer_expression(bounds[1]), _integer_expression(bounds[2]))
    if "parse_bool(" in block:
        return ConfigKey(section, name, "bool")
    listed = re.search(r"kLevels\{([^}]*)\}", block)
    if listed is not None:
        return ConfigKey(section, name, "choice", choices=tuple(re.findall(r'"([^"]+)"', listed[1])))
    refused = re.findall(r'v != "([^"]+)"', block)
    if refused and "fail(" in block:
        return ConfigKey(section, name, "choice", choices=tuple(refused))
    return ConfigKey(section, name, "text")


def config_keys(root: Path) -> dict[str, ConfigKey]:
    """Every key the loader registers with add("section", "name", ...), by environment name."""
    text = _read(root, "src/app/config.cpp")
    naming = re.search(r'"GOMALL_"\s*\+\s*k\.section\s*\+\s*"_"\s*\+\s*k\.name', text)
    if naming is None or "toupper" not in text[naming.end() : naming.end() + 300]:
        raise FactError('src/app/config.cpp no longer names variables "GOMALL_" + section + "_" + name, upper-cased')
    starts = list(re.finditer(r'\badd\(\s*"([a-z_]+)"\s*,\s*"([a-z0-9_]+)"', text))
    if len(starts) < 20:
        raise FactError(f'found only {len(starts)} add("section", "key", ...) registrations in src/app/config.cpp')
    end_of_table = text.find("return k;", starts[-1].end())
    keys: dict[str, ConfigKey] = {}
    for i, match in enumerate(starts):
        stop = starts[i + 1].start() if i + 1 < len(starts) else end_of_table
        key = _key_from_block(match[1], match[2], text[match.start() : stop])
        keys[key.env] = key
    return keys


def direct_env_names(root: Path) -> set[str]:
    """GOMALL_* variables the code reads by name: getenv, and the loader's environment.find."""
    names: set[str] = set()
    for path in sorted((root / "src").rglob("*.[ch]pp")):
        text = path.read_text(encoding="utf-8", errors="replace")
        names.update(re.findall(r'(?:getenv|environment\.find)\(\s*"(GOMALL_[A-Z0-9_]+)"', text))
    return names


def prod_required_env(root: Path) -> set[str]:
    """Variables whose absence stops a prod start, as the startup errors name them."""
    names: set[str] = set()
    for relative in ("src/app/config.cpp", "src/app/app.cpp"):
        for line in _read(root, relative).splitlines():
            if "prod" in line:
                names.update(re.findall(r"set (GOMALL_[A-Z0-9_]+)", line))
    if not names:
        raise FactError("no 'set GOMALL_...' prod startup error found in src/app/config.cpp or app.cpp")
    return names


def _flatten(document: object, source: str) -> dict[str, str]:
    flat: dict[str, str] = {}
    if document is None:
        return flat
    if not isinstance(document, dict):
        raise FactError(f"{source} is not a mapping of sections")
    for section, entries in document.items():
        for name, value in (entries or {}).items():
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, list):
                text = ",".join(str(item) for item in value)
            elif value is None:
                text = ""
            else:
                text = str(value)
            flat[f"{section}.{name}"] = text
    return flat


def prod_defaults(root: Path, conf_dir: str) -> dict[str, str]:
    base = _flatten(yaml.safe_load(_read(root, f"{conf_dir}/config.yaml")), "config.yaml")
    overlay_path = f"{conf_dir}/config-prod.yaml"
    if (root / overlay_path).is_file():
        base.update(_flatten(yaml.safe_load(_read(root, overlay_path)), overlay_path))
    return base


def registered_routes(root: Path) -> set[str]:
    routes: set[str] = set()
    for path in sorted((root / "src/http").rglob("*.cpp")):
        text = path.read_text(encoding="utf-8")
        routes.update(re.findall(r'router\.(?:get|post|put|del)\(\s*"(/[^"]*)"', text))
        routes.update(re.findall(r'router\.(?:add|add_async)\(\s*Method::k\w+\s*,\s*"(/[^"]*)"', text))
    for needed in ("/health", "/ready"):
        if needed not in routes:
            raise FactError(f"no router registration of {needed} found under src/http/")
    return routes


def bootstrap_packages(root: Path) -> list[str]:
    text = _read(root, "scripts/bootstrap")
    block = re.search(r"^DEB_PACKAGES=\((.*?)^\)", text, re.S | re.M)
    if block is None:
        raise FactError("scripts/bootstrap has no DEB_PACKAGES=( ... ) list")
    words: list[str] = []
    for line in block[1].splitlines():
        words.extend(line.split("#", 1)[0].split())
    return words


def release_preset(root: Path) -> tuple[str, dict[str, str]]:
    """The release configure preset's generator and cache variables, inheritance resolved."""
    presets = json.loads(_read(root, "CMakePresets.json"))
    by_name = {p["name"]: p for p in presets.get("configurePresets", [])}
    preset = by_name.get("release")
    if preset is None:
        raise FactError("CMakePresets.json has no release configure preset")
    generator = ""
    cache: dict[str, str] = {}
    while preset is not None:
        generator = generator or str(preset.get("generator", ""))
        for name, value in preset.get("cacheVariables", {}).items():
            cache.setdefault(name, str(value.get("value") if isinstance(value, dict) else value))
        parent = preset.get("inherits")
        preset = by_name.get(parent[0] if isinstance(parent, list) else parent) if parent else None
    return generator, cache


def build_node_ranges(root: Path) -> dict[str, str]:
    """engines.node of the web UI's build tools, from the lock file `npm ci` installs."""
    lock_path = root / "frontend/package-lock.json"
    if not lock_path.is_file():
        return {}
    packages = json.loads(lock_path.read_text(encoding="utf-8")).get("packages", {})
    ranges: dict[str, str] = {}
    for name in ("vite", "rolldown", "@vitejs/plugin-react", "typescript"):
        engines = packages.get(f"node_modules/{name}", {}).get("engines", {})
        if isinstance(engines, dict) and "node" in engines:
            ranges[name] = engines["node"]
    return ranges


def read_facts(root: Path) -> RepoFacts:
    config_cpp = _read(root, "src/app/config.cpp")
    conf_path = re.search(r'fs::path\("([^"]+)/config\.yaml"\)', config_cpp)
    if conf_path is None:
        raise FactError("src/app/config.cpp: the default conf/config.yaml path was not found")
    app_cpp = _read(root, "src/app/app.cpp")
    if not re.search(r"register_metrics_route\([^;]*config_\.metrics\.path", app_cpp):
        raise FactError("src/app/app.cpp no longer registers the metrics route at config_.metrics.path")
    routes = registered_routes(root)
    generator, cache = release_preset(root)
    stream = re.search(r"kEventStreamLimit\s*=\s*std::chrono::seconds\((\d+)\)", _read(root, "src/http/handlers/seckill_handlers.cpp"))
    return RepoFacts(
        root=root,
        keys=config_keys(root),
        direct_env=direct_env_names(root),
        prod_required_env=prod_required_env(root),
        metrics_need_token_in_prod=bool(
            re.search(r'env != "prod" \|\| !config_\.metrics\.token\.empty\(\)', app_cpp)
        ),
        conf_dir=conf_path[1],
        defaults=prod_defaults(root, conf_path[1]),
        routes=routes,
        event_stream_routes={r for r in routes if r.endswith("/events")},
        server_disables_proxy_buffering="X-Accel-Buffering: no" in _read(root, "src/http/server.cpp"),
        seckill_stream_seconds=int(stream[1]) if stream else None,
        bootstrap_packages=bootstrap_packages(root),
        release_generator=generator,
        release_cache=cache,
        cmake_options=dict(re.findall(r'option\((\w+) "[^"]*" (ON|OFF)\)', _read(root, "CMakeLists.txt"))),
        build_node_ranges=build_node_ranges(root),
    )
