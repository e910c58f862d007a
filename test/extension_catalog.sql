-- test/extension_catalog.sql — the catalog of the installed streamstat, as
-- sorted text lines that do not depend on OIDs, for comparing two installs
-- (test/t/040_upgrade.pl: 0.1 + ALTER EXTENSION UPDATE against a fresh one).
--
-- The members come from pg_depend (deptype 'e' on the extension), never
-- from a list of names; each member is described from its system catalog
-- with its full definition: functions (pg_get_functiondef and every
-- attribute), aggregates (every support function and option), types,
-- operators, casts, operator families, tables and views (columns, defaults,
-- constraints, indexes, triggers, view definitions, ACLs), sequences,
-- schemas, event triggers, comments and initial privileges.  Members of
-- other catalogs still appear by identity.  Newlines are written as \n so
-- that one line is one fact.

WITH ext AS (
	SELECT oid FROM pg_extension WHERE extname = 'streamstat'
), m AS (
	SELECT d.classid, d.objid
	  FROM pg_depend d, ext
	 WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid
	   AND d.deptype = 'e'
), ident AS (
	SELECT m.classid, m.objid, i.type, i.identity
	  FROM m, LATERAL pg_identify_object(m.classid, m.objid, 0) i
), facts(line) AS (
	-- the extension itself
	SELECT format('extension: version=%s relocatable=%s schema=%s config=%s condition=%s',
				  e.extversion, e.extrelocatable, e.extnamespace::regnamespace,
				  (SELECT array_agg(c::regclass::text ORDER BY c::regclass::text)
					 FROM unnest(e.extconfig) c),
				  e.extcondition)
	  FROM pg_extension e WHERE e.extname = 'streamstat'
	UNION ALL
	-- every member, whatever its catalog
	SELECT format('member %s %s', type, identity) FROM ident
	UNION ALL
	-- comments on members and on their columns
	SELECT format('comment %s %s: %s', i.type, i.identity, d.description)
	  FROM m JOIN pg_description d ON d.classoid = m.classid AND d.objoid = m.objid,
		   LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) i
	UNION ALL
	-- initial privileges recorded for pg_dump
	SELECT format('init_privs %s %s (%s): %s', i.type, i.identity, p.privtype, p.initprivs)
	  FROM m JOIN pg_init_privs p ON p.classoid = m.classid AND p.objoid = m.objid,
		   LATERAL pg_identify_object(p.classoid, p.objoid, p.objsubid) i
	UNION ALL
	-- functions and procedures: full definition
	SELECT format('function %s: %s', p.oid::regprocedure, pg_get_functiondef(p.oid))
	  FROM m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
	 WHERE p.prokind <> 'a'
	UNION ALL
	-- every routine (aggregates too): attributes, including the ACL
	SELECT format('routine %s: kind=%s args=(%s) result=%s strict=%s volatile=%s parallel=%s '
				  'secdef=%s leakproof=%s cost=%s rows=%s support=%s retset=%s config=%s '
				  'lang=%s src=%s bin=%s acl=%s',
				  p.oid::regprocedure, p.prokind, pg_get_function_arguments(p.oid),
				  pg_get_function_result(p.oid), p.proisstrict, p.provolatile,
				  p.proparallel, p.prosecdef, p.proleakproof, p.procost, p.prorows,
				  p.prosupport::oid::regprocedure, p.proretset, p.proconfig,
				  l.lanname, p.prosrc, p.probin, p.proacl)
	  FROM m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
	  JOIN pg_language l ON l.oid = p.prolang
	UNION ALL
	-- aggregates: every support function and option
	SELECT format('aggregate %s: kind=%s direct=%s trans=%s final=%s combine=%s serial=%s '
				  'deserial=%s mtrans=%s minv=%s mfinal=%s finalextra=%s mfinalextra=%s '
				  'finalmodify=%s mfinalmodify=%s sortop=%s stype=%s sspace=%s mstype=%s '
				  'msspace=%s initval=%s minitval=%s',
				  a.aggfnoid::oid::regprocedure, a.aggkind, a.aggnumdirectargs,
				  a.aggtransfn::oid::regprocedure, a.aggfinalfn::oid::regprocedure,
				  a.aggcombinefn::oid::regprocedure, a.aggserialfn::oid::regprocedure,
				  a.aggdeserialfn::oid::regprocedure, a.aggmtransfn::oid::regprocedure,
				  a.aggminvtransfn::oid::regprocedure, a.aggmfinalfn::oid::regprocedure,
				  a.aggfinalextra, a.aggmfinalextra, a.aggfinalmodify, a.aggmfinalmodify,
				  a.aggsortop::regoperator, a.aggtranstype::regtype, a.aggtransspace,
				  a.aggmtranstype::regtype, a.aggmtransspace, a.agginitval, a.aggminitval)
	  FROM m JOIN pg_aggregate a ON m.classid = 'pg_proc'::regclass AND a.aggfnoid = m.objid
	UNION ALL
	-- types (with their array type and, for composites, their attributes)
	SELECT format('type %s: type=%s len=%s byval=%s category=%s preferred=%s delim=%s '
				  'in=%s out=%s recv=%s send=%s modin=%s modout=%s analyze=%s subscript=%s '
				  'align=%s storage=%s notnull=%s base=%s typmod=%s ndims=%s collation=%s '
				  'default=%s elem=%s array=%s acl=%s attrs=%s',
				  t.oid::regtype, t.typtype, t.typlen, t.typbyval, t.typcategory,
				  t.typispreferred, t.typdelim, t.typinput::oid::regprocedure,
				  t.typoutput::oid::regprocedure, t.typreceive::oid::regprocedure,
				  t.typsend::oid::regprocedure, t.typmodin::oid::regprocedure,
				  t.typmodout::oid::regprocedure, t.typanalyze::oid::regprocedure,
				  t.typsubscript::oid::regprocedure, t.typalign, t.typstorage,
				  t.typnotnull, t.typbasetype::regtype, t.typtypmod, t.typndims,
				  t.typcollation::regcollation, t.typdefault, t.typelem::regtype, t.typarray::regtype,
				  t.typacl,
				  (SELECT string_agg(format('%s %s', a.attname, format_type(a.atttypid, a.atttypmod)),
									 ', ' ORDER BY a.attnum)
					 FROM pg_attribute a
					WHERE t.typtype = 'c' AND a.attrelid = t.typrelid AND a.attnum > 0
					  AND NOT a.attisdropped))
	  FROM m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
	UNION ALL
	SELECT format('enum %s: %s', e.enumtypid::regtype, string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder))
	  FROM m JOIN pg_enum e ON m.classid = 'pg_type'::regclass AND e.enumtypid = m.objid
	 GROUP BY e.enumtypid
	UNION ALL
	-- operators
	SELECT format('operator %s: kind=%s result=%s code=%s commutator=%s negator=%s '
				  'restrict=%s join=%s merges=%s hashes=%s',
				  o.oid::regoperator, o.oprkind, o.oprresult::regtype,
				  o.oprcode::oid::regprocedure, o.oprcom::regoperator,
				  o.oprnegate::regoperator, o.oprrest::oid::regprocedure,
				  o.oprjoin::oid::regprocedure, o.oprcanmerge, o.oprcanhash)
	  FROM m JOIN pg_operator o ON m.classid = 'pg_operator'::regclass AND o.oid = m.objid
	UNION ALL
	-- casts
	SELECT format('cast %s -> %s: function=%s context=%s method=%s',
				  c.castsource::regtype, c.casttarget::regtype,
				  c.castfunc::regprocedure, c.castcontext, c.castmethod)
	  FROM m JOIN pg_cast c ON m.classid = 'pg_cast'::regclass AND c.oid = m.objid
	UNION ALL
	-- operator families and classes: their operators and functions
	SELECT format('opfamily %s: operator %s %s %s %s purpose=%s sortfamily=%s',
				  i.identity, ao.amopstrategy, ao.amoplefttype::regtype,
				  ao.amoprighttype::regtype, ao.amopopr::regoperator, ao.amoppurpose,
				  ao.amopsortfamily)
	  FROM ident i JOIN pg_amop ao ON i.classid = 'pg_opfamily'::regclass AND ao.amopfamily = i.objid
	UNION ALL
	SELECT format('opfamily %s: function %s %s %s %s',
				  i.identity, ap.amprocnum, ap.amproclefttype::regtype,
				  ap.amprocrighttype::regtype, ap.amproc::oid::regprocedure)
	  FROM ident i JOIN pg_amproc ap ON i.classid = 'pg_opfamily'::regclass AND ap.amprocfamily = i.objid
	UNION ALL
	SELECT format('opclass %s: family=%s type=%s default=%s storage=%s',
				  i.identity, (pg_identify_object('pg_opfamily'::regclass, oc.opcfamily, 0)).identity,
				  oc.opcintype::regtype, oc.opcdefault,
				  oc.opckeytype::regtype)
	  FROM ident i JOIN pg_opclass oc ON i.classid = 'pg_opclass'::regclass AND oc.oid = i.objid
	UNION ALL
	-- tables, views, sequences: kind and options
	SELECT format('relation %s: kind=%s persistence=%s options=%s partkey=%s rls=%s acl=%s',
				  c.oid::regclass, c.relkind, c.relpersistence, c.reloptions,
				  CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
				  c.relrowsecurity, c.relacl)
	  FROM m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
	UNION ALL
	SELECT format('view %s: %s', c.oid::regclass, pg_get_viewdef(c.oid))
	  FROM m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
	 WHERE c.relkind IN ('v', 'm')
	UNION ALL
	-- columns in order (a column an upgrade appends must come last in a
	-- fresh install too, or SELECT * would differ)
	SELECT format('column %s.%s: #%s %s notnull=%s default=%s identity=%s generated=%s '
				  'collation=%s acl=%s',
				  c.oid::regclass, a.attname,
				  row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum),
				  format_type(a.atttypid, a.atttypmod), a.attnotnull,
				  pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated,
				  a.attcollation::regcollation, a.attacl)
	  FROM m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
	  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	  LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
	UNION ALL
	SELECT format('constraint %s %s: %s', co.conrelid::regclass, co.conname,
				  pg_get_constraintdef(co.oid))
	  FROM m JOIN pg_constraint co ON m.classid = 'pg_class'::regclass AND co.conrelid = m.objid
	UNION ALL
	SELECT format('index %s: %s', x.indexrelid::regclass, pg_get_indexdef(x.indexrelid))
	  FROM m JOIN pg_index x ON m.classid = 'pg_class'::regclass AND x.indrelid = m.objid
	UNION ALL
	SELECT format('trigger %s: %s enabled=%s', tg.tgname,
				  pg_get_triggerdef(tg.oid), tg.tgenabled)
	  FROM m JOIN pg_trigger tg ON m.classid = 'pg_class'::regclass AND tg.tgrelid = m.objid
	 WHERE NOT tg.tgisinternal
	UNION ALL
	SELECT format('policy %s on %s: cmd=%s permissive=%s roles=%s using=%s check=%s',
				  po.polname, po.polrelid::regclass, po.polcmd, po.polpermissive,
				  po.polroles::regrole[], pg_get_expr(po.polqual, po.polrelid),
				  pg_get_expr(po.polwithcheck, po.polrelid))
	  FROM m JOIN pg_policy po ON m.classid = 'pg_class'::regclass AND po.polrelid = m.objid
	UNION ALL
	SELECT format('sequence %s: type=%s start=%s increment=%s max=%s min=%s cache=%s cycle=%s owned_by=%s',
				  s.seqrelid::regclass, s.seqtypid::regtype, s.seqstart, s.seqincrement,
				  s.seqmax, s.seqmin, s.seqcache, s.seqcycle,
				  (SELECT format('%s.%s', d.refobjid::regclass, a.attname)
					 FROM pg_depend d
					 JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
					WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid
					  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
	  FROM m JOIN pg_sequence s ON m.classid = 'pg_class'::regclass AND s.seqrelid = m.objid
	UNION ALL
	-- schemas
	SELECT format('schema %s: acl=%s', n.nspname, n.nspacl)
	  FROM m JOIN pg_namespace n ON m.classid = 'pg_namespace'::regclass AND n.oid = m.objid
	UNION ALL
	-- event triggers
	SELECT format('event trigger %s: event=%s function=%s enabled=%s tags=%s',
				  et.evtname, et.evtevent, et.evtfoid::regprocedure, et.evtenabled, et.evttags)
	  FROM m JOIN pg_event_trigger et ON m.classid = 'pg_event_trigger'::regclass AND et.oid = m.objid
)
SELECT replace(line, E'\n', '\n') FROM facts ORDER BY 1;
