/*
 * import_run.c - CSV exports into `decl` records through the shared input
 * loop; see import_run.h. A declaration does not span files: the one being
 * grouped is written when the next file's header comes, or at the end.
 */
#include <string.h>

#include "import_run.h"
#include "input.h"

struct run {
	const struct sc_import_run *r;
	struct sc_input *in;
	json_t *pending;          /* a grouped declaration still taking rows */
	int items;                /* items of the pending declaration, beyond its first */
};

static int emit(struct run *u, json_t *rec)
{
	int rc = sc_write_record(u->r->out, rec);

	json_decref(rec);
	if (rc < 0) {
		if (sc_diag_flush(u->r->diag, u->r->out, "standard output") == 0)
			sc_diag_fatalf(u->r->diag, "write error on standard output");
		return -1;
	}
	return 0;
}

static int flush_pending(struct run *u)
{
	json_t *p = u->pending;

	u->pending = NULL;
	u->items = 0;
	return p ? emit(u, p) : 0;
}

/* A new file's header: the map bound to its column names, or the file skipped. */
static void header(struct run *u, char **fields, size_t n)
{
	const char *name = sc_input_name(u->in);
	struct sc_error err;

	if (sc_import_map_bind(u->r->map, fields, n, u->r->label, name, &err) < 0) {
		sc_diag_error(u->r->diag, &err);
		u->r->diag->status = 2;   /* the whole file is unusable with this map */
		sc_input_skip_file(u->in);
		return;
	}
	for (size_t a, b, from = 0; sc_import_map_header_dup(fields, n, from, &a, &b); from = b + 1) {
		sc_error_set(&err, name, 1, 0, "dup-column", "columns %zu and %zu are both named \"%s\"",
		             a + 1, b + 1, fields[b]);
		sc_diag_warn(u->r->diag, &err);
	}
}

/* Another row of the pending declaration: merged, unless it has too many. */
static void more_items(struct run *u, json_t *rec)
{
	struct sc_error err;

	if (++u->items < SC_IMPORT_MAX_ITEMS) {
		sc_import_map_merge(u->pending, rec);
		return;
	}
	sc_error_set(&err, sc_input_name(u->in), (int)sc_input_lineno(u->in), 0, "too-many-items",
	             "declaration %s has more than %d items: row skipped",
	             sc_import_map_rec_id(rec), SC_IMPORT_MAX_ITEMS);
	sc_input_bad(u->in, &err);
	/* the declaration itself says it is cut short, once: a record that
	   lost items must never pass as whole */
	if (u->items == SC_IMPORT_MAX_ITEMS)
		sc_record_add_error(u->pending, "sc-import", &err);
}

/* One row made a record and written (or kept, while its declaration groups). */
static int row(struct run *u, char **fields, size_t n)
{
	struct sc_error err;
	json_t *rec = NULL;

	if (sc_import_map_row(u->r->map, fields, n, sc_input_name(u->in), sc_input_lineno(u->in),
	                      &rec, &err) < 0) {
		sc_input_bad(u->in, &err);
		return 0;
	}
	if (u->pending && !strcmp(sc_import_map_rec_id(u->pending), sc_import_map_rec_id(rec))) {
		more_items(u, rec);
		json_decref(rec);
		return 0;
	}
	if (flush_pending(u) < 0) {
		json_decref(rec);
		return -1;
	}
	if (sc_import_map_grouped(u->r->map)) {
		u->pending = rec;
		return 0;
	}
	return emit(u, rec);
}

int sc_import_run(const struct sc_import_run *r, int nfiles, char **files)
{
	const struct sc_input_opts io = { .progress = r->quiet ? NULL : "rows" };
	struct sc_csv_opts copts = r->copts;
	struct run u = { .r = r };
	size_t n;
	char **fields;
	int rc, st = 0;

	if (!copts.delim)
		copts.delim = sc_import_map_delim(r->map);
	if (!(u.in = sc_input_new_csv(nfiles, files, r->diag, &io, &copts)))
		return -1;
	while (st == 0 && (rc = sc_input_next_row(u.in, &n, &fields)) != 0) {
		if (rc == SC_INPUT_STOP) {
			struct sc_error err;
			sc_error_set(&err, sc_input_name(u.in), (int)sc_input_lineno(u.in), 0, "interrupted",
			             "this row and any declaration in progress are dropped");
			sc_diag_warn(r->diag, &err);
			st = -1;
		} else if (rc == SC_INPUT_HEADER) {
			if ((st = flush_pending(&u)) == 0)
				header(&u, fields, n);
		} else if (rc == 1) {
			st = row(&u, fields, n);
		}
	}
	if (st == 0)
		st = flush_pending(&u);
	json_decref(u.pending);
	sc_input_free(u.in);
	return st;
}
