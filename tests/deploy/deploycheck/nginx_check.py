"""deploy/nginx.conf: its upstream names the compose shops, and `nginx -t` accepts it."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from .report import Report
from .tools import Tools, first_line


def _without_comments(text: str) -> str:
    return "\n".join(re.sub(r"(^|\s)#.*$", r"\1", line) for line in text.splitlines())


def upstream_servers(text: str) -> dict[str, list[tuple[str, int | None]]]:
    """upstream NAME { server HOST[:PORT] ...; } as {NAME: [(HOST, PORT)]}."""
    found: dict[str, list[tuple[str, int | None]]] = {}
    for name, body in re.findall(r"\bupstream\s+([\w.-]+)\s*\{([^{}]*)\}", _without_comments(text)):
        servers = []
        for address in re.findall(r"^\s*server\s+([^\s;]+)", body, re.M):
            host, _, port = address.rpartition(":") if ":" in address else (address, "", "")
            servers.append((host, int(port) if port.isdigit() else None))
        found[name] = servers
    return found


def listen_ports(text: str) -> set[int]:
    ports = set()
    for value in re.findall(r"^\s*listen\s+([^\s;]+)", _without_comments(text), re.M):
        port = value.rsplit(":", 1)[-1]
        if port.isdigit():
            ports.add(int(port))
    return ports


def _testable_copy(text: str, hosts: set[str], directory: Path) -> str:
    """The config with what `nginx -t` cannot have on this machine replaced: compose's host names
    (it resolves upstream servers), the container's user, and log files outside `directory`."""
    for host in sorted(hosts, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.-]){re.escape(host)}(?=:\d+|[\s;/])", "127.0.0.1", text)
    text = re.sub(r"^\s*user\s+[^;]*;", "", text, flags=re.M)
    text = re.sub(
        r"^(\s*(?:access_log|error_log)\s+)(/(?!dev/)[^\s;]+)",
        lambda m: f"{m[1]}{directory}/logs/{Path(m[2]).name}",
        text,
        flags=re.M,
    )
    text = re.sub(r"^(\s*pid\s+)[^;]+;", rf"\1{directory}/nginx.pid;", text, flags=re.M)
    return text


def check_nginx(
    path: Path,
    shown: str,
    whole_config: bool,
    shop_hosts: set[str],
    services: set[str],
    shop_port: int,
    published: set[int],
    report: Report,
    tools: Tools,
) -> None:
    if not path.is_file():
        report.skip(f"{shown} does not exist yet (written separately): its upstream and nginx -t are not checked")
        return
    text = path.read_text(encoding="utf-8")
    stripped = _without_comments(text)
    if whole_config:
        report.check(
            re.search(r"^\s*events\s*\{", stripped, re.M) is not None and re.search(r"^\s*http\s*\{", stripped, re.M) is not None,
            f"{shown} is a whole nginx.conf (events and http blocks), as compose mounts it over /etc/nginx/nginx.conf",
            f"{shown} lacks a top-level events or http block, but compose mounts it as the whole /etc/nginx/nginx.conf",
        )
    servers = [s for group in upstream_servers(text).values() for s in group]
    named = {host for host, _ in servers}
    missing = sorted(shop_hosts - named)
    wrong_port = sorted(f"{h}:{p}" for h, p in servers if h in shop_hosts and p != shop_port)
    report.check(
        bool(servers) and not missing and not wrong_port,
        f"{shown}: the upstream lists {', '.join(sorted(shop_hosts))} on port {shop_port}",
        f"{shown}: upstream servers {sorted(f'{h}:{p}' for h, p in servers)} "
        f"(missing {missing or 'none'}, wrong port {wrong_port or 'none'}; the shops listen on {shop_port})",
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
    with tempfile.TemporaryDirectory(prefix="gomall-nginx-") as scratch:
        directory = Path(scratch)
        (directory / "logs").mkdir()
        for support in ("mime.types",):
            if Path("/etc/nginx", support).is_file():
                shutil.copy(Path("/etc/nginx", support), directory / support)
        body = _testable_copy(text, named | shop_hosts, directory)
        if not whole_config:
            body = f"events {{}}\nhttp {{\n{body}\n}}\n"
        (directory / "nginx.conf").write_text(body, encoding="utf-8")
        rc, output = tools.run(
            ["nginx", "-t", "-q", "-p", f"{directory}/", "-c", f"{directory}/nginx.conf", "-e", f"{directory}/logs/error.log"],
            timeout=30,
        )
        report.check(
            rc == 0,
            f"nginx -t accepts {shown} (upstream hosts as 127.0.0.1, in a scratch prefix)",
            f"nginx -t rejects {shown}: {first_line(output, 400)}",
        )
