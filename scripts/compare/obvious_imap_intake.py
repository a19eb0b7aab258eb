#!/usr/bin/env python3
"""The comparison for issue 17 over IMAP: the same afternoon script, reading the office INBOX.

Logs in with imaplib (plain IMAP, loopback), selects INBOX, asks for every UID (UID SEARCH ALL)
and then, one message at a time: fetches it (UID FETCH uid (BODY.PEEK[])), parses it with
Python's `email`, reads the form and commits its row (obvious_intake.py's own functions: openpyxl
by labels, sqlite3 with default settings, one transaction and its fsyncs per message), writes a
reply file and moves the message to FOLDER (created if missing) with UID MOVE when the server
offers MOVE, else UID COPY, UID STORE +FLAGS (\\Deleted) and EXPUNGE. No checks beyond "is it a
number"; no pipelining, no IDLE, no reconnects.

FOLDER is written in the server's own hierarchy (reportdesk/processed on a Dovecot whose
separator is "/").

    obvious_imap_intake.py HOST PORT USER PASSWORD FOLDER DATABASE REPLIES_DIR
"""

import email
import email.policy
import imaplib
import os
import sys

from obvious_intake import open_database, record, reply


def quoted(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check(response):
    typ, data = response
    if typ != "OK":
        raise SystemExit(f"IMAP: {typ} {data}")
    return data


def main(host, port, user, password, folder, database, replies):
    os.makedirs(replies, exist_ok=True)
    db = open_database(database)
    imap = imaplib.IMAP4(host, int(port))
    check(imap.login(user, password))
    # The greeting's capabilities are the pre-login ones: ask again once logged in.
    capabilities = b" ".join(check(imap.capability())).decode().upper().split()
    if not [line for line in check(imap.list('""', quoted(folder))) if line]:
        check(imap.create(quoted(folder)))
    check(imap.select("INBOX"))
    uids = check(imap.uid("SEARCH", None, "ALL"))[0].split()
    count = 0
    for uid in uids:
        data = check(imap.uid("FETCH", uid, "(BODY.PEEK[])"))
        raw = next(part[1] for part in data if isinstance(part, tuple))
        message = email.message_from_bytes(raw, policy=email.policy.default)
        text = record(db, message)
        with open(os.path.join(replies, f"{count:05}.eml"), "wb") as f:
            f.write(reply(message, text))
        if "MOVE" in capabilities:
            check(imap.uid("MOVE", uid, quoted(folder)))
        else:
            check(imap.uid("COPY", uid, quoted(folder)))
            check(imap.uid("STORE", uid, "+FLAGS", "(\\Deleted)"))
            check(imap.expunge())
        count += 1
    imap.logout()
    db.close()
    print(count)


if __name__ == "__main__":
    main(*sys.argv[1:8])
