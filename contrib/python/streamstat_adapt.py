"""streamstat_adapt: psycopg2 adapters for streamstat's summary types.

Without this module psycopg2 returns ``statsummary`` and ``regrsummary``
values as their text form, e.g. ``'(n:10,sum:55,m2:82.5,...)'``.  After

    import psycopg2, streamstat_adapt
    conn = psycopg2.connect(...)
    streamstat_adapt.register(conn)          # globally=True: every connection

a query returns them as :class:`StatSummary` and :class:`RegrSummary`
objects (arrays of them as lists), whose attributes are the stored fields and
whose methods compute the same accessors as the SQL functions of the same
name (``mean``, ``variance``, ``stddev``, ``skewness``, ``kurtosis``; ``slope``,
``intercept``, ``r2``, ``corr``, ``covariance``, ``predict``), so a notebook can
work with summaries fetched once.  ``str(s)`` gives the text form back, and
such an object can be passed as a query parameter (it is sent as that text,
``%s::statsummary`` reads it).

Text forms (the types' output functions, src/stats):
    statsummary  (n:N,sum:S,m2:M2,m3:M3,m4:M4,min:MIN,max:MAX)
                 M2..M4: sums of 2nd..4th powers of deviations from the mean
    regrsummary  (n:N,sx:SX,sxx:SXX,sy:SY,syy:SYY,sxy:SXY)
                 SXX, SYY, SXY: centred sums of squares and products

Pure Python, no dependency beyond psycopg2.  Accessors return None where the
SQL function returns NULL (too few values, zero variance).
"""

import math
import re

import psycopg2
import psycopg2.extensions

__all__ = ["StatSummary", "RegrSummary", "register", "parse_fields"]

_FIELDS = re.compile(r"^\((.*)\)$")


def parse_fields(text, names):
    """Parse '(k1:v1,k2:v2,...)' with exactly the keys `names`, in order."""
    m = _FIELDS.match(text.strip())
    if not m:
        raise psycopg2.InterfaceError("bad summary text: %r" % text)
    pairs = [p.split(":", 1) for p in m.group(1).split(",")]
    if [p[0] for p in pairs] != list(names) or any(len(p) != 2 for p in pairs):
        raise psycopg2.InterfaceError("bad summary fields in %r, want %s" % (text, ",".join(names)))
    return [float(v) for _, v in pairs]


def _method_is_sample(method):
    if method not in ("sample", "population"):
        raise ValueError("method must be 'sample' or 'population'")
    return method == "sample"


class StatSummary:
    """One-variable summary: n, sum, m2, m3, m4, min, max (see statsummary)."""

    NAMES = ("n", "sum", "m2", "m3", "m4", "min", "max")

    def __init__(self, n, sum, m2, m3, m4, min, max):
        self.n, self.sum, self.m2, self.m3, self.m4 = int(n), sum, m2, m3, m4
        self.min, self.max = min, max

    @classmethod
    def parse(cls, text):
        return cls(*parse_fields(text, cls.NAMES))

    def num_vals(self):
        return self.n

    def mean(self):
        return self.sum / self.n if self.n > 0 else None

    def variance(self, method="sample"):
        k = 1 if _method_is_sample(method) else 0
        return self.m2 / (self.n - k) if self.n > k else None

    def stddev(self, method="sample"):
        v = self.variance(method)
        return math.sqrt(v) if v is not None else None

    def skewness(self, method="sample"):
        n, sample = self.n, _method_is_sample(method)
        if n < (3 if sample else 1) or self.m2 == 0:
            return None
        var = self.m2 / n
        g1 = (self.m3 / n) / (var * math.sqrt(var))
        return g1 * math.sqrt(n * (n - 1.0)) / (n - 2.0) if sample else g1

    def kurtosis(self, method="sample"):
        n, sample = self.n, _method_is_sample(method)
        if n < (4 if sample else 1) or self.m2 == 0:
            return None
        g2 = n * self.m4 / (self.m2 * self.m2) - 3.0
        return (n - 1.0) * ((n + 1.0) * g2 + 6.0) / ((n - 2.0) * (n - 3.0)) if sample else g2

    def __str__(self):
        return "(" + ",".join("%s:%s" % (k, _fmt(getattr(self, k))) for k in self.NAMES) + ")"

    def __repr__(self):
        return "StatSummary%s" % str(self)

    def __eq__(self, other):
        return isinstance(other, StatSummary) and str(self) == str(other)


