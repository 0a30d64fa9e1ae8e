"""Mail goes over verified TLS: a server with an untrusted certificate gets nothing, and without STARTTLS
no password or one-time code is sent (a tiny real SMTP server on loopback records every command)."""

from __future__ import annotations

import socketserver
import ssl
import subprocess
import threading

import pytest

from assistant import mail
from assistant.settings import get_settings


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *, tls_context: ssl.SSLContext | None):
        self.tls_context, self.commands = tls_context, []
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        data = False
        while raw := self.rfile.readline():
            line = raw.decode(errors="replace").rstrip("\r\n")
            if data:
                data = line != "."
                if not data:
                    self.wfile.write(b"250 ok\r\n")
                continue
            verb = line.split(" ")[0].upper()
            self.server.commands.append(verb)
            if verb == "EHLO":
                extensions = b"250-test\r\n250-AUTH PLAIN\r\n" + (b"250 STARTTLS\r\n" if self.server.tls_context else b"250 SIZE 1000000\r\n")
                self.wfile.write(extensions)
            elif verb == "STARTTLS":
                self.wfile.write(b"220 go ahead\r\n")
                self.wfile.flush()
                try:
                    tls = self.server.tls_context.wrap_socket(self.connection, server_side=True)
                except (ssl.SSLError, OSError):
                    return  # the client refused our certificate
                self.rfile, self.wfile = tls.makefile("rb"), tls.makefile("wb", buffering=0)
            elif verb == "DATA":
                data = True
                self.wfile.write(b"354 go\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"235 ok\r\n" if verb == "AUTH" else b"250 ok\r\n")


def _self_signed(tmp_path) -> ssl.SSLContext:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


@pytest.fixture
def smtp_server(monkeypatch):
    servers = []

    def start(tls_context=None, user=""):
        server = _Server(tls_context=tls_context)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        settings = get_settings()
        monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
        monkeypatch.setattr(settings, "smtp_port", server.server_address[1])
        monkeypatch.setattr(settings, "smtp_user", user)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_an_untrusted_certificate_gets_no_credentials_and_no_mail(smtp_server, tmp_path):
    server = smtp_server(_self_signed(tmp_path), user="mailer")
    with pytest.raises(ssl.SSLCertVerificationError):
        mail.send(to="c@example.com", subject="Your code", body="123456")
    assert "STARTTLS" in server.commands
    assert "AUTH" not in server.commands and "DATA" not in server.commands


def test_no_starttls_means_no_password_is_sent(smtp_server):
    server = smtp_server(None, user="mailer")
    with pytest.raises(mail.MailSecurityError, match="offers no STARTTLS"):
        mail.send(to="c@example.com", subject="Your code", body="123456")
    assert server.commands[0] == "EHLO" and "AUTH" not in server.commands and "DATA" not in server.commands


def test_a_remote_server_without_starttls_gets_no_mail(smtp_server, monkeypatch):
    smtp_server(None)
    monkeypatch.setattr(mail, "is_loopback", lambda host: False)  # as if 127.0.0.1 were another machine
    with pytest.raises(mail.MailSecurityError):
        mail.send(to="c@example.com", subject="Your code", body="123456")


def test_a_local_relay_without_a_password_still_works(smtp_server):
    server = smtp_server(None)
    mail.send(to="c@example.com", subject="Hello", body="hi")
    assert "DATA" in server.commands and "AUTH" not in server.commands
