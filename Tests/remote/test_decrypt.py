"""gb_decrypt against the spec fixtures' "decrypt" category, and against
payloads encrypted here."""

import json
import os

import pytest

import gbc
from conftest import FIXTURE_SUMMARY
from server import encrypt, new_key

FIXTURES = os.path.join(gbc.REPO, "Tests", "fixtures")


@pytest.mark.parametrize("filename", ["cases-0.5.4.json", "cases-latest.json", "cases-0.8.0.json"])
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


def _encrypt_unpadded(data, key_b64):
    """AES-128-CBC of data (a multiple of 16 bytes) with no padding added: what it decrypts
    to ends in whatever data ends in (0x00: invalid PKCS#7 padding)."""
    import base64
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    iv = os.urandom(16)
    enc = Cipher(algorithms.AES(base64.b64decode(key_b64)), modes.CBC(iv)).encryptor()
    ct = enc.update(data) + enc.finalize()
    return base64.b64encode(iv).decode() + "." + base64.b64encode(ct).decode()


def test_decrypt_rejects_embedded_nul():
    """A plain text with a NUL byte cannot be returned as a C string: it was silently cut at
    the NUL ("ab"); now it is an error (issue 12)."""
    key = new_key()
    assert gbc.decrypt(encrypt(b"ab\x00cd", key), key) is None
    assert gbc.last_error_code() == gbc.GB_ERR_DECRYPT
    assert gbc.decrypt(encrypt(b"\x00", key), key) is None
    assert gbc.last_error_code() == gbc.GB_ERR_DECRYPT


def test_every_decryption_failure_gives_one_message(server, client_key, handles):
    """Bad padding, a plain text that is not UTF-8, one with a NUL, one that is not JSON or not
    an object: one message for all, so errors do not tell an attacker how far a forged
    ciphertext got (a padding oracle; issue 12)."""
    key = new_key()
    forged = {
        "bad padding": _encrypt_unpadded(b"x" * 15 + b"\x00", key),
        "not UTF-8": encrypt(b"\xff\xfe", key),
        "NUL": encrypt(b"{}\x00", key),
    }
    messages = {}
    for name, enc in forged.items():
        assert gbc.decrypt(enc, key) is None, name
        assert gbc.last_error_code() == gbc.GB_ERR_DECRYPT, name
        messages[name] = gbc.last_error()
    assert len(set(messages.values())) == 1, messages

    # Through a load: the encrypted features decrypt to garbage of each kind.
    load_messages = {}
    for name, enc in dict(forged, **{"not JSON": encrypt("not json", key),
                                     "not an object": encrypt("[1]", key)}).items():
        k = "%s-%d" % (client_key, len(load_messages))
        server.set_payload(k, {"encryptedFeatures": enc})
        h = handles({"apiHost": server.url, "clientKey": k, "decryptionKey": key})
        assert gbc.load(h) == gbc.GB_ERR_DECRYPT, name
        load_messages[name] = gbc.last_error()
    assert len(set(load_messages.values())) == 1, load_messages


_PEAK_SCRIPT = r"""
import ctypes, os, sys
lib = ctypes.CDLL(os.environ["GB_LIBRARY"])
lib.gb_decrypt.restype = ctypes.c_void_p
lib.gb_decrypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
lib.gb_string_free.argtypes = [ctypes.c_void_p]
with open(sys.argv[1], "rb") as f:
    enc = f.read()
key = sys.argv[2].encode()
lib.gb_string_free(lib.gb_decrypt(b"AAAAAAAAAAAAAAAAAAAAAA==.AAAAAAAAAAAAAAAAAAAAAA==", key))  # warm up
with open("/proc/self/statm") as f:
    base = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
r = lib.gb_decrypt(enc, key)
# VmHWM: this process's peak resident size (ru_maxrss would carry the parent's over exec).
with open("/proc/self/status") as f:
    peak = [int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM:")][0]
print(peak - base if r else -1)
"""


def test_decrypt_peak_memory(tmp_path):
    """gb_decrypt of a 16 MiB plain text grows the process's peak by at most 3x the plain text
    (it was 5x: the text, its halves, the base64 digits, the ciphertext, the plain text, a
    String and the C string were all alive at once; issue 12). Measured in a fresh process."""
    import subprocess
    import sys
    size = 16 * 1024 * 1024
    key = new_key()
    path = tmp_path / "payload.enc"
    path.write_bytes(encrypt(b'"' + b"a" * (size - 2) + b'"', key).encode())
    out = subprocess.run([sys.executable, "-c", _PEAK_SCRIPT, str(path), key], capture_output=True,
                         text=True, timeout=60, env=dict(os.environ, GB_LIBRARY=gbc.LIBRARY))
    assert out.returncode == 0, out.stderr
    growth = int(out.stdout.strip())
    assert growth > 0, "gb_decrypt failed in the subprocess"
    assert growth <= 3 * size, "peak grew by %.2fx the plain text" % (growth / size)
