/*
 * report_render.c - sc-report's renderers over the document model: a
 * terminal summary with aligned tables and bars, Markdown, and one
 * self-contained HTML file (inline SVG charts, sortable tables, print and
 * phone styles, a Content-Security-Policy that allows nothing from outside).
 * Every string taken from records is escaped for the format it lands in.
 */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "errcode.h"
#include "report.h"
#include "report_doc.h"

static const json_t *get(const json_t *o, const char *k)
{
	return json_is_object(o) ? json_object_get(o, k) : NULL;
}

static const char *strv(const json_t *o, const char *k)
{
	const json_t *v = get(o, k);
	return json_is_string(v) ? json_string_value(v) : "";
}

static const char *cell(const json_t *row, size_t i)
{
	const json_t *v = json_array_get(row, i);
	return json_is_string(v) ? json_string_value(v) : "";
}

int sc_report_format_parse(const char *name, enum sc_report_format *f, int *csv)
{
	*csv = 0;
	if (!strcmp(name, "text")) *f = SC_REPORT_TEXT;
	else if (!strcmp(name, "md")) *f = SC_REPORT_MD;
	else if (!strcmp(name, "html")) *f = SC_REPORT_HTML;
	else if (!strcmp(name, "json")) *f = SC_REPORT_JSON;
	else if (!strcmp(name, "csv")) *csv = 1;
	else return -1;
	return 0;
}

/* ---- text ---------------------------------------------------------------------- */

#define TEXT_CELL_MAX 48

