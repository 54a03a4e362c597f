/*
 * wood_run.c - the runs behind sc-wood's commands: images analysed by a pool
 * of workers on lib/workq (results handed back in input order, whatever -j),
 * identification of image files and of records, the referral package, the
 * expert's answers, and training with the answers learned.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "filter.h"
#include "progress.h"
#include "wood.h"
#include "workq.h"

/* ---- output ------------------------------------------------------------------- */

/* rec as one line of out, unless an earlier write failed; a failed write is
 * reported once in the shared wording (sc_diag_flush), status 2. */
static void put_record(FILE *out, const json_t *rec, struct sc_diag *d)
{
	if (d->status < 2 && sc_write_record(out, rec) < 0)
		sc_diag_flush(d, out, "standard output");
}

/* The end of a run's output: flushed and checked unless already failed. */
static int end_output(FILE *out, struct sc_diag *d)
{
	if (d->status < 2)
		sc_diag_flush(d, out, "standard output");
	return d->status < 2 ? 0 : -1;
}

/* ---- analysing a library ----------------------------------------------------- */

struct analyse {
	const struct sc_wood_library *lib;
	struct sc_wood_feat *feats;
	struct sc_error err;
	int failed;
	struct sc_error *errs;
	int *bad;
	struct sc_diag *diag;
	struct sc_progress *progress;
};

static void analyse_one(void *ctx, size_t i)
{
	struct analyse *a = ctx;
	sc_error_clear(&a->errs[i]);
	a->bad[i] = sc_wood_analyse_file(a->lib->images[i].path, &a->feats[i], NULL, &a->errs[i]) < 0;
}

static int analysed(void *ctx, size_t i)
{
	struct analyse *a = ctx;
	/* messages in library order, whatever the threads did */
	a->diag->records++;
	if (a->bad[i]) {
		sc_diag_error(a->diag, &a->errs[i]);
		a->diag->bad++;
	}
	sc_progress_update(a->progress, i + 1);
	return 0;
}

struct sc_wood_feat *sc_wood_library_analyse(const struct sc_wood_library *lib, int jobs,
                                             struct sc_diag *diag)
{
	struct analyse a;
	memset(&a, 0, sizeof a);
	a.lib = lib;
	a.diag = diag;
	a.feats = calloc(lib->nimages + 1, sizeof *a.feats);
	a.errs = calloc(lib->nimages + 1, sizeof *a.errs);
	a.bad = calloc(lib->nimages + 1, sizeof *a.bad);
	if (!a.feats || !a.errs || !a.bad) {
		free(a.feats);
		free(a.errs);
		free(a.bad);
		sc_diag_fatalf(diag, "out of memory");
		return NULL;
	}
	a.progress = sc_progress_new(diag->prog, "images", lib->nimages);
	sc_workq_ordered(lib->nimages, jobs, analyse_one, analysed, &a);
	sc_progress_free(a.progress);
	free(a.errs);
	free(a.bad);
	return a.feats;
}

/* ---- identifying ------------------------------------------------------------- */

/* the envelope as sc-ocr writes it: id from the content, src.sha256 */
static void envelope(json_t *rec, const char *sha)
{
	char id[17];
	if (!sha[0])
		return;
	snprintf(id, sizeof id, "%.16s", sha);
	json_object_set_new(rec, "id", json_string(id));
	json_object_set_new(json_object_get(rec, "src"), "sha256", json_string(sha));
}

/*
 * The wood namespace for the image at `path` into *value; rec is the record it
 * goes into (its envelope filled in when own_envelope: the record is ours).
 * A referral package that cannot be written costs the record its package, not
 * its identification: the error goes on the record (*pkg_failed set) and the
 * call still succeeds.
 */
