-- scripts/demo_svg.sql — an SVG chart of a windowed statistic, for
-- `scripts/demo.sh --svg FILE` (psql -At writes the document).
--
-- Per sensor: the 30-minute sliding mean of temperature (stats_agg as a
-- moving aggregate over 180 readings) as a line, inside a band of ± one
-- sliding standard deviation, one point a minute; axes with hour and degree
-- ticks, a legend.  Plain SVG 1.1, opens in any browser.
WITH win AS (
	SELECT id, time, mean(s) AS m, stddev(s) AS sd,
		   row_number() OVER (PARTITION BY id ORDER BY time) AS k
	  FROM (SELECT id, time,
				   stats_agg(temperature) OVER (PARTITION BY id ORDER BY time ROWS 179 PRECEDING) AS s
			  FROM sensor) x
), pts AS (
	-- one point a minute, from the first full window on
	SELECT id, extract(epoch FROM time) AS t, m::numeric AS m, sd::numeric AS sd FROM win WHERE k >= 180 AND k % 6 = 0 AND sd IS NOT NULL
), box AS (
	SELECT min(t) AS t0, max(t) AS t1,
		   floor(min(m - sd)) AS y0, ceil(max(m + sd)) AS y1
	  FROM pts
), geo AS (
	-- plot area: x from 70 to 880, y from 50 (top) to 370 (bottom)
	SELECT t0, t1, y0, y1, 70.0 AS px0, 880.0 AS px1, 50.0 AS py0, 370.0 AS py1 FROM box
), xy AS (
	SELECT id, t,
		   round(px0 + (t - t0) / nullif(t1 - t0, 0) * (px1 - px0), 1) AS x,
		   round(py1 - (m - y0) / nullif(y1 - y0, 0) * (py1 - py0), 1) AS ym,
		   round(py1 - (m + sd - y0) / nullif(y1 - y0, 0) * (py1 - py0), 1) AS yhi,
		   round(py1 - (m - sd - y0) / nullif(y1 - y0, 0) * (py1 - py0), 1) AS ylo
	  FROM pts, geo
), colors(id, color, dash) AS (
	VALUES ('s1', '#1f77b4', 'none'), ('s2', '#d62728', 'none'), ('s3', '#2ca02c', '7 4')
), series AS (
	SELECT xy.id, coalesce(c.color, '#7f7f7f') AS color, coalesce(c.dash, 'none') AS dash,
		   string_agg(x || ',' || ym, ' ' ORDER BY t) AS line,
		   string_agg(x || ',' || yhi, ' ' ORDER BY t) || ' ' ||
		   string_agg(x || ',' || ylo, ' ' ORDER BY t DESC) AS band,
		   row_number() OVER (ORDER BY xy.id) AS n
	  FROM xy LEFT JOIN colors c USING (id)
	 GROUP BY xy.id, c.color, c.dash
), xticks AS (
	-- a tick at every full hour
	SELECT h, round(px0 + (extract(epoch FROM h) - t0) / (t1 - t0) * (px1 - px0), 1) AS x
	  FROM geo, generate_series(date_trunc('hour', to_timestamp(t0)) + interval '1 hour',
								to_timestamp(t1), interval '1 hour') h
), yticks AS (
	SELECT v, round(py1 - (v - y0) / (y1 - y0) * (py1 - py0), 1) AS y
	  FROM geo, generate_series(y0::int, y1::int) v
)
SELECT concat_ws(E'\n',
	'<?xml version="1.0" encoding="UTF-8"?>',
	'<svg xmlns="http://www.w3.org/2000/svg" width="960" height="440" viewBox="0 0 960 440" font-family="sans-serif" font-size="12">',
	'<rect width="960" height="440" fill="white"/>',
	'<text x="475" y="28" text-anchor="middle" font-size="16">Temperature per sensor: 30-minute sliding mean ± one standard deviation</text>',
	(SELECT string_agg(format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#e5e5e5"/><text x="%s" y="%s" text-anchor="end" dy="4">%s °C</text>',
							  px0, y, px1, y, px0 - 6, y, v), E'\n' ORDER BY v) FROM yticks, geo),
	(SELECT string_agg(format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#e5e5e5"/><text x="%s" y="%s" text-anchor="middle">%s</text>',
							  x, py0, x, py1, x, py1 + 18, to_char(h AT TIME ZONE 'UTC', 'HH24:MI')), E'\n' ORDER BY h) FROM xticks, geo),
	(SELECT format('<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#888"/>', px0, py0, px1 - px0, py1 - py0) FROM geo),
	(SELECT format('<text x="%s" y="%s" text-anchor="middle">time (UTC)</text>', (px0 + px1) / 2, py1 + 40) FROM geo),
	(SELECT string_agg(format('<polygon points="%s" fill="%s" fill-opacity="0.18" stroke="none"/>', band, color), E'\n' ORDER BY id) FROM series),
	(SELECT string_agg(format('<polyline points="%s" fill="none" stroke="%s" stroke-width="1.8" stroke-dasharray="%s"/>', line, color, dash), E'\n' ORDER BY id) FROM series),
	(SELECT string_agg(format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="3" stroke-dasharray="%s"/><text x="%s" y="%s" dy="4">%s</text>',
							  888, 60 + 20 * n, 904, 60 + 20 * n, color, replace(dash, '7 4', '4 2'), 908, 60 + 20 * n, id), E'\n' ORDER BY id) FROM series),
	'</svg>');
