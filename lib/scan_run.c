/*
 * scan_run.c - sc-scan's work between the options and the exit status:
 * each image read, judged against its declaration and (asked to) drawn as
 * an overlay; images of the command line on the ordered pool of lib/workq,
 * written in order.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "scan_run.h"
#include "sha256.h"
#include "workq.h"

static const char *prog = "sc-scan";

/* Read and judge the image at path; the scan value, errors appended to rec. */
static int scan_one(const struct sc_scan_run *c, json_t *rec, const char *path, const char *shown,
                    json_t **value, int own_envelope, struct sc_error *err)
{
	unsigned char *data = NULL;
	size_t len = 0;
	struct sc_scan_reading r;
	json_t *decl = json_object_get(rec, "decl");
	char sha[65];

	if (sc_read_file(path, c->cfg.max_bytes, &data, &len, err) < 0)
		return -1;
	sc_sha256_hex(data, len, sha);
	if (own_envelope) {
		char id[17];
		snprintf(id, sizeof id, "%.16s", sha);
		json_object_set_new(rec, "id", json_string(id));
		json_object_set_new(json_object_get(rec, "src"), "sha256", json_string(sha));
	}
	if (sc_scan_read(&c->cfg, shown, data, len, &r, err) < 0) {
		free(data);
		return -1;
	}
	free(data);
	for (int i = 0; i < r.nwarn; i++)
		sc_record_add_error(rec, prog, &r.warn[i]);
	*value = sc_scan_judge(&c->cfg, &r, decl, r.nwarn > 0);
	if (c->overlay) {
		char out[PATH_MAX], stem[256];
		const char *b = strrchr(shown, '/');
		snprintf(stem, sizeof stem, "%s", b ? b + 1 : shown);
		char *dot = strrchr(stem, '.');
		if (dot)
			*dot = 0;
		snprintf(out, sizeof out, "%s/%.200s-%.8s.png", c->overlay, stem, sha);
		if (sc_scan_overlay(&r, out, err) < 0) {
			sc_record_add_error(rec, prog, err);
			sc_error_clear(err);
		} else
			json_object_set_new(*value, "overlay", json_string(out));
	}
	sc_scan_reading_clear(&r);
	return 0;
}

int sc_scan_run_enrich(void *ctx, void *state, json_t *rec, json_t **value, struct sc_error *err)
{
	struct sc_scan_run *c = ctx;
	json_t *p = sc_json_path(rec, "src.path");
	char full[PATH_MAX];
	const char *path;
	(void)state;
	if (!json_is_string(p)) {
		json_object_set_new(rec, "scan", sc_scan_unread(json_object_get(rec, "decl"),
		                    &(struct sc_error){.code = "no-image"}));
		return sc_error_set(err, NULL, 0, 0, "no-image", "record has no src.path naming an image");
	}
	path = json_string_value(p);
	if (path[0] != '/' && c->base && strcmp(c->base, ".") != 0) {
		snprintf(full, sizeof full, "%s/%s", c->base, path);
		path = full;
	}
	if (scan_one(c, rec, path, path, value, 0, err) < 0) {
		char msg[sizeof err->msg];
		/* the filter names the records file and line; the message names the image */
		snprintf(msg, sizeof msg, "%.200s: %.300s", err->file[0] ? err->file : path, err->msg);
		snprintf(err->msg, sizeof err->msg, "%s", msg);
		err->file[0] = 0;
		err->line = 0;
		json_object_set_new(rec, "scan", sc_scan_unread(json_object_get(rec, "decl"), err));
		return -1;
	}
	return 0;
}

/* One image of the command line: worked on a pool thread, its record kept
 * in a ring slot until it is written in turn. */
struct item {
	json_t *rec;
	int failed;             /* 1: not read (err), 2: read with warnings */
	struct sc_error err;
};

struct images {
	struct sc_scan_run *c;
	char **paths;
	struct item *ring;      /* sc_workq_window(jobs) slots */
	size_t w;
	struct sc_progress *pr;
};

static void image_work(void *ctx, size_t i)
{
	struct images *m = ctx;
	struct item *it = &m->ring[i % m->w];
	json_t *v = NULL;

	it->rec = json_pack("{s:n,s:{s:s}}", "id", "src", "path", m->paths[i]);
	sc_error_clear(&it->err);
	if (scan_one(m->c, it->rec, m->paths[i], m->paths[i], &v, 1, &it->err) < 0) {
		sc_record_add_error(it->rec, prog, &it->err);
		json_object_set_new(it->rec, "scan", sc_scan_unread(NULL, &it->err));
		it->failed = 1;
	} else {
		size_t warned = json_array_size(json_object_get(it->rec, "errors"));
		json_object_set_new(it->rec, "scan", v);
		it->failed = warned > 0 ? 2 : 0;
	}
}

/* In the order of the command line: counted, reported, written. */
static int image_done(void *ctx, size_t i)
{
	struct images *m = ctx;
	struct item *it = &m->ring[i % m->w];
	struct sc_diag *d = m->c->diag;

	d->records++;
	if (it->failed == 1)
		sc_diag_error(d, &it->err);
	if (it->failed) {
		d->bad++;
		if (d->status < 1)
			d->status = 1;
	}
	if (d->status < 2 && sc_write_record(m->c->out, it->rec) < 0 &&
	    sc_diag_flush(d, m->c->out, "standard output") == 0)
		sc_diag_fatalf(d, "write error on standard output");
	json_decref(it->rec);
	it->rec = NULL;
	sc_progress_update(m->pr, d->records);
	return d->status >= 2;
}

int sc_scan_run_is_image(const char *path)
{
	unsigned char b[8];
	size_t n;
	FILE *f;
	if (strcmp(path, "-") == 0)
		return 0;
	f = fopen(path, "rb");
	if (!f)
		return 0;
	n = fread(b, 1, sizeof b, f);
	fclose(f);
	return sc_scan_is_image(b, n);
}

void sc_scan_run_images(struct sc_scan_run *c, char **paths, int n, struct sc_progress *pr)
{
	struct images m = { c, paths, NULL, sc_workq_window(c->jobs), pr };

	if (n <= 0 || c->diag->status >= 2)
		return;
	if (!(m.ring = calloc(m.w, sizeof *m.ring))) {
		sc_diag_fatalf(c->diag, "out of memory");
		return;
	}
	sc_workq_ordered((size_t)n, c->jobs, image_work, image_done, &m);
	/* records worked after a stop (a failed write) were not written */
	for (size_t k = 0; k < m.w; k++)
		json_decref(m.ring[k].rec);
	free(m.ring);
}
