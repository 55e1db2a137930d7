#!/usr/bin/env bash
# check_wheel.sh -- the repaired wheel (make python-wheel) is a manylinux wheel that carries what
# it needs:
#
#   1. one wheel, growthbook_native-*-manylinux_X_Y_x86_64.whl, and `auditwheel show` reports
#      that tag (a manylinux policy, not linux_x86_64); its size is printed;
#   2. inside it: growthbook_native/libgrowthbook.so where _lib._find_library looks, and
#      libcurl, libcrypto, libssl and both PCRE2 libraries grafted into growthbook_native.libs/,
#      which libgrowthbook.so NEEDs by their new names through an $ORIGIN RPATH; no ELF file in
#      it needs the Swift runtime or points at the toolchain;
#   3. installed with no index into a bare venv (no system site-packages) and run with an empty
#      environment (env -i PATH=/usr/bin:/bin: no Swift, no LD_LIBRARY_PATH), it imports and
#      evaluates, and /proc/self/maps shows those libraries mapped from growthbook_native.libs
#      (Tests/wheel/wheel_smoke.py);
#   4. LD_BIND_NOW=1 LD_DEBUG=bindings: every symbol the dynamic linker binds for the wheel's
#      libraries resolves into the wheel or into a system library the policy allows
#      (Tests/wheel/check_bindings.py).
#
# usage: check_wheel.sh WHEELS_DIR AUDITWHEEL_VENV TEST_VENV   (run from the repository root:
# make python-wheel-check does). Prints "N passed, N failed".
set -uo pipefail

wheels=$(realpath -m "$1")
tools=$(realpath -m "$2")
venv=$(realpath -m "$3")
root=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/growthbook-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
summary() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]; }
stop() { bad "$*"; summary; exit 1; }

echo "== the wheel"
shopt -s nullglob
found=("$wheels"/*.whl)
[ "${#found[@]}" -eq 1 ] || stop "expected one wheel in $wheels, found ${#found[@]}: ${found[*]}"
whl=${found[0]}
name=$(basename "$whl")
if [[ $name =~ ^growthbook_native-[^-]+-[^-]+-[^-]+-(manylinux_[0-9]+_[0-9]+_x86_64)\.whl$ ]]; then
    file_tag=${BASH_REMATCH[1]}
    ok "$name is tagged $file_tag"
else
    stop "$name is not tagged manylinux_X_Y_x86_64"
fi
show=$("$tools/bin/auditwheel" show "$whl" 2>&1)
shown_tag=$(printf '%s\n' "$show" | tr '\n' ' ' | grep -oE 'following platform tag: *"[^"]+"' | head -n 1 |
    grep -oE '"[^"]+"' | tr -d '"')
if [[ $shown_tag == manylinux_* ]] && [ "$shown_tag" = "$file_tag" ]; then
    ok "auditwheel show: consistent with $shown_tag"
else
    printf '%s\n' "$show" >&2
    bad "auditwheel show reports '${shown_tag:-nothing}', not the wheel's $file_tag"
fi
size=$(stat -c %s "$whl")
echo "wheel size: $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.1f MB", s / 1e6 }'))"

echo "== what the wheel holds"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$whl" "$work/unpacked"
pkg=$work/unpacked/growthbook_native
libs=$work/unpacked/growthbook_native.libs
if [ -f "$pkg/libgrowthbook.so" ]; then ok "growthbook_native/libgrowthbook.so (where _find_library looks)"
else bad "no growthbook_native/libgrowthbook.so"; fi
needed=$(readelf -d "$pkg/libgrowthbook.so" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
rpath=$(readelf -d "$pkg/libgrowthbook.so" 2>/dev/null | sed -n 's/.*(R\(UN\)\{0,1\}PATH).*\[\(.*\)\]/\2/p')
case ":$rpath:" in
    *':$ORIGIN/../growthbook_native.libs:'*) ok "libgrowthbook.so RPATH $rpath" ;;
    *) bad "libgrowthbook.so RPATH is '$rpath', not \$ORIGIN/../growthbook_native.libs" ;;
esac
for stem in libcurl libcrypto libssl libpcre2-8 libpcre2-16; do
    grafted=("$libs/$stem"-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f].so*)
    if [ "${#grafted[@]}" -eq 1 ]; then ok "grafted $(basename "${grafted[0]}")"
    else bad "growthbook_native.libs has ${#grafted[@]} files for $stem"; fi
done
for lib in $needed; do
    case $lib in
        libcurl*|libcrypto*|libssl*|libpcre2*)
            if [ -f "$libs/$lib" ]; then ok "libgrowthbook.so needs $lib, in the wheel"
            else bad "libgrowthbook.so needs $lib, not in growthbook_native.libs"; fi ;;
    esac
done
swift=0
while IFS= read -r -d '' elf; do
    if readelf -d "$elf" 2>/dev/null | grep -E 'libswift|/opt/swift|\.build/' >&2; then
        bad "$(basename "$elf") needs the Swift toolchain"; swift=1
    fi
done < <(find "$work/unpacked" -name '*.so*' -type f -print0)
[ "$swift" -eq 0 ] && ok "no ELF file in the wheel needs the Swift runtime or points at the toolchain"

echo "== installed into a bare venv, run with env -i PATH=/usr/bin:/bin"
rm -rf "$venv"
python3 -m venv "$venv" || stop "python3 -m venv $venv"
grep -qx 'include-system-site-packages = false' "$venv/pyvenv.cfg" && ok "the venv has no system site-packages"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --no-index --no-deps "$whl" ||
    stop "pip install $name"
site=$(env -i PATH=/usr/bin:/bin "$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
[ -f "$site/growthbook_native/libgrowthbook.so" ] || stop "not installed: $site/growthbook_native/libgrowthbook.so"
deps=$(env -i PATH=/usr/bin:/bin ldd "$site/growthbook_native/libgrowthbook.so")
if printf '%s\n' "$deps" | grep -E 'not found|/opt/swift|libswift' >&2; then
    bad "ldd: libgrowthbook.so as installed misses a library or needs Swift"
else
    ok "ldd: every library found, none from the Swift toolchain"
fi
if (cd /tmp && env -i PATH=/usr/bin:/bin HOME=/tmp "$venv/bin/python" "$root/Tests/wheel/wheel_smoke.py"); then
    ok "imports and evaluates with the grafted libraries (wheel_smoke.py)"
else
    bad "wheel_smoke.py"
fi

echo "== symbol bindings (LD_BIND_NOW=1 LD_DEBUG=bindings)"
# Imports every extension module the package holds too (none yet; a C extension may come).
(cd /tmp && env -i PATH=/usr/bin:/bin HOME=/tmp LD_BIND_NOW=1 LD_DEBUG=bindings LD_DEBUG_OUTPUT="$work/ld" \
    "$venv/bin/python" -c '
import importlib, importlib.machinery, os, growthbook_native as g
assert g.GrowthBook(features={"f": {"defaultValue": 1}}).is_on("f")
for f in sorted(os.listdir(os.path.dirname(g.__file__))):
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        if f.endswith(suffix):
            importlib.import_module("growthbook_native." + f[: -len(suffix)])
            print("imported extension module", f)
            break
')
if "$tools/bin/python" "$root/Tests/wheel/check_bindings.py" "${file_tag%_x86_64}" "$site" "$venv/bin/python" "$work"/ld.*; then
    ok "bindings stay inside the wheel or the policy's system libraries"
else
    bad "check_bindings.py"
fi

summary