/* Display width in characters (UTF-8 lead bytes), for alignment. */
static size_t width(const char *s)
{
	size_t w = 0;

	if (!s)
		return 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

/*
 * Put s into buf for a terminal: control characters (an escape sequence in
 * a record could rewrite the officer's screen) become '?', and at most max
 * characters are kept, the last one an ellipsis when cut.
 */
static void term_text(char *buf, size_t len, const char *s, size_t max)
{
	size_t o = 0, w = 0, total;

	if (!s)
		s = "";
	total = width(s);
	while (*s) {
		unsigned char c = (unsigned char)*s;
		size_t k = 1;
		while (s[k] && ((unsigned char)s[k] & 0xC0) == 0x80)
			k++;
		if (w + 1 >= max && total > max) {
			if (o + 3 < len)
				memcpy(buf + o, "\xE2\x80\xA6", 3), o += 3;
			break;
		}
		if (o + k + 4 >= len)
			break;
		/* C0, DEL and C1 controls (0xC2 0x80-0x9F) */
		if ((k == 1 && (c < 0x20 || c == 0x7F)) ||
		    (k == 2 && c == 0xC2 && (unsigned char)s[1] < 0xA0))
			buf[o++] = '?';
		else {
			memcpy(buf + o, s, k);
			o += k;
		}
		s += k;
		w++;
	}
	buf[o] = '\0';
}

static void pad(FILE *out, size_t n)
{
	while (n--)
		putc(' ', out);
}

/* One line of a text table: each cell padded to its column's width w[c],
 * right-aligned where align says "r"; rule: dashes as wide as the column. */
static void text_line(FILE *out, const json_t *cells, const json_t *al, const size_t *w,
                      size_t nc, int rule)
{
	char buf[TEXT_CELL_MAX * 4 + 8];

	for (size_t c = 0; c < nc; c++) {
		term_text(buf, sizeof buf, cell(cells, c), TEXT_CELL_MAX);
		if (rule) {
			memset(buf, '-', w[c]);
			buf[w[c]] = '\0';
		}
		if (!strcmp(cell(al, c), "r"))
			pad(out, w[c] - width(buf));
		fputs(buf, out);
		if (c + 1 < nc && strcmp(cell(al, c), "r"))
			pad(out, w[c] - width(buf));
		if (c + 1 < nc)
			fputs("  ", out);
	}
	putc('\n', out);
}

static void text_table(FILE *out, const json_t *t)
{
	const json_t *cols = get(t, "cols"), *al = get(t, "align"), *rows = get(t, "rows"), *r;
	size_t nc = json_array_size(cols), w[16] = { 0 }, i;
	char buf[TEXT_CELL_MAX * 4 + 8];

	if (nc > 16)
		nc = 16;
	for (size_t c = 0; c < nc; c++) {
		term_text(buf, sizeof buf, cell(cols, c), TEXT_CELL_MAX);
		w[c] = width(buf);
	}
	json_array_foreach(rows, i, r)
		for (size_t c = 0; c < nc; c++) {
			term_text(buf, sizeof buf, cell(r, c), TEXT_CELL_MAX);
			if (width(buf) > w[c])
				w[c] = width(buf);
		}
	fprintf(out, "%s\n", strv(t, "caption"));
	text_line(out, cols, al, w, nc, 0);
	text_line(out, cols, al, w, nc, 1);
	json_array_foreach(rows, i, r)
		text_line(out, r, al, w, nc, 0);
}

/* Bars of '#' for hbar and vbar charts; a line chart's figures are in its table. */
static void text_chart(FILE *out, const json_t *c, const char *indent)
{
	const json_t *labels = get(c, "labels"), *vals = get(json_array_get(get(c, "series"), 0), "values");
	double max = 0;
	size_t lw = 0, i;
	const json_t *x;
	char buf[TEXT_CELL_MAX * 4 + 8];

	if (!strcmp(strv(c, "kind"), "line"))
		return;
	json_array_foreach(vals, i, x)
		if (json_number_value(x) > max)
			max = json_number_value(x);
	json_array_foreach(labels, i, x) {
		term_text(buf, sizeof buf, json_string_value(x), 24);
		if (width(buf) > lw)
			lw = width(buf);
	}
	fprintf(out, "%s%s\n", indent, strv(c, "title"));
	json_array_foreach(labels, i, x) {
		double v = json_number_value(json_array_get(vals, i));
		int n = max > 0 ? (int)lround(v / max * 40) : 0;
		term_text(buf, sizeof buf, json_string_value(x), 24);
		fprintf(out, "%s%s", indent, buf);
		pad(out, lw - width(buf));
		fputs("  ", out);
		for (int k = 0; k < n; k++)
			putc('#', out);
		if (n == 0 && v > 0)
			putc('.', out);
		fprintf(out, " %.0f\n", v);
	}
}

static void render_text(FILE *out, const json_t *doc)
{
	const json_t *sec, *b;
	size_t i, j;
	char buf[512];

	term_text(buf, sizeof buf, strv(doc, "title"), 100);
	fprintf(out, "%s\n", buf);
	for (size_t k = width(buf); k > 0; k--)
		putc('=', out);
	term_text(buf, sizeof buf, strv(doc, "label"), 60);
	fprintf(out, "\n%s, %.0f records\n", buf, json_number_value(get(doc, "records")));
	json_array_foreach(get(doc, "sections"), i, sec) {
		fprintf(out, "\n== %s\n", strv(sec, "title"));
		json_array_foreach(get(sec, "blocks"), j, b) {
			if (get(b, "chart") && !strcmp(strv(get(b, "chart"), "kind"), "line"))
				continue;       /* its figures are in the table beside it */
			putc('\n', out);
			if (get(b, "para")) {
				term_text(buf, sizeof buf, strv(b, "para"), 400);
				fprintf(out, "%s\n", buf);
			} else if (get(b, "table"))
				text_table(out, get(b, "table"));
			else if (get(b, "chart"))
				text_chart(out, get(b, "chart"), "");
		}
	}
}

/* ---- Markdown ----------------------------------------------------------------- */

/* Backslash-escape what Markdown would read as markup or HTML; newlines and
 * control characters become spaces so a cell stays in its row. */
static void md_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7F)
			putc(' ', out);
		else if (strchr("\\`*_[]<>|&~#!{}()", c)) {
			putc('\\', out);
			putc(c, out);
		} else
			putc(c, out);
	}
}

static void render_md(FILE *out, const json_t *doc)
{
	const json_t *sec, *b, *r;
	size_t i, j, k;

	fputs("# ", out);
	md_text(out, strv(doc, "title"));
	fputs("\n\n", out);
	md_text(out, strv(doc, "label"));
	fprintf(out, ", %.0f records\n", json_number_value(get(doc, "records")));
	json_array_foreach(get(doc, "sections"), i, sec) {
		fprintf(out, "\n## %s\n", strv(sec, "title"));
		json_array_foreach(get(sec, "blocks"), j, b) {
			const json_t *t = get(b, "table");
			if (get(b, "chart") && !strcmp(strv(get(b, "chart"), "kind"), "line"))
				continue;
			putc('\n', out);
			if (get(b, "para")) {
				md_text(out, strv(b, "para"));
				putc('\n', out);
			} else if (get(b, "chart")) {
				fputs("```\n", out);
				text_chart(out, get(b, "chart"), "");
				fputs("```\n", out);
			} else if (t) {
				const json_t *cols = get(t, "cols"), *al = get(t, "align");
				size_t nc = json_array_size(cols);
				fputs("**", out);
				md_text(out, strv(t, "caption"));
				fputs("**\n\n|", out);
				for (k = 0; k < nc; k++) {
					putc(' ', out);
					md_text(out, cell(cols, k));
					fputs(" |", out);
				}
				fputs("\n|", out);
				for (k = 0; k < nc; k++)
					fputs(strcmp(cell(al, k), "r") ? " --- |" : " ---: |", out);
				putc('\n', out);
				json_array_foreach(get(t, "rows"), k, r) {
					putc('|', out);
					for (size_t c = 0; c < nc; c++) {
						putc(' ', out);
						md_text(out, cell(r, c));
						fputs(" |", out);
					}
					putc('\n', out);
				}
			}
		}
	}
}

