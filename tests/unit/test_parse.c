/*
 * test_parse.c - the parser on its own: templates (good, and bad ones that
 * must name file:line:col), document types, labelled fields beside and below
 * their labels, items by columns, and consignment checks.
 */
#include <string.h>

#include "parse_rank.h"
#include "t.h"

static const char COMMON[] =
	"type: common\n"
	"fields:\n"
	"  invoice_no: {labels: [\"invoice no\", \"发票号\"]}\n"
	"  date: {labels: [\"date\"]}\n"
	"  total: {kind: money, pick: last, labels: [\"total\"]}\n"
	"  buyer: {labels: [\"buyer\"]}\n"
	"  gross_kg: {labels: [\"gross weight\"]}\n";

static const char INVOICE[] =
	"type: invoice\n"
	"title: {\"commercial invoice\": 12}\n"
	"detect: {\"unit price\": 3}\n"
	"items:\n"
	"  columns:\n"
	"    description: {labels: [\"description\"]}\n"
	"    qty: {labels: [\"qty\"]}\n"
	"    unit_price: {labels: [\"unit price\"]}\n"
	"    amount: {labels: [\"amount\"]}\n"
	"  end: [\"total\"]\n";

static struct sc_parse *load(void)
{
	struct sc_error err;
	struct sc_parse *p = sc_parse_new();
	if (sc_parse_add_buffer(p, "common.yaml", COMMON, strlen(COMMON), &err) < 0 ||
	    sc_parse_add_buffer(p, "invoice.yaml", INVOICE, strlen(INVOICE), &err) < 0 ||
	    sc_parse_compile(p, &err) < 0) {
		fprintf(stderr, "load: %s\n", err.msg);
		sc_parse_free(p);
		return NULL;
	}
	return p;
}

static json_t *parse_text(struct sc_parse *p, const char *text)
{
	struct sc_pdoc *d = sc_pdoc_new();
	sc_pdoc_add_text(d, text, strlen(text), NULL);
	json_t *o = sc_parse_doc(p, d);
	sc_pdoc_free(d);
	return o;
}

static const char *fv(json_t *o, const char *f)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(o, "fields"), f), "value"));
}

static double fn(json_t *o, const char *f)
{
	return json_number_value(json_object_get(json_object_get(json_object_get(o, "fields"), f), "value"));
}

static void bad_template(const char *yaml, int line, int col, const char *what)
{
	struct sc_error err;
	struct sc_parse *p = sc_parse_new();
	sc_error_clear(&err);
	int rc = sc_parse_add_buffer(p, "bad.yaml", yaml, strlen(yaml), &err);
	CHECK(rc == -1);
	CHECK(err.line == line && err.col == col);
	CHECK(strstr(err.msg, what) != NULL);
	if (err.line != line || err.col != col || !strstr(err.msg, what))
		fprintf(stderr, "  got %d:%d: %s\n", err.line, err.col, err.msg);
	sc_parse_free(p);
}

/* Candidates and the learned reader on documents made here. */
static struct sc_pdoc *text_doc(const char *t)
{
	struct sc_pdoc *d = sc_pdoc_new();
	sc_pdoc_add_text(d, t, strlen(t), NULL);
	return d;
}

static int has_cand(const struct rdoc *r, int kind, const char *str, double num)
{
	for (int i = 0; i < r->nc; i++)
		if (r->c[i].kind == kind && (str ? strcmp(r->c[i].str, str) == 0 : r->c[i].num == num))
			return 1;
	return 0;
}

