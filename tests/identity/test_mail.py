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
