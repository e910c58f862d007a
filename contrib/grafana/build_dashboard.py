#!/usr/bin/env python3
"""Build contrib/grafana/dashboards/streamstat.json from the panel list below.

    contrib/grafana/build_dashboard.py          # rewrite the JSON
    contrib/grafana/build_dashboard.py --check  # exit 1 if the JSON is stale

One dashboard for a streamstat database (data source uid "streamstat", see
provisioning/): ingest health from streamstat.ingest_stats and
streamstat.rejects, mean ± stddev bands of a measurement's field, and its
least-squares trend with the slope's p-value, percentiles (p50 and p99 with
pct_agg over raw rows), and panels on a rollup (streamstat.create_rollup):
hourly mean ± stddev merged from its summaries and p99 merged from its
percentile sketches.  Variables pick the measurement (a table with a time
column in streamstat.schema), a numeric field, a tag to split series by, a
rollup of the measurement that holds the field, and one with percentiles
(made with percentiles => true).

Adding a panel is adding one entry to SECTIONS: a title, a type, the SQL
(Grafana's PostgreSQL macros $__timeFilter, $__timeGroupAlias, $__interval,
$__timeFrom()/$__timeTo() and the variables are fine) and optional field
overrides.  Every query must return a "time" column sorted ascending and
numeric value columns (an optional text "metric" column names the series);
test/t/052_grafana.pl runs every panel's SQL to check that.
"""

import json
import os
import sys

DS = {"type": "postgres", "uid": "streamstat"}
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "dashboards", "streamstat.json")

# Shorthands used in the SQL below.
S = 'stats_agg("$field")'
R = 'regr_agg("$field", time)'
# pct_agg refuses NaN and infinities: leave them out, as rollups do.
P = ('pct_agg("$field"::float8) FILTER (WHERE "$field"::float8 > \'-Infinity\' '
     'AND "$field"::float8 < \'Infinity\')')
RS = 'rollup("$field")'


def band(low, high):
    """Overrides that shade between two series (the band) and hide their lines."""
    return [
        {"matcher": {"id": "byName", "options": high},
         "properties": [{"id": "custom.fillBelowTo", "value": low},
                        {"id": "custom.lineWidth", "value": 0},
                        {"id": "custom.fillOpacity", "value": 20}]},
        {"matcher": {"id": "byName", "options": low},
         "properties": [{"id": "custom.lineWidth", "value": 0}]},
    ]


def right_axis(name, unit):
    return [{"matcher": {"id": "byName", "options": name},
             "properties": [{"id": "custom.axisPlacement", "value": "right"},
                            {"id": "unit", "value": unit}]}]


