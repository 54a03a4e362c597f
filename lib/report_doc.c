/*
 * report_doc.c - from the summary (and a baseline) to the report's document:
 * sections of paragraphs, tables and charts, as a small JSON tree that the
 * text, Markdown and HTML renderers walk. Deciding what to show lives here
 * once; the renderers only know how to draw.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "report_doc.h"

static const json_t *get(const json_t *o, const char *k)
{
	return json_is_object(o) ? json_object_get(o, k) : NULL;
}

static double numv(const json_t *o, const char *k)
{
	const json_t *v = get(o, k);
	return json_is_number(v) ? json_number_value(v) : 0;
}

static int has_num(const json_t *o, const char *k, double *v)
{
	const json_t *x = get(o, k);

	if (!json_is_number(x))
		return 0;
	*v = json_number_value(x);
	return 1;
}

static const char *strv(const json_t *o, const char *k)
{
	const json_t *v = get(o, k);
	return json_is_string(v) ? json_string_value(v) : "";
}

static int is_rate(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && strcmp(name + n - 5, "_rate") == 0;
}

/* Numbers the way a report prints them: integers plain, others to 3 places. */
static json_t *fnum(double v)
{
	char b[64];

	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(b, sizeof b, "%.0f", v);
	else
		snprintf(b, sizeof b, "%.3f", v);
	return json_string(b);
}

static json_t *fpct(double v)
{
	char b[64];

	snprintf(b, sizeof b, "%.1f%%", v * 100);
	return json_string(b);
}

static json_t *fdelta(const char *name, double now, double was)
{
	char b[64];
	double d = now - was;

	if (is_rate(name))
		snprintf(b, sizeof b, "%+.1f pp", d * 100);
	else if (d == floor(d) && fabs(d) < 1e15)
		snprintf(b, sizeof b, "%+.0f", d);
	else
		snprintf(b, sizeof b, "%+.3f", d);
	return json_string(b);
}

static json_t *ffig(const char *name, double v)
{
	return is_rate(name) ? fpct(v) : fnum(v);
}

/* Record ids joined for an "examples" cell. */
static json_t *joined(const json_t *arr, const char *sep)
{
	char b[1024];
	size_t n = 0, i;
	const json_t *x;

	b[0] = '\0';
	json_array_foreach(arr, i, x) {
		size_t k;
		if (!json_is_string(x))
			continue;
		k = strlen(json_string_value(x)) + (n ? strlen(sep) : 0);
		if (n + k >= sizeof b)
			break;
		n += (size_t)snprintf(b + n, sizeof b - n, "%s%s", n ? sep : "", json_string_value(x));
	}
	return json_string(b);   /* jansson refuses invalid UTF-8: cut points are whole strings */
}

/* ---- building blocks --------------------------------------------------------- */

static json_t *section(json_t *doc, const char *id, const char *title)
{
	json_t *s = json_pack("{s:s,s:s,s:[]}", "id", id, "title", title, "blocks");

	json_array_append_new(json_object_get(doc, "sections"), s);
	return json_object_get(s, "blocks");
}

