"""Every query of the Grafana dashboard (contrib/grafana) against a streamstat cluster.

Run by test/t/052_grafana.pl on a cluster with demo data ingested through the
worker just before (test/lib/BiNode.pm); the connection comes from PGHOST,
PGPORT, PGUSER, PGDATABASE and the data's time range from BI_FROM and BI_TO
(epoch seconds).  Prints TAP.

It does what Grafana's PostgreSQL data source does with a panel's SQL: the
template variables are filled in (each variable's query is run with the
variables before it set, and every combination of values is tried), $__interval and $__interval_ms come
from the time range and the panel's width like Grafana's calculation (the
range over the panel's data points, rounded to one of Grafana's intervals, at
least the panel's and the data source's minimum interval), and the macros are
expanded as the data source's macro engine writes them:
    $__timeFilter(c)           c BETWEEN '<from RFC 3339 UTC>' AND '<to>'
    $__timeFrom(), $__timeTo() '<from>', '<to>'
    $__timeGroup(c, i)         floor(extract(epoch from c)/S)*S   (S: seconds of i)
    $__timeGroupAlias(c, i)    the same with AS "time"
    $__unixEpochFilter(c)      c >= FROM AND c <= TO (epoch seconds)
Then the query runs, and its result must have a "time" column sorted
ascending, numeric value columns (besides an optional text "metric"), rows,
and a value in every value column.
"""

import datetime
import json
import math
import os
import re
import subprocess
import sys

import psycopg2

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
GRAFANA = os.path.join(ROOT, "contrib", "grafana")
from tap import is_, ok, run  # noqa: E402

NUMERIC = {20, 21, 23, 700, 701, 1700}            # int8 int2 int4 float4 float8 numeric
TIME = {1184, 1114, 1082} | NUMERIC              # timestamptz timestamp date, or epoch numbers
SCREEN_PX = 1600                                  # a dashboard 1600 px wide: 24 grid columns

# Grafana's rounding of a raw interval (ms): upper bounds and the interval used.
ROUND = [(15, 10), (35, 20), (75, 50), (150, 100), (350, 200), (750, 500), (1500, 1000),
         (3500, 2000), (7500, 5000), (12500, 10000), (17500, 15000), (25000, 20000),
         (45000, 30000), (90000, 60000), (210000, 120000), (450000, 300000), (750000, 600000),
         (1050000, 900000), (1500000, 1200000), (2700000, 1800000), (5400000, 3600000),
         (9000000, 7200000), (16200000, 10800000), (32400000, 21600000), (86400000, 43200000),
         (604800000, 86400000), (1814400000, 604800000), (3628800000, 2592000000)]
UNITS = [("y", 31536000000), ("w", 604800000), ("d", 86400000), ("h", 3600000), ("m", 60000),
         ("s", 1000), ("ms", 1)]


def round_interval(ms):
    for bound, value in ROUND:
        if ms <= bound:
            return value
    return 31536000000


def parse_interval(text):
    """'10s', '5m', '1h', '250ms' -> milliseconds."""
    m = re.fullmatch(r"(\d+)(ms|s|m|h|d|w|y)", text.strip().strip("'"))
    if not m:
        raise ValueError("bad interval %r" % text)
    return int(m.group(1)) * dict(UNITS)[m.group(2)]


