"""A real SMTP submission server for reportdesk's live tests (tests/live/harness.rs starts it).

aiosmtpd listens on two loopback ports: plaintext with STARTTLS offered, and implicit TLS. Every
session must AUTH (PLAIN or LOGIN, also allowed over plaintext on loopback) with a password from
Dovecot's passwd-file, so the same file is the single source of users for IMAP and SMTP. Each
accepted message is handed to Dovecot's LMTP socket once per recipient that has a mailbox; mail
to anyone else is accepted and dropped (logged), as a relay to the outside world would.

The Rust side controls the server through files it reads on every command:
- the rejects file: one address a line; RCPT TO such an address gets a permanent 550.
Dovecot being down while a message arrives gives a temporary 451, so clients retry.
"""

import argparse
import asyncio
import logging
import signal
import smtplib
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

log = logging.getLogger("smtp_server")


def read_users(path):
    """Logins and plaintext passwords from a Dovecot passwd-file with {PLAIN} passwords."""
    users = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                fields = line.rstrip("\n").split(":")
                if len(fields) >= 2 and fields[1].startswith("{PLAIN}"):
                    users[fields[0].lower()] = fields[1][len("{PLAIN}"):]
    except FileNotFoundError:
        pass
    return users


def read_rejects(path):
    try:
        with open(path, encoding="utf-8") as f:
            return {line.strip().lower() for line in f if line.strip()}
    except FileNotFoundError:
        return set()


class Authenticator:
    def __init__(self, users_file):
        self.users_file = users_file

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", "replace").lower()
        password = auth_data.password.decode("utf-8", "replace")
        ok = read_users(self.users_file).get(login) == password
        log.info("AUTH %s %s: %s", mechanism, login, "ok" if ok else "refused")
        return AuthResult(success=ok, handled=False)


class LmtpDelivery:
    """aiosmtpd handler: checks recipients, then delivers through Dovecot's LMTP socket."""

    def __init__(self, lmtp_socket, users_file, rejects_file):
        self.lmtp_socket = lmtp_socket
        self.users_file = users_file
        self.rejects_file = rejects_file

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in read_rejects(self.rejects_file):
            log.info("RCPT %s: rejected by the test (550)", address)
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        users = read_users(self.users_file)
        local = [r for r in envelope.rcpt_tos if r.lower() in users]
        for rcpt in envelope.rcpt_tos:
            if rcpt.lower() not in users:
                log.info("DATA for %s: no mailbox here, dropped", rcpt)
        try:
            await asyncio.get_running_loop().run_in_executor(
                None, self.deliver, envelope.mail_from, local, envelope.original_content
            )
        except (OSError, smtplib.SMTPException) as err:
            log.warning("LMTP delivery failed: %r", err)
            return "451 4.3.0 Local delivery failed, try again later"
        return "250 2.0.0 OK: queued"

    def deliver(self, mail_from, recipients, content):
        # One LMTP transaction per recipient: smtplib.LMTP reads only one reply after DATA.
        for rcpt in recipients:
            with smtplib.LMTP(self.lmtp_socket) as lmtp:
                lmtp.sendmail(mail_from, [rcpt], content)
            log.info("delivered %d bytes from %s to %s", len(content), mail_from, rcpt)


def tls_context(cert, key):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


async def serve(args):
    loop = asyncio.get_running_loop()
    handler = LmtpDelivery(args.lmtp, args.users, args.rejects)
    authenticator = Authenticator(args.users)
    context = tls_context(args.cert, args.key)

    def factory(starttls_context):
        return lambda: SMTP(
            handler,
            hostname="smtp.test",
            enable_SMTPUTF8=True,
            tls_context=starttls_context,
            auth_required=True,
            auth_require_tls=False,
            authenticator=authenticator,
            loop=loop,
        )

    plain = await loop.create_server(factory(context), args.host, args.port, reuse_address=True)
    implicit = await loop.create_server(
        factory(None), args.host, args.tls_port, ssl=context, reuse_address=True
    )
    log.info("listening on %s:%d (STARTTLS) and %s:%d (TLS)", args.host, args.port, args.host, args.tls_port)
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    await stop
    plain.close()
    implicit.close()
    log.info("stopped")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("host", "cert", "key", "users", "lmtp", "rejects"):
        parser.add_argument("--" + name, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tls-port", type=int, required=True)
    args = parser.parse_args()
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    # AUTH over plaintext is deliberate here (loopback only): drop aiosmtpd's per-session nagging,
    # and its own deprecation notice that every AUTH triggers.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    noise = ("auth_require_tls == False", "login_data is deprecated")
    logging.getLogger("mail.log").addFilter(
        lambda record: not any(n in record.getMessage() for n in noise)
    )
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