SECTIONS = [
    ("Ingest health", [
        {"title": "Ingest rate and rejects (workers, since start)", "type": "stat", "w": 8,
         "sql": """SELECT now() AS "time",
       coalesce(sum(s.rows_inserted / greatest(extract(epoch FROM now() - a.backend_start), 1)), 0) AS "rows/s",
       coalesce(sum(s.lines_rejected), 0) AS "lines rejected",
       coalesce(sum(s.connections_open), 0) AS "connections",
       coalesce(max(s.last_flush_ms), 0) AS "last flush ms"
  FROM streamstat.ingest_stats s
  LEFT JOIN pg_stat_activity a ON a.pid = s.pid"""},
        {"title": "Rows stored per second: $measurement", "type": "timeseries", "w": 8, "unit": "rps",
         "sql": """SELECT $__timeGroupAlias(time, $__interval),
       count(*) * 1000.0 / $__interval_ms AS "rows/s"
  FROM "$measurement"
 WHERE $__timeFilter(time)
 GROUP BY 1
 ORDER BY 1"""},
        {"title": "Rejected lines", "type": "timeseries", "w": 8, "draw": "bars",
         "sql": """SELECT $__timeGroupAlias(received_at, $__interval),
       count(*) AS "rejected lines"
  FROM streamstat.rejects
 WHERE $__timeFilter(received_at)
 GROUP BY 1
 ORDER BY 1"""},
    ]),
    ("Statistics: $measurement.$field", [
        {"title": "$field: mean ± stddev", "type": "timeseries", "w": 12,
         "overrides": band("mean - stddev", "mean + stddev"),
         "sql": f"""SELECT $__timeGroupAlias(time, $__interval),
       mean({S}) AS "mean",
       mean({S}) - stddev({S}) AS "mean - stddev",
       mean({S}) + stddev({S}) AS "mean + stddev"
  FROM "$measurement"
 WHERE $__timeFilter(time)
 GROUP BY 1
 ORDER BY 1"""},
        {"title": "$field: mean by $tag", "type": "timeseries", "w": 12,
         "sql": f"""SELECT $__timeGroupAlias(time, $__interval),
       "$tag"::text AS metric,
       mean({S}) AS "mean"
  FROM "$measurement"
 WHERE $__timeFilter(time)
 GROUP BY 1, 2
 ORDER BY 1, 2"""},
    ]),
    ("Trend: $measurement.$field", [
        {"title": "$field: least-squares slope per hour, with its p-value", "type": "timeseries",
         "w": 16, "interval": "10m", "overrides": right_axis("p-value", "none"),
         "sql": f"""SELECT $__timeGroupAlias(time, $__interval),
       slope({R}) * 3600 AS "slope per hour",
       slope_pvalue({R}) AS "p-value"
  FROM "$measurement"
 WHERE $__timeFilter(time)
 GROUP BY 1
 ORDER BY 1"""},
        {"title": "$field: trend over the range by $tag", "type": "table", "w": 8,
         "sql": f"""SELECT $__timeTo()::timestamptz AS "time",
       "$tag"::text AS metric,
       slope({R}) * 3600 AS "slope per hour",
       slope_pvalue({R}) AS "p-value",
       r2({R}) AS "r²"
  FROM "$measurement"
 WHERE time >= $__timeFrom() AND time <= $__timeTo()
 GROUP BY 2
 ORDER BY 1, 2"""},
    ]),
    ("Percentiles and rollups: $measurement.$field", [
        {"title": "$field: p50 and p99 (pct_agg over raw rows)", "type": "timeseries", "w": 8,
         "sql": f"""SELECT $__timeGroupAlias(time, $__interval),
       percentile({P}, 0.5) AS "p50",
       percentile({P}, 0.99) AS "p99"
  FROM "$measurement"
 WHERE $__timeFilter(time)
 GROUP BY 1
 ORDER BY 1"""},
        {"title": "$field: hourly mean ± stddev from rollup $rollup", "type": "timeseries", "w": 8,
         "interval": "1h", "overrides": band("mean - stddev", "mean + stddev"),
         "sql": f"""SELECT $__timeGroupAlias(time, $__interval),
       mean({RS}) AS "mean",
       mean({RS}) - stddev({RS}) AS "mean - stddev",
       mean({RS}) + stddev({RS}) AS "mean + stddev"
  FROM "$rollup"
 WHERE $__timeFilter(time)
 GROUP BY 1
 ORDER BY 1"""},
        {"title": "$field: p99 by $tag from the sketches of rollup $pct_rollup", "type": "timeseries",
         "w": 8, "interval": "1m",
         "sql": """SELECT $__timeGroupAlias(time, $__interval),
       "$tag"::text AS metric,
       percentile(rollup("${field}_pct"), 0.99) AS "p99"
  FROM "$pct_rollup"
 WHERE $__timeFilter(time)
 GROUP BY 1, 2
 ORDER BY 1, 2"""},
    ]),
]

