"""Signed checkpoints: made with a key only the OS keyring keeps, checked with the public key
alone (by us, by OpenSSL, by the README's snippet), and refused when forged."""

import base64
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.cli_run import run
from tests.conftest import PASSPHRASE

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture
def ledger(services, database_url):
    for n in range(7):
        services.accounts.add_operator(f"op{n}", f"Op {n}", PASSPHRASE)
    return database_url


@pytest.fixture
def key(memory_keyring, tmp_path):
    made = run("audit", "key", "create")
    assert made.exit_code == 0, made.output
    public = tmp_path / "ledger.pub"
    public.write_text(made.stdout)
    [(_, kept)] = memory_keyring.entries.items()
    return public, kept


def _signed(ledger, tmp_path):
    signed = run("audit", "checkpoint", "--sign", "--db", ledger)
    assert signed.exit_code == 0, signed.output
    path = tmp_path / "checkpoint.txt"
    path.write_text(signed.stdout)
    return signed.stdout.strip(), path


def _sql(url, *statements):
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def test_a_signed_checkpoint_verifies_with_the_public_key_alone(ledger, key, tmp_path):
    public, _ = key
    line, path = _signed(ledger, tmp_path)
    assert re.fullmatch(r"7:[0-9a-f]{64} sig=[A-Za-z0-9+/]{86}== key=[0-9a-f]{16}", line)
    fingerprint = line.rsplit("key=", 1)[1]
    for given in (["--checkpoint", line], ["--checkpoint", str(path)]):
        checked = run("audit", "verify", *given, "--public-key", str(public), "--db", ledger)
        assert checked.exit_code == 0, checked.output
        assert checked.stdout.endswith(
            f"; checkpoint at event 7 matches, signed with key {fingerprint}\n"
        )
    # Without --public-key, the keyring's own key checks it.
    assert run("audit", "verify", "--checkpoint", line, "--db", ledger).exit_code == 0


@pytest.mark.parametrize("forge", ["events", "hash", "signature"])
def test_a_forged_signed_checkpoint_is_refused_clearly(ledger, key, tmp_path, forge):
    public, _ = key
    line, _ = _signed(ledger, tmp_path)
    mark, sig, fingerprint = line.split()
    events, head = mark.split(":")
    if forge == "events":
        mark = f"6:{head}"
    elif forge == "hash":
        mark = f"{events}:{'0' * 64}"
    else:
        raw = bytearray(base64.b64decode(sig.removeprefix("sig=")))
        raw[0] ^= 1
        sig = "sig=" + base64.b64encode(bytes(raw)).decode()
    forged = f"{mark} {sig} {fingerprint}"
    checked = run(
        "audit", "verify", "--checkpoint", forged, "--public-key", str(public), "--db", ledger
    )
    assert checked.exit_code == 2
    at = mark.split(":")[0]
    assert checked.stderr == (
        f"cmconsole: the signature of the checkpoint at event {at} does not verify with key "
        f"{fingerprint.removeprefix('key=')}: the checkpoint was altered or not signed by that "
        "key\n"
    )


def test_a_checkpoint_signed_by_another_key_is_refused(ledger, key, tmp_path, memory_keyring):
    line, _ = _signed(ledger, tmp_path)
    memory_keyring.entries.clear()
    other = run("audit", "key", "create")
    other_public = tmp_path / "other.pub"
    other_public.write_text(other.stdout)
    checked = run(
        "audit", "verify", "--checkpoint", line, "--public-key", str(other_public), "--db", ledger
    )
    assert checked.exit_code == 2
    assert "was signed with key" in checked.stderr and "not with this public key" in checked.stderr


def test_an_edit_before_a_signed_checkpoint_is_named_at_the_edited_event(ledger, key, tmp_path):
    public, _ = key
    line, _ = _signed(ledger, tmp_path)
    if ledger.startswith("sqlite"):
        _sql(ledger, "DROP TRIGGER audit_event_no_update")
    else:
        _sql(ledger, "DROP TRIGGER audit_event_no_change ON audit_event")
    _sql(ledger, "UPDATE audit_event SET subject = 'forged' WHERE seq = 3")
    checked = run(
        "audit", "verify", "--checkpoint", line, "--public-key", str(public), "--db", ledger
    )
    assert checked.exit_code == 1
    assert checked.stderr == "audit broken at event 3: its content does not match its hash\n"