class RegrSummary:
    """Least-squares summary of y on x: n, sx, sxx, sy, syy, sxy (see regrsummary)."""

    NAMES = ("n", "sx", "sxx", "sy", "syy", "sxy")

    def __init__(self, n, sx, sxx, sy, syy, sxy):
        self.n, self.sx, self.sxx, self.sy, self.syy, self.sxy = int(n), sx, sxx, sy, syy, sxy

    @classmethod
    def parse(cls, text):
        return cls(*parse_fields(text, cls.NAMES))

    def num_vals(self):
        return self.n

    def slope(self):
        return self.sxy / self.sxx if self.n >= 1 and self.sxx != 0 else None

    def intercept(self):
        return self.predict(0.0)

    def predict(self, x):
        """The fitted y at x, about the means: mean y + slope (x - mean x)."""
        b = self.slope()
        return self.sy / self.n + b * (x - self.sx / self.n) if b is not None else None

    def r2(self):
        if self.n < 1 or self.sxx == 0:
            return None
        if self.syy == 0:
            return 1.0
        return (self.sxy * self.sxy) / (self.sxx * self.syy)

    def corr(self):
        if self.n < 1 or self.sxx == 0 or self.syy == 0:
            return None
        return self.sxy / math.sqrt(self.sxx * self.syy)

    def covariance(self, method="sample"):
        k = 1 if _method_is_sample(method) else 0
        return self.sxy / (self.n - k) if self.n > k else None

    def __str__(self):
        return "(" + ",".join("%s:%s" % (k, _fmt(getattr(self, k))) for k in self.NAMES) + ")"

    def __repr__(self):
        return "RegrSummary%s" % str(self)

    def __eq__(self, other):
        return isinstance(other, RegrSummary) and str(self) == str(other)


def _fmt(v):
    """A number as the output functions print it (shortest round trip)."""
    if isinstance(v, int):
        return str(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return repr(v) if v != int(v) or abs(v) >= 1e16 else str(int(v))


def _adapt_summary(obj):
    return psycopg2.extensions.QuotedString(str(obj))


def register(conn_or_curs, schema=None, globally=False):
    """Register the adapters on a connection or cursor (globally=True: for
    every connection of this process).

    The types' OIDs are looked up through `conn_or_curs` (they differ from
    database to database); `schema` names the extension's schema when it is
    not on the search_path.  Returns the (statsummary, regrsummary) OIDs.
    """
    curs = conn_or_curs.cursor() if hasattr(conn_or_curs, "cursor") else conn_or_curs
    prefix = (schema + ".") if schema else ""
    curs.execute(
        "SELECT t.oid, t.typarray FROM unnest(ARRAY[%s, %s]) WITH ORDINALITY AS n(name, i) "
        "JOIN pg_type t ON t.oid = to_regtype(n.name) ORDER BY n.i",
        (prefix + "statsummary", prefix + "regrsummary"))
    rows = curs.fetchall()
    if len(rows) != 2:
        raise psycopg2.ProgrammingError("types statsummary and regrsummary not found: "
                                        "is the streamstat extension installed (and its schema given)?")
    scope = None if globally else conn_or_curs
    for (oid, array_oid), cls in zip(rows, (StatSummary, RegrSummary)):
        name = cls.__name__.upper()

        def cast(value, cur, cls=cls):
            return None if value is None else cls.parse(value)

        t = psycopg2.extensions.new_type((oid,), name, cast)
        psycopg2.extensions.register_type(t, scope)
        psycopg2.extensions.register_type(
            psycopg2.extensions.new_array_type((array_oid,), name + "_ARRAY", t), scope)
    psycopg2.extensions.register_adapter(StatSummary, _adapt_summary)
    psycopg2.extensions.register_adapter(RegrSummary, _adapt_summary)
    return tuple(r[0] for r in rows)