VARIABLES = [
    ("measurement", "Measurement", """SELECT c.relname
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'time'
 WHERE n.nspname = coalesce(current_setting('streamstat.schema', true), 'public')
   AND c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND a.atttypid = 'timestamptz'::regtype
 ORDER BY 1"""),
    ("field", "Field", """SELECT a.attname
  FROM pg_attribute a
 WHERE a.attrelid = format('%I.%I', coalesce(current_setting('streamstat.schema', true), 'public'), '$measurement')::regclass
   AND a.attnum > 0 AND NOT a.attisdropped
   AND a.atttypid IN ('float8'::regtype, 'float4'::regtype, 'int8'::regtype, 'int4'::regtype, 'int2'::regtype, 'numeric'::regtype)
 ORDER BY a.attnum"""),
    ("tag", "Series by", """SELECT a.attname
  FROM pg_attribute a
 WHERE a.attrelid = format('%I.%I', coalesce(current_setting('streamstat.schema', true), 'public'), '$measurement')::regclass
   AND a.attnum > 0 AND NOT a.attisdropped AND a.atttypid = 'text'::regtype
 ORDER BY a.attnum"""),
    ("rollup", "Rollup", """SELECT d.rollup_name::text
  FROM streamstat.rollup_defs d
 WHERE d.root_schema = coalesce(current_setting('streamstat.schema', true), 'public')
   AND d.root_name = '$measurement' AND '$field' = ANY (d.fields)
 ORDER BY d.level, d.bucket, 1"""),
    ("pct_rollup", "Rollup with percentiles", """SELECT d.rollup_name::text
  FROM streamstat.rollup_defs d
 WHERE d.root_schema = coalesce(current_setting('streamstat.schema', true), 'public')
   AND d.root_name = '$measurement' AND '$field' = ANY (d.fields)
   AND 'pctsketch' = ANY (d.summary_kinds)
 ORDER BY d.level, d.bucket, 1"""),
]


def panel(pid, p, x, y):
    out = {
        "id": pid,
        "type": p["type"],
        "title": p["title"],
        "datasource": DS,
        "gridPos": {"h": 8, "w": p["w"], "x": x, "y": y},
        "targets": [{
            "refId": "A",
            "datasource": DS,
            "editorMode": "code",
            "rawQuery": True,
            "format": "table" if p["type"] == "table" else "time_series",
            "rawSql": p["sql"],
        }],
        "fieldConfig": {"defaults": {"unit": p.get("unit", "none")}, "overrides": p.get("overrides", [])},
        "options": {},
    }
    if "interval" in p:
        out["interval"] = p["interval"]
    if p["type"] == "timeseries":
        out["fieldConfig"]["defaults"]["custom"] = {
            "drawStyle": p.get("draw", "line"), "lineWidth": 1, "fillOpacity": 0, "spanNulls": False}
        out["options"] = {"legend": {"displayMode": "list", "placement": "bottom"},
                          "tooltip": {"mode": "multi"}}
    return out


def dashboard():
    panels, pid, y = [], 1, 0
    for title, items in SECTIONS:
        panels.append({"id": pid, "type": "row", "title": title, "collapsed": False,
                       "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})
        pid, y, x = pid + 1, y + 1, 0
        for p in items:
            if x + p["w"] > 24:
                x, y = 0, y + 8
            panels.append(panel(pid, p, x, y))
            pid, x = pid + 1, x + p["w"]
        y += 8
    templating = [{
        "name": name, "label": label, "type": "query", "datasource": DS,
        "query": sql, "definition": sql, "refresh": 1, "sort": 0,
        "multi": False, "includeAll": False, "current": {}, "options": [],
    } for name, label, sql in VARIABLES]
    return {
        "uid": "streamstat",
        "title": "streamstat",
        "description": "Ingest health, windowed statistics and trends of a streamstat database",
        "tags": ["streamstat", "postgresql"],
        "timezone": "browser",
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": templating},
        "annotations": {"list": []},
        "panels": panels,
    }


def main():
    text = json.dumps(dashboard(), indent=2, ensure_ascii=False) + "\n"
    if "--check" in sys.argv[1:]:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                print("%s is stale: run %s" % (OUT, sys.argv[0]), file=sys.stderr)
                sys.exit(1)
        return
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
