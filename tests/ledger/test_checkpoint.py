"""C2SP signed-note checkpoints: keys, signing, parsing and verification."""

from __future__ import annotations

import base64
from hashlib import sha256

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeshare.ledger.checkpoint import (
    SIGNATURE_PREFIX,
    CheckpointError,
    SignerKey,
    add_signature,
    checkpoint_body,
    generate_signing_key,
    key_hash,
    load_verifier_keys,
    parse_checkpoint,
    parse_signer_key,
    parse_verifier_key,
    sign_checkpoint,
    sign_note,
    signer_key_string,
    verifier_key,
    verifier_key_string,
    verify_checkpoint,
)

# Keys and a signed note from the documentation of golang.org/x/mod/sumdb/note.
GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_SIGNATURE = (
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
)

ORIGIN = "log.safeshare.example/ledger"
ROOT = sha256(b"root").digest()


@pytest.fixture(scope="module")
def signer() -> SignerKey:
    return SignerKey(ORIGIN, generate_signing_key())


def test_go_note_key_strings_parse_and_match() -> None:
    signer = parse_signer_key(GO_SIGNER)
    verifier = parse_verifier_key(GO_VERIFIER)
    assert str(signer) == GO_SIGNER
    assert str(verifier) == GO_VERIFIER
    assert str(signer.verifier) == GO_VERIFIER
    assert verifier.key_hash == 0xC74F20A3 == key_hash("PeterNeumann", verifier.public_key)
    assert signer_key_string("PeterNeumann", signer.private_key) == GO_SIGNER
    assert verifier_key_string("PeterNeumann", verifier.public_key) == GO_VERIFIER


def test_signing_reproduces_the_go_note_signature() -> None:
    signer = parse_signer_key(GO_SIGNER)
    expected = f"{GO_TEXT}\n{SIGNATURE_PREFIX}PeterNeumann {GO_SIGNATURE}\n"
    assert sign_note(GO_TEXT, signer.private_key, "PeterNeumann") == expected


def test_key_hash_is_sha256_of_name_newline_type_and_key(signer: SignerKey) -> None:
    public = base64.b64decode(str(signer.verifier).split("+", 2)[2])
    assert public[0] == 0x01
    assert len(public) == 33
    digest = sha256(ORIGIN.encode() + b"\n" + public).digest()
    assert signer.verifier.key_hash == int.from_bytes(digest[:4], "big")


def test_checkpoint_layout_follows_c2sp(signer: SignerKey) -> None:
    text = sign_checkpoint(ORIGIN, 42, ROOT, signer.private_key)
    body, signatures = text.split("\n\n")
    assert body == f"{ORIGIN}\n42\n{base64.b64encode(ROOT).decode()}"
    assert signatures.startswith(f"\u2014 {ORIGIN} ")
    assert signatures.endswith("\n")
    assert signatures.count("\n") == 1
    raw = base64.b64decode(signatures.split(" ")[2])
    assert raw[:4] == signer.verifier.key_hash.to_bytes(4, "big")
    assert len(raw) == 4 + 64


@given(size=st.integers(0, 2**64 - 1), root=st.binary(min_size=32, max_size=32))
def test_sign_parse_verify_round_trip(size: int, root: bytes) -> None:
    private_key = generate_signing_key()
    key = verifier_key(ORIGIN, private_key.public_key())
    text = sign_checkpoint(ORIGIN, size, root, private_key)
    parsed = parse_checkpoint(text)
    assert (parsed.origin, parsed.size, parsed.root) == (ORIGIN, size, root)
    verified = verify_checkpoint(text, [key])
    assert verified.verified_by == (key,)
    assert verify_checkpoint(text, [str(key)]).size == size


def test_extension_lines_are_signed_and_kept(signer: SignerKey) -> None:
    text = sign_checkpoint(ORIGIN, 7, ROOT, signer, extensions=["timestamp 1767225600"])
    checkpoint = verify_checkpoint(text, [signer.verifier])
    assert checkpoint.extensions == ("timestamp 1767225600",)
    forged = text.replace("timestamp 1767225600", "timestamp 1767225601")
    with pytest.raises(CheckpointError, match="does not verify"):
        verify_checkpoint(forged, [signer.verifier])


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("\n42\n", "\n43\n"),
        ("\n42\n", "\n4200\n"),
        (ORIGIN + "\n", "other.example/log\n"),
    ],
)
def test_altered_checkpoints_fail(signer: SignerKey, old: str, new: str) -> None:
    text = sign_checkpoint(ORIGIN, 42, ROOT, signer.private_key)
    with pytest.raises(CheckpointError, match=r"does not verify|no signature"):
        verify_checkpoint(text.replace(old, new, 1), [signer.verifier])


