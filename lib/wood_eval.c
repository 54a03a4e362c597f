/*
 * wood_eval.c - `sc-wood eval`: how the model does on photos it was not
 * trained on. Folds by specimen (photos of one tree, which overlap, stay on one
 * side), and taxa left out of training in turn, so that the figure a screening
 * lives by (how often a species the library does not hold is referred rather
 * than named) is measured beside top-1.
 */
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "wood.h"

struct tally {
	long tested, top1, top3, referred, kept, kept_ok;
	long lto, lto_referred;
};

static double ratio(long a, long b)
{
	return b ? (double)(long)(10000.0 * a / b + 0.5) / 10000.0 : 0;
}

/* index in lib of the taxon named `name`, or -1 */
static int taxon_index(const struct sc_wood_library *lib, const char *name)
{
	for (int t = 0; name && t < lib->ntaxa; t++)
		if (strcmp(name, lib->taxa[t].name) == 0)
			return t;
	return -1;
}

/*
 * Train on the images of lib where keep_img[i] and whose taxon has keep_taxon[t];
 * taxa are renumbered, so the model knows only the kept ones.
 */
static struct sc_wood_model *train_subset(const struct sc_wood_library *lib,
                                          const struct sc_wood_feat *feats, const int *keep_img,
                                          const int *keep_taxon, const struct sc_wood_train_opts *o,
                                          struct sc_error *err)
{
	size_t n = lib->nimages, ns = 0;
	struct sc_wood_library sub = *lib;
	struct sc_wood_image *imgs = malloc((n + 1) * sizeof *imgs);
	struct sc_wood_feat *fs = malloc((n + 1) * sizeof *fs);
	struct sc_wood_taxon *taxa = malloc((lib->ntaxa + 1) * sizeof *taxa);
	int *map = malloc((lib->ntaxa + 1) * sizeof *map), nt = 0;
	struct sc_wood_model *m = NULL;
	struct sc_wood_train_opts so = *o;

	if (!imgs || !fs || !taxa || !map) {
		sc_error_set(err, lib->dir, 0, 0, SC_E_NOMEM, "out of memory");
		goto out;
	}
	for (int t = 0; t < lib->ntaxa; t++) {
		map[t] = keep_taxon[t] ? nt : -1;
		if (keep_taxon[t])
			taxa[nt++] = lib->taxa[t];
	}
	for (size_t i = 0; i < n; i++)
		if (keep_img[i] && map[lib->images[i].taxon] >= 0) {
			imgs[ns] = lib->images[i];
			imgs[ns].taxon = map[lib->images[i].taxon];
			fs[ns++] = feats[i];
		}
	sub.taxa = taxa;
	sub.ntaxa = nt;
	sub.images = imgs;
	sub.nimages = ns;
	so.folds = 0;
	if (nt >= 2)
		m = sc_wood_train(&sub, fs, &so, err);
	else
		sc_error_set(err, lib->dir, 0, 0, "bad-library", "fewer than two taxa left to train on");
out:
	free(imgs);
	free(fs);
	free(taxa);
	free(map);
	return m;
}

/*
 * Samples of kk photos: the images with sel[i] set, those of one specimen in
 * library order taken kk at a time, decided together by m. Known taxa
 * (left_out 0) count top-1 and referral; left-out taxa count referral alone.
 */
static void tally_samples(const struct sc_wood_library *lib, const struct sc_wood_feat *feats,
                          const struct sc_wood_model *m, const struct sc_cites *cites,
                          const struct sc_wood_refer_opts *ro, const int *sel, int kk, int left_out,
                          struct tally *all)
{
	size_t n = lib->nimages;
	char *done = calloc(n + 1, 1);
	for (size_t a = 0; done && a < n; a++) {
		const struct sc_wood_feat *fs[SC_WOOD_POOL_MAX];
		int got = 0;
		if (!sel[a] || done[a] || feats[a].npatches == 0)
			continue;
		for (size_t q = a; q < n; q++) {
			if (!sel[q] || done[q] || feats[q].npatches == 0 || lib->images[q].taxon != lib->images[a].taxon ||
			    strcmp(lib->images[q].specimen, lib->images[a].specimen) != 0)
				continue;
			done[q] = 1;
			fs[got++] = &feats[q];
			if (got < kk)
				continue;
			struct sc_error e;
			json_t *w = sc_wood_decide_sample(m, cites, NULL, fs, kk, ro, &e);
			got = 0;
			if (!w)
				continue;
			int truth = lib->images[a].taxon, refer = json_is_true(json_object_get(w, "refer"));
			int pred = taxon_index(lib, json_string_value(json_object_get(json_array_get(json_object_get(w, "top"), 0), "taxon")));
			if (left_out) {
				all->lto++;
				all->lto_referred += refer;
			} else {
				all->tested++;
				all->top1 += pred == truth;
				all->referred += refer;
				all->kept += !refer;
				all->kept_ok += !refer && pred == truth;
			}
			json_decref(w);
		}
	}
	free(done);
}

