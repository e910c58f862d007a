/*
 * JdbcTest: the PostgreSQL JDBC driver (as DBeaver, Metabase and
 * Superset-over-JDBC connect) against a streamstat cluster.
 *
 * Run by test/t/050_jdbc.pl with Debian's libpostgresql-jdbc-java on the
 * class path (java -cp postgresql.jar JdbcTest.java, no build step) on a
 * cluster with demo data ingested through the worker (test/lib/BiNode.pm);
 * the connection comes from PGHOST, PGPORT, PGUSER, PGDATABASE.  Prints
 * TAP.  Checks: DatabaseMetaData lists measurement tables in their schema
 * and keeps partitions out of it, a measurement read with the right JDBC
 * types, the README's Grafana-style queries (time_bucket, accessors, a
 * sliding window) against the built-in aggregates, and statsummary /
 * regrsummary read as strings and through getObject.
 */
import java.sql.*;
import java.util.*;

public class JdbcTest
{
	static int n = 0;
	static int failed = 0;

	/* One check, as a TAP line. */
	static boolean ok(boolean cond, String what, Object diag)
	{
		n++;
		System.out.println((cond ? "ok " : "not ok ") + n + " - " + what);
		if (!cond)
		{
			failed++;
			if (diag != null)
				for (String l : String.valueOf(diag).split("\n"))
					System.out.println("# " + l);
		}
		return cond;
	}

	static boolean ok(boolean cond, String what) { return ok(cond, what, null); }

	static boolean is(Object got, Object want, String what)
	{
		return ok(Objects.equals(got, want), what, "got:  " + got + "\nwant: " + want);
	}

	/* Floats equal up to a relative tolerance. */
	static boolean close(double a, double b, double rel)
	{
		return Math.abs(a - b) <= rel * Math.max(1.0, Math.max(Math.abs(a), Math.abs(b)));
	}