/* ---- HTML ----------------------------------------------------------------------- */

/* Text and attribute values alike: & < > " ' are never markup. */
static void h(FILE *out, const char *s)
{
	if (!s)
		return;
	for (; *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				putc(' ', out);
			else
				putc(*s, out);
		}
}

/* Labels inside a chart are cut so the bars keep their room. */
static void h_cut(FILE *out, const char *s, size_t max)
{
	char buf[256];

	term_text(buf, sizeof buf, s, max);
	h(out, buf);
}

static const char css[] =
	":root{--fg:#1b1f23;--mut:#57606a;--bd:#d0d7de;--bg:#fff;--hd:#f6f8fa}"
	"*{box-sizing:border-box}"
	"body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);background:var(--bg)}"
	"header{padding:16px 20px;border-bottom:1px solid var(--bd);background:var(--hd)}"
	"h1{font-size:1.4em;margin:0 0 4px}h2{font-size:1.15em;margin:28px 0 8px;border-bottom:1px solid var(--bd);padding-bottom:4px}"
	".meta{color:var(--mut);margin:0}"
	"nav{margin-top:8px;display:flex;flex-wrap:wrap;gap:4px 12px}nav a{color:#0969da;text-decoration:none}"
	"main{padding:0 20px 40px;max-width:1100px}"
	"figure{margin:12px 0}figcaption{color:var(--mut);font-size:.9em}"
	"svg.chart{width:100%;max-width:640px;height:auto;display:block}"
	"svg text{font:12px system-ui,sans-serif;fill:#1b1f23}"
	".tw{overflow-x:auto;margin:8px 0 16px}"
	"table{border-collapse:collapse;font-size:.92em;min-width:50%}"
	"caption{text-align:left;color:var(--mut);padding:4px 0}"
	"th,td{border:1px solid var(--bd);padding:4px 8px;vertical-align:top;text-align:left}"
	"td.r,th.r{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	"th{background:var(--hd);cursor:pointer;user-select:none;white-space:nowrap}"
	"th[aria-sort=ascending]::after{content:' \\25B2'}th[aria-sort=descending]::after{content:' \\25BC'}"
	"td{overflow-wrap:break-word;max-width:420px}"
	"#selftest{white-space:pre;border:2px solid #c62828;padding:8px}"
	"@media (max-width:600px){body{font-size:14px}main,header{padding-left:10px;padding-right:10px}td{max-width:240px}.d{display:none}}"
	"@media print{nav,#selftest{display:none}header{background:none}th{background:none}"
	"section{break-inside:avoid-page}.tw{overflow:visible}td{max-width:none}a{color:inherit}}";

/*
 * Sorting on click, and a self-test when the page is opened with #selftest
 * (the headless-browser test reads its verdict from the DOM).
 */