static void learned_reader(void)
{
	/* candidates without labels: glued, split, spaced, other languages */
	struct sc_pdoc *d = text_doc("InvoiceDate:12.Mar.2026  Rechnung Nr RE_2026-17\n"
	                             "Datum 3. M\xc3\xa4rz 2026\nTOTAL RM33,92\nNet 40 . 00  Tax 5.00  Gross 45.00\n");
	struct rdoc *r = sc_rdoc_build(d, -1);
	CHECK(r != NULL);
	CHECK(has_cand(r, RK_DATE, "2026-03-12", 0));
	CHECK(has_cand(r, RK_DATE, "2026-03-03", 0));
	CHECK(has_cand(r, RK_REF, "RE_2026-17", 0));
	CHECK(has_cand(r, RK_AMOUNT, NULL, 33.92));
	CHECK(has_cand(r, RK_AMOUNT, NULL, 40.0));   /* the OCR split "40 . 00" */
	/* 45.00 is the sum of two other amounts (40 + 5) */
	for (int i = 0; i < r->nc; i++)
		if (r->c[i].kind == RK_AMOUNT && r->c[i].num == 45.0)
			CHECK(r->x[(size_t)i * SC_RANK_NF + F_K + 7] == 1);
	sc_rdoc_free(r);
	sc_pdoc_free(d);

	/* learn from six documents, write, read back, write again: same bytes */
	static const char tmpl[] = "type: invoice\nfields:\n  total: {kind: money, labels: [total]}\n";
	struct sc_error e;
	struct sc_parse *p = sc_parse_new();
	CHECK(sc_parse_add_buffer(p, "t.yaml", tmpl, sizeof tmpl - 1, &e) == 0 && sc_parse_compile(p, &e) == 0);
	struct sc_plearn *L = sc_plearn_new(p);
	static const char *const texts[] = {
		"SHOP A\nDATE 01/02/2019\nITEM 2.00\nTOTAL 9.50\nCASH 10.00\nCHANGE 0.50\n",
		"SHOP B\n14-05-18 13:01\nITEM 4.40\nTOTAL 11.02\nCASH 20.00\nCHANGE 8.98\n",
		"SHOP C\n21 Jan 2018\nITEM 3.00\nTOTAL 15.50\nCASH 50.00\nCHANGE 34.50\n",
		"SHOP D\nDATE 09.11.2017\nITEM 5.90\nTOTAL 9.00\nCASH 10.00\nCHANGE 1.00\n",
		"SHOP E\n02/03/2020 09:10\nITEM 1.10\nTOTAL 7.70\nCASH 10.00\nCHANGE 2.30\n",
		"SHOP F\nDATE 30/06/2021\nITEM 8.00\nTOTAL 12.00\nCASH 12.00\nCHANGE 0.00\n"};
	static const double totals[] = {9.5, 11.02, 15.5, 9.0, 7.7, 12.0};
	for (int k = 0; k < 6; k++) {
		json_t *t = json_pack("{s:f}", "total", totals[k]);
		CHECK(sc_plearn_add(L, text_doc(texts[k]), t, "receipt", "t", &e) == 0);
	}
	CHECK(sc_plearn_add(L, sc_pdoc_new(), json_object(), "receipt", "empty", &e) < 0);
	CHECK_STR(e.code, "no-words");
	struct sc_plearn_opts o;
	sc_plearn_opts_defaults(&o);
	o.gbt.trees = 10;
	o.gbt.min_leaf = 1;
	struct sc_pmodel *m = sc_plearn_fit(L, &o, NULL, &e);
	CHECK(m != NULL);
	char *b1 = NULL, *b2 = NULL;
	size_t n1 = 0, n2 = 0;
	FILE *f = open_memstream(&b1, &n1);
	sc_pmodel_write(m, f);
	fclose(f);
	struct sc_pmodel *m2 = sc_pmodel_read(b1, n1, "mem", &e);
	CHECK(m2 != NULL);
	f = open_memstream(&b2, &n2);
	sc_pmodel_write(m2, f);
	fclose(f);
	CHECK(n1 == n2 && memcmp(b1, b2, n1) == 0);
	/* cut short: refused, at the line after the last whole one */
	CHECK(sc_pmodel_read(b1, n1 / 2, "mem", &e) == NULL);
	CHECK(strstr(e.msg, "truncated") != NULL && e.line > 1);
	/* the reader reads: the receipt's total */
	json_t *fields = json_object();
	const char *type = "other";
	double tc = 0;
	struct sc_pdoc *q = text_doc("SHOP G\nDATE 05/05/2022\nITEM 2.25\nTOTAL 6.75\nCASH 10.00\nCHANGE 3.25\n");
	sc_rank_doc(m2, q, fields, &type, &tc, 0);
	CHECK_STR(type, "receipt");
	sc_pdoc_free(q);
	json_decref(fields);
	free(b1);
	free(b2);
	sc_pmodel_free(m);
	sc_pmodel_free(m2);
	sc_plearn_free(L);
	sc_parse_free(p);
}

/* A page record of sc-ocr: path, page of pages, text. */
static json_t *page_rec(const char *path, int page, int pages, const char *text)
{
	return json_pack("{s:s,s:{s:s,s:i,s:i},s:{s:i,s:s}}", "id", path, "src", "path", path, "page", page, "pages",
	                 pages, "ocr", "v", 1, "text", text);
}

/* A parsed document with references, for the grouping. */
static json_t *parsed(const char *inv, const char *bl)
{
	json_t *f = json_object();
	if (inv)
		json_object_set_new(f, "invoice_no", json_pack("{s:s}", "value", inv));
	if (bl)
		json_object_set_new(f, "bl_no", json_pack("{s:s}", "value", bl));
	return json_pack("{s:{s:o}}", "parse", "fields", f);
}

