"""`python benchmarks/peak.py ARGS...` runs `automation ARGS...` and writes, to the file named by
$PEAK_FILE, two numbers in kB: its own peak RSS (VmHWM, read by itself at exit) and the peak of
the reader process it starts for a backlog (automation/inbox/readahead.py). Their sum is the most
both can hold at once: the figure judged against the 150 MB ceiling.

A child's high-water mark is gone once it is reaped (and getrusage()/wait4() of our own child
would report the forking parent's size), so the children are sampled while they live, every
0.1 s, and the file is rewritten whenever their peak grows: a process killed with SIGKILL leaves
its reader's peak behind (its own is read from /proc by whoever kills it).

Optional: $PEAK_PROFILE_FILE writes cProfile stats there at exit; $PEAK_STACK_MB=N appends the
Python stack of the main thread to "$PEAK_FILE.stack" whenever RSS passes N MB (then N + 20...).
"""

from __future__ import annotations

import atexit
import os
import runpy
import sys
import threading
import time
import traceback

_children: dict[str, int] = {}
_writing = threading.Lock()  # the watcher and the exit both write the file
_exiting = False


def _status_kb(pid: str, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            return int(next(line.split()[1] for line in status if line.startswith(field)))
    except (OSError, StopIteration, ValueError):
        return 0


def _write(own_kb: int, final: bool = False) -> None:
    global _exiting
    with _writing:
        if _exiting:
            return  # the exit's write is the last word
        _exiting = final
        path = os.environ["PEAK_FILE"]
        with open(path + ".tmp", "w") as out:  # then renamed: a reader never sees half a file
            out.write(f"{own_kb} {max(list(_children.values()), default=0)}")
        os.replace(path + ".tmp", path)


def _watch_children() -> None:
    me = str(os.getpid())
    while True:
        grown = False
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    parent = stat.read().rsplit(")", 1)[1].split()[1]
            except (OSError, IndexError):
                continue
            if parent == me:
                kb = _status_kb(pid, "VmHWM:")
                if kb > _children.get(pid, 0):
                    _children[pid] = kb
                    grown = True
        if grown:
            _write(0)
        time.sleep(0.1)


def _watch_stack(limit_mb: int) -> None:
    limit = limit_mb * 1024
    main = threading.main_thread().ident
    while True:
        kb = _status_kb("self", "VmRSS:")
        if kb > limit and main is not None:
            with open(os.environ["PEAK_FILE"] + ".stack", "a") as out:
                out.write(f"{kb} kB\n" + "".join(traceback.format_stack(sys._current_frames()[main])))
            limit = kb + 20 * 1024
        time.sleep(0.01)


def main() -> None:
    sys.path[:] = [
        p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))
    ]
    threading.Thread(target=_watch_children, daemon=True).start()
    atexit.register(lambda: _write(_status_kb("self", "VmHWM:"), final=True))
    if os.environ.get("PEAK_STACK_MB"):
        threading.Thread(target=_watch_stack, args=(int(os.environ["PEAK_STACK_MB"]),), daemon=True).start()
    if os.environ.get("PEAK_PROFILE_FILE"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        atexit.register(lambda: (profiler.disable(), profiler.dump_stats(os.environ["PEAK_PROFILE_FILE"])))
    sys.argv[0] = "automation"
    runpy.run_module("automation", run_name="__main__", alter_sys=True)


def read(path: str | os.PathLike[str]) -> tuple[int, int]:
    """(own, reader) peaks in kB from a $PEAK_FILE; (0, 0) if none was written."""
    try:
        own, reader = (int(n) for n in open(path).read().split())  # noqa: SIM115 - tiny file
    except (OSError, ValueError):
        return 0, 0
    return own, reader


if __name__ == "__main__":
    main()
