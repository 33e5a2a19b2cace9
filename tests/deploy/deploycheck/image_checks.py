"""deploy/Dockerfile and the build context against the build, the binary and the server's paths."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .common import urls_in
from .dockerfile import DockerIgnore, Stage, parse_dockerfile
from .facts import RepoFacts
from .layout import Layout
from .report import Report
from .tools import Tools
from .versions import debian_nodejs, debian_release, satisfies

# Present in every debian:12 image: the C library and the GCC runtime everything links.
BASE_IMAGE_PACKAGES = {"libc6", "libgcc-s1"}
# Libraries only the unit tests, the micro-benchmarks and the fuzzers link, by the CMake option that
# builds them (CMakeLists.txt's defaults, unless the release preset or a -D sets them).
OPTIONAL_BUILD_LIBRARIES = {
    "GOMALL_BUILD_TESTS": {"libgtest-dev", "libgmock-dev"},
    "GOMALL_BUILD_MICRO_BENCH": {"libbenchmark-dev"},
    "GOMALL_FUZZ": {"libclang-rt-dev"},
}
# Paths a build context must never carry into an image: build trees, databases and uploads, git.
NEVER_IN_CONTEXT = ["build/release/bin/gomall", "var/gomall.db", ".git/config", "frontend/node_modules/react/package.json"]


@dataclass
class ImageFacts:
    """What the runtime image is, for the compose and Kubernetes checks."""

    workdir: str = "/app"
    uid: int | None = None
    exposed: set[int] = field(default_factory=set)
    health_paths: set[str] = field(default_factory=set)
    found: bool = False


def _cmake_on(value: str) -> bool:
    return value.upper() in {"ON", "1", "TRUE", "YES", "Y"}


def _stage_running(stages: list[Stage], pattern: str) -> Stage | None:
    for stage in stages:
        if re.search(pattern, stage.run_text()):
            return stage
    return None


def _check_build_stage(stage: Stage | None, facts: RepoFacts, report: Report) -> None:
    if not report.check(stage is not None, "a stage builds the server (cmake --build --preset release --target gomall)"):
        return
    assert stage is not None
    report.check(
        debian_release(stage.base) == "12",
        f"build stage '{stage.name}' is Debian 12 ({stage.base}), the release the project builds on",
        f"build stage '{stage.name}' is {stage.base}, not Debian 12 (bookworm)",
    )
    configure = re.search(r"cmake --preset release([^&\n]*)", stage.run_text())
    report.check(configure is not None, "build stage configures with the release preset (cmake --preset release)")
    overrides = dict(re.findall(r"-D(\w+)=(\S+)", configure[1] if configure else ""))
    installed = stage.apt_packages()
    required = {p for p in facts.bootstrap_packages if p.startswith("lib") and p.endswith("-dev")}
    for option, libraries in OPTIONAL_BUILD_LIBRARIES.items():
        value = overrides.get(option, facts.release_cache.get(option, facts.cmake_options.get(option, "OFF")))
        if not _cmake_on(value):
            required -= libraries
    required |= {"g++", "cmake", "pkgconf"}
    if facts.release_generator == "Ninja":
        required.add("ninja-build")
    missing = sorted(required - installed)
    report.check(
        not missing,
        f"build stage installs the {len(required)} packages the release build needs (compiler, generator, scripts/bootstrap's libraries)",
        f"build stage lacks {', '.join(missing)} (scripts/bootstrap's library list, for the options the release preset builds)",
    )


def _check_web_stage(stage: Stage | None, facts: RepoFacts, report: Report) -> None:
    if not report.check(stage is not None, "a stage builds the web UI (npm ci, npm run build)"):
        return
    assert stage is not None
    report.check(
        {"nodejs", "npm"} <= stage.apt_packages(),
        f"web stage '{stage.name}' installs nodejs and npm from Debian",
        f"web stage '{stage.name}' does not apt-get install nodejs and npm",
    )
    node = debian_nodejs(stage.base)
    if node is None:
        report.fail(f"web stage base {stage.base}: not a Debian release whose Node.js the checker knows")
        return
    too_old = {name: r for name, r in facts.build_node_ranges.items() if not satisfies(node, r)}
    report.check(
        not too_old,
        f"web stage's Node.js {node} ({stage.base}) runs the UI's build tools ({', '.join(sorted(facts.build_node_ranges))})",
        f"web stage's Node.js {node} ({stage.base}) is too old for "
        + ", ".join(f"{n} ({r})" for n, r in sorted(too_old.items())),
    )


def _copies(stage: Stage) -> list[tuple[str | None, list[str], str]]:
    """(from stage or None, sources, absolute destination) of every COPY/ADD, WORKDIR followed."""
    found = []
    workdir = "/"
    for instruction in stage.instructions:
        if instruction.keyword == "WORKDIR":
            value = instruction.args.strip()
            workdir = value if value.startswith("/") else f"{workdir.rstrip('/')}/{value}"
        if instruction.keyword in {"COPY", "ADD"}:
            flags, words = instruction.flags_and_words()
            if len(words) < 2:
                continue
            destination = words[-1]
            if not destination.startswith("/"):
                destination = f"{workdir.rstrip('/')}/{destination}"
            found.append((flags.get("from"), words[:-1], destination))
    return found


def _covers(destination: str, wanted: str) -> bool:
    destination = destination.rstrip("/")
    return wanted == destination or wanted.startswith(destination + "/")


def _check_runtime_stage(
    stage: Stage, build: Stage | None, web: Stage | None, facts: RepoFacts, report: Report
) -> ImageFacts:
    image = ImageFacts(found=True, workdir=stage.workdir())
    report.check(
        debian_release(stage.base) == "12",
        f"runtime stage '{stage.name}' is Debian 12 ({stage.base}), the libraries the binary was linked against",
        f"runtime stage '{stage.name}' is {stage.base}, not Debian 12: the binary's libraries would not match",
    )
    dev = sorted(p for p in stage.apt_packages() if p.endswith("-dev"))
    report.check(not dev, "runtime stage installs no -dev packages", f"runtime stage installs {', '.join(dev)}")

    user = stage.last("USER")
    name = user.args.split(":")[0].strip() if user else "root"
    if name.isdigit():
        image.uid = int(name)
    report.check(
        user is not None and name not in {"root", "0"},
        f"runtime stage runs as user {user.args.strip() if user else ''}, not root",
        "runtime stage runs as root (no USER, or USER root/0)",
    )
    report.check(
        image.uid is not None,
        f"runtime user is numeric ({name}): Kubernetes can enforce runAsNonRoot against it",
        f"runtime USER {name} is a name: Kubernetes cannot verify runAsNonRoot without a numeric user",
    )

    port = int(facts.defaults["server.port"])
    for expose in stage.all("EXPOSE"):
        image.exposed.update(int(p.split("/")[0]) for p in expose.args.split() if p.split("/")[0].isdigit())
    report.check(
        port in image.exposed,
        f"EXPOSE {port} = server.port of conf/",
        f"EXPOSE {sorted(image.exposed)} does not include server.port {port} of conf/",
    )

    health = stage.last("HEALTHCHECK")
    if report.check(
        health is not None and not health.args.strip().upper().startswith("NONE"),
        "runtime stage has a HEALTHCHECK",
    ):
        assert health is not None
        probes = urls_in(health.args)
        good = [
            p for p in probes
            if p.path in facts.routes and p.port == port and p.port_variable in (None, "GOMALL_SERVER_PORT")
        ]
        image.health_paths = {p.path for p in good}
        report.check(
            bool(good) and len(good) == len(probes),
            f"HEALTHCHECK asks {', '.join(sorted(image.health_paths))} on port {port}, a route the server registers",
            f"HEALTHCHECK URLs {[f'{p.port}{p.path}' for p in probes]} are not a registered route on server.port {port}",
        )
    stop = stage.last("STOPSIGNAL")
    report.check(
        stop is not None and stop.args.strip().upper() in {"SIGTERM", "15", "TERM"},
        "STOPSIGNAL SIGTERM (the signal the server drains on)",
        "no STOPSIGNAL SIGTERM in the runtime stage",
    )

    entry = stage.last("ENTRYPOINT")
    cmd = stage.last("CMD")
    words = ((entry.exec_form() if entry else None) or []) + ((cmd.exec_form() if cmd else None) or [])
    joined = " ".join(words)
    report.check(
        bool(words) and re.search(r"(?:^| )--env(?:=| )prod(?: |$)", joined) is not None and "serve" in words[1:],
        f"ENTRYPOINT + CMD (exec form) run `{joined}`: serve in prod",
        f"ENTRYPOINT + CMD `{joined}` do not run serve with --env prod in exec form (a shell would not pass SIGTERM on)",
    )

    copies = _copies(stage)
    binary = words[0] if words else ""
    from_build = [d for source, _, d in copies if build is not None and source == build.name]
    report.check(
        any(_covers(d, binary) for d in from_build),
        f"the entrypoint {binary} is the binary copied from stage '{build.name if build else '?'}'",
        f"the entrypoint {binary or '(none)'} is not a file copied from the build stage",
    )
    workdir = image.workdir.rstrip("/")
    wanted = {
        f"{workdir}/{facts.conf_dir}/config.yaml": None,
        f"{workdir}/{facts.defaults['server.static_dir']}/index.html": web.name if web else None,
        f"{workdir}/{facts.defaults['server.openapi_path']}": None,
    }
    for path, source_stage in wanted.items():
        covered = [d for source, _, d in copies if _covers(d, path) and (source_stage is None or source == source_stage)]
        report.check(
            bool(covered),
            f"runtime image has {path} (the server reads it relative to WORKDIR {workdir})",
            f"runtime image has no {path}: the server reads it relative to its working directory {workdir}",
        )
    upload_dir = facts.defaults["upload.dir"]
    creating = [r.args for r in stage.all("RUN") if re.search(rf"(?:install -d|mkdir)[^\n]*{re.escape(upload_dir)}", r.args)]
    report.check(
        any(re.search(r"chown|install -d[^\n]*-o\s", text) for text in creating),
        f"runtime stage creates {workdir}/{upload_dir} owned by the runtime user (upload.dir, the one place the server writes)",
        f"runtime stage does not create {workdir}/{upload_dir} owned by the runtime user",
    )
    return image


def _keeps_a_file(directory: Path, repo: Path, ignore: DockerIgnore) -> bool:
    """Whether anything under `directory` reaches the context (excluded folders are not entered)."""
    for current, folders, names in os.walk(directory):
        relative = Path(current).relative_to(repo).as_posix()
        if any(not ignore.excluded(f"{relative}/{name}") for name in names):
            return True
        folders[:] = [
            f for f in folders
            if not ignore.excluded(f"{relative}/{f}") or ignore.may_reinclude_below(f"{relative}/{f}")
        ]
    return False


def _check_context(stages: list[Stage], layout: Layout, report: Report) -> None:
    if not report.check(layout.dockerignore.is_file(), f"{layout.shown(layout.dockerignore)} exists (the context is the repository root)"):
        return
    ignore = DockerIgnore(layout.dockerignore.read_text(encoding="utf-8"))
    problems = []
    count = 0
    for stage in stages:
        for source, sources, _ in _copies(stage):
            if source is not None:
                continue
            for item in sources:
                count += 1
                path = layout.repo / item
                if not path.exists():
                    problems.append(f"{item} does not exist")
                elif ignore.excluded(item.rstrip("/")):
                    problems.append(f"{item} is excluded by .dockerignore")
                elif path.is_dir() and not _keeps_a_file(path, layout.repo, ignore):
                    problems.append(f"{item} is empty once .dockerignore applies")
    report.check(
        not problems and count > 0,
        f"the {count} COPY sources from the context exist and pass .dockerignore",
        f"COPY sources: {'; '.join(problems) or 'none found'}",
    )
    leaking = [p for p in NEVER_IN_CONTEXT if not ignore.excluded(p)]
    report.check(
        not leaking,
        ".dockerignore keeps build trees, var/, .git and node_modules out of the context",
        f".dockerignore lets {', '.join(leaking)} into the build context",
    )


def _built_binary(repo: Path) -> Path | None:
    for candidate in (os.environ.get("GOMALL_RELEASE_BIN"), "build/release/bin/gomall", "build/debug/bin/gomall"):
        if candidate and (repo / candidate).is_file():
            return repo / candidate
    return None


def _check_runtime_libraries(stage: Stage, repo: Path, tools: Tools, report: Report) -> None:
    """Every library the built binary needs must come from a package the runtime stage installs."""
    binary = _built_binary(repo)
    if binary is None or not (tools.available("objdump") and tools.available("dpkg")):
        report.skip("runtime packages vs the binary's libraries: needs a built binary (build/release or build/debug), objdump and dpkg")
        return
    rc, output = tools.run(["objdump", "-p", str(binary)])
    needed = re.findall(r"^\s*NEEDED\s+(\S+)", output, re.M) if rc == 0 else []
    # dpkg knows each file by the path its package ships, /lib or /usr/lib (merged /usr makes them
    # one directory): ask for both spellings of the file and of its symlink target.
    candidates: dict[str, list[str]] = {}
    for library in needed:
        for directory in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"):
            path = Path(directory) / library
            if path.exists():
                spellings = {str(path), str(path.resolve())}
                spellings |= {p.replace("/usr/lib/", "/lib/", 1) for p in spellings}
                candidates[library] = sorted(spellings)
                break
    # One dpkg -S for all of them: each call reads the whole package database.
    queried = sorted({p for paths in candidates.values() for p in paths})
    _, owners_text = tools.run(["dpkg", "-S", *queried]) if queried else (0, "")
    owner_of = {}
    for line in owners_text.splitlines():
        packages, _, path = line.rpartition(": ")
        if packages and not line.startswith("dpkg-query:"):
            owner_of[path.strip()] = packages.split(",")[0].split(":")[0].strip()
    installed = stage.apt_packages() | BASE_IMAGE_PACKAGES
    unmet = []
    for library in needed:
        owner = next((owner_of[p] for p in candidates.get(library, []) if p in owner_of), None)
        if owner is None or owner not in installed:
            unmet.append(f"{library} ({owner or 'package unknown'})")
    report.check(
        bool(needed) and not unmet,
        f"runtime stage installs the packages of all {len(needed)} libraries {binary.relative_to(repo)} links",
        f"runtime stage misses the packages of: {', '.join(unmet) or 'no NEEDED entries read'}",
    )


def check_image(layout: Layout, facts: RepoFacts, report: Report, tools: Tools) -> ImageFacts:
    report.section(f"image: {layout.shown(layout.dockerfile)}")
    if not report.check(layout.dockerfile.is_file(), f"{layout.shown(layout.dockerfile)} exists"):
        return ImageFacts()
    stages = parse_dockerfile(layout.dockerfile.read_text(encoding="utf-8"))
    if not report.check(len(stages) >= 2, f"multi-stage build ({', '.join(s.name for s in stages)})"):
        return ImageFacts()
    build = _stage_running(stages, r"cmake --build --preset release\b[^\n]*--target gomall")
    web = _stage_running(stages, r"npm run build")
    _check_build_stage(build, facts, report)
    _check_web_stage(web, facts, report)
    runtime = stages[-1]
    image = _check_runtime_stage(runtime, build, web, facts, report)
    _check_context(stages, layout, report)
    _check_runtime_libraries(runtime, layout.repo, tools, report)
    return image
