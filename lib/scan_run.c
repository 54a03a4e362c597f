/*
 * scan_run.c - sc-scan's work between the options and the exit status:
 * each image read, judged against its declaration and (asked to) drawn as
 * an overlay; images of the command line in parallel chunks, written in order.
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "scan_run.h"
#include "sha256.h"

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

#define CHUNK 16

struct chunk {
	struct sc_scan_run *c;
	char **paths;
	int n, next;
	pthread_mutex_t mu;
	json_t *recs[CHUNK];
	int failed[CHUNK];
	struct sc_error errs[CHUNK];
};

static void *chunk_worker(void *arg)
{
	struct chunk *k = arg;
	for (;;) {
		json_t *v = NULL;
		pthread_mutex_lock(&k->mu);
		int i = k->next++;
		pthread_mutex_unlock(&k->mu);
		if (i >= k->n)
			return NULL;
		k->recs[i] = json_pack("{s:n,s:{s:s}}", "id", "src", "path", k->paths[i]);
		sc_error_clear(&k->errs[i]);
		size_t before = 0;
		if (scan_one(k->c, k->recs[i], k->paths[i], k->paths[i], &v, 1, &k->errs[i]) < 0) {
			sc_record_add_error(k->recs[i], prog, &k->errs[i]);
			json_object_set_new(k->recs[i], "scan", sc_scan_unread(NULL, &k->errs[i]));
			k->failed[i] = 1;
		} else {
			before = json_array_size(json_object_get(k->recs[i], "errors"));
			json_object_set_new(k->recs[i], "scan", v);
			k->failed[i] = before > 0 ? 2 : 0;
		}
	}
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
	struct sc_diag *d = c->diag;
	int jobs = c->jobs;

	for (int start = 0; start < n && d->status < 2; start += CHUNK) {
		struct chunk k;
		pthread_t th[64];
		int started = 0;
		memset(&k, 0, sizeof k);
		k.c = c;
		k.paths = paths + start;
		k.n = n - start < CHUNK ? n - start : CHUNK;
		pthread_mutex_init(&k.mu, NULL);
		for (int t = 1; t < jobs && t < k.n; t++)
			started += pthread_create(&th[started], NULL, chunk_worker, &k) == 0;
		chunk_worker(&k);
		for (int t = 0; t < started; t++)
			pthread_join(th[t], NULL);
		pthread_mutex_destroy(&k.mu);
		for (int i = 0; i < k.n; i++) {
			d->records++;
			if (k.failed[i] == 1)
				sc_diag_error(d, &k.errs[i]);
			if (k.failed[i]) {
				d->bad++;
				if (d->status < 1)
					d->status = 1;
			}
			if (d->status < 2 && sc_write_record(c->out, k.recs[i]) < 0 &&
			    sc_diag_flush(d, c->out, "standard output") == 0)
				sc_diag_fatalf(d, "write error on standard output");
			json_decref(k.recs[i]);
		}
		sc_progress_update(pr, d->records);
	}
}

