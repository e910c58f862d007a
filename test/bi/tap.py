"""Minimal TAP output for the BI client tests (test/bi/*.py): ok(), is_()."""

import math
import sys
import traceback

_n = 0
_failed = 0


def ok(cond, what, diag=None):
    """One check: prints "ok N - what" or "not ok N - what" (and a diagnostic)."""
    global _n, _failed
    _n += 1
    _failed += 0 if cond else 1
    print("%sok %d - %s" % ("" if cond else "not ", _n, what))
    if not cond and diag is not None:
        for line in str(diag).splitlines():
            print("# " + line)
    sys.stdout.flush()
    return cond


def is_(got, want, what):
    return ok(got == want, what, "got:  %r\nwant: %r" % (got, want))


def close(a, b, rel=1e-9):
    """Floats equal up to a relative tolerance (None only equals None)."""
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def run(main):
    """Run main(); an exception is one failed check; the plan; exit 1 if any failed."""
    try:
        main()
    except Exception:
        ok(False, "the test ran without an exception", traceback.format_exc())
    print("1..%d" % _n)
    sys.exit(1 if _failed else 0)
