"""The submission's control groups: memory and process count for everything it starts, and a kill
switch (cgroup v2 where it has the controllers, v1's hierarchies otherwise)."""

import os
import signal
import time
from pathlib import Path

from .scratch import PREFIX, owner_alive


def _mounts():
    """(mount point, file system type, super options) of this machine's cgroup mounts."""
    found = []
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) >= 5 and len(tail) >= 3 and tail[0] in ("cgroup", "cgroup2"):
            found.append((fields[4], tail[0], set(tail[2].split(","))))
    return found


def _own_cgroups():
    """This process's cgroup path per v1 controller and for v2 (key "")."""
    own = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return own
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else [""]:
            own[name] = path
    return own


class Cgroups:
    """The submission's control groups: memory and process count for all it starts, and a kill switch.

    cgroup v2 where it has the memory and pids controllers; cgroup v1's memory and pids hierarchies
    otherwise (both kinds exist on hybrid machines: v2 then still gives ``cgroup.kill``). Nothing is
    made where the folders are not writable (not root): the sandbox then says so in its isolation.
    """

    def __init__(self, limits, name):
        self.paths = {}  # role ("memory", "pids", "kill") -> folder
        self.oom_files = []
        own = _own_cgroups()
        for mount, kind, options in _mounts():
            if kind == "cgroup2":
                base = os.path.join(mount, own.get("", "/").lstrip("/"))
                path = self._make(base, name)
                if path is None:
                    continue
                if (os.path.exists(os.path.join(path, "memory.max")) and "memory" not in self.paths
                        and self._set(path, "memory.max", limits.memory_bytes)):
                    self._set(path, "memory.swap.max", 0)  # where swap is accounted at all
                    self.paths["memory"] = path
                    self.oom_files.append(os.path.join(path, "memory.events"))
                if (os.path.exists(os.path.join(path, "pids.max")) and "pids" not in self.paths
                        and self._set(path, "pids.max", limits.processes)):
                    self.paths["pids"] = path
                if os.path.exists(os.path.join(path, "cgroup.kill")):
                    self.paths.setdefault("kill", path)
                if path not in self.paths.values():
                    os.rmdir(path)
            for controller in ("memory", "pids"):
                if kind == "cgroup" and controller in options and controller not in self.paths:
                    base = os.path.join(mount, own.get(controller, "/").lstrip("/"))
                    path = self._make(base, name)
                    if path is None:
                        continue
                    if controller == "memory":
                        held = self._set(path, "memory.limit_in_bytes", limits.memory_bytes)
                        self._set(path, "memory.memsw.limit_in_bytes", limits.memory_bytes)
                        self.oom_files.append(os.path.join(path, "memory.oom_control"))
                    else:
                        held = self._set(path, "pids.max", limits.processes)
                    if held:
                        self.paths[controller] = path
                    else:
                        os.rmdir(path)

    @staticmethod
    def remove_stale():
        """Remove the (empty) groups of grader processes that are gone."""
        own = _own_cgroups()
        for mount, kind, options in _mounts():
            keys = [""] if kind == "cgroup2" else [c for c in ("memory", "pids") if c in options]
            for key in keys:
                base = Path(mount, own.get(key, "/").lstrip("/"))
                for folder in base.glob(f"{PREFIX}*"):
                    owner = folder.name[len(PREFIX):].split("-", 1)[0]
                    if owner.isdigit() and not owner_alive(int(owner)):
                        try:
                            folder.rmdir()
                        except OSError:
                            pass

    @staticmethod
    def _make(base, name):
        path = os.path.join(base, name)
        try:
            os.mkdir(path)
        except OSError:
            return None
        return path

    @staticmethod
    def _write(path, filename, value):
        try:
            with open(os.path.join(path, filename), "w") as handle:
                handle.write(str(value))
        except OSError:
            pass

    @staticmethod
    def _set(path, filename, value):
        """Write a limit and read it back: True only when the kernel holds it (a memory limit is
        rounded down to whole pages), so the sandbox never claims a limit it did not set."""
        Cgroups._write(path, filename, value)
        try:
            held = int(Path(path, filename).read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return False
        return held == value or (filename.startswith("memory") and 0 <= value - held < 1 << 16)

    @property
    def limited(self):
        return "memory" in self.paths and "pids" in self.paths

    def folders(self):
        return sorted(set(self.paths.values()))

    def oom_kills(self):
        """How many processes the kernel killed for going over the memory limit (as it counts them)."""
        total = 0
        for filename in self.oom_files:
            try:
                for line in Path(filename).read_text().splitlines():
                    key, _, value = line.partition(" ")
                    if key == "oom_kill" and value.strip().isdigit():
                        total += int(value)
            except OSError:
                pass
        return total

    def kill(self):
        """SIGKILL every process in the groups, until none is left (a few rounds at most)."""
        if "kill" in self.paths:
            self._write(self.paths["kill"], "cgroup.kill", 1)
        for _ in range(100):
            pids = set()
            for path in self.folders():
                try:
                    pids.update(int(p) for p in Path(path, "cgroup.procs").read_text().split())
                except (OSError, ValueError):
                    pass
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.02)

    def remove(self):
        self.kill()
        for path in self.folders():
            for _ in range(100):  # a killed process leaves its group a moment after it is reaped
                try:
                    os.rmdir(path)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
        self.paths = {}