static int identify(const struct sc_wood_ident *c, json_t *rec, const char *path, int own_envelope,
                    json_t **value, int *pkg_failed, struct sc_error *err)
{
	struct sc_wood_feat f;
	struct sc_cv_wood *cw = NULL;
	int drivers[4], nd = 0;
	json_t *w;

	*pkg_failed = 0;
	int rc = sc_wood_analyse_file(path, &f, c->refer_dir ? &cw : NULL, err);
	if (own_envelope)
		envelope(rec, f.sha256);
	if (rc < 0)
		return -1;
	w = sc_wood_decide(c->m, c->cites, &f, &c->ro, drivers, &nd, err);
	sc_wood_feat_clear(&f);
	if (!w) {
		sc_cv_wood_delete(cw);
		return -1;
	}
	if (c->refer_dir && json_is_true(json_object_get(w, "refer"))) {
		json_t *full = json_deep_copy(rec);
		char *pkg = NULL;
		json_object_set(full, "wood", w);
		if (sc_wood_refer_package(c->refer_dir, path, full, cw, drivers, nd, c->m, &pkg, err) < 0) {
			sc_record_add_error(rec, "sc-wood", err);
			*pkg_failed = 1;
		} else
			json_object_set_new(w, "package", json_string(pkg));
		free(pkg);
		json_decref(full);
	}
	sc_cv_wood_delete(cw);
	*value = w;
	return 0;
}

int sc_wood_enrich(void *ctx, void *state, json_t *rec, json_t **value, struct sc_error *err)
{
	json_t *p = sc_json_path(rec, "src.path");
	int pkg_failed;
	(void)state;
	if (!json_is_string(p))
		return sc_error_set(err, NULL, 0, 0, "no-image", "record has no src.path naming an image");
	return identify(ctx, rec, json_string_value(p), 0, value, &pkg_failed, err);
}

struct files {
	const struct sc_wood_ident *c;
	char **paths;
	json_t **recs;
	struct sc_error *errs;
	int *state;          /* 0 fine, 1 failed, 2 identified but its package failed */
	FILE *out;
	struct sc_diag *diag;
	struct sc_progress *progress;
};

static void identify_one(void *ctx, size_t i)
{
	struct files *f = ctx;
	json_t *w = NULL;
	int pkg_failed = 0;
	f->recs[i] = json_pack("{s:n,s:{s:s}}", "id", "src", "path", f->paths[i]);
	sc_error_clear(&f->errs[i]);
	if (!f->recs[i]) {
		f->state[i] = 3;
		return;
	}
	if (identify(f->c, f->recs[i], f->paths[i], 1, &w, &pkg_failed, &f->errs[i]) < 0) {
		sc_record_add_error(f->recs[i], "sc-wood", &f->errs[i]);
		f->state[i] = 1;
	} else {
		json_object_set_new(f->recs[i], "wood", w);
		f->state[i] = pkg_failed ? 2 : 0;
	}
}

static int identified(void *ctx, size_t i)
{
	struct files *f = ctx;
	f->diag->records++;
	if (f->state[i] == 3)
		sc_diag_fatalf(f->diag, "out of memory");
	else if (f->state[i]) {
		sc_diag_error(f->diag, &f->errs[i]);
		f->diag->bad++;
	}
	if (f->recs[i])
		put_record(f->out, f->recs[i], f->diag);
	json_decref(f->recs[i]);
	f->recs[i] = NULL;
	sc_progress_update(f->progress, i + 1);
	return f->diag->status >= 2;   /* output failed: no further image is started */
}

char *sc_wood_sample_key(const char *path, int by)
{
	const char *sl = strrchr(path, '/'), *base = sl ? sl + 1 : path;
	if (by == SC_WOOD_BY_FOLDER)
		return sl ? strndup(path, sl == path ? 1 : (size_t)(sl - path)) : strdup(".");
	const char *dot = strrchr(base, '.'), *us = strrchr(base, '_');
	if (!dot || dot == base)
		dot = base + strlen(base);
	if (us && us < dot && us > base)
		dot = us;
	return strndup(path, (size_t)(dot - path));
}

/* ---- identifying samples --------------------------------------------------- */

struct samples {
	const struct sc_wood_ident *c;
	char **paths;
	struct sc_wood_feat *feats;
	struct sc_error *errs;
	int *bad;
	struct sc_progress *progress;
};