static void pages_and_consignments(struct sc_parse *p)
{
	/* pages in a row of one file are one document; another file begins the next */
	struct sc_passm *a = sc_passm_new(p, "sc-parse");
	struct sc_pdone d;
	struct sc_error e;
	json_t *r1 = page_rec("a.pdf", 1, 2, "COMMERCIAL INVOICE\nInvoice No.: A-1\n");
	json_t *r2 = page_rec("a.pdf", 2, 2, "Total 10.00\n");
	json_t *r3 = page_rec("b.pdf", 1, 1, "");
	json_t *r4 = page_rec("a.pdf", 1, 1, "Invoice No.: A-2\n");
	sc_error_clear(&e);
	CHECK(sc_passm_page(a, r1, "in:1", &d, &e) == 0 && !e.code[0]);
	CHECK(sc_passm_page(a, r2, "in:2", &d, &e) == 0 && !e.code[0]);
	CHECK(sc_passm_page(a, r3, "in:3", &d, &e) == 1);
	CHECK(sc_pdoc_pages(d.doc) == 2);
	CHECK_STR(json_string_value(json_object_get(d.head, "id")), "a.pdf");
	CHECK(json_object_get(d.head, "ocr") == NULL);
	CHECK(d.errors == NULL);
	sc_pdone_free(&d);
	/* the empty page: its error names where it was, its document carries it */
	CHECK_STR(e.code, "empty-page");
	CHECK(strncmp(e.msg, "in:3: ", 6) == 0);
	sc_error_clear(&e);
	CHECK(sc_passm_page(a, r4, "in:4", &d, &e) == 1);
	CHECK(json_array_size(d.errors) == 1);
	sc_pdone_free(&d);
	CHECK(sc_passm_flush(a, &d) == 1 && sc_pdoc_pages(d.doc) == 1);
	sc_pdone_free(&d);
	CHECK(sc_passm_flush(a, &d) == 0);
	sc_passm_free(a);
	json_decref(r1), json_decref(r2), json_decref(r3), json_decref(r4);

	/* union-find over the references: 0-2 share an invoice, 2-3 a B/L */
	json_t *docs = json_array();
	json_array_append_new(docs, parsed("INV-10001", NULL));
	json_array_append_new(docs, parsed("INV-20002", NULL));
	json_array_append_new(docs, parsed("inv 10001", "BL-90009"));
	json_array_append_new(docs, parsed(NULL, "BL-90009"));
	json_array_append_new(docs, parsed(NULL, NULL));
	json_t *g = sc_parse_group_by_ref(docs);
	CHECK(json_array_size(g) == 3);
	CHECK(json_array_size(json_array_get(g, 0)) == 3);
	CHECK(json_array_get(json_array_get(g, 0), 2) == json_array_get(docs, 3));
	CHECK(json_array_get(json_array_get(g, 1), 0) == json_array_get(docs, 1));
	CHECK(json_array_get(json_array_get(g, 2), 0) == json_array_get(docs, 4));
	json_decref(g);
	json_decref(docs);
	char k[64];
	json_t *rec = page_rec("/x/y/a.pdf", 1, 1, "");
	sc_parse_group_key(rec, 1, k, sizeof k);
	CHECK_STR(k, "/x/y");
	sc_parse_group_key(rec, 0, k, sizeof k);
	CHECK_STR(k, "/x/y/a.pdf");
	json_decref(rec);

	/* as they stream: by file, a consignment goes out when the file changes;
	 * a record without parse passes at once; none: every record at once */
	struct sc_pgroup *pg = sc_pgroup_new(p, SC_PGROUP_FILE);
	json_t *out = json_array();
	json_t *d1 = parsed("INV-1", NULL), *d2 = parsed("INV-1", NULL), *d3 = parsed("INV-2", NULL);
	json_object_set_new(d1, "src", json_pack("{s:s}", "path", "a.zip"));
	json_object_set_new(d2, "src", json_pack("{s:s}", "path", "a.zip"));
	json_object_set_new(d3, "src", json_pack("{s:s}", "path", "b.zip"));
	CHECK(sc_pgroup_add(pg, d1, out) == 0 && json_array_size(out) == 0);
	CHECK(sc_pgroup_add(pg, d2, out) == 0 && json_array_size(out) == 0);
	CHECK(sc_pgroup_add(pg, json_pack("{s:s}", "id", "other"), out) == 0 && json_array_size(out) == 1);
	CHECK(sc_pgroup_add(pg, d3, out) == 0 && json_array_size(out) == 2);
	CHECK(json_object_get(json_array_get(out, 1), "decl") != NULL);
	CHECK(sc_pgroup_finish(pg, out) == 0 && json_array_size(out) == 3);
	sc_pgroup_free(pg);
	json_decref(out);
	pg = sc_pgroup_new(p, SC_PGROUP_NONE);
	out = json_array();
	CHECK(sc_pgroup_add(pg, parsed("INV-1", NULL), out) == 0 && json_array_size(out) == 1);
	CHECK(sc_pgroup_finish(pg, out) == 0 && json_array_size(out) == 1);
	sc_pgroup_free(pg);
	json_decref(out);
}

