#!/usr/bin/env python3
"""A scripted SMTP server on 127.0.0.1 (Debian's python3-aiosmtpd) for the
failure paths of statesheet mail.

    mail_server.py PORTFILE OUTDIR MODE N [USER PASSWORD]

Accepts the first N messages, then answers every later one as MODE says:
  accept   (N is ignored) accepts everything
  451      451 4.3.0 (try again later)
  554      554 5.7.1 (refused for good)
  drop     closes the connection without answering the end of DATA
  badrcpt  (N is ignored) refuses every recipient whose address starts
           with "zoe" (550), accepts the rest
With USER and PASSWORD it requires that login (AUTH PLAIN/LOGIN, no TLS:
loopback only).  Each accepted message goes to OUTDIR/NNN.eml with its
envelope recipients in OUTDIR/NNN.rcpt; a login to OUTDIR/login.  The port
is written to PORTFILE once the server listens.  Stops on SIGTERM.
"""
import os
import signal
import socket
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Handler:
    def __init__(self, out, mode, n):
        self.out, self.mode, self.n, self.count = out, mode, n, 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "badrcpt" and address.startswith("zoe"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mode not in ("accept", "badrcpt") and self.count >= self.n:
            if self.mode == "451":
                return "451 4.3.0 Mailbox busy, try again later"
            if self.mode == "554":
                return "554 5.7.1 Message refused"
            if self.mode == "drop":
                server.transport.close()
                return "421 closing"
        self.count += 1
        base = os.path.join(self.out, "%03d" % self.count)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".rcpt", "w") as f:
            f.write(" ".join(envelope.rcpt_tos) + "\n")
        return "250 2.0.0 Ok: queued as test%03d" % self.count


def main():
    portfile, out, mode, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    user = sys.argv[5] if len(sys.argv) > 6 else None
    password = sys.argv[6] if len(sys.argv) > 6 else None
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    kw = {}
    if user:
        def auth(server, session, envelope, mechanism, data):
            ok = data.login.decode() == user and data.password.decode() == password
            if ok:
                with open(os.path.join(out, "login"), "w") as f:
                    f.write(data.login.decode() + "\n")
            return AuthResult(success=ok)
        kw = dict(authenticator=auth, auth_required=True, auth_require_tls=False)
    c = Controller(Handler(out, mode, n), hostname="127.0.0.1", port=port, **kw)
    c.start()
    with open(portfile + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(portfile + ".tmp", portfile)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    done.wait(120)  # never outlives a stuck test by much
    c.stop()


if __name__ == "__main__":
    main()