static void sample_analyse(void *ctx, size_t i)
{
	struct samples *s = ctx;
	sc_error_clear(&s->errs[i]);
	s->bad[i] = sc_wood_analyse_file(s->paths[i], &s->feats[i], NULL, &s->errs[i]) < 0;
}

static int sample_analysed(void *ctx, size_t i)
{
	sc_progress_update(((struct samples *)ctx)->progress, i + 1);
	return 0;
}

/*
 * All photos analysed first (on the pool), then each sample decided over its
 * photos, and the records written in argument order. A photo that could not be
 * read is in no pool: its record carries the error, and its sample is decided
 * on the rest (wood.sample.photos counts the ones that could be read).
 */
static int identify_samples(const struct sc_wood_ident *c, int n, char **paths, int jobs, FILE *out,
                            struct sc_diag *diag)
{
	struct samples s;
	size_t un = (size_t)n;
	char **keys = calloc(un + 1, sizeof *keys);
	json_t **dec = calloc(un + 1, sizeof *dec);
	const struct sc_wood_feat **members = calloc(un + 1, sizeof *members);
	int *leader = calloc(un + 1, sizeof *leader);
	memset(&s, 0, sizeof s);
	s.c = c;
	s.paths = paths;
	s.feats = calloc(un + 1, sizeof *s.feats);
	s.errs = calloc(un + 1, sizeof *s.errs);
	s.bad = calloc(un + 1, sizeof *s.bad);
	int ok = keys && dec && members && leader && s.feats && s.errs && s.bad;
	for (size_t i = 0; ok && i < un; i++)
		ok = (keys[i] = sc_wood_sample_key(paths[i], c->samples)) != NULL;
	if (ok) {
		s.progress = sc_progress_new(diag->prog, "images", (unsigned long)n);
		sc_workq_ordered(un, jobs, sample_analyse, sample_analysed, &s);
		sc_progress_free(s.progress);
	}
	/* a sample's leader is its first photo; the decision is made once, there */
	for (size_t i = 0; ok && i < un; i++) {
		size_t q;
		for (q = 0; q < i && strcmp(keys[q], keys[i]) != 0; q++)
			;
		leader[i] = (int)q;
		if (q < i)
			continue;
		int nm = 0;
		for (size_t r = i; r < un; r++)
			if (!s.bad[r] && strcmp(keys[r], keys[i]) == 0)
				members[nm++] = &s.feats[r];
		struct sc_error e;
		sc_error_clear(&e);
		if (!(dec[i] = sc_wood_decide_sample(c->m, c->cites, keys[i], members, nm, &c->ro, &e)))
			ok = 0;
	}
	for (size_t i = 0; ok && i < un && diag->status < 2; i++) {
		json_t *rec = json_pack("{s:n,s:{s:s}}", "id", "src", "path", paths[i]), *w = NULL;
		struct sc_error e;
		diag->records++;
		sc_error_clear(&e);
		if (!rec) {
			ok = 0;
			break;
		}
		envelope(rec, s.feats[i].sha256);
		if (s.bad[i] || !(w = sc_wood_decide(c->m, c->cites, &s.feats[i], &c->ro, NULL, NULL, &e))) {
			sc_record_add_error(rec, "sc-wood", s.bad[i] ? &s.errs[i] : &e);
			sc_diag_error(diag, s.bad[i] ? &s.errs[i] : &e);
			diag->bad++;
		} else {
			json_t *sd = dec[leader[i]];
			json_object_set(w, "sample", sd);
			if (c->refer_dir && json_is_true(json_object_get(sd, "refer"))) {
				/* the photo is read again for its patches: packages are few */
				struct sc_wood_feat f = {0};
				struct sc_cv_wood *cw = NULL;
				int drivers[4], nd = 0;
				char *pkg = NULL;
				json_t *full = json_deep_copy(rec), *w2 = NULL;
				json_object_set(full, "wood", w);
				if (sc_wood_analyse_file(paths[i], &f, &cw, &e) < 0 ||
				    !(w2 = sc_wood_decide(c->m, c->cites, &f, &c->ro, drivers, &nd, &e)) ||
				    sc_wood_refer_package(c->refer_dir, paths[i], full, cw, drivers, nd, c->m, &pkg, &e) < 0) {
					sc_record_add_error(rec, "sc-wood", &e);
					sc_diag_error(diag, &e);
					diag->bad++;
				} else
					json_object_set_new(w, "package", json_string(pkg));
				sc_wood_feat_clear(&f);
				json_decref(w2);
				sc_cv_wood_delete(cw);
				free(pkg);
				json_decref(full);
			}
			json_object_set_new(rec, "wood", w);
		}
		put_record(out, rec, diag);
		json_decref(rec);
	}
	if (!ok)
		sc_diag_fatalf(diag, "out of memory");
	for (size_t i = 0; i < un; i++) {
		if (keys)
			free(keys[i]);
		if (dec)
			json_decref(dec[i]);
		if (s.feats)
			sc_wood_feat_clear(&s.feats[i]);
	}
	free(keys);
	free(dec);
	free(members);
	free(leader);
	free(s.feats);
	free(s.errs);
	free(s.bad);
	return end_output(out, diag);
}