	/* Column values of a query, as lists of getObject results. */
	static List<List<Object>> rows(Connection c, String sql) throws SQLException
	{
		List<List<Object>> out = new ArrayList<>();
		try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql))
		{
			int cols = rs.getMetaData().getColumnCount();
			while (rs.next())
			{
				List<Object> row = new ArrayList<>();
				for (int i = 1; i <= cols; i++)
					row.add(rs.getObject(i));
				out.add(row);
			}
		}
		return out;
	}

	static double d(Object o) { return ((Number) o).doubleValue(); }

	public static void main(String[] args)
	{
		try
		{
			run();
		}
		catch (Throwable e)
		{
			java.io.StringWriter sw = new java.io.StringWriter();
			e.printStackTrace(new java.io.PrintWriter(sw));
			ok(false, "the test ran without an exception", sw);
		}
		System.out.println("1.." + n);
		System.exit(failed > 0 ? 1 : 0);
	}

	static void run() throws Exception
	{
		String url = "jdbc:postgresql://" + System.getenv("PGHOST") + ":" + System.getenv("PGPORT")
			+ "/" + System.getenv("PGDATABASE");
		Properties props = new Properties();
		props.setProperty("user", System.getenv("PGUSER"));
		Connection c = DriverManager.getConnection(url, props);
		DatabaseMetaData md = c.getMetaData();
		ok(md.getDriverName().contains("PostgreSQL"), "connected with " + md.getDriverName() + " " + md.getDriverVersion());

		/* --- DatabaseMetaData, as DBeaver and Metabase browse */
		List<String> tables = new ArrayList<>();
		try (ResultSet rs = md.getTables(null, "public", "%", null))
		{
			while (rs.next())
			{
				/*
				 * This pgjdbc (42.5) has no type name for a partitioned index
				 * (relkind 'I', such as a rollup's unique key) and lists it
				 * with a NULL TABLE_TYPE: not a table a tool would show.
				 */
				if (rs.getString("TABLE_TYPE") == null)
					continue;
				tables.add(rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
			}
		}
		/* a one-minute rollup of sensor, once rollups exist (test/lib/BiNode.pm) */
		String rollup = System.getenv("BI_ROLLUP");
		if (rollup != null && rollup.isEmpty())
			rollup = null;
		List<String> wantTables = new ArrayList<>(List.of("sensor:PARTITIONED TABLE"));
		if (rollup != null)
			wantTables.add(rollup + ":PARTITIONED TABLE");
		Collections.sort(wantTables);
		Collections.sort(tables);
		is(tables, wantTables, "getTables(public): the measurement table" + (rollup != null ? " and its rollup" : "") + ", no partition");
		int parts = 0;
		try (ResultSet rs = md.getTables(null, "streamstat_partitions", "sensor_p%", null))
		{
			while (rs.next())
				parts++;
		}
		ok(parts >= 6, "the partitions are in streamstat_partitions (" + parts + ")");
		Set<String> catalog = new TreeSet<>();
		try (ResultSet rs = md.getTables(null, "streamstat", "%", null))
		{
			while (rs.next())
				catalog.add(rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
		}
		ok(catalog.containsAll(List.of("rejects:TABLE", "ingest_stats:VIEW")), "getTables(streamstat): rejects and ingest_stats", catalog);
		Set<String> schemas = new TreeSet<>();
		try (ResultSet rs = md.getSchemas())
		{
			while (rs.next())
				schemas.add(rs.getString("TABLE_SCHEM"));
		}
		ok(schemas.containsAll(List.of("public", "streamstat", "streamstat_partitions")), "getSchemas", schemas);
		Map<String, String> cols = new LinkedHashMap<>();
		try (ResultSet rs = md.getColumns(null, "public", "sensor", "%"))
		{
			while (rs.next())
				cols.put(rs.getString("COLUMN_NAME"), rs.getString("TYPE_NAME") + "/" + rs.getInt("DATA_TYPE"));
		}
		Map<String, String> want = new LinkedHashMap<>();
		want.put("time", "timestamptz/" + Types.TIMESTAMP);
		want.put("site", "text/" + Types.VARCHAR);
		want.put("id", "text/" + Types.VARCHAR);
		want.put("temperature", "float8/" + Types.DOUBLE);
		want.put("humidity", "int8/" + Types.BIGINT);
		want.put("ok", "bool/" + Types.BIT);
		is(new TreeMap<>(cols), new TreeMap<>(want), "getColumns(sensor): names, type names and JDBC types");
		boolean funcs = false;
		try (ResultSet rs = md.getFunctions(null, "public", "slope_pvalue"))
		{
			funcs = rs.next();
		}
		ok(funcs, "getFunctions finds an accessor (slope_pvalue)");

		/* --- a measurement, with Java types per column */
		try (Statement st = c.createStatement();
			 ResultSet rs = st.executeQuery("SELECT time, id, site, temperature, humidity, ok FROM sensor ORDER BY time, id LIMIT 3"))
		{
			ResultSetMetaData m = rs.getMetaData();
			ok(rs.next(), "a measurement reads");
			is(rs.getTimestamp(1).toInstant().toString(), "2025-11-25T00:00:10Z", "time is the first reading's instant");
			is(rs.getObject(1).getClass().getName(), "java.sql.Timestamp", "getObject(time) is a Timestamp");
			is(rs.getObject(2), "s1", "a tag is a String");
			ok(rs.getObject(4) instanceof Double, "a float field is a Double");
			ok(rs.getObject(5) instanceof Long && rs.getLong(5) >= 40 && rs.getLong(5) < 50, "an integer field is a Long");
			ok(rs.getObject(6) instanceof Boolean, "a boolean field is a Boolean");
			List<Integer> types = new ArrayList<>();
			for (int i = 1; i <= 6; i++)
				types.add(m.getColumnType(i));
			is(types, List.of(Types.TIMESTAMP, Types.VARCHAR, Types.VARCHAR, Types.DOUBLE, Types.BIGINT, Types.BIT),
			   "ResultSetMetaData column types");
		}

		/* --- Grafana-style: time_bucket + accessors, against the built-ins */
		String hourly = "SELECT time_bucket('1 hour', time) AS \"time\", id, mean(stats_agg(temperature)) AS mean, "
			+ "stddev(stats_agg(temperature)) AS sd, num_vals(stats_agg(temperature)) AS n, "
			+ "avg(temperature), stddev_samp(temperature), count(*) FROM sensor "
			+ "WHERE time BETWEEN '2025-11-25 00:00:00+00' AND '2025-11-25 06:00:00+00' GROUP BY 1, 2 ORDER BY 1, 2";
		try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(hourly))
		{
			ResultSetMetaData m = rs.getMetaData();
			is(List.of(m.getColumnType(1), m.getColumnType(3), m.getColumnType(4), m.getColumnType(5)),
			   List.of(Types.TIMESTAMP, Types.DOUBLE, Types.DOUBLE, Types.BIGINT),
			   "time_bucket is a timestamp, mean/stddev double, num_vals bigint");
			int count = 0;
			boolean same = true, sorted = true;
			Timestamp last = null;
			while (rs.next())
			{
				count++;
				same &= close(rs.getDouble(3), rs.getDouble(6), 1e-9) && close(rs.getDouble(4), rs.getDouble(7), 1e-9)
					&& rs.getLong(5) == rs.getLong(8);
				Timestamp t = rs.getTimestamp(1);
				sorted &= last == null || !t.before(last);
				last = t;
			}
			is(count, 21, "hourly buckets per sensor (7 hours x 3 sensors)");
			ok(same, "mean/stddev/num_vals of stats_agg equal avg/stddev_samp/count in every bucket");
			ok(sorted, "time ascending");
		}
		List<List<Object>> trend = rows(c, "SELECT id, slope(regr_agg(temperature, time)), "
			+ "regr_slope(temperature, extract(epoch FROM time)), r2(regr_agg(temperature, time)), "
			+ "regr_r2(temperature, extract(epoch FROM time)), slope_pvalue(regr_agg(temperature, time)) "
			+ "FROM sensor GROUP BY id ORDER BY id");
		boolean tsame = true;
		for (List<Object> r : trend)
			tsame &= close(d(r.get(1)), d(r.get(2)), 1e-7) && close(d(r.get(3)), d(r.get(4)), 1e-7);
		ok(tsame, "slope and r2 per sensor equal regr_slope and regr_r2", trend);
		ok(d(trend.get(1).get(1)) > 0 && d(trend.get(1).get(5)) < 1e-6, "the drifting sensor s2 has a significant upward trend", trend.get(1));

		/* --- a sliding window (180 readings) against avg() OVER the same frame */
		List<List<Object>> win = rows(c, "SELECT time, mean(w), stddev(w), avg(temperature) OVER f, "
			+ "stddev_samp(temperature) OVER f FROM (SELECT time, temperature, stats_agg(temperature) OVER f AS w "
			+ "FROM sensor WHERE id = 's1' WINDOW f AS (ORDER BY time ROWS 179 PRECEDING)) x "
			+ "WINDOW f AS (ORDER BY time ROWS 179 PRECEDING) ORDER BY time");
		is(win.size(), 2160, "one sliding-window row per reading of s1");
		boolean wclose = true;
		for (List<Object> r : win)
			wclose &= r.get(1) != null && close(d(r.get(1)), d(r.get(3)), 1e-9) && (r.get(2) == null ? r.get(4) == null : close(d(r.get(2)), d(r.get(4)), 1e-8));
		ok(wclose, "sliding mean/stddev equal avg/stddev_samp over the same frame");

		/* --- the summary types: as strings and through getObject */
		try (Statement st = c.createStatement();
			 ResultSet rs = st.executeQuery("SELECT id, stats_agg(temperature) AS s, regr_agg(temperature, time) AS r, "
				+ "stats_agg(temperature)::text, regr_agg(temperature, time)::text, mean(stats_agg(temperature)) "
				+ "FROM sensor GROUP BY id ORDER BY id"))
		{
			ResultSetMetaData m = rs.getMetaData();
			is(List.of(m.getColumnTypeName(2), m.getColumnTypeName(3)), List.of("statsummary", "regrsummary"),
			   "ResultSetMetaData names the summary types");
			is(List.of(m.getColumnType(2), m.getColumnType(3)), List.of(Types.OTHER, Types.OTHER),
			   "the summary types are Types.OTHER");
			boolean strings = true, objects = true;
			String s1 = null;
			while (rs.next())
			{
				String s = rs.getString(2), r = rs.getString(3);
				strings &= s.matches("\\(n:2160,sum:[^,]+,m2:[^,]+,m3:[^,]+,m4:[^,]+,min:[^,]+,max:[^,]+\\)")
					&& r.matches("\\(n:2160,sx:[^,]+,sxx:[^,]+,sy:[^,]+,syy:[^,]+,sxy:[^,]+\\)")
					&& s.equals(rs.getString(4)) && r.equals(rs.getString(5));
				Object os = rs.getObject(2), or = rs.getObject(3);
				objects &= os instanceof org.postgresql.util.PGobject && or instanceof org.postgresql.util.PGobject
					&& ((org.postgresql.util.PGobject) os).getType().equals("statsummary")
					&& ((org.postgresql.util.PGobject) or).getType().equals("regrsummary")
					&& ((org.postgresql.util.PGobject) os).getValue().equals(s)
					&& ((org.postgresql.util.PGobject) or).getValue().equals(r);
				if (s1 == null)
					s1 = s;
			}
			ok(strings, "getString gives the summaries' text forms", s1);
			ok(objects, "getObject gives PGobjects typed statsummary/regrsummary with the same value");
			/* a summary sent back as a parameter */
			try (PreparedStatement ps = c.prepareStatement("SELECT mean(?::statsummary), ?::statsummary::text"))
			{
				org.postgresql.util.PGobject p = new org.postgresql.util.PGobject();
				p.setType("statsummary");
				p.setValue(s1);
				ps.setObject(1, p);
				ps.setString(2, s1);
				try (ResultSet r2 = ps.executeQuery())
				{
					r2.next();
					ok(r2.getObject(1) instanceof Double && r2.getString(2).equals(s1), "a summary goes back as a parameter (PGobject and string)");
				}
			}
		}
		/* the rollup: its summary columns and values */
		if (rollup != null)
		{
			String type = null;
			try (ResultSet rs = md.getColumns(null, "public", rollup, "temperature"))
			{
				if (rs.next())
					type = rs.getString("TYPE_NAME") + "/" + rs.getInt("DATA_TYPE");
			}
			is(type, "statsummary/" + Types.OTHER, "getColumns(rollup): a summary column is statsummary, Types.OTHER");
			List<List<Object>> rr = rows(c, "SELECT r.temperature::text, mean(r.temperature), s.m FROM \"" + rollup + "\" r "
				+ "JOIN (SELECT time_bucket('1 minute', time) AS time, id, avg(temperature) AS m FROM sensor GROUP BY 1, 2) s "
				+ "USING (time, id)");
			boolean same = !rr.isEmpty();
			for (List<Object> r : rr)
				same &= close(d(r.get(1)), d(r.get(2)), 1e-9) && ((String) r.get(0)).startsWith("(n:");
			ok(same, "the rollup's summaries read and equal the raw rows' per minute");
		}
		c.close();
	}
}
