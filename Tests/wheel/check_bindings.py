"""Every symbol binding the dynamic linker made for the wheel's ELF files goes into the wheel.

usage: check_bindings.py POLICY SITE_PACKAGES PYTHON LD_DEBUG_FILE...

Reads LD_DEBUG=bindings output (with LD_BIND_NOW=1, so every relocation is bound at load, not
only the ones a run happens to call) of a Python process that imported growthbook_native, and
checks each "binding file A to B: ... symbol S" whose A is growthbook_native/libgrowthbook.so or
a library in growthbook_native.libs/: B must be a file of the wheel, or a system library the
manylinux policy POLICY allows a wheel to use (its lib_whitelist, read from the auditwheel that
repaired the wheel: libc, libm, libstdc++, libgcc_s, libz, ...), or the dynamic linker itself;
an extension module (*.cpython-*.so, *.abi3.so) may also bind the Python C API from the
interpreter PYTHON or its libpython, as every extension module does.
Run by auditwheel's venv python. Prints a summary line per library; exits 1 on a stray binding.
"""

import collections
import importlib.resources
import json
import os
import re
import sys

policy_name, site, python = sys.argv[1], os.path.realpath(sys.argv[2]), os.path.realpath(sys.argv[3])
policies = json.loads((importlib.resources.files("auditwheel.policy") / "manylinux-policy.json").read_text())
policy = next(p for p in policies if p["name"] == policy_name or policy_name in p["aliases"])
allowed = set(policy["lib_whitelist"]) | {"ld-linux-x86-64.so.2"}
wheel_dirs = (os.path.join(site, "growthbook_native"), os.path.join(site, "growthbook_native.libs"))

extension_re = re.compile(r".*\.(cpython-[^.]+|abi3)\.so$")
libpython_re = re.compile(r"libpython3[.0-9]*[a-z]*\.so(\.[0-9.]+)?$")
line_re = re.compile(r"binding file (\S+) \[\d+\] to (\S+) \[\d+\]: \S+ symbol `([^']+)'")


def in_wheel(path):
    return os.path.dirname(path) in wheel_dirs


def allowed_target(src, dst, dst_name):
    if in_wheel(dst) or dst_name in allowed:
        return True
    return bool(extension_re.match(src)) and (dst == python or bool(libpython_re.match(dst_name)))


targets = collections.defaultdict(collections.Counter)  # wheel file -> where its symbols bound
stray = []
seen = 0
for name in sys.argv[4:]:
    with open(name, errors="replace") as f:
        for line in f:
            m = line_re.search(line)
            if not m:
                continue
            src, dst, sym = os.path.realpath(m.group(1)), os.path.realpath(m.group(2)), m.group(3)
            if not in_wheel(src):
                continue
            seen += 1
            where = "wheel" if in_wheel(dst) else os.path.basename(m.group(2))
            targets[os.path.basename(src)][where] += 1
            if not allowed_target(src, dst, os.path.basename(m.group(2))):
                stray.append("%s: %s -> %s" % (os.path.basename(src), sym, dst))

if seen == 0 or "libgrowthbook.so" not in targets:
    print("FAIL: no bindings for libgrowthbook.so in the LD_DEBUG output")
    sys.exit(1)
for src in sorted(targets):
    print("bindings: %s -> %s" % (src, ", ".join("%s %d" % kv for kv in sorted(targets[src].items()))))
if stray:
    print("FAIL: %d bindings leave the wheel for a library %s does not allow:" % (len(stray), policy_name))
    print("\n".join(stray[:20]))
    sys.exit(1)
print("ok: all %d symbol bindings of the wheel's %d libraries go into the wheel or to libraries %s allows"
      % (seen, len(targets), policy_name))
