"""psycopg2 (as Superset and notebooks connect) against a streamstat cluster.

Run by test/t/051_psycopg2.pl on a cluster with demo data ingested through
the worker (test/lib/BiNode.pm); the connection comes from PGHOST, PGPORT,
PGUSER, PGDATABASE.  Prints TAP.  Checks: tables listed as BI tools list them
(measurement tables in their schema, partitions elsewhere), a measurement read
with the right Python types, the README's Grafana-style queries (time_bucket,
accessors, a sliding window) against the built-in aggregates, and the summary
types as text and through contrib/python/streamstat_adapt.py.
"""

import datetime
import os
import re
import sys

import psycopg2
import psycopg2.extensions

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "contrib", "python"))
import streamstat_adapt  # noqa: E402
from tap import close, is_, ok, run  # noqa: E402


def rows(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall(), cur.description


def main():
    conn = psycopg2.connect("")
    conn.autocommit = True

    # --- listing, as SQLAlchemy/Superset inspectors and information_schema do
    rollup = os.environ.get("BI_ROLLUP") or None    # a rollup of sensor, once rollups exist
    tables = sorted(["sensor"] + ([rollup] if rollup else []))
    r, _ = rows(conn, "SELECT table_name, table_type FROM information_schema.tables "
                      "WHERE table_schema = 'public' ORDER BY 1")
    is_(r, [(t, "BASE TABLE") for t in tables], "public lists the measurement table%s and no partition"
        % (" and its rollup" if rollup else ""))
    r, _ = rows(conn, "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                      "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1")
    is_(r, [(t,) for t in tables], "the pg_catalog listing of SQLAlchemy's inspector finds the parent tables")
    r, _ = rows(conn, "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                      "JOIN pg_namespace n ON n.oid = c.relnamespace "
                      "WHERE i.inhparent = 'sensor'::regclass AND n.nspname = 'streamstat_partitions'")
    ok(r[0][0] >= 6, "the partitions live in streamstat_partitions (%d of them)" % r[0][0])
    r, _ = rows(conn, "SELECT table_name FROM information_schema.tables "
                      "WHERE table_schema = 'streamstat' ORDER BY 1")
    ok({"ingest_stats", "rejects"} <= {x[0] for x in r}, "streamstat's catalog tables and views are listed",
       r)
    r, _ = rows(conn, "SELECT column_name, data_type FROM information_schema.columns "
                      "WHERE table_schema = 'public' AND table_name = 'sensor' ORDER BY ordinal_position")
    is_(dict(r), {"time": "timestamp with time zone", "site": "text", "id": "text",
                  "temperature": "double precision", "humidity": "bigint", "ok": "boolean"},
        "the measurement's columns and types")

    # --- a measurement, with Python types per column
    r, desc = rows(conn, "SELECT time, id, site, temperature, humidity, ok FROM sensor "
                         "ORDER BY time, id LIMIT 3")
    t, sid, site, temp, hum, okv = r[0]
    ok(isinstance(t, datetime.datetime) and t.tzinfo is not None
       and t == datetime.datetime(2025, 11, 25, 0, 0, 10, tzinfo=datetime.timezone.utc),
       "time is an aware datetime, the first reading's", t)
    ok(isinstance(sid, str) and sid == "s1" and site == "lab", "tags are str")
    ok(isinstance(temp, float), "a float field is a Python float")
    ok(isinstance(hum, int) and 40 <= hum < 50, "an integer field is a Python int")
    ok(isinstance(okv, bool), "a boolean field is a Python bool")
    is_([d.type_code for d in desc], [1184, 25, 25, 701, 20, 16], "column type OIDs in the description")

    # --- Grafana-style: time_bucket + accessors, against the built-ins
    r, desc = rows(conn, """
        SELECT time_bucket('1 hour', time) AS "time", id,
               mean(stats_agg(temperature)) AS mean, stddev(stats_agg(temperature)) AS sd,
               num_vals(stats_agg(temperature)) AS n,
               avg(temperature) AS ref_mean, stddev_samp(temperature) AS ref_sd, count(*) AS ref_n
          FROM sensor
         WHERE time BETWEEN '2025-11-25 00:00:00+00' AND '2025-11-25 06:00:00+00'
         GROUP BY 1, 2 ORDER BY 1, 2""")
    is_(len(r), 21, "hourly buckets per sensor (7 hours x 3 sensors)")
    ok(all(close(x[2], x[5]) and close(x[3], x[6]) and x[4] == x[7] for x in r),
       "mean/stddev/num_vals of stats_agg equal avg/stddev_samp/count in every bucket")
    ok([x[0] for x in r] == sorted(x[0] for x in r), "time ascending")
    ok(all(isinstance(x[2], float) and isinstance(x[4], int) for x in r),
       "accessors come back as float and int")
    r, _ = rows(conn, """
        SELECT id, slope(regr_agg(temperature, time)) * 3600,
               regr_slope(temperature, extract(epoch FROM time)) * 3600,
               r2(regr_agg(temperature, time)), regr_r2(temperature, extract(epoch FROM time)),
               slope_pvalue(regr_agg(temperature, time))
          FROM sensor GROUP BY id ORDER BY id""")
    ok(all(close(x[1], x[2], 1e-7) and close(x[3], x[4], 1e-7) for x in r),
       "slope and r2 per sensor equal regr_slope and regr_r2", r)
    ok(r[1][1] > 0.5 and r[1][5] < 1e-6, "the drifting sensor s2 has a significant upward trend", r[1])

    # --- a sliding window (30 minutes = 180 readings) against avg() OVER the same frame
    r, _ = rows(conn, """
        SELECT time, mean(w), stddev(w), zscore(w, temperature), a, s
          FROM (SELECT time, temperature,
                       stats_agg(temperature) OVER f AS w, avg(temperature) OVER f AS a,
                       stddev_samp(temperature) OVER f AS s
                  FROM sensor WHERE id = 's1'
                WINDOW f AS (ORDER BY time ROWS 179 PRECEDING)) x
         ORDER BY time""")
    is_(len(r), 2160, "one sliding-window row per reading of s1")
    ok(all(close(x[1], x[4]) and close(x[2], x[5], 1e-8) for x in r),
       "sliding mean/stddev equal avg/stddev_samp over the same frame")

    # --- the summary types as text (no adapter) ...
    r, desc = rows(conn, "SELECT id, stats_agg(temperature), regr_agg(temperature, time) "
                         "FROM sensor GROUP BY id ORDER BY id")
    ok(all(isinstance(x[1], str) and re.match(r"^\(n:\d+,sum:[^,]+,m2:[^,]+,m3:[^,]+,m4:[^,]+,min:[^,]+,max:[^,]+\)$", x[1])
           for x in r), "statsummary reads as its text form", r[0][1])
    ok(all(isinstance(x[2], str) and re.match(r"^\(n:\d+,sx:[^,]+,sxx:[^,]+,sy:[^,]+,syy:[^,]+,sxy:[^,]+\)$", x[2])
           for x in r), "regrsummary reads as its text form", r[0][2])
    oids, _ = rows(conn, "SELECT 'statsummary'::regtype::oid, 'regrsummary'::regtype::oid")
    is_((desc[1].type_code, desc[2].type_code), oids[0], "the description carries the summary types' OIDs")
    texts = {x[0]: (x[1], x[2]) for x in r}

    # --- ... and through the documented adapter
    got = streamstat_adapt.register(conn)
    is_(got, oids[0], "register() finds the types' OIDs")
    r, _ = rows(conn, """
        SELECT id, s, r, mean(s), stddev(s), variance(s, 'population'), skewness(s), kurtosis(s),
               min(s), max(s), slope(r), intercept(r), r2(r), corr(r), covariance(r), predict(r, 1764040000)
          FROM (SELECT id, stats_agg(temperature) AS s,
                       regr_agg(temperature, extract(epoch FROM time)) AS r
                  FROM sensor GROUP BY id) x ORDER BY id""")
    ok(all(isinstance(x[1], streamstat_adapt.StatSummary) and isinstance(x[2], streamstat_adapt.RegrSummary)
           for x in r), "with the adapter the summaries are StatSummary and RegrSummary objects")
    ok(all(x[1].n == 2160 for x in r), "StatSummary.n is the row count")
    ok(all(close(x[1].mean(), x[3]) and close(x[1].stddev(), x[4]) and close(x[1].variance("population"), x[5])
           and close(x[1].skewness(), x[6], 1e-7) and close(x[1].kurtosis(), x[7], 1e-7)
           and x[1].min == x[8] and x[1].max == x[9] for x in r),
       "StatSummary accessors equal the SQL accessors")
    ok(all(close(x[2].slope(), x[10]) and close(x[2].intercept(), x[11], 1e-7) and close(x[2].r2(), x[12])
           and close(x[2].corr(), x[13]) and close(x[2].covariance(), x[14])
           and close(x[2].predict(1764040000), x[15]) for x in r),
       "RegrSummary accessors equal the SQL accessors")
    ok(all(str(x[1]) == texts[x[0]][0] for x in r), "str(StatSummary) is the text form")
    s1 = r[0][1]
    r2, _ = rows(conn, "SELECT %s::statsummary::text, mean(%s::statsummary)", (s1, s1))
    ok(r2[0][0] == str(s1) and close(r2[0][1], s1.mean()), "a StatSummary passes as a query parameter", r2)
    r2, _ = rows(conn, "SELECT array_agg(stats_agg ORDER BY id) FROM "
                       "(SELECT id, stats_agg(temperature) FROM sensor GROUP BY id) x")
    ok(isinstance(r2[0][0], list) and len(r2[0][0]) == 3
       and all(isinstance(v, streamstat_adapt.StatSummary) for v in r2[0][0]),
       "statsummary[] becomes a list of StatSummary")
    r2, _ = rows(conn, "SELECT (SELECT stats_agg(x) FROM generate_series(1, 0) x), stats_agg('NaN'::float8)")
    ok(r2[0][0] is None and r2[0][1].n == 1 and r2[0][1].mean() != r2[0][1].mean(),
       "NULL and NaN summaries adapt (None, NaN fields)", r2)
    # --- a rollup (once rollups exist): summaries per minute, read back
    if rollup:
        r, desc = rows(conn, 'SELECT r.time, r.id, r.temperature, mean(r.temperature), s.m, s.n '
                             'FROM "%s" r JOIN (SELECT time_bucket(\'1 minute\', time) AS time, id, '
                             'avg(temperature) AS m, count(*) AS n FROM sensor GROUP BY 1, 2) s USING (time, id) '
                             'ORDER BY 1, 2' % rollup)
        ok(len(r) > 0 and all(isinstance(x[2], streamstat_adapt.StatSummary) and x[2].n == x[5]
                              and close(x[3], x[4]) for x in r),
           "the rollup's summaries adapt and equal the raw rows' per minute")
    conn.close()


run(main)
