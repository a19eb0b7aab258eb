#!/usr/bin/env python3
"""Two reportdesk binaries (before and after a change) and the obvious Python script over the
same 2,000-message Maildir backlog, in one run, alternating, so the figures share the machine's
state. Only the backlog half of compare.py (no form-read bench).

    backlog_ab.py BEFORE_BINARY AFTER_BINARY [N] [ROUNDS]
"""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402


def main(before, after, n=2000, rounds=1):
    n, rounds = int(n), int(rounds)
    form = open(compare.FORM, "rb").read()
    taken = {"before": [], "after": [], "python": []}
    # Every run's tree is kept until the end: deleting thousands of files just before the next
    # run makes its file creation slower (ext4 steers new inodes around recently freed ones),
    # and the runs would pay for the bench's own clean-up in turn.
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as root:
        for round in range(rounds):
            for name, binary in (("before", before), ("after", after)):
                tmp = os.path.join(root, f"{name}-{round}")
                os.makedirs(tmp)
                took, rss = compare.run_reportdesk(binary, tmp, n, form)
                taken[name].append((took, rss))
                print(f"  {name:6} {took:7.2f} s  {took / n * 1e3:6.2f} ms/message  "
                      f"peak RSS {rss:.1f} MiB", flush=True)
            tmp = os.path.join(root, f"python-{round}")
            os.makedirs(tmp)
            py = compare.run_python(tmp, n, form)
            taken["python"].append((py, 0))
            print(f"  python {py:7.2f} s  {py / n * 1e3:6.2f} ms/message", flush=True)
    best = {k: min(t for t, _ in v) for k, v in taken.items()}
    print(f"backlog of {n} Maildir messages, best of {rounds}:")
    for k in ("before", "after"):
        print(f"  {k:6} {best[k]:7.2f} s  {best[k] / n * 1e3:6.2f} ms/message  "
              f"python/{k} {best['python'] / best[k]:5.1f}x")
    print(f"  python {best['python']:7.2f} s  after is {best['before'] / best['after']:.1f}x before")


if __name__ == "__main__":
    main(*sys.argv[1:])
