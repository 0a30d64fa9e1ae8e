"""The mail sender writes .eml files to the outbox when no SMTP host is configured."""

from __future__ import annotations

from assistant import mail


def test_send_writes_to_the_outbox_and_outbox_reads_newest_first(tmp_path, monkeypatch):
    from assistant.settings import get_settings

    monkeypatch.setattr(type(get_settings()), "outbox_dir", property(lambda self: tmp_path / "outbox"))
    mail.send(to="a@example.com", subject="First", body="one")
    mail.send(to="b@example.com", subject="Second", body="two")
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2 and all(oct(f.stat().st_mode)[-3:] == "600" for f in files)
    assert [m["Subject"] for m in mail.outbox(limit=5)] == ["Second", "First"]
    only = mail.outbox(limit=5, to="A@example.com")
    assert [(m["Subject"], m.get_content().strip()) for m in only] == [("First", "one")]


def test_send_uses_smtp_when_a_host_is_configured(monkeypatch):
    """A local SMTP server (aiosmtpd-free: a socket server that records the DATA) receives the message."""
    import socketserver
    import threading

    received = []

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            self.wfile.write(b"220 test ESMTP\r\n")
            data = False
            for raw in self.rfile:
                line = raw.decode().rstrip("\r\n")
                if data:
                    if line == ".":
                        data = False
                        self.wfile.write(b"250 ok\r\n")
                    else:
                        received.append(line)
                    continue
                verb = line.split(" ")[0].upper()
                if verb == "EHLO":
                    self.wfile.write(b"250 test\r\n")
                elif verb == "DATA":
                    data = True
                    self.wfile.write(b"354 go\r\n")
                elif verb == "QUIT":
                    self.wfile.write(b"221 bye\r\n")
                    return
                else:
                    self.wfile.write(b"250 ok\r\n")

    server = socketserver.TCPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    from assistant.settings import get_settings

    settings = get_settings()
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", server.server_address[1])
    try:
        mail.send(to="c@example.com", subject="Over SMTP", body="hello")
    finally:
        server.shutdown()
        server.server_close()
    assert "Subject: Over SMTP" in received and "hello" in received