def test_altered_root_fails(signer: SignerKey) -> None:
    text = sign_checkpoint(ORIGIN, 42, ROOT, signer.private_key)
    other = base64.b64encode(sha256(b"other").digest()).decode()
    forged = text.replace(base64.b64encode(ROOT).decode(), other)
    with pytest.raises(CheckpointError, match="does not verify"):
        verify_checkpoint(forged, [signer.verifier])


def test_forged_signature_fails(signer: SignerKey) -> None:
    text = sign_checkpoint(ORIGIN, 42, ROOT, signer.private_key)
    signature_line = text.split("\n\n")[1]
    encoded = signature_line.split(" ")[2].strip()
    raw = bytearray(base64.b64decode(encoded))
    raw[10] ^= 0x01
    forged = text.replace(encoded, base64.b64encode(bytes(raw)).decode())
    with pytest.raises(CheckpointError, match="does not verify"):
        verify_checkpoint(forged, [signer.verifier])


def test_signature_by_another_key_is_not_trusted(signer: SignerKey) -> None:
    impostor = generate_signing_key()
    text = sign_checkpoint(ORIGIN, 42, ROOT, impostor)  # same name, different key
    with pytest.raises(CheckpointError, match="no signature from a trusted key"):
        verify_checkpoint(text, [signer.verifier])


def test_signature_claiming_a_trusted_key_hash_fails(signer: SignerKey) -> None:
    """An impostor's signature labelled with the trusted key's name and hash."""
    impostor = generate_signing_key()
    body = checkpoint_body(ORIGIN, 42, ROOT)
    raw = signer.verifier.key_hash.to_bytes(4, "big") + impostor.sign(body.encode())
    text = f"{body}\n{SIGNATURE_PREFIX}{ORIGIN} {base64.b64encode(raw).decode()}\n"
    with pytest.raises(CheckpointError, match="does not verify"):
        verify_checkpoint(text, [signer.verifier])


def test_origin_can_be_required(signer: SignerKey) -> None:
    text = sign_checkpoint(ORIGIN, 1, ROOT, signer.private_key)
    assert verify_checkpoint(text, [signer.verifier], origin=ORIGIN).origin == ORIGIN
    with pytest.raises(CheckpointError, match="origin"):
        verify_checkpoint(text, [signer.verifier], origin="other.example/log")


def test_key_rotation_keeps_old_checkpoints_verifiable(signer: SignerKey) -> None:
    new_key = generate_signing_key()
    new_verifier = verifier_key(ORIGIN, new_key.public_key())
    old_text = sign_checkpoint(ORIGIN, 10, ROOT, signer.private_key)
    new_text = sign_checkpoint(ORIGIN, 20, ROOT, new_key)
    both = [signer.verifier, new_verifier]
    assert verify_checkpoint(old_text, both).verified_by == (signer.verifier,)
    assert verify_checkpoint(new_text, both).verified_by == (new_verifier,)
    with pytest.raises(CheckpointError):
        verify_checkpoint(old_text, [new_verifier])
    # During a rotation the log can sign with both keys.
    cosigned = add_signature(old_text, new_key, ORIGIN)
    assert verify_checkpoint(cosigned, [new_verifier]).verified_by == (new_verifier,)
    assert len(verify_checkpoint(cosigned, both).verified_by) == 2