static const char js[] =
	"(function(){'use strict';var errs=[];"
	"window.addEventListener('error',function(e){errs.push(String(e.message));});"
	"function key(td){var t=td.textContent,n=parseFloat(t);return isNaN(n)||!/^[-+]?[0-9.]/.test(t)?t.toLowerCase():n;}"
	"function cmp(a,b){if(typeof a==='number'&&typeof b==='number')return a-b;"
	"if(typeof a==='number')return -1;if(typeof b==='number')return 1;return a<b?-1:a>b?1:0;}"
	"function sort(th){var tb=th.closest('table').tBodies[0],i=th.cellIndex,"
	"asc=th.getAttribute('aria-sort')!=='ascending',rows=Array.prototype.slice.call(tb.rows);"
	"rows.sort(function(x,y){var c=cmp(key(x.cells[i]),key(y.cells[i]));return asc?c:-c;});"
	"rows.forEach(function(r){tb.appendChild(r);});"
	"Array.prototype.forEach.call(th.parentNode.cells,function(c){c.removeAttribute('aria-sort');});"
	"th.setAttribute('aria-sort',asc?'ascending':'descending');}"
	"document.querySelectorAll('table.sortable th').forEach(function(th){th.tabIndex=0;"
	"th.addEventListener('click',function(){sort(th);});"
	"th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();sort(th);}});});"
	"if(location.hash!=='#selftest')return;"
	"var out=[],ok=true;function t(c,m){out.push((c?'ok ':'FAIL ')+m);if(!c)ok=false;}"
	"t(document.scripts.length===1,'scripts in page: '+document.scripts.length);"
	"var svgs=document.querySelectorAll('svg.chart'),drawn=0;"
	"svgs.forEach(function(s){var b=s.getBBox();if(s.querySelectorAll('rect.bar,polyline').length&&b.width>0&&b.height>0)drawn++;});"
	"t(svgs.length>0&&drawn===svgs.length,'charts drawn: '+drawn+' of '+svgs.length);"
	"var th=null;document.querySelectorAll('table.sortable').forEach(function(tb){"
	"if(!th&&tb.tBodies[0].rows.length>1){var h=tb.tHead.rows[0].cells;for(var k=0;k<h.length;k++)if(h[k].classList.contains('r')){th=h[k];break;}}});"
	"if(th){var col=function(){return Array.prototype.map.call(th.closest('table').tBodies[0].rows,function(r){return parseFloat(r.cells[th.cellIndex].textContent);});};"
	"th.click();var a=col(),up=a.every(function(v,k){return k===0||a[k-1]<=v;});th.click();var d=col(),dn=d.every(function(v,k){return k===0||d[k-1]>=v;});"
	"t(up&&dn&&th.getAttribute('aria-sort')==='descending','table sorts on click: '+th.textContent.replace(/[^ -~]/g,''));}"
	"else t(false,'no sortable table with two rows');"
	"t(errs.length===0,'script errors: '+errs.length+(errs.length?' '+errs.join('; '):''));"
	"var el=document.getElementById('selftest');el.hidden=false;"
	"el.textContent='selftest: '+(ok?'pass':'fail')+'\\n'+out.join('\\n');})();";

/* 'sha256-...' of an inline element, for the Content-Security-Policy. */
static void csp_hash(char *buf, size_t len, const char *text)
{
	guint8 digest[32];
	gsize dlen = sizeof digest;
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
	gchar *b64;

	g_checksum_update(c, (const guchar *)text, (gssize)strlen(text));
	g_checksum_get_digest(c, digest, &dlen);
	g_checksum_free(c);
	b64 = g_base64_encode(digest, dlen);
	snprintf(buf, len, "'sha256-%s'", b64);
	g_free(b64);
}

static double val(const json_t *vals, size_t i)
{
	const json_t *v = json_array_get(vals, i);
	double d = json_is_number(v) ? json_number_value(v) : 0;
	return isfinite(d) ? d : 0;
}

static void svg_open(FILE *out, const json_t *c, int w, int hgt)
{
	fprintf(out, "<figure><svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", w, hgt);
	h(out, strv(c, "title"));
	fputs("\" xmlns=\"http://www.w3.org/2000/svg\"><title>", out);
	h(out, strv(c, "title"));
	fputs("</title>", out);
}

static void svg_close(FILE *out, const json_t *c)
{
	fputs("</svg><figcaption>", out);
	h(out, strv(c, "title"));
	fputs("</figcaption></figure>\n", out);
}

static void svg_hbar(FILE *out, const json_t *c)
{
	const json_t *labels = get(c, "labels"), *s0 = json_array_get(get(c, "series"), 0);
	const json_t *vals = get(s0, "values"), *colors = get(c, "colors");
	size_t n = json_array_size(labels), i;
	double max = 0;
	int row = 24, hgt = (int)n * row + 8;

	for (i = 0; i < n; i++)
		if (val(vals, i) > max)
			max = val(vals, i);
	svg_open(out, c, 640, hgt);
	for (i = 0; i < n; i++) {
		double v = val(vals, i), bw = max > 0 ? v / max * 380 : 0;
		const char *col = json_is_string(json_array_get(colors, i)) ?
			json_string_value(json_array_get(colors, i)) : strv(s0, "color");
		int y = 4 + (int)i * row;
		fprintf(out, "<text x=\"172\" y=\"%d\" text-anchor=\"end\">", y + 16);
		h_cut(out, json_string_value(json_array_get(labels, i)), 26);
		fprintf(out, "</text><rect class=\"bar\" x=\"180\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"",
		        y + 3, bw < 1 && v > 0 ? 1.0 : bw, row - 6);
		h(out, col);
		fprintf(out, "\"><title>%.0f</title></rect><text x=\"%.1f\" y=\"%d\">%.0f</text>",
		        v, 184 + bw, y + 16, v);
	}
	svg_close(out, c);
}

