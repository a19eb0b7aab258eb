#!/usr/bin/env python3
"""Times the openpyxl label reader of obvious_intake.py on one form file: the mean over N reads
of the file's bytes (already in memory), in microseconds, on stdout.

    openpyxl_form.py FILE [N]
"""

import sys
import time

from obvious_intake import read_form


def main(path, n=300):
    with open(path, "rb") as f:
        data = f.read()
    header, fields = read_form(data)
    assert len(fields) == 11 and header.get("unit"), (header, fields)
    for _ in range(20):
        read_form(data)
    start = time.perf_counter()
    for _ in range(int(n)):
        read_form(data)
    print(f"{(time.perf_counter() - start) / int(n) * 1e6:.1f}")


if __name__ == "__main__":
    main(*sys.argv[1:])
