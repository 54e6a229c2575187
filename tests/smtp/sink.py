"""A real SMTP server on loopback for the notification tests (aiosmtpd).

Usage: python3 sink.py DIR
Prints "PORT <n>" once it listens on 127.0.0.1:<n>, then keeps every message it accepts as
DIR/<n>.eml, and beside it DIR/<n>.json: the message as Python's own MIME parser reads it
(headers, the text parts decoded, the attachments), so the tests check the e-mail with a
parser that is not the one that wrote it. Files are written to a temporary name, then
renamed. Recipients steer it:
  tempfail-...@  -> 451 4.3.0 (a temporary refusal), every time
  onefail-...@   -> 451 4.3.0 the first time, accepted afterwards
  bounce-...@    -> 550 5.1.1 (a permanent refusal)
It stops when its standard input closes (the test that started it went away).
"""

import email
import email.policy
import json
import os
import socket
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0
        self.seen = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("tempfail"):
            return "451 4.3.0 Mailbox busy, try again later"
        if local.startswith("onefail") and address not in self.seen:
            self.seen.add(address)
            return "451 4.3.0 Greylisted, try again later"
        if local.startswith("bounce"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        base = os.path.join(self.folder, f"{n:04d}")
        with open(base + ".eml.part", "wb") as f:
            f.write(envelope.content)
        os.rename(base + ".eml.part", base + ".eml")
        with open(base + ".json.part", "w") as f:
            json.dump(parsed(envelope), f)
        os.rename(base + ".json.part", base + ".json")
        return "250 Message accepted"


def parsed(envelope):
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        parts.append(
            {
                "content_type": part.get_content_type(),
                "params": dict(part.get_params() or []),
                "filename": part.get_filename(),
                "attachment": part.get_content_disposition() == "attachment",
                "text": part.get_content(),
            }
        )
    return {
        "mail_from": envelope.mail_from,
        "rcpt_tos": envelope.rcpt_tos,
        "headers": {k: str(v) for k, v in message.items()},
        "content_type": message.get_content_type(),
        "parts": parts,
    }


def main():
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    # aiosmtpd cannot listen on port 0 and say which port it got: ask the system for a free
    # port, and ask again if another program took it in between.
    for _ in range(20):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
        try:
            controller.start()
            break
        except OSError:
            continue
    else:
        sys.exit("no free port for the SMTP sink")
    print(f"PORT {port}", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
