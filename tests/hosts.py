"""Hosts on one machine, for the cluster tests: network namespaces joined to the main one
by veth links, and TCP forwarders that carry the links' traffic to the services that
listen on loopback only (PostgreSQL, Redis).

Every name made here carries this process's id (`tvrc-<pid>-…`, `tvc<pid>…`), so that
runs side by side never touch each other's, and a run can tell the leftovers of a dead
one (whose process is gone) from those of a live one.
"""

import asyncio
import contextlib
import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
from dataclasses import dataclass

NAMESPACE_PREFIX = "tvrc-"
LINK_PREFIX = "tvc"
# Private addresses for the links: one /30 per host (the main side .1, the host .2).
SUBNETS = ipaddress.ip_network("10.231.0.0/16")

# Who talks over a dead link finds out within seconds rather than hours: keepalive
# probes after this idle time, and unacknowledged data gives up after the user timeout.
KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_COUNT = 2, 1, 3
USER_TIMEOUT_MS = 5000


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check, timeout=30)


def why_no_namespaces() -> str | None:
    """Why this machine cannot run the cluster tests, or None when it can."""
    if not shutil.which("ip"):
        return "the `ip` command (iproute2) is not installed"
    if os.geteuid() != 0:
        return "network namespaces need root (`ip netns add`)"
    probe = f"{NAMESPACE_PREFIX}{os.getpid()}-probe"
    made = ip("netns", "add", probe, check=False)
    if made.returncode:
        return f"`ip netns add` does not work here: {made.stderr.strip()}"
    ip("netns", "del", probe, check=False)
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers() -> list[str]:
    """Delete the namespaces and links of runs whose process is gone (and kill what still
    runs in those namespaces). Returns what was removed."""
    removed = []
    for line in ip("netns", "list").stdout.splitlines():
        name = line.split()[0] if line.strip() else ""
        found = re.fullmatch(rf"{NAMESPACE_PREFIX}(\d+)-\w+", name)
        if found and not _alive(int(found.group(1))):
            _kill_inside(name)
            ip("netns", "del", name, check=False)
            removed.append(name)
    for line in ip("-o", "link", "show").stdout.splitlines():
        found = re.match(rf"\d+: ({LINK_PREFIX}(\d+)\w*)[@:]", line)
        if found and not _alive(int(found.group(2))):
            ip("link", "del", found.group(1), check=False)
            removed.append(found.group(1))
    return removed


def _kill_inside(namespace: str) -> None:
    pids = ip("netns", "pids", namespace, check=False).stdout.split()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid), signal.SIGKILL)


def _free_subnets(count: int) -> list[ipaddress.IPv4Network]:
    """`count` /30s of SUBNETS that no interface of the main namespace uses."""
    used = [
        ipaddress.ip_interface(address).network
        for address in re.findall(r"inet (\S+)", ip("-o", "addr", "show").stdout)
    ]
    subnets = list(SUBNETS.subnets(new_prefix=30))
    start = (os.getpid() * 4) % len(subnets)  # runs side by side start apart
    free = []
    for subnet in subnets[start:] + subnets[:start]:
        if not any(subnet.overlaps(other) for other in used):
            free.append(subnet)
            if len(free) == count:
                return free
    raise RuntimeError("no free /30 left in 10.231.0.0/16")


@dataclass
class Host:
    """A network namespace joined to the main one by a veth link."""

    namespace: str
    link: str  # the main namespace's end of the veth pair
    main_address: str  # that end's address: where the host reaches the main namespace
    address: str  # the host's own address

    def cut(self) -> None:
        """Unplug the host: its link goes down, whatever was under way over it hangs."""
        ip("link", "set", self.link, "down")

    def restore(self) -> None:
        ip("link", "set", self.link, "up")

    def command(self, *args: str) -> list[str]:
        """A command line that runs `args` inside the host."""
        return ["ip", "netns", "exec", self.namespace, *args]


def make_hosts(*labels: str) -> list[Host]:
    """One namespace per label, each linked to the main namespace on a /30 of its own.
    Call remove_hosts() with the result (even after a failure) to clean up."""
    hosts = []
    try:
        for label, subnet in zip(labels, _free_subnets(len(labels)), strict=True):
            main_address, address = (str(a) for a in list(subnet.hosts())[:2])
            host = Host(
                namespace=f"{NAMESPACE_PREFIX}{os.getpid()}-{label}",
                link=f"{LINK_PREFIX}{os.getpid()}{label}",
                main_address=main_address,
                address=address,
            )
            hosts.append(host)
            inner = f"{host.link}i"
            ip("netns", "add", host.namespace)
            ip("link", "add", host.link, "type", "veth", "peer", "name", inner)
            ip("link", "set", inner, "netns", host.namespace)
            ip("addr", "add", f"{main_address}/30", "dev", host.link)
            ip("link", "set", host.link, "up")
            inside = ("netns", "exec", host.namespace, "ip")
            ip(*inside, "addr", "add", f"{address}/30", "dev", inner)
            ip(*inside, "link", "set", inner, "up")
            ip(*inside, "link", "set", "lo", "up")
    except BaseException:
        remove_hosts(hosts)
        raise
    return hosts


def remove_hosts(hosts: list[Host]) -> None:
    """Kill whatever still runs in them, delete the namespaces and their links."""
    for host in hosts:
        _kill_inside(host.namespace)
        ip("netns", "del", host.namespace, check=False)
        # Deleting the namespace deletes its end of the pair, and with it this one;
        # unless the namespace was never made.
        ip("link", "del", host.link, check=False)


# --- forwarders ---------------------------------------------------------------------------


def _watch_for_a_dead_peer(sock) -> None:
    """What a server does with tcp_keepalives_* / tcp_user_timeout (PostgreSQL) or
    tcp-keepalive (Redis): a connection from a host cut off is closed within seconds, and
    whatever its session held (row locks, a blocked pop) is let go."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, KEEPALIVE_IDLE)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, KEEPALIVE_INTERVAL)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, KEEPALIVE_COUNT)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, USER_TIMEOUT_MS)


class Forwarders:
    """TCP forwarders on an event loop of their own (a thread): each listens on an
    address of the main namespace and pipes every connection to a loopback service."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.servers = []
        self.thread.start()

    def forward(self, listen_host: str, target: tuple[str, int]) -> int:
        """Listen on a free port of `listen_host`; returns the port."""

        async def start():
            server = await asyncio.start_server(
                lambda r, w: self._pipe(r, w, target), listen_host, 0
            )
            self.servers.append(server)
            return server.sockets[0].getsockname()[1]

        return asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)

    async def _pipe(self, reader, writer, target):
        _watch_for_a_dead_peer(writer.get_extra_info("socket"))
        try:
            up_reader, up_writer = await asyncio.open_connection(*target)
        except OSError:
            writer.close()
            return

        async def copy(source, sink):
            with contextlib.suppress(OSError, asyncio.IncompleteReadError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()

        # When either side ends (or the host's side dies), both are closed.
        tasks = [
            asyncio.ensure_future(copy(reader, up_writer)),
            asyncio.ensure_future(copy(up_reader, writer)),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        for each in (writer, up_writer):
            each.close()

    def close(self):
        async def stop():
            for server in self.servers:
                server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