json_t *sc_wood_eval(const struct sc_wood_library *lib, const struct sc_wood_feat *feats,
                     const struct sc_wood_train_opts *o, const struct sc_wood_refer_opts *ro,
                     int folds, const struct sc_cites *cites, struct sc_error *err)
{
	size_t n = lib->nimages;
	int c = lib->ntaxa;
	int *fold = calloc(n + 1, sizeof *fold), *keep_img = calloc(n + 1, sizeof *keep_img),
	    *keep_taxon = calloc(c + 1, sizeof *keep_taxon);
	long *conf = calloc((size_t)c * c, sizeof *conf), *named = calloc((size_t)c * c, sizeof *named);
	struct tally all = {0}, *per = calloc(c + 1, sizeof *per), samp[SC_WOOD_POOL_MAX + 1];
	long skipped = 0;

	if (!fold || !keep_img || !keep_taxon || !conf || !named || !per) {
		sc_error_set(err, lib->dir, 0, 0, SC_E_NOMEM, "out of memory");
		free(fold);
		free(keep_img);
		free(keep_taxon);
		free(conf);
		free(named);
		free(per);
		return NULL;
	}
	memset(samp, 0, sizeof samp);
	/* 1. folds by specimen: every photo identified by a model that never saw its tree */
	int k = sc_wood_folds(lib, o->seed, folds, fold);
	for (int t = 0; t < c; t++)
		keep_taxon[t] = 1;
	for (int f = 0; f < k; f++) {
		struct sc_error e;
		for (size_t i = 0; i < n; i++)
			keep_img[i] = fold[i] != f;
		struct sc_wood_model *m = train_subset(lib, feats, keep_img, keep_taxon, o, &e);
		for (size_t i = 0; i < n; i++) {
			if (fold[i] != f || feats[i].npatches == 0)
				continue;
			if (!m) {
				skipped++;
				continue;
			}
			json_t *w = sc_wood_decide(m, cites, &feats[i], ro, NULL, NULL, &e);
			if (!w)
				continue;
			int truth = lib->images[i].taxon, pred = -1, in3 = 0;
			json_t *top = json_object_get(w, "top");
			for (size_t r = 0; r < json_array_size(top); r++) {
				int t = taxon_index(lib, json_string_value(json_object_get(json_array_get(top, r), "taxon")));
				in3 |= t == truth;
				if (r == 0)
					pred = t;
			}
			int refer = json_is_true(json_object_get(w, "refer"));
			struct tally *ts[2] = {&all, &per[truth]};
			for (int q = 0; q < 2; q++) {
				ts[q]->tested++;
				ts[q]->top1 += pred == truth;
				ts[q]->top3 += in3;
				ts[q]->referred += refer;
				ts[q]->kept += !refer;
				ts[q]->kept_ok += !refer && pred == truth;
			}
			if (pred >= 0)
				conf[(size_t)truth * c + pred]++;
			json_decref(w);
		}
		/* ... and its photos decided together, a sample of kk at a time */
		for (size_t i = 0; i < n; i++)
			keep_img[i] = fold[i] == f;
		for (int kk = 2; m && kk <= SC_WOOD_POOL_MAX; kk++)
			tally_samples(lib, feats, m, cites, ro, keep_img, kk, 0, &samp[kk]);
		sc_wood_model_free(m);
	}
	/* 2. taxa left out in turn, in groups (neighbours by name, often relatives,
	 * fall in different groups, so a left-out taxon's twin is usually known) */
	int groups = c < 3 ? 0 : c <= 6 ? c : 6;
	for (int g = 0; g < groups; g++) {
		struct sc_error e;
		for (int t = 0; t < c; t++)
			keep_taxon[t] = t % groups != g;
		for (size_t i = 0; i < n; i++)
			keep_img[i] = 1;
		struct sc_wood_model *m = train_subset(lib, feats, keep_img, keep_taxon, o, &e);
		for (size_t i = 0; m && i < n; i++) {
			int truth = lib->images[i].taxon;
			if (keep_taxon[truth] || feats[i].npatches == 0)
				continue;
			json_t *w = sc_wood_decide(m, cites, &feats[i], ro, NULL, NULL, &e);
			if (!w)
				continue;
			int refer = json_is_true(json_object_get(w, "refer"));
			all.lto++;
			per[truth].lto++;
			all.lto_referred += refer;
			per[truth].lto_referred += refer;
			if (!refer) {
				json_t *t0 = json_array_get(json_object_get(w, "top"), 0);
				int t = taxon_index(lib, json_string_value(json_object_get(t0, "taxon")));
				if (t >= 0)
					named[(size_t)truth * c + t]++;
			}
			json_decref(w);
		}
		for (size_t i = 0; i < n; i++)
			keep_img[i] = !keep_taxon[lib->images[i].taxon];
		for (int kk = 2; m && kk <= SC_WOOD_POOL_MAX; kk++)
			tally_samples(lib, feats, m, cites, ro, keep_img, kk, 1, &samp[kk]);
		sc_wood_model_free(m);
	}

	json_t *rep = json_object(), *names = json_array(), *cm = json_array(), *pt = json_array();
	for (int t = 0; t < c; t++) {
		json_t *row = json_array(), *nm = json_object();
		json_array_append_new(names, json_string(lib->taxa[t].name));
		for (int u = 0; u < c; u++) {
			json_array_append_new(row, json_integer(conf[(size_t)t * c + u]));
			if (named[(size_t)t * c + u])
				json_object_set_new(nm, lib->taxa[u].name, json_integer(named[(size_t)t * c + u]));
		}
		json_array_append_new(cm, row);
		json_array_append_new(pt, json_pack("{s:s,s:I,s:f,s:f,s:f,s:I,s:f,s:o}", "taxon", lib->taxa[t].name,
		                                    "images", (json_int_t)per[t].tested,
		                                    "top1", ratio(per[t].top1, per[t].tested),
		                                    "refer_rate", ratio(per[t].referred, per[t].tested),
		                                    "accuracy_unreferred", ratio(per[t].kept_ok, per[t].kept),
		                                    "left_out_images", (json_int_t)per[t].lto,
		                                    "left_out_refer_rate", ratio(per[t].lto_referred, per[t].lto),
		                                    "left_out_named_as", nm));
	}
	json_object_set_new(rep, "folds", json_integer(k));
	json_object_set_new(rep, "images", json_integer(all.tested));
	json_object_set_new(rep, "untested", json_integer(skipped));
	json_object_set_new(rep, "top1", json_real(ratio(all.top1, all.tested)));
	json_object_set_new(rep, "top3", json_real(ratio(all.top3, all.tested)));
	json_object_set_new(rep, "refer_rate", json_real(ratio(all.referred, all.tested)));
	json_object_set_new(rep, "accuracy_unreferred", json_real(ratio(all.kept_ok, all.kept)));
	json_object_set_new(rep, "left_out_groups", json_integer(groups));
	json_object_set_new(rep, "left_out_images", json_integer(all.lto));
	json_object_set_new(rep, "left_out_refer_rate", groups ? json_real(ratio(all.lto_referred, all.lto)) : json_null());
	json_t *sa = json_array();
	samp[1] = all;
	for (int kk = 1; kk <= SC_WOOD_POOL_MAX; kk++)
		json_array_append_new(sa, json_pack("{s:i,s:I,s:f,s:f,s:f,s:I,s:o}", "photos", kk,
		                                    "samples", (json_int_t)samp[kk].tested,
		                                    "top1", ratio(samp[kk].top1, samp[kk].tested),
		                                    "refer_rate", ratio(samp[kk].referred, samp[kk].tested),
		                                    "accuracy_unreferred", ratio(samp[kk].kept_ok, samp[kk].kept),
		                                    "left_out_samples", (json_int_t)samp[kk].lto,
		                                    "left_out_refer_rate",
		                                    groups ? json_real(ratio(samp[kk].lto_referred, samp[kk].lto)) : json_null()));
	json_object_set_new(rep, "samples", sa);
	json_object_set_new(rep, "taxa", names);
	json_object_set_new(rep, "confusion", cm);
	json_object_set_new(rep, "per_taxon", pt);
	free(fold);
	free(keep_img);
	free(keep_taxon);
	free(conf);
	free(named);
	free(per);
	return rep;
}