int sc_wood_identify_files(const struct sc_wood_ident *c, int n, char **paths, int jobs, FILE *out,
                           struct sc_diag *diag)
{
	if (c->samples)
		return identify_samples(c, n, paths, jobs, out, diag);
	struct files f;
	memset(&f, 0, sizeof f);
	f.c = c;
	f.paths = paths;
	f.out = out;
	f.diag = diag;
	f.recs = calloc((size_t)n + 1, sizeof *f.recs);
	f.errs = calloc((size_t)n + 1, sizeof *f.errs);
	f.state = calloc((size_t)n + 1, sizeof *f.state);
	if (!f.recs || !f.errs || !f.state) {
		free(f.recs);
		free(f.errs);
		free(f.state);
		sc_diag_fatalf(diag, "out of memory");
		return -1;
	}
	f.progress = sc_progress_new(diag->prog, "images", (unsigned long)n);
	sc_workq_ordered((size_t)n, jobs, identify_one, identified, &f);
	sc_progress_free(f.progress);
	free(f.recs);
	free(f.errs);
	free(f.state);
	return end_output(out, diag);
}

int sc_wood_identify_records(const struct sc_wood_ident *c, int nfiles, char **files, int jobs,
                             FILE *out, struct sc_diag *diag)
{
	struct sc_filter f = {0};
	f.tool = diag->prog;
	f.ns = "wood";
	f.needs = "src";
	f.enrich = sc_wood_enrich;
	f.ctx = (void *)c;
	f.jobs = jobs;
	f.out = out;
	f.diag = diag;
	f.progress = 1;
	return sc_filter_run(&f, nfiles, files);
}

/* ---- answers and training ------------------------------------------------- */

int sc_wood_answers(int n, char **packages, FILE *out, struct sc_diag *diag)
{
	for (int i = 0; i < n && diag->status < 2; i++) {
		struct sc_error e;
		sc_error_clear(&e);
		json_t *rec = sc_wood_answer_read(packages[i], &e);
		diag->records++;
		if (e.code[0]) {
			sc_diag_error(diag, &e);
			diag->bad++;
			if (rec)
				sc_record_add_error(rec, diag->prog, &e);
		}
		if (rec)
			put_record(out, rec, diag);
		else
			sc_diag_fatalf(diag, "out of memory");
		json_decref(rec);
	}
	return end_output(out, diag);
}

