#!/usr/bin/env python3
"""Prints the messages of a Maildir (as written by aiosmtpd's Mailbox
handler) for the Rust tests: one block per message, fields decoded
(RFC 2047 headers, quoted-printable or base64 parts), newlines in values
written as \\n and backslashes as \\\\; each attachment as
"attachment=NAME<TAB>TYPE<TAB>HEX".

    tests/notify/maildir.py DIR
"""
import email
import email.policy
import mailbox
import sys


def esc(value):
    return (value or "").replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "")


box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
messages = []
for key in box.keys():
    with open(box._lookup(key) and f"{sys.argv[1]}/{box._lookup(key)}", "rb") as f:
        messages.append(email.message_from_binary_file(f, policy=email.policy.default))
messages.sort(key=lambda m: (m["Date"] or "", m["Message-ID"] or ""))
for m in messages:
    text = m.get_body(preferencelist=("plain",))
    html = m.get_body(preferencelist=("html",))
    print("MESSAGE")
    print("to=" + esc(str(m["To"])))
    print("from=" + esc(str(m["From"])))
    print("reply-to=" + esc(str(m["Reply-To"] or "")))
    print("subject=" + esc(str(m["Subject"])))
    print("message-id=" + esc(str(m["Message-ID"])))
    print("list-unsubscribe=" + esc(str(m["List-Unsubscribe"] or "")))
    print("list-unsubscribe-post=" + esc(str(m["List-Unsubscribe-Post"] or "")))
    print("text=" + esc(text.get_content() if text else ""))
    print("html=" + esc(html.get_content() if html and html is not text else ""))
    for part in m.iter_attachments():
        data = part.get_payload(decode=True) or b""
        print("attachment=" + esc(part.get_filename() or "") + "\t" + part.get_content_type() + "\t" + data.hex())
