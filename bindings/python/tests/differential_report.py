#!/usr/bin/env python3
"""The differential report against growthbook 1.1.0, without pytest.

    GROWTHBOOK_REFERENCE_PYTHON=/path/to/python-with-growthbook-1.1.0 \\
        python3 bindings/python/tests/differential_report.py --lib build/lib/libgrowthbook.so

prints, per kind and shape, how many cases match the reference, with examples of the
mismatches. --semantics python-1.1.0 (the default), js, or default (no "semantics" option
sent). The binding is this checkout's bindings/python (not an installed growthbook_native);
--lib sets GROWTHBOOK_NATIVE_LIBRARY for it. Without GROWTHBOOK_REFERENCE_PYTHON a venv with
growthbook==1.1.0 is made in a temporary directory (needs PyPI).

Exit status: 1 when a case mismatches in a shape that test_differential.py asserts for the
profile (for python-1.1.0: a shape not in PENDING_PYTHON_1_1_0), else 0. Shapes listed as
pending that now match entirely are named at the end (they can leave the set)."""

import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BINDINGS = os.path.dirname(HERE)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lib", help="libgrowthbook.so to load (sets GROWTHBOOK_NATIVE_LIBRARY)")
    ap.add_argument("--semantics", default="python-1.1.0",
                    help='python-1.1.0 (default), js, or "default" for no semantics option')
    ap.add_argument("--examples", type=int, default=2, help="examples per mismatching shape (default 2)")
    ap.add_argument("--width", type=int, default=900, help="cut examples at this many characters (0: never)")
    ap.add_argument("--shape", action="append", help="only shapes containing this text (repeatable)")
    ap.add_argument("--kind", action="append", help="only these kinds (feature, condition, evalCondition, run, "
                                                    "scenario, sticky, helper; repeatable)")
    ap.add_argument("--mismatches", action="store_true", help="list only shapes with mismatches")
    ap.add_argument("--no-examples", action="store_true")
    args = ap.parse_args(argv)

    if args.lib:
        os.environ["GROWTHBOOK_NATIVE_LIBRARY"] = os.path.abspath(args.lib)
    sys.path.insert(0, BINDINGS)  # this checkout's binding, ahead of an installed one
    sys.path.insert(0, HERE)
    import logging

    logging.getLogger("growthbook").setLevel(logging.CRITICAL)  # the library's warnings, as the oracle's
    import growthbook_native
    import diffharness

    semantics = None if args.semantics == "default" else args.semantics
    profile = args.semantics
    try:
        import test_differential as td
        asserted = td.asserted_for(profile)
        pending = td.PENDING_PYTHON_1_1_0 if profile == "python-1.1.0" else set()
    except ImportError as e:  # pytest missing: nothing is marked
        print("(cannot import test_differential: %s; every shape shown as asserted)" % e)
        asserted, pending = (lambda kind, shape: True), set()

    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="gb-differential-") as tmp:
        py = diffharness.reference_python(tmp)
        cases, ref = diffharness.run_reference(py, tmp)
    t1 = time.time()
    report = diffharness.Report(profile, asserted, max_examples=max(args.examples, 0))
    if semantics is None:  # the default profile, as test_differential.py runs it
        diffharness.check_features(growthbook_native, cases, ref, report)
        diffharness.check_conditions(growthbook_native, cases, ref, report)
        diffharness.check_runs(growthbook_native, cases, ref, report)
        diffharness.check_scenarios(growthbook_native, cases, ref, report)
        diffharness.check_helpers(growthbook_native, cases, ref, report)
    else:
        diffharness.check_all(growthbook_native, cases, ref, report, semantics)
    t2 = time.time()

    def only(kind, shape):
        if args.kind and kind not in args.kind:
            return False
        if args.shape and not any(s in shape for s in args.shape):
            return False
        if args.mismatches and not report.counts[(kind, shape)]["mismatch"]:
            return False
        return True

    for line in report.lines(examples=not args.no_examples and args.examples > 0, width=args.width, only=only):
        print(line)
    regressions = [k for k in report.mismatching() if asserted(*k)]
    tot = sum(c["match"] + c["mismatch"] for c in report.counts.values())
    mis = sum(c["mismatch"] for c in report.counts.values())
    print("")
    print("library: %s" % growthbook_native._lib.lib._name)
    print("semantics: %s; %d cases, %d mismatches in %d of %d (kind, shape) pairs; reference %.1fs, native %.1fs" % (
        profile, tot, mis, len(report.mismatching()), len(report.counts), t1 - t0, t2 - t1))
    if pending:
        done = sorted(p for p in pending if p in {"%s:%s" % k for k in report.counts}
                      and not report.counts[tuple(p.split(":", 1))]["mismatch"])
        if done:
            print("pending shapes that now match (remove them from PENDING_PYTHON_1_1_0): %s" % ", ".join(done))
        unknown = sorted(p for p in pending if p not in {"%s:%s" % k for k in report.counts})
        if unknown:
            print("PENDING_PYTHON_1_1_0 names shapes no case has: %s" % ", ".join(unknown))
    if regressions:
        print("MISMATCHES IN ASSERTED SHAPES: %s" % ", ".join("%s:%s" % k for k in regressions))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