/* Learn the answers in the JSON lines of `path` into the library at dir. */
static int learn_answers(const char *dir, const char *path, struct sc_diag *diag)
{
	struct sc_error e;
	struct sc_wood_library *lib = sc_wood_library_scan(dir, diag, &e);
	unsigned char *data;
	size_t len, at = 0;
	unsigned long lineno = 0, learned = 0, kept = 0, bad = 0;

	if (!lib) {
		sc_diag_error(diag, &e);
		return -1;
	}
	if (sc_read_file(path, 256u << 20, &data, &len, &e) < 0) {
		sc_diag_error(diag, &e);
		sc_wood_library_free(lib);
		return -1;
	}
	while (at < len) {
		const char *line = (const char *)data + at, *nl = memchr(line, '\n', len - at);
		size_t ll = nl ? (size_t)(nl - line) : len - at;
		json_t *rec = NULL;
		char *added = NULL;
		at += ll + 1;
		lineno++;
		if (ll == 0)
			continue;
		sc_error_clear(&e);
		if (sc_parse_line(path, lineno, line, ll, &rec, &e) < 0 ||
		    (json_array_size(json_object_get(rec, "errors")) &&
		     sc_error_set(&e, path, (int)lineno, 0, "bad-answer",
		                  "the answer record has errors: nothing learned from it") < 0) ||
		    sc_wood_answer_learn(dir, lib, rec, &added, &e) < 0) {
			if (!e.line) {
				snprintf(e.file, sizeof e.file, "%s", path);
				e.line = (int)lineno;
			}
			sc_diag_error(diag, &e);
			bad++;
		} else if (added) {
			learned++;
			fprintf(stderr, "%s: %s: learned\n", diag->prog, added);
		} else
			kept++;
		free(added);
		json_decref(rec);
	}
	free(data);
	sc_wood_library_free(lib);
	/* counted apart from the images, which diag counts next */
	fprintf(stderr, "%s: %s: %lu photos added to the library, %lu answers with nothing new to learn, "
	        "%lu not learned for errors\n", diag->prog, path, learned, kept, bad);
	return 0;
}

int sc_wood_train_run(const char *dir, const char *model_path, const char *add,
                      const struct sc_wood_train_opts *o, int jobs, struct sc_diag *diag)
{
	struct sc_error e;
	double t0 = sc_now();
	if (add && learn_answers(dir, add, diag) < 0)
		return -1;
	sc_error_clear(&e);
	struct sc_wood_library *lib = sc_wood_library_scan(dir, diag, &e);
	if (!lib) {
		sc_diag_error(diag, &e);
		diag->status = 2;
		return -1;
	}
	struct sc_wood_feat *feats = sc_wood_library_analyse(lib, jobs, diag);
	double t1 = sc_now();
	struct sc_wood_model *m = feats ? sc_wood_train(lib, feats, o, &e) : NULL;
	if (!m || sc_wood_model_save(m, model_path, &e) < 0) {
		if (feats)
			sc_diag_error(diag, &e);
		sc_diag_fatalf(diag, "no model written");
	} else
		fprintf(stderr, "%s: %s: %d taxa, %lu of %zu images; analysed in %.1f s, trained in %.1f s\n",
		        diag->prog, model_path, lib->ntaxa, diag->records - diag->bad, lib->nimages, t1 - t0,
		        sc_now() - t1);
	sc_wood_model_free(m);
	sc_wood_feats_free(feats, lib->nimages);
	sc_wood_library_free(lib);
	return diag->status < 2 ? 0 : -1;
}

int sc_wood_eval_run(const char *dir, const struct sc_cites *cites, const struct sc_wood_train_opts *o,
                     const struct sc_wood_refer_opts *ro, int jobs, FILE *out, struct sc_diag *diag)
{
	struct sc_error e;
	sc_error_clear(&e);
	struct sc_wood_library *lib = sc_wood_library_scan(dir, diag, &e);
	if (!lib) {
		sc_diag_error(diag, &e);
		diag->status = 2;
		return -1;
	}
	struct sc_wood_feat *feats = sc_wood_library_analyse(lib, jobs, diag);
	json_t *rep = feats ? sc_wood_eval(lib, feats, o, ro, o->folds, cites, &e) : NULL;
	if (!rep) {
		if (feats)
			sc_diag_error(diag, &e);
		diag->status = 2;
	} else {
		put_record(out, rep, diag);
		end_output(out, diag);
	}
	json_decref(rep);
	sc_wood_feats_free(feats, lib->nimages);
	sc_wood_library_free(lib);
	return diag->status < 2 ? 0 : -1;
}