def test_unknown_signatures_such_as_witnesses_are_ignored(signer: SignerKey) -> None:
    text = sign_checkpoint(ORIGIN, 10, ROOT, signer.private_key)
    witnessed = add_signature(text, generate_signing_key(), "witness.example")
    checkpoint = verify_checkpoint(witnessed, [signer.verifier])
    assert [s.name for s in checkpoint.signatures] == [ORIGIN, "witness.example"]
    assert checkpoint.verified_by == (signer.verifier,)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "origin\n1\nAAAA\n",
        f"{ORIGIN}\n1\n{base64.b64encode(ROOT).decode()}\n\n",
        f"{ORIGIN}\n01\n{base64.b64encode(ROOT).decode()}\n\n— {ORIGIN} AAAAAAA=\n",
        f"{ORIGIN}\n-1\n{base64.b64encode(ROOT).decode()}\n\n— {ORIGIN} AAAAAAA=\n",
        f"{ORIGIN}\n{2**64}\n{base64.b64encode(ROOT).decode()}\n\n— {ORIGIN} AAAAAAA=\n",
        f"{ORIGIN}\n1\n{base64.b64encode(ROOT[:31]).decode()}\n\n— {ORIGIN} AAAAAAA=\n",
        f"{ORIGIN}\n1\nnot base64!\n\n— {ORIGIN} AAAAAAA=\n",
        f"{ORIGIN}\n1\n\n— {ORIGIN} AAAAAAA=\n",
        f"\n1\n{base64.b64encode(ROOT).decode()}\n\n— {ORIGIN} AAAAAAA=\n",
        f"{ORIGIN}\n1\n{base64.b64encode(ROOT).decode()}\n\n- {ORIGIN} AAAAAAA=\n",
        f"{ORIGIN}\n1\n{base64.b64encode(ROOT).decode()}\n\n— {ORIGIN} AAAAAAA=",
        f"{ORIGIN}\n1\n{base64.b64encode(ROOT).decode()}\n\n— {ORIGIN} AAAA\n",
        f"{ORIGIN}\n1\n{base64.b64encode(ROOT).decode()}\n\n— {ORIGIN}\n",
        f"{ORIGIN}\n1\n{base64.b64encode(ROOT).decode()}\n\n— na+me AAAAAAA=\n",
        f"{ORIGIN}\t\n1\n{base64.b64encode(ROOT).decode()}\n\n— {ORIGIN} AAAAAAA=\n",
        f"{ORIGIN}\n1\n{base64.b64encode(ROOT).decode()}\n\n\n— {ORIGIN} AAAAAAA=\n",
    ],
)
def test_malformed_notes_are_rejected(text: str) -> None:
    with pytest.raises(CheckpointError):
        parse_checkpoint(text)


def test_duplicate_signatures_are_rejected(signer: SignerKey) -> None:
    text = sign_checkpoint(ORIGIN, 1, ROOT, signer.private_key)
    line = text.split("\n\n")[1]
    with pytest.raises(CheckpointError, match="two signatures"):
        parse_checkpoint(text + line)


def test_checkpoint_body_refuses_bad_fields() -> None:
    with pytest.raises(CheckpointError, match="origin"):
        checkpoint_body("two\nlines", 1, ROOT)
    with pytest.raises(CheckpointError, match="size"):
        checkpoint_body(ORIGIN, -1, ROOT)
    with pytest.raises(CheckpointError, match="32 bytes"):
        checkpoint_body(ORIGIN, 1, ROOT[:16])
    with pytest.raises(CheckpointError, match="extension"):
        checkpoint_body(ORIGIN, 1, ROOT, [""])


@pytest.mark.parametrize(
    "text",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong hash
        "PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # bad base64
        "PeterNeumann+c74f20a3+AhpcQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # type 0x02
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_bad_verifier_keys_are_rejected(text: str) -> None:
    with pytest.raises(CheckpointError):
        parse_verifier_key(text)


def test_bad_signer_keys_are_rejected() -> None:
    with pytest.raises(CheckpointError, match="PRIVATE"):
        parse_signer_key(GO_SIGNER.replace("PRIVATE+KEY", "PUBLIC+KEY"))
    with pytest.raises(CheckpointError, match="does not match"):
        parse_signer_key(GO_SIGNER.replace("c74f20a3", "c74f20a4"))


def test_load_verifier_keys_skips_comments_and_blanks() -> None:
    keys = load_verifier_keys(f"# the log\n\n{GO_VERIFIER}\n  \n")
    assert [str(key) for key in keys] == [GO_VERIFIER]


@pytest.mark.parametrize(
    "bad",
    ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\r"],
    ids=["nul", "soh", "bell", "escape", "delete", "carriage-return"],
)
@pytest.mark.parametrize("where", ["origin", "extension", "signer-name", "signature-end"])
def test_control_characters_anywhere_in_a_note_are_refused(
    signer: SignerKey, bad: str, where: str
) -> None:
    """c2sp.org/signed-note: a note holds no control characters other than newline, whether
    in its text or in a signature line, even one by a key the verifier does not know."""
    text = sign_checkpoint(ORIGIN, 1, ROOT, signer.private_key, extensions=["ext"])
    if where == "origin":
        text = text.replace(ORIGIN, ORIGIN + bad, 1)
    elif where == "extension":
        text = text.replace("\next\n", f"\next{bad}\n", 1)
    elif where == "signer-name":
        text += f"— unknown{bad}name AAAAAAAA\n"
    else:
        text = text[:-1] + bad + "\n"
    with pytest.raises(CheckpointError):
        verify_checkpoint(text, [signer.verifier])
