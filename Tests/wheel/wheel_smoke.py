"""Run inside the bare venv the repaired wheel is installed in (Tests/wheel/check_wheel.sh).

Imports growthbook_native, evaluates through each library the wheel grafts (PCRE2 8- and 16-bit
for regex conditions, libcrypto for decryption; libcurl is loaded with the library), then reads
/proc/self/maps: every one of those libraries must be mapped from the wheel's
growthbook_native.libs/, and libcurl and PCRE2 from nowhere else. Prints one line per check;
exits non-zero on the first failure.
"""

import os
import re
import sys

import growthbook_native as g
from growthbook_native import _lib

package = os.path.dirname(os.path.realpath(g.__file__))
libs_dir = os.path.realpath(os.path.join(package, "..", "growthbook_native.libs"))


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        sys.exit(1)


loaded = os.path.realpath(_lib.lib._name)
check(loaded == os.path.join(package, "libgrowthbook.so"),
      "libgrowthbook.so loaded from the package directory (%s)" % loaded)

gb = g.GrowthBook(features={"f": {"defaultValue": True}})
check(gb.is_on("f") is True, "evaluates a feature")

regex = {
    "r": {"defaultValue": "no", "rules": [{"condition": {"name": {"$regex": "^a+b$"}}, "force": "yes"}]}
}
gb8 = g.GrowthBook(features=regex, attributes={"name": "aaab"})
check(gb8.get_feature_value("r", "?") == "yes", "a regex condition matches (libpcre2-8)")
# Under js semantics a subject outside the BMP is matched as UTF-16 code units (libpcre2-16):
# U+1F600 is two of them, so two dots match it, as in a RegExp without the u flag.
astral = {"r": {"defaultValue": "no", "rules": [
    {"condition": {"name": {"$regex": "^..x$"}}, "force": "yes"}]}}
gb16 = g.GrowthBook(features=astral, attributes={"name": "\U0001F600x"}, semantics="js")
check(gb16.get_feature_value("r", "?") == "yes", "a regex on a non-BMP subject matches (libpcre2-16)")

# Spec 0.8.0's first decrypt case.
plain = g.decrypt("m5ylFM6ndyOJA2OPadubkw==.Uu7ViqgKEt/dWvCyhI46q088PkAEJbnXKf3KPZjf9IEQQ+A8fojNoxw4wIbPX3aj",
                  "Zvwv/+uhpFDznZ6SX28Yjg==")
check(plain == '{"feature":{"defaultValue":true}}', "decrypts an encrypted payload (libcrypto)")

maps = {}
with open("/proc/self/maps") as f:
    for line in f:
        parts = line.split(None, 5)
        if len(parts) == 6 and parts[5].startswith("/"):
            path = parts[5].strip()
            maps.setdefault(os.path.basename(path), set()).add(os.path.realpath(path))

for stem, exclusive in (("libcurl", True), ("libpcre2-8", True), ("libpcre2-16", True),
                        ("libcrypto", False), ("libssl", False)):
    pattern = re.compile(re.escape(stem) + r"(-[0-9a-f]{8})?\.so")
    paths = sorted(p for name, ps in maps.items() if pattern.match(name) for p in ps)
    inside = [p for p in paths if os.path.dirname(p) == libs_dir]
    outside = [p for p in paths if os.path.dirname(p) != libs_dir]
    check(len(inside) == 1, "%s mapped from growthbook_native.libs: %s" % (stem, ", ".join(inside) or "none"))
    if exclusive:
        check(not outside, "%s not mapped from anywhere else%s" % (stem, (": " + ", ".join(outside)) if outside else ""))
    elif outside:
        # Python's own ssl/hashlib modules load the system OpenSSL; libgrowthbook.so does not
        # bind to it (check_wheel.sh checks every binding with LD_DEBUG=bindings).
        print("note: %s also mapped for Python itself: %s" % (stem, ", ".join(outside)))

print("wheel check: growthbook_native", g.__version__, "loads", loaded)
