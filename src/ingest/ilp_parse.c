/* TEMPORARY STUB (untracked) until the parser branch lands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "ingest/ilp.h"

void ilp_parser_init(IlpParser *p, IlpReallocFn fn, void *arg)
{ memset(p, 0, sizeof(*p)); p->realloc_fn = fn; p->realloc_arg = arg; }
void ilp_parser_free(IlpParser *p) { (void) p; }
const char *ilp_error(const IlpParser *p) { return p->error; }

static size_t sused;
static char *unesc(IlpParser *p, const char *s, size_t n, size_t *outn)
{
	char *d;
	size_t j = 0;
	if (sused + n + 1 > p->scratch_cap) { /* fixed large scratch */ }
	d = p->scratch + sused;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && (s[i+1]==','||s[i+1]=='='||s[i+1]==' '||s[i+1]=='"'||s[i+1]=='\\')) i++;
		d[j++] = s[i];
	}
	sused += j; *outn = j; return d;
}
/* end of an element: first unescaped char in stops, or string end */
static size_t scan(const char *s, size_t i, size_t n, const char *stops)
{
	while (i < n) {
		if (s[i] == '\\' && i + 1 < n) { i += 2; continue; }
		if (strchr(stops, s[i])) return i;
		i++;
	}
	return n;
}
#define ERR(m) do { snprintf(p->error, ILP_ERROR_BYTES, "%s", m); return ILP_ERROR; } while (0)
IlpResult ilp_parse_line(IlpParser *p, const char *s, size_t n, IlpPoint *pt)
{
	size_t i = 0, e;
	if (n && s[n-1] == '\r') n--;
	while (i < n && s[i] == ' ') i++;
	if (i == n || s[i] == '#') return ILP_SKIP;
	if (p->scratch == NULL) { p->scratch_cap = 1 << 22; p->scratch = p->realloc_fn(NULL, p->scratch_cap, p->realloc_arg);
		p->tags_cap = 256; p->tags = p->realloc_fn(NULL, 256 * sizeof(IlpTag), p->realloc_arg);
		p->fields_cap = 256; p->fields = p->realloc_fn(NULL, 256 * sizeof(IlpField), p->realloc_arg); }
	if (n * 2 + 16 > p->scratch_cap) ERR("line too long for stub");
	sused = 0;
	memset(pt, 0, sizeof(*pt)); pt->tags = p->tags; pt->fields = p->fields;
	e = scan(s, i, n, ", ");
	if (e == i) ERR("missing measurement");
	pt->measurement.data = unesc(p, s + i, e - i, &pt->measurement.len);
	i = e;
	while (i < n && s[i] == ',') {
		IlpTag *t = &p->tags[pt->ntags];
		size_t k = scan(s, i + 1, n, "=, ");
		if (k >= n || s[k] != '=' || k == i + 1) ERR("invalid tag");
		t->key.data = unesc(p, s + i + 1, k - i - 1, &t->key.len);
		e = scan(s, k + 1, n, ", ");
		if (e == k + 1) ERR("empty tag value");
		t->value.data = unesc(p, s + k + 1, e - k - 1, &t->value.len);
		if (t->key.len == 4 && memcmp(t->key.data, "time", 4) == 0) ERR("key time");
		for (int q = 0; q < pt->ntags; q++) if (p->tags[q].key.len == t->key.len && !memcmp(p->tags[q].key.data, t->key.data, t->key.len)) ERR("duplicate tag key");
		if (++pt->ntags >= 255) ERR("too many tags");
		i = e;
	}
	if (i >= n || s[i] != ' ') ERR("missing fields");
	i++;
	for (;;) {
		IlpField *f = &p->fields[pt->nfields];
		size_t k = scan(s, i, n, "=, ");
		if (k >= n || s[k] != '=' || k == i) ERR("invalid field");
		f->key.data = unesc(p, s + i, k - i, &f->key.len);
		if (f->key.len == 4 && memcmp(f->key.data, "time", 4) == 0) ERR("key time");
		i = k + 1;
		if (i < n && s[i] == '"') {
			size_t j = i + 1; char *d = p->scratch + sused; size_t m = 0;
			while (j < n && s[j] != '"') { if (s[j] == '\\' && j + 1 < n) { j++; d[m++] = s[j] == 'n' ? '\n' : s[j]; j++; continue; } d[m++] = s[j++]; }
			if (j >= n) ERR("unterminated string");
			sused += m; f->type = ILP_STRING; f->value.s.data = d; f->value.s.len = m; i = j + 1;
		} else {
			char buf[64]; size_t j = scan(s, i, n, ", "); size_t l = j - i; char *endp;
			if (l == 0 || l > 60) ERR("invalid field value");
			memcpy(buf, s + i, l); buf[l] = 0;
			if (!strcmp(buf,"t")||!strcmp(buf,"T")||!strcmp(buf,"true")||!strcmp(buf,"True")||!strcmp(buf,"TRUE")) { f->type = ILP_BOOLEAN; f->value.b = true; }
			else if (!strcmp(buf,"f")||!strcmp(buf,"F")||!strcmp(buf,"false")||!strcmp(buf,"False")||!strcmp(buf,"FALSE")) { f->type = ILP_BOOLEAN; f->value.b = false; }
			else if (buf[l-1] == 'i') { buf[l-1] = 0; errno = 0; f->value.i = strtoll(buf, &endp, 10); if (*endp || errno || l == 1) ERR("invalid integer"); f->type = ILP_INTEGER; }
			else if (buf[l-1] == 'u') { buf[l-1] = 0; errno = 0; if (buf[0]=='-') ERR("invalid unsigned"); f->value.u = strtoull(buf, &endp, 10); if (*endp || errno || l == 1) ERR("invalid unsigned"); f->type = ILP_UNSIGNED; }
			else { errno = 0; f->value.f = strtod(buf, &endp); if (*endp || (buf[0] != '-' && buf[0] != '.' && (buf[0] < '0' || buf[0] > '9'))) ERR("invalid float"); f->type = ILP_FLOAT; }
			i = j;
		}
		for (int q = 0; q < pt->nfields; q++) if (p->fields[q].key.len == f->key.len && !memcmp(p->fields[q].key.data, f->key.data, f->key.len)) ERR("duplicate field key");
		if (++pt->nfields >= 255) ERR("too many fields");
		if (i < n && s[i] == ',') { i++; continue; }
		break;
	}
	while (i < n && s[i] == ' ') i++;
	if (i < n) {
		char buf[32]; size_t j = i; char *endp;
		while (j < n && s[j] != ' ') j++;
		if (j - i > 25) ERR("invalid timestamp");
		memcpy(buf, s + i, j - i); buf[j - i] = 0; errno = 0;
		pt->timestamp = strtoll(buf, &endp, 10);
		if (*endp || errno) ERR("invalid timestamp");
		pt->has_timestamp = true;
		while (j < n && s[j] == ' ') j++;
		if (j < n) ERR("trailing garbage");
	}
	return ILP_OK;
}
bool ilp_timestamp_to_us(int64_t ts, IlpPrecision pr, int64_t *us)
{
	int64_t d = pr == ILP_PRECISION_NS ? 1000 : 1;
	int64_t m = pr == ILP_PRECISION_MS ? 1000 : 1000000;
	if (pr == ILP_PRECISION_NS) { *us = ts / d - ((ts % d) < 0 ? 1 : 0); return true; }
	if (pr == ILP_PRECISION_US) { *us = ts; return true; }
	if (__builtin_mul_overflow(ts, m, us)) return false;
	return true;
}