def format_interval(ms):
    """Milliseconds as Grafana writes $__interval: in the largest unit that
    fits, truncated (30 days is "4w")."""
    for unit, size in UNITS:
        if ms >= size:
            return "%d%s" % (ms // size, unit)
    return "1ms"


def go_float(x):
    """A float as Go's %v writes it (shortest digits, exponent from 1e6 on)."""
    if x == int(x) and abs(x) < 1e6:
        return str(int(x))
    r = repr(float(x))
    if "e" in r or abs(x) >= 1e6 or abs(x) < 1e-4:
        mant, _, exp = ("%.17e" % x).partition("e")
        digits = repr(float(x) / 10 ** int(exp))
        return "%se%s%02d" % (digits.rstrip("0").rstrip(".") if "." in digits else digits,
                              "+" if int(exp) >= 0 else "-", abs(int(exp)))
    return r


def rfc3339(epoch):
    """Epoch seconds as Go's RFC3339Nano in UTC (no trailing zero fractions)."""
    t = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    frac = ("%.9f" % (epoch - math.floor(epoch)))[2:].rstrip("0")
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ("." + frac if frac else "") + "Z"


def expand(sql, variables, frm, to, interval_ms):
    """The SQL Grafana sends for this time range, interval and variable values."""
    for name in sorted(variables, key=len, reverse=True):
        sql = sql.replace("${%s}" % name, variables[name]).replace("$" + name, variables[name])
    sql = sql.replace("$__interval_ms", str(interval_ms))
    sql = sql.replace("$__interval", format_interval(interval_ms))

    def macro(m):
        name, args = m.group(1), [a.strip() for a in m.group(2).split(",")]
        if name == "__timeGroup" and sql[m.end():m.end() + 1] == ",":
            name = "__timeGroupAlias"
        if name == "__timeFilter":
            return "%s BETWEEN '%s' AND '%s'" % (args[0], rfc3339(frm), rfc3339(to))
        if name == "__timeFrom":
            return "'%s'" % rfc3339(frm)
        if name == "__timeTo":
            return "'%s'" % rfc3339(to)
        if name in ("__timeGroup", "__timeGroupAlias"):
            s = go_float(parse_interval(args[1]) / 1000.0)
            g = "floor(extract(epoch from %s)/%s)*%s" % (args[0], s, s)
            return g + (' AS "time"' if name == "__timeGroupAlias" else "")
        if name == "__unixEpochFilter":
            return "%s >= %d AND %s <= %d" % (args[0], int(frm), args[0], int(to))
        raise ValueError("macro $%s is not one Grafana's PostgreSQL data source knows" % name)

    return re.sub(r"\$(\w+)\(([^)]*)\)", macro, sql)


def check_result(desc, rows):
    """Problems of a time-series result, as a list of strings (empty: fine)."""
    names = [d.name for d in desc]
    problems = []
    if "time" not in names:
        return ["no column named time: %s" % names]
    ti = names.index("time")
    if desc[ti].type_code not in TIME:
        problems.append("time column of type %s" % desc[ti].type_code)
    times = [r[ti] for r in rows]
    if any(t is None for t in times) or times != sorted(times):
        problems.append("time not sorted ascending")
    if not rows:
        problems.append("no rows")
    for i, d in enumerate(desc):
        if i == ti or d.name == "metric":
            continue
        if d.type_code not in NUMERIC:
            problems.append("value column %s is not numeric (type %s)" % (d.name, d.type_code))
        elif rows and all(r[i] is None for r in rows):
            problems.append("value column %s has no value" % d.name)
    return problems


def main():
    frm, to = float(os.environ["BI_FROM"]), float(os.environ["BI_TO"])
    with open(os.path.join(GRAFANA, "dashboards", "streamstat.json"), encoding="utf-8") as f:
        dash = json.load(f)
    with open(os.path.join(GRAFANA, "provisioning", "datasources", "streamstat.yaml"), encoding="utf-8") as f:
        ds_yaml = f.read()

    # --- the files themselves
    r = subprocess.run([sys.executable, os.path.join(GRAFANA, "build_dashboard.py"), "--check"],
                       capture_output=True, text=True)
    ok(r.returncode == 0, "the dashboard JSON is what build_dashboard.py builds", r.stderr)
    ok(re.search(r"^\s+type: postgres$", ds_yaml, re.M) and re.search(r"^\s+uid: streamstat$", ds_yaml, re.M)
       and re.search(r"^\s+timescaledb: false", ds_yaml, re.M),
       "the provisioned data source is PostgreSQL, uid streamstat, without the TimescaleDB macros")
    min_interval = parse_interval(re.search(r"timeInterval: (\S+)", ds_yaml).group(1))
    panels = [p for p in dash["panels"] if p["type"] != "row"]
    targets = [(p, t) for p in panels for t in p["targets"]]
    ok(len(targets) >= 7 and all(t.get("rawSql") and t["datasource"]["uid"] == "streamstat" for _, t in targets),
       "%d panels, each with SQL on the streamstat data source" % len(targets))
    ok(all(p["datasource"]["uid"] == "streamstat" for p in panels), "every panel uses the streamstat data source")
    ok(all(p["gridPos"]["x"] + p["gridPos"]["w"] <= 24 for p in dash["panels"]), "the panels fit the grid")

    conn = psycopg2.connect("")
    conn.autocommit = True
    cur = conn.cursor()

    # --- template variables: each query runs with the variables before it
    # set, once for each of their combinations (as Grafana refreshes a
    # variable that depends on another), which gives every combination
    combos = [{}]
    values = {}
    for v in dash["templating"]["list"]:
        extended = []
        for combo in combos:
            cur.execute(expand(v["query"], combo, frm, to, min_interval))
            for (value,) in cur.fetchall():
                extended.append(dict(combo, **{v["name"]: value}))
                values.setdefault(v["name"], set()).add(value)
        combos = extended
    rollup = os.environ.get("BI_ROLLUP") or None
    is_(sorted(values.get("measurement", [])), sorted(["sensor"] + ([rollup] if rollup else [])),
        "variable measurement lists the measurement tables")
    is_(sorted(values.get("field", [])), ["humidity", "temperature"], "variable field lists the numeric fields")
    is_(sorted(values.get("tag", [])), ["id", "site"], "variable tag lists the tags")
    ok(len(combos) >= 4, "%d combinations of the variables" % len(combos))

    # --- every panel, every combination of variables, in these views
    views = [
        ("the data's range", frm, to, None),
        ("its last hour", to - 3600, to, None),
        ("its range at $__interval 1m", frm, to, 60000),
        ("its range at $__interval 1h", frm, to, 3600000),
    ]
    for label, f, t, forced in views:
        for p, target in targets:
            if forced is None:
                px = p.get("maxDataPoints") or p["gridPos"]["w"] * SCREEN_PX // 24
                interval = round_interval((t - f) * 1000 / px)
            else:
                interval = forced
            interval = max(interval, min_interval, parse_interval(p.get("interval", "0ms")))
            problems, tried = [], 0
            for combo in combos:
                sql = expand(target["rawSql"], combo, f, t, interval)
                try:
                    cur.execute(sql)
                    problems += ["%s: %s" % (combo, x) for x in check_result(cur.description, cur.fetchall())]
                except psycopg2.Error as e:
                    problems.append("%s: %s\n%s" % (combo, e, sql))
                tried += 1
            ok(not problems and tried > 0,
               "%s, %s (interval %s): time ascending, numeric values" % (p["title"], label, format_interval(interval)),
               "\n".join(problems))
    conn.close()


run(main)