static void svg_vbar(FILE *out, const json_t *c)
{
	const json_t *labels = get(c, "labels"), *s0 = json_array_get(get(c, "series"), 0);
	const json_t *vals = get(s0, "values");
	size_t n = json_array_size(labels), i;
	double max = 0, bw;
	const int x0 = 40, pw = 580, top = 10, ph = 170;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		if (val(vals, i) > max)
			max = val(vals, i);
	bw = (double)pw / (double)n;
	svg_open(out, c, 640, 220);
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>", x0, top + ph, x0 + pw, top + ph);
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f</text>", x0 - 4, top + 10, max);
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>", x0 - 4, top + ph);
	for (i = 0; i < n; i++) {
		double v = val(vals, i), bh = max > 0 ? v / max * ph : 0;
		if (v > 0 && bh < 1)
			bh = 1;
		fprintf(out, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"",
		        x0 + i * bw + 1, top + ph - bh, bw - 2, bh);
		h(out, strv(s0, "color"));
		fputs("\"><title>", out);
		h(out, json_string_value(json_array_get(labels, i)));
		fprintf(out, ": %.0f</title></rect>", v);
	}
	for (i = 0; i < n; i += n > 4 ? n / 4 : 1) {
		const char *l = json_string_value(json_array_get(labels, i));
		char lo[64];
		const char *dash = l ? strchr(l, '-') : NULL;
		snprintf(lo, sizeof lo, "%.*s", dash ? (int)(dash - l) : 63, l ? l : "");
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", x0 + i * bw, top + ph + 18);
		h(out, lo);
		fputs("</text>", out);
	}
	svg_close(out, c);
}

static void svg_line(FILE *out, const json_t *c)
{
	const json_t *labels = get(c, "labels"), *series = get(c, "series"), *s;
	size_t n = json_array_size(labels), i, k;
	double max = 0;
	const int x0 = 50, pw = 540, top = 10, ph = 150;

	if (n == 0)
		return;
	json_array_foreach(series, k, s)
		for (i = 0; i < n; i++)
			if (val(get(s, "values"), i) > max)
				max = val(get(s, "values"), i);
	if (max <= 0)
		max = 1;
	svg_open(out, c, 640, 230);
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>", x0, top + ph, x0 + pw, top + ph);
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.1f%%</text>", x0 - 4, top + 10, max * 100);
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0%%</text>", x0 - 4, top + ph);
#define PX(i) (x0 + (n > 1 ? (double)(i) * pw / (double)(n - 1) : pw / 2.0))
#define PY(v) (top + ph - (v) / max * ph)
	json_array_foreach(series, k, s) {
		fputs("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"", out);
		h(out, strv(s, "color"));
		fputs("\" points=\"", out);
		for (i = 0; i < n; i++)
			fprintf(out, "%s%.1f,%.1f", i ? " " : "", PX(i), PY(val(get(s, "values"), i)));
		fputs("\"/>", out);
		for (i = 0; i < n; i++) {
			fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"", PX(i), PY(val(get(s, "values"), i)));
			h(out, strv(s, "color"));
			fputs("\"><title>", out);
			h(out, strv(s, "name"));
			fputs(" ", out);
			h(out, json_string_value(json_array_get(labels, i)));
			fprintf(out, ": %.2f%%</title></circle>", 100 * val(get(s, "values"), i));
		}
		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"", x0 + 10 + (int)k * 130, top + ph + 42);
		h(out, strv(s, "color"));
		fprintf(out, "\"/><text x=\"%d\" y=\"%d\">", x0 + 24 + (int)k * 130, top + ph + 51);
		h(out, strv(s, "name"));
		fputs("</text>", out);
	}
	for (i = 0; i < n; i++) {
		if (n > 8 && i % (n / 6) && i != n - 1)
			continue;
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", PX(i), top + ph + 18);
		h_cut(out, json_string_value(json_array_get(labels, i)), 12);
		fputs("</text>", out);
	}
#undef PX
#undef PY
	svg_close(out, c);
}

