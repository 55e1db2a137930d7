"""gb_decrypt against the spec fixtures' "decrypt" category, and against
payloads encrypted here."""

import json
import os

import pytest

import gbc
from conftest import FIXTURE_SUMMARY
from server import encrypt, new_key

FIXTURES = os.path.join(gbc.REPO, "Tests", "fixtures")


@pytest.mark.parametrize("filename", ["cases-0.5.4.json", "cases-latest.json"])
def test_decrypt_fixtures(filename):
    with open(os.path.join(FIXTURES, filename), encoding="utf-8") as f:
        cases = json.load(f)["decrypt"]
    assert cases, "no decrypt cases in %s" % filename
    passed, failures = 0, []
    for name, encrypted, key, expected in cases:
        got = gbc.decrypt(encrypted, key)
        if expected is None:
            code = gbc.last_error_code() if got is None else None
            msg = gbc.last_error() if got is None else None
            if got is None and code in (gbc.GB_ERR_DECRYPT, gbc.GB_ERR_INVALID_ARGUMENT) and msg:
                passed += 1
            else:
                failures.append("%s: expected an error, got %r (code %r, message %r)"
                                % (name, got, code, msg))
        else:
            if got == expected:
                passed += 1
            else:
                code = gbc.last_error_code() if got is None else None
                failures.append("%s: expected %r, got %r (code %r)" % (name, expected, got, code))
    line = "[fixtures] %s decrypt: %d passed, %d failed" % (filename, passed, len(failures))
    print(line)
    FIXTURE_SUMMARY.append(line)
    assert not failures, "\n".join(failures)


def test_decrypt_roundtrip():
    key = new_key()
    for text in ["", "x", "a" * 15, "b" * 16, "c" * 17, json.dumps({"f": {"defaultValue": "é€😀"}})]:
        assert gbc.decrypt(encrypt(text, key), key) == text


def test_decrypt_wrong_key():
    enc = encrypt(json.dumps({"f": {"defaultValue": 1}}), new_key())
    # A wrong key almost always breaks the PKCS#7 padding; with a tiny chance
    # the padding happens to be valid, but then the text is garbage that is
    # very unlikely to be UTF-8. Try several keys: none may give the text.
    for _ in range(5):
        got = gbc.decrypt(enc, new_key())
        if got is None:
            assert gbc.last_error_code() == gbc.GB_ERR_DECRYPT
            assert gbc.last_error()
        else:
            assert got != json.dumps({"f": {"defaultValue": 1}})


def test_decrypt_null_arguments():
    key = new_key()
    enc = encrypt("hello", key)
    assert gbc.decrypt_raw(None, key.encode()) is None
    assert gbc.last_error_code() == gbc.GB_ERR_INVALID_ARGUMENT
    assert gbc.last_error()
    assert gbc.decrypt_raw(enc.encode(), None) is None
    assert gbc.last_error_code() == gbc.GB_ERR_INVALID_ARGUMENT


def test_decrypt_not_utf8():
    key = new_key()
    enc = encrypt(b"\xff\xfe not utf-8 \xc0\x80", key)
    assert gbc.decrypt(enc, key) is None
    assert gbc.last_error_code() == gbc.GB_ERR_DECRYPT
    assert gbc.last_error()
