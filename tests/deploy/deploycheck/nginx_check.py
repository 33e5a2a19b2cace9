"""deploy/nginx.conf as compose runs it: its upstream names the shops, and `nginx -t` accepts it.

Compose gives the nginx container several files (nginx.conf, the upstream list it includes);
`files` maps each one's path in the container to its text, so includes are followed as nginx
would follow them there.
"""

from __future__ import annotations

import posixpath
import re
import tempfile
from pathlib import Path

from .report import Report
from .tools import Tools, first_line

# Directives naming places on the host, which `nginx -t` opens or creates: moved into a scratch
# directory for the test (each is on a line of its own in deploy/nginx.conf).
HOST_PATH_DIRECTIVES = (
    "pid", "error_log", "access_log", "client_body_temp_path", "proxy_temp_path", "fastcgi_temp_path",
    "uwsgi_temp_path", "scgi_temp_path", "proxy_cache_path",
)


def _without_comments(text: str) -> str:
    return "\n".join(re.sub(r"(^|\s)#.*$", r"\1", line) for line in text.splitlines())


def expanded(main: str, files: dict[str, str], missing: list[str] | None = None, depth: int = 0) -> str:
    """The text of `main` with every include of a file the container gets replaced by that file."""
    conf_dir = posixpath.dirname(main)

    def include(match: re.Match[str]) -> str:
        target = match[2] if match[2].startswith("/") else posixpath.join(conf_dir, match[2])
        if target in files and depth < 5:
            return expanded(target, files, missing, depth + 1)
        if missing is not None and not target.startswith("/etc/nginx/mime.types") and "*" not in target:
            missing.append(target)
        return match[0]

    return re.sub(r"^(\s*)include\s+([^\s;]+)\s*;", include, _without_comments(files[main]), flags=re.M)


def upstream_servers(text: str) -> dict[str, list[tuple[str, int | None]]]:
    """upstream NAME { server HOST[:PORT] ...; } as {NAME: [(HOST, PORT)]}."""
    found: dict[str, list[tuple[str, int | None]]] = {}
    for name, body in re.findall(r"\bupstream\s+([\w.-]+)\s*\{([^{}]*)\}", text):
        servers = []
        for address in re.findall(r"^\s*server\s+([^\s;]+)", body, re.M):
            host, _, port = address.rpartition(":") if ":" in address else (address, "", "")
            servers.append((host, int(port) if port.isdigit() else None))
        found[name] = servers
    return found


def listen_ports(text: str) -> set[int]:
    ports = set()
    for value in re.findall(r"^\s*listen\s+([^\s;]+)", text, re.M):
        port = value.rsplit(":", 1)[-1]
        if port.isdigit():
            ports.add(int(port))
    return ports


def _testable(text: str, hosts: set[str], scratch: Path) -> str:
    """A file as `nginx -t` can take it on this machine: compose's host names (nginx resolves
    upstream servers) as 127.0.0.1, no user switch, and host paths moved under `scratch`."""
    for host in sorted(hosts, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.-]){re.escape(host)}(?=:\d+)", "127.0.0.1", text)
    text = re.sub(r"^\s*user\s+[^;]*;", "", text, flags=re.M)
    directives = "|".join(HOST_PATH_DIRECTIVES)

    def move(match: re.Match[str]) -> str:
        return f"{match[1]}{scratch}/host{match[2]}"

    return re.sub(rf"^(\s*(?:{directives})\s+)(/(?!dev/)[^\s;]+)", move, text, flags=re.M)


def check_nginx(
    files: dict[str, str],
    main: str,
    shown: str,
    shop_hosts: set[str],
    services: set[str],
    shop_port: int,
    published: set[int],
    report: Report,
    tools: Tools,
) -> None:
    """`files`: the nginx container's path -> text of what compose mounts; `main`: nginx.conf's."""
    missing: list[str] = []
    text = expanded(main, files, missing)
    if main.endswith("/nginx.conf"):
        report.check(
            re.search(r"^\s*events\s*\{", text, re.M) is not None and re.search(r"^\s*http\s*\{", text, re.M) is not None,
            f"{shown} is a whole nginx.conf (events and http blocks), as compose mounts it over {main}",
            f"{shown} lacks a top-level events or http block, but compose mounts it as the whole {main}",
        )
    report.check(
        not missing,
        f"{shown}: every file it includes is one compose provides",
        f"{shown} includes {missing}, which compose does not mount into the nginx container",
    )
    servers = [s for group in upstream_servers(text).values() for s in group]
    named = {host for host, _ in servers}
    absent = sorted(shop_hosts - named)
    wrong_port = sorted(f"{h}:{p}" for h, p in servers if h in shop_hosts and p != shop_port)
    report.check(
        bool(servers) and not absent and not wrong_port,
        f"{shown}: the upstream (with its includes) lists {', '.join(sorted(shop_hosts))} on port {shop_port}",
        f"{shown}: upstream servers {sorted(f'{h}:{p}' for h, p in servers)} "
        f"(missing {absent or 'none'}, wrong port {wrong_port or 'none'}; the shops listen on {shop_port})",
    )
    strangers = sorted(h for h in named - services if not re.fullmatch(r"[\d.]+|\[[\da-fA-F:]+\]", h))
    report.check(
        not strangers,
        f"{shown}: every upstream server is a compose service",
        f"{shown}: upstream servers {strangers} are not compose services (nginx would not start: host not found)",
    )
    listening = listen_ports(text)
    report.check(
        published <= listening,
        f"{shown} listens on {sorted(published)}, the port compose publishes",
        f"{shown} listens on {sorted(listening)}, but compose publishes container port(s) {sorted(published)}",
    )
    if not tools.available("nginx"):
        report.skip(f"nginx -t on {shown}: nginx is not installed")
        return
    conf_dir = posixpath.dirname(main)
    with tempfile.TemporaryDirectory(prefix="gomall-nginx-") as scratch_name:
        scratch = Path(scratch_name)
        for path, body in files.items():
            if posixpath.dirname(path) != conf_dir:
                continue  # the test finds what it includes in its own prefix, beside nginx.conf
            (scratch / posixpath.basename(path)).write_text(_testable(body, named | shop_hosts, scratch), encoding="utf-8")
        for line in _without_comments(files[main]).splitlines():
            moved = re.match(rf"^\s*(?:{'|'.join(HOST_PATH_DIRECTIVES)})\s+(/(?!dev/)[^\s;]+)", line)
            if moved:  # the parent of each moved path must exist, as it does in the image
                (scratch / f"host{moved[1]}").parent.mkdir(parents=True, exist_ok=True)
        rc, output = tools.run(
            ["nginx", "-t", "-q", "-p", f"{scratch}/", "-c", f"{scratch}/{posixpath.basename(main)}", "-e", f"{scratch}/startup-error.log"],
            timeout=30,
        )
        report.check(
            rc == 0,
            f"nginx -t accepts {shown} with what compose mounts beside it (shops as 127.0.0.1, host paths in a scratch prefix)",
            f"nginx -t rejects {shown}: {first_line(output.replace(str(scratch), ''), 400)}",
        )