def test_an_edited_row_before_a_signed_checkpoint_is_named_at_its_row(ledger, key, tmp_path):
    public, _ = key
    line, _ = _signed(ledger, tmp_path)
    _sql(ledger, "UPDATE operator SET display_name = 'Someone Else' WHERE id = 2")
    checked = run(
        "audit", "verify", "--checkpoint", line, "--public-key", str(public), "--db", ledger
    )
    assert checked.exit_code == 1
    assert checked.stderr == (
        "content tampered: table operator, row 2: display_name no longer matches what event 2 "
        "recorded\n"
    )


def test_the_private_key_reaches_neither_the_screen_nor_the_workspace(ledger, key, tmp_path):
    _, kept = key
    private_hex = re.search(r"[0-9a-f]{64}", kept).group()
    outputs = [
        run("audit", "key", "show"),
        run("audit", "checkpoint", "--sign", "--db", ledger),
        run("audit", "key", "create"),  # refused: one exists already
    ]
    assert outputs[2].exit_code == 1 and "already keeps" in outputs[2].stderr
    raw = bytes.fromhex(private_hex)
    secret_forms = [private_hex, base64.b64encode(raw).decode(), private_hex.upper()]
    for result in outputs:
        for form in secret_forms:
            assert form not in result.output
    if ledger.startswith("sqlite"):
        stored = Path(ledger.removeprefix("sqlite:///")).read_bytes()
        assert raw not in stored and private_hex.encode() not in stored


def test_signing_without_a_key_says_how_to_make_one(ledger, memory_keyring):
    result = run("audit", "checkpoint", "--sign", "--db", ledger)
    assert result.exit_code == 1
    assert "cmconsole audit key create" in result.stderr and "Traceback" not in result.output


def _snippet():
    readme = README.read_text()
    block = re.search(r"<!-- checkpoint-snippet -->\n\s*```python\n(.*?)```", readme, re.DOTALL)
    assert block is not None
    return "\n".join(line.removeprefix("  ") for line in block.group(1).splitlines())


def test_the_readme_snippet_checks_a_checkpoint_without_cmconsole(ledger, key, tmp_path):
    public, _ = key
    line, path = _signed(ledger, tmp_path)
    script = tmp_path / "check.py"
    script.write_text(_snippet())
    lines = script.read_text().splitlines()
    assert len(lines) <= 5 and not any("cmconsole" in line for line in lines)
    # Run apart from our code: no cmconsole on its path.
    ok = subprocess.run(
        [sys.executable, "-I", str(script), str(path), str(public)],
        capture_output=True,
        cwd=tmp_path,
    )
    assert ok.returncode == 0, ok.stderr
    events, rest = line.split(":", 1)
    (tmp_path / "forged.txt").write_text(f"{int(events) + 1}:{rest}")
    bad = subprocess.run(
        [sys.executable, "-I", str(script), str(tmp_path / "forged.txt"), str(public)],
        capture_output=True,
        cwd=tmp_path,
    )
    assert bad.returncode != 0 and b"InvalidSignature" in bad.stderr


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl here")
def test_openssl_checks_a_checkpoint_as_the_readme_says(ledger, key, tmp_path):
    public, _ = key
    line, _ = _signed(ledger, tmp_path)
    mark, sig, _ = line.split()
    (tmp_path / "message").write_text(mark)
    (tmp_path / "signature").write_bytes(base64.b64decode(sig.removeprefix("sig=")))
    command = [
        "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(public), "-rawin",
        "-in", "message", "-sigfile", "signature",
    ]  # fmt: skip
    assert subprocess.run(command, cwd=tmp_path, capture_output=True).returncode == 0
    (tmp_path / "message").write_text(mark.replace(":", ":0", 1)[:-1])
    assert subprocess.run(command, cwd=tmp_path, capture_output=True).returncode != 0


def test_the_private_key_is_redacted_from_logs_once_loaded(ledger, key):
    from cmconsole import logs

    _, kept = key
    private_hex = re.search(r"[0-9a-f]{64}", kept).group()
    assert run("audit", "checkpoint", "--sign", "--db", ledger).exit_code == 0
    assert private_hex not in logs.redact(f"debug: key={private_hex}")


def test_a_damaged_key_is_named_without_showing_it(ledger, memory_keyring):
    damaged = "ab" * 31  # one byte short
    memory_keyring.entries[("cmconsole", "ledger-signing-key")] = (
        '{"private_key": "' + damaged + '"}'
    )
    result = run("audit", "checkpoint", "--sign", "--db", ledger)
    assert result.exit_code == 1
    assert result.stderr == "cmconsole: the audit signing key in the OS keyring is damaged\n"
    assert damaged not in result.output
