#!/usr/bin/env python3
"""The comparison for issue 17: the script a clerk's IT colleague would write in an afternoon.

Reads every message in a Maildir's new/ with Python's `email`, opens the attached monthly form
with openpyxl and reads its eleven numbers and header by their labels, commits one row per
message to SQLite (sqlite3, default settings: one transaction and its fsyncs per message), writes
a reply file per message and moves the message to cur/. No checks beyond "is it a number".

    obvious_intake.py MAILDIR DATABASE REPLIES_DIR
"""

import email
import email.policy
import io
import os
import re
import sqlite3
import sys
from email.message import EmailMessage

import openpyxl

FIELDS = {
    "公开信": "open_letters",
    "网络媒体报道": "media_reports",
    "商圈广场视屏": "plaza_screens",
    "五进画册": "brochures",
    "村居宣传专栏": "community_columns",
    "标语海报": "posters",
    "两单两卡加印二维码": "qr_cards",
    "责任公示牌加贴图标": "notice_boards",
    "企业培训": "trainings",
    "建立信息员": "informants",
    "获取立案查处以上线索": "leads",
}
HEADERS = {
    "填报单位": "unit",
    "报表月份": "period",
    "填报人": "filled_by",
    "联系电话": "phone",
    "填报时间": "filled_on",
}
BRACKETS = re.compile(r"[（(][^）)]*[）)]")


def norm(text):
    """A label as compared: no brackets, spaces or trailing colons."""
    return BRACKETS.sub("", "".join(text.split())).rstrip(":：")


def read_form(data):
    """The form's header (value right of its label) and fields (value below their label)."""
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    header, fields = {}, {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str):
                    continue
                label = norm(cell.value)
                if label in FIELDS:
                    fields[FIELDS[label]] = sheet.cell(cell.row + 1, cell.column).value
                elif label in HEADERS:
                    header[HEADERS[label]] = sheet.cell(cell.row, cell.column + 1).value
    return header, fields


def form_of(message):
    for part in message.iter_attachments():
        name = part.get_filename() or ""
        if name.lower().endswith(".xlsx"):
            return part.get_content()
    return None


def reply(message, text):
    out = EmailMessage()
    out["From"] = "office@example.gov.cn"
    out["To"] = message["From"]
    out["Subject"] = "回执：" + str(message["Subject"] or "")
    out["In-Reply-To"] = message["Message-ID"]
    out.set_content(text)
    return bytes(out)


def open_database(database):
    """The reports table, created if missing (sqlite3's default settings)."""
    db = sqlite3.connect(database)
    columns = ", ".join(f"{k} INTEGER" for k in FIELDS.values())
    db.execute(
        "CREATE TABLE IF NOT EXISTS reports (message_id TEXT PRIMARY KEY, sender TEXT, "
        f"unit TEXT, period TEXT, filled_by TEXT, phone TEXT, {columns}, problems TEXT)"
    )
    db.commit()
    return db


def record(db, message):
    """Reads the message's form, commits its row and returns the reply's text."""
    data = form_of(message)
    header, fields, problems = {}, {}, []
    if data is None:
        problems.append("没有附件")
    else:
        header, fields = read_form(data)
        for key in FIELDS.values():
            value = fields.get(key)
            if not isinstance(value, (int, float)) or value < 0 or value != int(value):
                problems.append(key)
    row = [message["Message-ID"], str(message["From"]), header.get("unit"),
           str(header.get("period")), header.get("filled_by"), str(header.get("phone"))]
    row += [fields.get(k) if not problems else None for k in FIELDS.values()]
    row.append(",".join(problems))
    db.execute(f"INSERT OR REPLACE INTO reports VALUES ({','.join('?' * len(row))})", row)
    db.commit()
    return "已收到，谢谢。" if not problems else "请更正：" + "、".join(problems)


def main(maildir, database, replies):
    os.makedirs(replies, exist_ok=True)
    db = open_database(database)
    new, cur = os.path.join(maildir, "new"), os.path.join(maildir, "cur")
    os.makedirs(cur, exist_ok=True)
    count = 0
    for name in sorted(os.listdir(new)):
        path = os.path.join(new, name)
        with open(path, "rb") as f:
            message = email.message_from_bytes(f.read(), policy=email.policy.default)
        text = record(db, message)
        with open(os.path.join(replies, f"{count:05}.eml"), "wb") as f:
            f.write(reply(message, text))
        os.rename(path, os.path.join(cur, name + ":2,S"))
        count += 1
    db.close()
    print(count)


if __name__ == "__main__":
    main(*sys.argv[1:4])