static void para(json_t *blocks, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void para(json_t *blocks, const char *fmt, ...)
{
	char b[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	json_array_append_new(blocks, json_pack("{s:s}", "para", b));
}

/* cols: "Name:l" (left), "Count:r" (right, numeric), "What:d" (a description,
 * left, that a narrow screen may hide); returns the rows array to fill. */
static json_t *table(json_t *blocks, const char *caption, const char *const *cols)
{
	json_t *t = json_object(), *c = json_array(), *al = json_array();

	for (int i = 0; cols[i]; i++) {
		const char *colon = strrchr(cols[i], ':');
		json_array_append_new(c, json_stringn(cols[i], (size_t)(colon - cols[i])));
		json_array_append_new(al, json_string(colon + 1));
	}
	json_object_set_new(t, "caption", json_string(caption));
	json_object_set_new(t, "cols", c);
	json_object_set_new(t, "align", al);
	json_object_set_new(t, "rows", json_array());
	json_array_append_new(blocks, json_pack("{s:o}", "table", t));
	return json_object_get(t, "rows");
}

static void approx_note(json_t *blocks, const json_t *tab)
{
	if (json_is_true(get(tab, "approx")))
		para(blocks, "More than %d distinct keys: counts are space-saving estimates "
		     "(an upper bound for each key; keys with small counts may be missing).",
		     SC_REPORT_COUNTERS);
}

static json_t *chart(json_t *blocks, const char *kind, const char *title)
{
	json_t *c = json_pack("{s:s,s:s,s:[],s:[]}", "kind", kind, "title", title, "labels", "series");

	json_array_append_new(blocks, json_pack("{s:o}", "chart", c));
	return c;
}

static json_t *series(json_t *chart, const char *name, const char *color)
{
	json_t *s = json_pack("{s:s,s:s,s:[]}", "name", name, "color", color, "values");

	json_array_append_new(json_object_get(chart, "series"), s);
	return json_object_get(s, "values");
}

/* ---- the sections -------------------------------------------------------------- */

static const char *lane_color(const char *lane)
{
	if (!strcmp(lane, "green")) return "#2e7d32";
	if (!strcmp(lane, "yellow")) return "#f9a825";
	if (!strcmp(lane, "red")) return "#c62828";
	if (!strcmp(lane, "blue")) return "#1565c0";
	return "#757575";
}

static void sec_overview(json_t *doc, const json_t *f, const json_t *bf)
{
	static const char *const c2[] = { "Figure:l", "Value:r", "What:d", NULL };
	static const char *const c4[] = { "Figure:l", "Value:r", "Baseline:r", "Change:r", "What:d", NULL };
	json_t *b = section(doc, "overview", "Overview");
	json_t *rows = table(b, "Figures", bf ? c4 : c2);

	for (int i = 0; sc_report_figures[i].name; i++) {
		const char *n = sc_report_figures[i].name;
		double v = numv(f, n), w = 0;
		int hb = bf && has_num(bf, n, &w);
		json_t *r;
		if (v == 0 && !(hb && w != 0) && strcmp(n, "records") && strcmp(n, "errors"))
			continue;
		r = json_pack("[s,o]", n, ffig(n, v));
		if (bf) {
			json_array_append_new(r, hb ? ffig(n, w) : json_string("-"));
			json_array_append_new(r, hb ? fdelta(n, v, w) : json_string("-"));
		}
		json_array_append_new(r, json_string(sc_report_figures[i].what));
		json_array_append_new(rows, r);
	}
}

static void sec_lanes(json_t *doc, const json_t *s, const json_t *f, const json_t *bf)
{
	static const char *const lanes[] = { "green", "yellow", "red", "blue", "other", NULL };
	static const char *const c3[] = { "Lane:l", "Records:r", "Share:r", NULL };
	static const char *const c5[] = { "Lane:l", "Records:r", "Share:r", "Baseline:r", "Change:r", NULL };
	double laned = numv(f, "laned");
	json_t *b, *c, *v, *rows;

	if (laned <= 0)
		return;
	b = section(doc, "lanes", "Lanes");
	c = chart(b, "hbar", "Records per lane");
	v = series(c, "records", "#455a64");
	json_object_set_new(c, "colors", json_array());
	rows = table(b, "Counts and rates per lane", bf ? c5 : c3);
	for (int i = 0; lanes[i]; i++) {
		double n = numv(get(s, "lanes"), lanes[i]), w;
		char rate[32];
		json_t *r;
		if (n == 0 && !strcmp(lanes[i], "other"))
			continue;
		json_array_append_new(json_object_get(c, "labels"), json_string(lanes[i]));
		json_array_append_new(json_object_get(c, "colors"), json_string(lane_color(lanes[i])));
		json_array_append_new(v, json_real(n));
		snprintf(rate, sizeof rate, "%s_rate", lanes[i]);
		r = json_pack("[s,o,o]", lanes[i], fnum(n), fpct(n / laned));
		if (bf) {
			int hb = has_num(bf, rate, &w);
			json_array_append_new(r, hb ? fpct(w) : json_string("-"));
			json_array_append_new(r, hb ? fdelta(rate, n / laned, w) : json_string("-"));
		}
		json_array_append_new(rows, r);
	}
	if (numv(f, "random") > 0)
		para(b, "%.0f of them selected at random.", numv(f, "random"));
}

static void sec_scores(json_t *doc, const json_t *s, const json_t *f)
{
	const json_t *h = get(s, "score_hist"), *bins = get(h, "bins"), *x;
	double lo = numv(h, "lo"), hi = numv(h, "hi"), total = 0;
	size_t i, n = json_array_size(bins);
	json_t *b, *c, *v;

	json_array_foreach(bins, i, x)
		total += json_number_value(x);
	total += numv(h, "over");
	if (total <= 0 || n == 0)
		return;
	b = section(doc, "scores", "Risk scores");
	c = chart(b, "vbar", "Risk score distribution");
	v = series(c, "records", "#6a1b9a");
	json_array_foreach(bins, i, x) {
		char l[48];
		double a = lo + (hi - lo) * (double)i / (double)n, z = lo + (hi - lo) * (double)(i + 1) / (double)n;
		if (hi > 1)
			snprintf(l, sizeof l, "%g-%g", a, z);
		else
			snprintf(l, sizeof l, "%.2f-%.2f", a, z);
		json_array_append_new(json_object_get(c, "labels"), json_string(l));
		json_array_append_new(v, json_real(json_number_value(x)));
	}
	if (numv(h, "over") > 0) {
		json_array_append_new(json_object_get(c, "labels"), json_string("100+"));
		json_array_append_new(v, json_real(numv(h, "over")));
	}
	para(b, "%.0f scored records; mean %g, highest %g.", total,
	     round(numv(f, "score_mean") * 1000) / 1000, round(numv(f, "score_max") * 1000) / 1000);
}

static void sec_rules(json_t *doc, const json_t *s)
{
	static const char *const cols[] = { "Rule:l", "Title:l", "Hits:r", "Mean score:r", "Examples:l", NULL };
	const json_t *tab = get(s, "rules"), *rws = get(tab, "rows"), *x;
	json_t *b, *c, *v, *rows;
	size_t i;

	if (json_array_size(rws) == 0)
		return;
	b = section(doc, "rules", "Rules by hits");
	c = chart(b, "hbar", "Top rules by hits");
	v = series(c, "hits", "#ef6c00");
	rows = table(b, "Rules by hits, with example records", cols);
	json_array_foreach(rws, i, x) {
		if (i < 10) {
			json_array_append_new(json_object_get(c, "labels"), json_string(strv(x, "id")));
			json_array_append_new(v, json_real(numv(x, "hits")));
		}
		json_array_append_new(rows, json_pack("[s,s,o,o,o]", strv(x, "id"), strv(x, "title"),
		                      fnum(numv(x, "hits")), fnum(numv(x, "score_mean")),
		                      joined(get(x, "examples"), ", ")));
	}
	approx_note(b, tab);
}

static void sec_list(json_t *doc, const json_t *s, const json_t *f, const char *lane)
{
	static const char *const cols[] = { "Declaration:l", "Score:r", "Importer:l", "Reasons:l", NULL };
	char key[32], id[32], title[64], cap[96];
	const json_t *list, *x;
	json_t *b, *rows;
	size_t i;

	snprintf(key, sizeof key, "%s_list", lane);
	list = get(s, key);
	if (json_array_size(list) == 0)
		return;
	snprintf(id, sizeof id, "%s", lane);
	snprintf(title, sizeof title, "%c%s lane", lane[0] - 32, lane + 1);
	b = section(doc, id, title);
	snprintf(cap, sizeof cap, "The %s-lane declarations with the highest scores", lane);
	rows = table(b, cap, cols);
	json_array_foreach(list, i, x) {
		const json_t *sc = get(x, "score");
		const char *imp = strv(x, "importer_name");
		json_array_append_new(rows, json_pack("[s,o,s,o]", strv(x, "id"),
		                      json_is_number(sc) ? fnum(json_number_value(sc)) : json_string("-"),
		                      *imp ? imp : strv(x, "importer"), joined(get(x, "reasons"), "; ")));
	}
	if (numv(f, lane) > (double)json_array_size(list))
		para(b, "Showing %zu of %.0f; raise -n to list more.", json_array_size(list), numv(f, lane));
}

static void sec_risky(json_t *doc, const json_t *s, const char *key, const char *id,
                      const char *title, const char *what)
{
	static const char *const cols_imp[] = { "Importer:l", "Name:l", "Records:r", "Red:r", "Yellow:r", "Mean score:r", NULL };
	static const char *const cols_hs[] = { "Chapter:l", "Records:r", "Red:r", "Yellow:r", "Mean score:r", NULL };
	const json_t *tab = get(s, key), *rws = get(tab, "rows"), *x;
	int imp = !strcmp(key, "importers");
	json_t *b, *rows;
	size_t i;

	if (json_array_size(rws) == 0)
		return;
	b = section(doc, id, title);
	rows = table(b, what, imp ? cols_imp : cols_hs);
	json_array_foreach(rws, i, x) {
		json_t *r = json_pack("[s]", strv(x, "key"));
		if (imp)
			json_array_append_new(r, json_string(strv(x, "name")));
		json_array_append_new(r, fnum(numv(x, "records")));
		json_array_append_new(r, fnum(numv(x, "red")));
		json_array_append_new(r, fnum(numv(x, "yellow")));
		json_array_append_new(r, fnum(numv(x, "score_mean")));
		json_array_append_new(rows, r);
	}
	approx_note(b, tab);
}

static void hist_chart(json_t *b, const json_t *h, const char *title, const char *color)
{
	const json_t *bins = get(h, "bins"), *x;
	double lo = numv(h, "lo"), hi = numv(h, "hi");
	size_t i, n = json_array_size(bins);
	json_t *c = chart(b, "vbar", title), *v = series(c, "pages", color);

	json_array_foreach(bins, i, x) {
		char l[48];
		snprintf(l, sizeof l, "%g-%g", lo + (hi - lo) * (double)i / (double)n,
		         lo + (hi - lo) * (double)(i + 1) / (double)n);
		json_array_append_new(json_object_get(c, "labels"), json_string(l));
		json_array_append_new(v, json_real(json_number_value(x)));
	}
}

static void sec_ocr(json_t *doc, const json_t *s, const json_t *f)
{
	static const char *const c1[] = { "Page:l", "Confidence:r", NULL };
	static const char *const c2[] = { "Page:l", "Rotation:r", NULL };
	const json_t *x;
	json_t *b, *rows;
	size_t i;

	if (numv(f, "ocr_pages") <= 0)
		return;
	b = section(doc, "ocr", "OCR quality");
	para(b, "%.0f pages, mean confidence %.1f; %.0f below %g; %.0f needed rotation; "
	     "%.0f read from a PDF text layer.", numv(f, "ocr_pages"), numv(f, "ocr_conf_mean"),
	     numv(f, "ocr_low_conf"), numv(get(s, "report"), "ocr_min"), numv(f, "ocr_rotated"),
	     numv(f, "ocr_pdf_text"));
	hist_chart(b, get(s, "ocr_conf_hist"), "OCR confidence per page", "#00838f");
	if (json_array_size(get(s, "ocr_lowest"))) {
		rows = table(b, "Pages with the lowest confidence", c1);
		json_array_foreach(get(s, "ocr_lowest"), i, x)
			json_array_append_new(rows, json_pack("[s,o]", strv(x, "id"), fnum(numv(x, "conf"))));
	}
	if (json_array_size(get(s, "ocr_rotated_list"))) {
		rows = table(b, "Pages that needed rotation (first ones)", c2);
		json_array_foreach(get(s, "ocr_rotated_list"), i, x)
			json_array_append_new(rows, json_pack("[s,o]", strv(x, "id"), fnum(numv(x, "rotate"))));
	}
}

static void sec_parse(json_t *doc, const json_t *s, const json_t *f)
{
	static const char *const c1[] = { "Document type:l", "Documents:r", NULL };
	static const char *const c2[] = { "Document type:l", "Field:l", "Missing:r", "Documents:r", "Share:r", NULL };
	static const char *const c3[] = { "Check:l", "Failed:r", "Example message:l", "Examples:l", NULL };
	const json_t *x;
	json_t *b, *rows;
	size_t i;

	if (numv(f, "parse_docs") <= 0)
		return;
	b = section(doc, "parse", "Parsing");
	para(b, "%.0f documents; %.0f key fields missing; %.0f failed cross-document checks "
	     "in %.0f records.", numv(f, "parse_docs"), numv(f, "parse_missing_fields"),
	     numv(f, "parse_checks_failed"), numv(f, "parse_docs_disagree"));
	rows = table(b, "Documents per type", c1);
	json_array_foreach(get(get(s, "parse_types"), "rows"), i, x)
		json_array_append_new(rows, json_pack("[s,o]", strv(x, "type"), fnum(numv(x, "count"))));
	if (json_array_size(get(get(s, "parse_missing"), "rows"))) {
		rows = table(b, "Key fields missing, per document type", c2);
		json_array_foreach(get(get(s, "parse_missing"), "rows"), i, x) {
			double d = numv(x, "docs");
			json_array_append_new(rows, json_pack("[s,s,o,o,o]", strv(x, "type"), strv(x, "field"),
			                      fnum(numv(x, "missing")), fnum(d),
			                      d > 0 ? fpct(numv(x, "missing") / d) : json_string("-")));
		}
		approx_note(b, get(s, "parse_missing"));
	}
	if (json_array_size(get(get(s, "parse_checks"), "rows"))) {
		rows = table(b, "Cross-document disagreements", c3);
		json_array_foreach(get(get(s, "parse_checks"), "rows"), i, x)
			json_array_append_new(rows, json_pack("[s,o,s,o]", strv(x, "check"), fnum(numv(x, "count")),
			                      strv(x, "label"), joined(get(x, "examples"), ", ")));
		approx_note(b, get(s, "parse_checks"));
	}
}

static void sec_wood(json_t *doc, const json_t *s, const json_t *f)
{
	static const char *const c1[] = { "Taxon:l", "Samples:r", "Mean score:r", "Referred:r", NULL };
	static const char *const c2[] = { "Taxon:l", "CITES:l", "Samples:r", "Best score:r", "Examples:l", NULL };
	static const char *const c3[] = { "Sample:l", "Taxon:l", "Score:r", "CITES:l", "Reasons:l", NULL };
	static const char *const c4[] = { "Reason:l", "Samples:r", "Example message:l", "Examples:l", NULL };
	const json_t *x;
	json_t *b, *rows;
	size_t i;

	if (numv(f, "wood_samples") <= 0)
		return;
	b = section(doc, "wood", "Wood screening");
	para(b, "%.0f samples; %.0f referred to an expert (%.1f%%); %.0f with a CITES-listed candidate.",
	     numv(f, "wood_samples"), numv(f, "wood_refer"), 100 * numv(f, "wood_refer_rate"),
	     numv(f, "wood_cites"));
	if (json_array_size(get(get(s, "wood_cites"), "rows"))) {
		rows = table(b, "CITES candidates", c2);
		json_array_foreach(get(get(s, "wood_cites"), "rows"), i, x)
			json_array_append_new(rows, json_pack("[s,s,o,o,o]", strv(x, "taxon"), strv(x, "cites"),
			                      fnum(numv(x, "count")), fnum(numv(x, "score_max")),
			                      joined(get(x, "examples"), ", ")));
	}
	if (json_array_size(get(get(s, "wood_reasons"), "rows"))) {
		rows = table(b, "Why samples were referred", c4);
		json_array_foreach(get(get(s, "wood_reasons"), "rows"), i, x)
			json_array_append_new(rows, json_pack("[s,o,s,o]", strv(x, "code"), fnum(numv(x, "count")),
			                      strv(x, "label"), joined(get(x, "examples"), ", ")));
	}
	if (json_array_size(get(s, "wood_referrals"))) {
		rows = table(b, "Referrals (first ones)", c3);
		json_array_foreach(get(s, "wood_referrals"), i, x)
			json_array_append_new(rows, json_pack("[s,s,o,s,o]", strv(x, "id"), strv(x, "taxon"),
			                      fnum(numv(x, "score")), json_is_true(get(x, "cites")) ? "yes" : "",
			                      joined(get(x, "reasons"), "; ")));
	}
	if (json_array_size(get(get(s, "wood_taxa"), "rows"))) {
		rows = table(b, "Top candidate per sample", c1);
		json_array_foreach(get(get(s, "wood_taxa"), "rows"), i, x)
			json_array_append_new(rows, json_pack("[s,o,o,o]", strv(x, "taxon"), fnum(numv(x, "count")),
			                      fnum(numv(x, "score_mean")), fnum(numv(x, "refer"))));
	}
}

static void sec_scan(json_t *doc, const json_t *s, const json_t *f)
{
	static const char *const c1[] = { "Anomaly:l", "Count:r", "Highest score:r", "Examples:l", NULL };
	static const char *const c2[] = { "Scan:l", "Anomalies:r", "Highest score:r", "Consistent:l", NULL };
	const json_t *x;
	json_t *b, *rows;
	size_t i;

	if (numv(f, "scan_images") <= 0)
		return;
	b = section(doc, "scan", "Container scans");
	para(b, "%.0f scans; %.0f empty; %.0f anomalies; %.0f inconsistent with the declaration; "
	     "%.0f referred; mean fill %.3f.", numv(f, "scan_images"), numv(f, "scan_empty"),
	     numv(f, "scan_anomalies"), numv(f, "scan_inconsistent"), numv(f, "scan_refer"),
	     numv(f, "scan_fill_mean"));
	if (json_array_size(get(get(s, "scan_kinds"), "rows"))) {
		rows = table(b, "Anomalies by kind", c1);
		json_array_foreach(get(get(s, "scan_kinds"), "rows"), i, x)
			json_array_append_new(rows, json_pack("[s,o,o,o]", strv(x, "kind"), fnum(numv(x, "count")),
			                      fnum(numv(x, "score_max")), joined(get(x, "examples"), ", ")));
	}
	if (json_array_size(get(s, "scan_referrals"))) {
		rows = table(b, "Referred scans, highest anomaly score first", c2);
		json_array_foreach(get(s, "scan_referrals"), i, x) {
			const json_t *c = get(x, "consistent");
			json_array_append_new(rows, json_pack("[s,o,o,s]", strv(x, "id"), fnum(numv(x, "anomalies")),
			                      fnum(numv(x, "max_score")),
			                      json_is_true(c) ? "yes" : json_is_false(c) ? "no" : "-"));
		}
	}
}

static void sec_errors(json_t *doc, const json_t *s)
{
	static const char *const cols[] = { "Tool:l", "Code:l", "Count:r", "Example message:l", "Examples:l", NULL };
	const json_t *tab = get(s, "errors"), *x;
	json_t *b, *rows;
	size_t i;

	if (json_array_size(get(tab, "rows")) == 0)
		return;
	b = section(doc, "errors", "Errors");
	rows = table(b, "Errors by tool and code", cols);
	json_array_foreach(get(tab, "rows"), i, x)
		json_array_append_new(rows, json_pack("[s,s,o,s,o]", strv(x, "tool"), strv(x, "code"),
		                      fnum(numv(x, "count")), strv(x, "msg"), joined(get(x, "examples"), ", ")));
	approx_note(b, tab);
}

static void sec_trend(json_t *doc, const json_t *s)
{
	static const char *const cols[] = { "Run:l", "Records:r", "Red:r", "Yellow:r", "Errors:r", NULL };
	static const struct { const char *fig, *name, *color; } lines[] = {
		{ "red_rate", "red rate", "#c62828" },
		{ "yellow_rate", "yellow rate", "#f9a825" },
		{ "error_rate", "error rate", "#455a64" },
	};
	const json_t *hist = get(s, "history"), *x;
	json_t *b, *c, *v[3], *rows, *all;
	size_t i;

	if (json_array_size(hist) == 0)
		return;
	all = json_deep_copy(hist);
	json_array_append_new(all, json_pack("{s:s,s:O}", "label", strv(get(s, "report"), "label"),
	                                     "figures", get(s, "figures")));
	b = section(doc, "trend", "Trend");
	c = chart(b, "line", "Rates per run, the baseline's history and now");
	for (int k = 0; k < 3; k++)
		v[k] = series(c, lines[k].name, lines[k].color);
	rows = table(b, "Runs", cols);
	json_array_foreach(all, i, x) {
		const json_t *f = get(x, "figures");
		json_array_append_new(json_object_get(c, "labels"), json_string(strv(x, "label")));
		for (int k = 0; k < 3; k++)
			json_array_append_new(v[k], json_real(numv(f, lines[k].fig)));
		json_array_append_new(rows, json_pack("[s,o,o,o,o]", strv(x, "label"), fnum(numv(f, "records")),
		                      fpct(numv(f, "red_rate")), fpct(numv(f, "yellow_rate")),
		                      fpct(numv(f, "error_rate"))));
	}
	json_decref(all);
}
/* The consignment view: for each red and yellow consignment of sc-join, the
 * declaration beside every document, sample and scan. */
static void sec_consignments(json_t *doc, const json_t *s)
{
	static const char *const cols[] = { "What:l", "Declared:l", "Found:l", "Declared in:d", "Found in:l", NULL };
	static const char *const lanes[] = { "red", "yellow" };
	json_t *b = NULL;
	for (int l = 0; l < 2; l++) {
		char key[32];
		snprintf(key, sizeof key, "%s_list", lanes[l]);
		size_t i;
		const json_t *x;
		json_array_foreach(get(s, key), i, x) {
			const json_t *ev = get(x, "evidence"), *sc = get(x, "score"), *r;
			if (!json_is_array(ev))
				continue;
			if (!b) {
				b = section(doc, "consignments", "Consignments: the evidence side by side");
				para(b, "Each red and yellow consignment of sc-join: what the declaration states beside what "
				        "its documents, wood samples and scans show, with the source of each.");
			}
			char cap[512];
			json_t *why = joined(get(x, "reasons"), "; ");
			snprintf(cap, sizeof cap, "%s: %s lane, score %.0f. %s", strv(x, "id"), lanes[l],
			         json_is_number(sc) ? json_number_value(sc) : 0, json_string_value(why));
			json_decref(why);
			json_t *rows = table(b, cap, cols);
			size_t k;
			json_array_foreach(ev, k, r)
				json_array_append(rows, (json_t *)r);
			if (!json_array_size(ev))
				json_array_append_new(rows, json_pack("[s,s,s,s,s]", "no disagreement found", "-", "-", "-", "-"));
		}
	}
}

json_t *sc_report_doc(const json_t *s, const json_t *baseline)
{
	const json_t *f = get(s, "figures"), *bf = get(baseline, "figures");
	json_t *doc = json_pack("{s:s,s:s,s:[]}", "title", strv(get(s, "report"), "title"),
	                        "label", strv(get(s, "report"), "label"), "sections");

	json_object_set_new(doc, "records", json_real(numv(f, "records")));
	sec_overview(doc, f, bf);
	sec_lanes(doc, s, f, bf);
	sec_scores(doc, s, f);
	sec_list(doc, s, f, "red");
	sec_list(doc, s, f, "yellow");
	sec_consignments(doc, s);
	sec_rules(doc, s);
	sec_risky(doc, s, "importers", "importers", "Importers by risk",
	          "Importers with the most red and yellow declarations");
	sec_risky(doc, s, "hs_chapters", "hs", "HS chapters by risk",
	          "HS chapters (first two digits) with the most red and yellow declarations");
	sec_ocr(doc, s, f);
	sec_parse(doc, s, f);
	sec_wood(doc, s, f);
	sec_scan(doc, s, f);
	sec_errors(doc, s);
	sec_trend(doc, s);
	return doc;
}
