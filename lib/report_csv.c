/*
 * report_csv.c - sc-report -f csv: one RFC 4180 row per record, columns
 * chosen by dotted paths, "PATH[].FIELD" joining a field over an array.
 * Cells that a spreadsheet would run as a formula are defused with a quote.
 */
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "report.h"

#define CSV_MAX_COLS 64
#define CSV_MAX_PATH 256

static const char default_cols[] =
	"id,src.path,src.page,decl.id,decl.importer.name,risk.channel,risk.score,"
	"risk.hits[].id,wood.refer,scan.refer,errors[].code";

struct col {
	char head[CSV_MAX_PATH];
	char path[CSV_MAX_PATH];    /* before "[]", or the whole path */
	char sub[CSV_MAX_PATH];     /* after "[].", "" for the elements themselves */
	int each;
};

struct sc_report_csv {
	int n;
	struct col c[CSV_MAX_COLS];
};

struct sc_report_csv *sc_report_csv_new(const char *cols, struct sc_error *err)
{
	struct sc_report_csv *c = calloc(1, sizeof *c);
	const char *p, *q;

	if (!c) {
		sc_error_set(err, "--columns", 0, 0, SC_E_NOMEM, "out of memory");
		return NULL;
	}
	if (!cols || !*cols)
		cols = default_cols;
	for (p = cols;; p = q + 1) {
		size_t len;
		struct col *k;
		const char *br;
		q = strchr(p, ',');
		if (!q)
			q = p + strlen(p);
		len = (size_t)(q - p);
		if (len == 0 || len >= CSV_MAX_PATH || c->n >= CSV_MAX_COLS) {
			sc_error_set(err, "--columns", 1, (int)(p - cols) + 1, "bad-columns",
			             len == 0 ? "empty column name" : len >= CSV_MAX_PATH ?
			             "column path too long" : "more than 64 columns");
			free(c);
			return NULL;
		}
		k = &c->c[c->n++];
		memcpy(k->head, p, len);
		k->head[len] = '\0';
		br = strstr(k->head, "[]");
		if (br) {
			const char *rest = br + 2;
			if (*rest == '.')
				rest++;
			else if (*rest) {
				sc_error_set(err, "--columns", 1, (int)(p - cols + (br - k->head)) + 3,
				             "bad-columns", "expected \".\" after \"[]\"");
				free(c);
				return NULL;
			}
			if (strstr(rest, "[]")) {
				sc_error_set(err, "--columns", 1, (int)(p - cols) + 1, "bad-columns",
				             "only one \"[]\" per column");
				free(c);
				return NULL;
			}
			memcpy(k->path, k->head, (size_t)(br - k->head));
			k->path[br - k->head] = '\0';
			memcpy(k->sub, rest, strlen(rest) + 1);
			k->each = 1;
		} else
			memcpy(k->path, k->head, len + 1);
		if (!*q)
			break;
	}
	return c;
}

void sc_report_csv_free(struct sc_report_csv *c)
{
	free(c);
}

/* Text of one value: strings as they are, scalars as JSON, containers as compact JSON. */
static char *value_text(const json_t *v, int *is_str)
{
	*is_str = 0;
	if (!v || json_is_null(v))
		return strdup("");
	if (json_is_string(v)) {
		*is_str = 1;
		return strdup(json_string_value(v));
	}
	return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
}

static void put_cell(FILE *out, const char *s, int is_str)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;

	/* =1+2, +cmd, -cmd, @SUM in a spreadsheet: a leading quote keeps it text */
	if (is_str && (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r'))
		quote = 2;
	if (!quote) {
		fputs(s, out);
		return;
	}
	putc('"', out);
	if (quote == 2)
		putc('\'', out);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', out);
		putc(*s, out);
	}
	putc('"', out);
}

int sc_report_csv_header(FILE *out, const struct sc_report_csv *c)
{
	for (int i = 0; i < c->n; i++) {
		if (i)
			putc(',', out);
		put_cell(out, c->c[i].head, 0);
	}
	putc('\n', out);
	return ferror(out) ? -1 : 0;
}

int sc_report_csv_row(FILE *out, const struct sc_report_csv *c, const json_t *rec)
{
	for (int i = 0; i < c->n; i++) {
		const struct col *k = &c->c[i];
		const json_t *v = sc_json_path(rec, k->path);
		int is_str = 0;
		char *s;

		if (i)
			putc(',', out);
		if (k->each) {
			/* the field of every element, joined with ';' */
			size_t j, len = 0;
			const json_t *e;
			char *acc = NULL;
			FILE *m = open_memstream(&acc, &len);
			if (!m)
				return -1;
			is_str = 1;
			json_array_foreach(v, j, e) {
				const json_t *x = *k->sub ? sc_json_path(e, k->sub) : e;
				int st;
				char *t = value_text(x, &st);
				if (j)
					putc(';', m);
				if (t)
					fputs(t, m);
				free(t);
			}
			fclose(m);
			put_cell(out, acc ? acc : "", is_str);
			free(acc);
			continue;
		}
		s = value_text(v, &is_str);
		put_cell(out, s ? s : "", is_str);
		free(s);
	}
	putc('\n', out);
	return ferror(out) ? -1 : 0;
}