/* One row of an HTML table: header cells (th scope=col) or data cells,
 * with the class of their column's alignment ("r", "d"). */
static void html_row(FILE *out, const json_t *cells, const json_t *al, size_t nc, int head)
{
	if (!head)
		fputs("<tr>", out);
	for (size_t c = 0; c < nc; c++) {
		const char *a = cell(al, c);
		fputs(head ? "<th scope=\"col\"" : "<td", out);
		if (!strcmp(a, "r") || !strcmp(a, "d"))
			fprintf(out, " class=\"%s\"", a);
		putc('>', out);
		h(out, cell(cells, c));
		fputs(head ? "</th>" : "</td>", out);
	}
	fputs(head ? "</tr>" : "</tr>\n", out);
}

static void html_table(FILE *out, const json_t *t)
{
	const json_t *cols = get(t, "cols"), *al = get(t, "align"), *r;
	size_t nc = json_array_size(cols), i;

	fputs("<div class=\"tw\"><table class=\"sortable\"><caption>", out);
	h(out, strv(t, "caption"));
	fputs("</caption><thead><tr>", out);
	html_row(out, cols, al, nc, 1);
	fputs("</thead><tbody>\n", out);
	json_array_foreach(get(t, "rows"), i, r)
		html_row(out, r, al, nc, 0);
	fputs("</tbody></table></div>\n", out);
}

static void render_html(FILE *out, const json_t *doc)
{
	const json_t *sec, *b;
	size_t i, j;
	char hs[128], hc[128];

	csp_hash(hs, sizeof hs, js);
	csp_hash(hc, sizeof hc, css);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n", out);
	fprintf(out, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	        "script-src %s; style-src %s; img-src data:; form-action 'none'; base-uri 'none'\">\n", hs, hc);
	fputs("<title>", out);
	h(out, strv(doc, "title"));
	fprintf(out, "</title>\n<style>%s</style>\n</head><body>\n<header><h1>", css);
	h(out, strv(doc, "title"));
	fputs("</h1><p class=\"meta\">", out);
	h(out, strv(doc, "label"));
	fprintf(out, " &middot; %.0f records</p><nav>", json_number_value(get(doc, "records")));
	json_array_foreach(get(doc, "sections"), i, sec) {
		fputs("<a href=\"#", out);
		h(out, strv(sec, "id"));
		fputs("\">", out);
		h(out, strv(sec, "title"));
		fputs("</a>", out);
	}
	fputs("</nav></header>\n<main>\n", out);
	json_array_foreach(get(doc, "sections"), i, sec) {
		fputs("<section id=\"", out);
		h(out, strv(sec, "id"));
		fputs("\"><h2>", out);
		h(out, strv(sec, "title"));
		fputs("</h2>\n", out);
		json_array_foreach(get(sec, "blocks"), j, b) {
			const json_t *c = get(b, "chart");
			if (get(b, "para")) {
				fputs("<p>", out);
				h(out, strv(b, "para"));
				fputs("</p>\n", out);
			} else if (get(b, "table"))
				html_table(out, get(b, "table"));
			else if (c && !strcmp(strv(c, "kind"), "hbar"))
				svg_hbar(out, c);
			else if (c && !strcmp(strv(c, "kind"), "vbar"))
				svg_vbar(out, c);
			else if (c && !strcmp(strv(c, "kind"), "line"))
				svg_line(out, c);
		}
		fputs("</section>\n", out);
	}
	fprintf(out, "</main>\n<pre id=\"selftest\" hidden></pre>\n<script>%s</script>\n</body></html>\n", js);
}

int sc_report_render(FILE *out, enum sc_report_format f, const json_t *summary,
                     const json_t *baseline, struct sc_error *err)
{
	json_t *doc;

	if (f == SC_REPORT_JSON) {
		if (json_dumpf(summary, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) < 0 || putc('\n', out) == EOF)
			return sc_error_set(err, NULL, 0, 0, "write", "write error");
		return ferror(out) ? sc_error_set(err, NULL, 0, 0, "write", "write error") : 0;
	}
	doc = sc_report_doc(summary, baseline);
	if (!doc)
		return sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
	if (f == SC_REPORT_TEXT)
		render_text(out, doc);
	else if (f == SC_REPORT_MD)
		render_md(out, doc);
	else
		render_html(out, doc);
	json_decref(doc);
	if (fflush(out) == EOF || ferror(out))
		return sc_error_set(err, NULL, 0, 0, "write", "write error");
	return 0;
}
