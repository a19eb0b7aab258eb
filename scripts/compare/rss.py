#!/usr/bin/env python3
"""Issue 17's memory figures: the daemon's (`reportdesk run`, local Maildir) resident set with an
empty inbox (after it has settled) and while it drains a backlog of N form mails, sampled from
/proc every 50 ms; the read-worker is a process of its own and is reported beside it.

    rss.py REPORTDESK_BINARY [N]
"""

import os
import signal
import subprocess
import sys
import tempfile
import time

import compare


def rss_kib(pid, field="VmRSS:"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid):
    """Children of any of the process's threads (tokio starts the worker from its own)."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(p) for p in f.read().split()]
    except OSError:
        pass
    return found


def daemon(binary, tmp, data):
    conf = compare.config(tmp)
    return subprocess.Popen([binary, "--config", conf, "--data-dir", data, "--now", compare.NOW,
                             "run"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def watch(child, seconds, done=lambda: False):
    """Peak RSS (KiB) of the daemon and of its largest child while sampling."""
    peak, worker = 0, 0
    end = time.monotonic() + seconds
    while time.monotonic() < end and not done():
        peak = max(peak, rss_kib(child.pid))
        worker = max([worker] + [rss_kib(c) for c in children(child.pid)])
        time.sleep(0.05)
    return peak, worker


def main(binary, n=2000):
    n = int(n)
    form = open(compare.FORM, "rb").read()
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "empty")
        compare.fill(os.path.join(data, "mail/inbox"), 0, form)
        child = daemon(binary, tmp, data)
        time.sleep(10)
        steady, worker = watch(child, 5)
        child.send_signal(signal.SIGTERM)
        child.wait()
        print(f"empty inbox, after 10 s: daemon {steady / 1024:.1f} MiB, worker {worker / 1024:.1f} MiB")
        data = os.path.join(tmp, "backlog")
        compare.fill(os.path.join(data, "mail/inbox"), n, form)
        outbox = os.path.join(data, "mail/outbox/new")
        started = time.monotonic()
        child = daemon(binary, tmp, data)
        drained = lambda: os.path.isdir(outbox) and len(os.listdir(outbox)) >= n
        peak, worker = watch(child, 600, drained)
        took = time.monotonic() - started
        hwm = rss_kib(child.pid, "VmHWM:")
        child.send_signal(signal.SIGTERM)
        child.wait()
        print(f"draining {n}: {took:.1f} s, daemon peak {max(peak, hwm) / 1024:.1f} MiB "
              f"(VmHWM), worker peak {worker / 1024:.1f} MiB")


if __name__ == "__main__":
    main(*sys.argv[1:])
