#!/usr/bin/env python3
"""Issue 17's side-by-side run: reportdesk against the obvious Python script, in one run.

1. A backlog of N monthly-form mails (the official-template .xlsx fixture, base64, as the
   intake bench builds them) written into two fresh Maildirs: `reportdesk run --once` (release
   binary, read-worker on, replies to the outbox Maildir) drains one, obvious_intake.py the other.
   Wall time of each, reportdesk's peak RSS (wait4), and the ratio.
2. One form read: `cargo bench --bench forms` (criterion's mean, .xlsx fixture) against
   openpyxl_form.py on the same file.

    compare.py REPORTDESK_BINARY TARGET_DIR [N]
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import base64

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FORM = os.path.join(ROOT, "tests/fixtures/forms/f01-official-tiaodeng.xlsx")
NOW = "2026-11-12T10:00:00+08:00"


def mail(i, form):
    b64 = base64.encodebytes(form).decode().replace("\n", "\r\n")
    return (
        "From: <tiaodeng@example.gov.cn>\r\nTo: <office@example.gov.cn>\r\n"
        "Subject: =?UTF-8?B?5pyI5oql?=\r\n"
        f"Message-ID: <bench-{i}@qq.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        "Content-Type: text/plain; charset=UTF-8\r\n\r\nhi\r\n--b\r\n"
        'Content-Type: application/octet-stream; name="form.xlsx"\r\n'
        'Content-Disposition: attachment; filename="form.xlsx"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--b--\r\n"
    ).encode()


def fill(maildir, n, form):
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    for i in range(n):
        with open(os.path.join(maildir, "new", f"m{i:05}"), "wb") as f:
            f.write(mail(i, form))


def config(tmp):
    """The shipped config with an absolute roster and the per-sender reply cap lifted (one
    sender sends the whole backlog here)."""
    text = open(os.path.join(ROOT, "config/reportdesk.toml"), encoding="utf-8").read()
    text = re.sub(r'(?m)^roster = "[^"]*"',
                  f'roster = "{os.path.join(ROOT, "config/units.toml")}"', text)
    text = text.replace("replies_per_sender_per_hour = 10 ",
                        "replies_per_sender_per_hour = 1000000 ")
    path = os.path.join(tmp, "reportdesk.toml")
    open(path, "w", encoding="utf-8").write(text)
    return path


def run_reportdesk(binary, tmp, n, form):
    data = os.path.join(tmp, "rd")
    fill(os.path.join(data, "mail/inbox"), n, form)
    conf = config(tmp)
    start = time.perf_counter()
    child = subprocess.Popen([binary, "--config", conf, "--data-dir", data, "--now", NOW,
                              "run", "--once"], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    took = time.perf_counter() - start
    assert status == 0, f"reportdesk exited with {status}"
    replies = len(os.listdir(os.path.join(data, "mail/outbox/new")))
    assert replies == n, f"{replies} replies for {n} messages"
    return took, usage.ru_maxrss / 1024


def run_python(tmp, n, form):
    maildir = os.path.join(tmp, "py/maildir")
    fill(maildir, n, form)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, os.path.join(HERE, "obvious_intake.py"), maildir,
                          os.path.join(tmp, "py/reports.db"), os.path.join(tmp, "py/replies")],
                         check=True, capture_output=True, text=True).stdout
    took = time.perf_counter() - start
    assert int(out) == n, out
    return took


def rust_form_us(target_dir):
    subprocess.run(["cargo", "bench", "--locked", "--bench", "forms", "--", "--noplot",
                    "tiaodeng.xlsx"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    found = glob.glob(os.path.join(target_dir, "criterion", "*tiaodeng.xlsx", "new",
                                   "estimates.json"))
    assert found, "criterion wrote no estimate for the .xlsx fixture"
    return json.load(open(found[0]))["mean"]["point_estimate"] / 1000


def main(binary, target_dir, n=2000):
    n = int(n)
    form = open(FORM, "rb").read()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        rd, rss = run_reportdesk(binary, tmp, n, form)
        py = run_python(tmp, n, form)
    print(f"backlog of {n} Maildir messages:")
    print(f"  reportdesk run --once  {rd:7.2f} s  {rd / n * 1e3:6.2f} ms/message  "
          f"peak RSS {rss:.1f} MiB")
    print(f"  obvious Python script  {py:7.2f} s  {py / n * 1e3:6.2f} ms/message")
    print(f"  ratio                  {py / rd:7.1f}x")
    rust = rust_form_us(target_dir)
    py_form = float(subprocess.run([sys.executable, os.path.join(HERE, "openpyxl_form.py"),
                                    FORM, "300"], check=True, capture_output=True,
                                   text=True).stdout)
    print("one form read (f01-official-tiaodeng.xlsx):")
    print(f"  reportdesk (criterion mean)  {rust:8.1f} us")
    print(f"  openpyxl label reader        {py_form:8.1f} us")
    print(f"  ratio                        {py_form / rust:8.1f}x")


if __name__ == "__main__":
    main(*sys.argv[1:])