int main(void)
{
	learned_reader();
	struct sc_parse *p = load();
	CHECK(p != NULL);
	if (!p)
		return T_DONE("parse");
	pages_and_consignments(p);

	/* type, fields beside their labels, items by column, the table's end */
	json_t *o = parse_text(p,
		"ACME LTD\n"
		"COMMERCIAL INVOICE\n"
		"Invoice No.: A-1001      Date: 2026-01-05\n"
		"Buyer: Foo Trading Co.\n"
		"Description        Qty   Unit Price     Amount\n"
		"Widgets, blue      100         2.50     250.00\n"
		"Gadgets            20         10.00     200.00\n"
		"Total                              USD 450.00\n");
	CHECK_STR(json_string_value(json_object_get(o, "type")), "invoice");
	CHECK_STR(fv(o, "invoice_no"), "A-1001");
	CHECK_STR(fv(o, "date"), "2026-01-05");
	CHECK_STR(fv(o, "buyer"), "Foo Trading Co.");
	CHECK(fn(o, "total") == 450.0);
	CHECK_STR(fv(o, "currency"), "USD");
	CHECK_STR(fv(o, "seller"), "ACME LTD");   /* the letterhead above the title */
	json_t *items = json_object_get(o, "items");
	CHECK(json_array_size(items) == 2);
	CHECK(json_number_value(json_object_get(json_array_get(items, 0), "qty")) == 100);
	CHECK(json_number_value(json_object_get(json_array_get(items, 1), "amount")) == 200);
	CHECK_STR(json_string_value(json_object_get(json_array_get(items, 0), "description")), "Widgets, blue");
	json_decref(o);

	/* a value below its label; Chinese label; unknown layout is "other" */
	o = parse_text(p, "Gross Weight\n1,250.5 KGS\n发票号：CN-778899\n");
	CHECK_STR(json_string_value(json_object_get(o, "type")), "other");
	CHECK(fn(o, "gross_kg") == 1250.5);
	CHECK_STR(fv(o, "invoice_no"), "CN-778899");
	json_decref(o);

	/* nothing readable: no invented fields */
	o = parse_text(p, "%%%% ---- ####\n");
	CHECK(json_object_size(json_object_get(o, "fields")) == 0);
	json_decref(o);

	/* consignment checks: two documents that disagree on the total */
	json_t *docs = json_array();
	json_t *a = parse_text(p, "COMMERCIAL INVOICE\nInvoice No.: A-1001\nTotal: USD 450.00\n");
	json_t *b = parse_text(p, "Invoice No.: A-1001\nTotal: USD 400.00\n");
	json_array_append_new(docs, json_pack("{s:s,s:o}", "id", "a", "parse", a));
	json_array_append_new(docs, json_pack("{s:s,s:o}", "id", "b", "parse", b));
	json_t *decl = NULL;
	json_t *cons = sc_parse_consign(p, docs, &decl);
	json_t *checks = json_object_get(cons, "checks");
	CHECK(json_array_size(checks) == 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(checks, 0), "field")), "total");
	CHECK_STR(json_string_value(json_object_get(decl, "invoice_no")), "A-1001");
	json_t *refs = sc_parse_refs(a);
	CHECK(json_array_size(refs) == 1);
	CHECK_STR(json_string_value(json_array_get(refs, 0)), "invoice_no:A1001");
	json_decref(refs);
	json_decref(cons);
	json_decref(decl);
	json_decref(docs);
	sc_parse_free(p);

	/* templates that are wrong say where */
	bad_template("type: invoice\nfields:\n  total: {kind: monye, labels: [x]}\n", 3, 17, "unknown kind");
	bad_template("type: invoice\nfieldz: {}\n", 2, 1, "unknown key \"fieldz\"");
	bad_template("type: invoice\nfields:\n  frob: {labels: [x]}\n", 3, 9, "no kind given");
	bad_template("type: invoice\ndetect: {\"x\": high}\n", 2, 15, "expected a number");
	bad_template("ports:\n  CNSHAX: [Shanghai]\n", 2, 3, "not a UN/LOCODE");
	bad_template("type: invoice\nitems:\n  columns:\n    colour: {labels: [x]}\n", 4, 13, "unknown item column");
	return T_DONE("parse");
}
