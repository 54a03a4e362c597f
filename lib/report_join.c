/*
 * report_join.c - the evidence of one consignment (sc-join's record) for
 * sc-report's consignment view: every disagreement, wood reading, scan and
 * badly read document as one row [what, declared, found, declared in, found in],
 * so the officer sees the declaration and every source side by side.
 * Bounded: at most SC_REPORT_EVIDENCE rows, strings cut at SC_REPORT_STR_MAX.
 */
#include <stdio.h>
#include <string.h>

#include "report.h"

static const char *s_of(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* A value as text, cut to the report's bound. */
static json_t *text(const json_t *v)
{
	char b[SC_REPORT_STR_MAX];
	if (json_is_string(v))
		snprintf(b, sizeof b, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(b, sizeof b, "%lld", (long long)json_integer_value(v));
	else if (json_is_number(v))
		snprintf(b, sizeof b, "%.15g", json_number_value(v));
	else if (json_is_true(v) || json_is_false(v))
		snprintf(b, sizeof b, "%s", json_is_true(v) ? "yes" : "no");
	else
		snprintf(b, sizeof b, "-");
	return json_string(b);
}

static json_t *textf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *textf(const char *fmt, ...)
{
	char b[SC_REPORT_STR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	return json_string(b);
}

json_t *sc_report_join_evidence(const json_t *rec)
{
	const json_t *jn = json_object_get(rec, "join"), *decl = json_object_get(rec, "decl");
	if (!json_is_object(jn))
		return NULL;
	json_t *rows = json_array();
	char dsrc[SC_REPORT_STR_MAX];
	snprintf(dsrc, sizeof dsrc, "declaration:%s", s_of(decl, "id"));
	size_t i;
	const json_t *x;
	json_array_foreach(json_object_get(jn, "checks"), i, x) {
		if (json_array_size(rows) >= SC_REPORT_EVIDENCE)
			break;
		const char *field = s_of(x, "field");
		const json_t *hs = json_object_get(x, "hs");
		json_t *doc = text(json_object_get(x, "doc"));
		if (json_is_true(json_object_get(x, "doc_conf_low"))) {   /* may be a misreading */
			json_t *low = textf("%s (low OCR confidence)", json_string_value(doc));
			json_decref(doc);
			doc = low;
		}
		json_array_append_new(rows, json_pack("[o,o,o,o,o]",
		                                      json_is_string(hs) ? textf("%s (HS %s)", field, json_string_value(hs))
		                                                         : text(json_object_get(x, "field")),
		                                      strcmp(field, "link") ? text(json_object_get(x, "decl"))
		                                                            : text(json_object_get(x, "msg")),
		                                      doc, text(json_object_get(x, "decl_src")),
		                                      text(json_object_get(x, "doc_src"))));
	}
	/* the declared goods, which a wood sample or a scan is held against */
	const json_t *it0 = json_array_get(json_object_get(decl, "items"), 0);
	size_t nit = json_array_size(json_object_get(decl, "items"));
	json_t *goods = nit ? textf("%s%s", s_of(it0, "description"), nit > 1 ? " (and more)" : "") : json_string("no goods");
	json_array_foreach(json_object_get(jn, "wood"), i, x) {
		if (json_array_size(rows) >= SC_REPORT_EVIDENCE)
			break;
		const json_t *app = json_object_get(x, "appendix");
		json_array_append_new(rows, json_pack("[s,O,o,s,o]", "wood sample", goods,
		                                      textf("%s%s%s%s", json_is_string(json_object_get(x, "taxon")) ?
		                                                        s_of(x, "taxon") : "no taxon",
		                                            json_is_string(app) ? ", CITES Appendix " : "",
		                                            json_is_string(app) ? json_string_value(app) : "",
		                                            json_is_true(json_object_get(x, "refer")) ? ", referred" : ""),
		                                      dsrc,
		                                      textf("wood:%s %s", s_of(x, "id"),
		                                            s_of(json_object_get(x, "src"), "path"))));
	}
	json_array_foreach(json_object_get(jn, "scan"), i, x) {
		if (json_array_size(rows) >= SC_REPORT_EVIDENCE)
			break;
		const json_t *an = json_object_get(x, "anomalies");
		const char *ov = s_of(x, "overlay");
		json_array_append_new(rows, json_pack("[s,O,o,s,o]", "scan", goods,
		                                      textf("%s, fill %.2f, density %.2f, %zu anomalies%s",
		                                            json_is_true(json_object_get(x, "empty")) ? "empty" : "loaded",
		                                            json_number_value(json_object_get(x, "fill")),
		                                            json_number_value(json_object_get(x, "density")),
		                                            json_array_size(an),
		                                            json_is_false(json_object_get(x, "consistent")) ?
		                                            ": does not fit the declaration" : ""),
		                                      dsrc,
		                                      textf("scan:%s %s%s%s", s_of(x, "id"),
		                                            s_of(json_object_get(x, "src"), "path"),
		                                            *ov ? ", overlay " : "", ov)));
	}
	json_array_foreach(json_object_get(jn, "sources"), i, x) {
		if (json_array_size(rows) >= SC_REPORT_EVIDENCE)
			break;
		if (!json_is_true(json_object_get(x, "conf_low")))
			continue;
		json_array_append_new(rows, json_pack("[s,s,o,s,o]", "OCR confidence", "-",
		                                      textf("%.0f", json_number_value(json_object_get(x, "conf"))), dsrc,
		                                      textf("%s:%s", s_of(x, "type"), s_of(x, "id"))));
	}
	json_decref(goods);
	return rows;
}
