/*
 * test_wood.c - unit tests for sc-wood's library: image headers and caps, the
 * CITES table and taxon.yaml with places, and the model (training on planted
 * features, determinism of the file, loading bad and foreign files).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"
#include "wood.h"

static size_t jpeg_bytes(unsigned char *b, int w, int h, int with_eoi)
{
	size_t n = 0;
	static const unsigned char app0[] = {0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0};
	b[n++] = 0xFF;
	b[n++] = 0xD8;
	memcpy(b + n, app0, sizeof app0);
	n += sizeof app0;
	unsigned char sof[] = {0xFF, 0xC0, 0x00, 0x0B, 8, (unsigned char)(h >> 8), (unsigned char)h,
	                       (unsigned char)(w >> 8), (unsigned char)w, 1, 1, 0x11, 0};
	memcpy(b + n, sof, sizeof sof);
	n += sizeof sof;
	unsigned char sos[] = {0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 63, 0, 0x12, 0xFF, 0x00, 0x34};
	memcpy(b + n, sos, sizeof sos);
	n += sizeof sos;
	if (with_eoi) {
		b[n++] = 0xFF;
		b[n++] = 0xD9;
	}
	return n;
}

static void test_probe(void)
{
	unsigned char b[256];
	const char *fmt;
	int w, h;
	struct sc_error e;
	size_t n = jpeg_bytes(b, 1632, 1224, 1);

	CHECK(sc_wood_probe("x.jpg", b, n, &fmt, &w, &h, &e) == 0);
	CHECK_STR(fmt, "jpeg");
	CHECK(w == 1632 && h == 1224);
	n = jpeg_bytes(b, 1632, 1224, 0);
	CHECK(sc_wood_probe("x.jpg", b, n, &fmt, &w, &h, &e) == -1);
	CHECK(strstr(e.msg, "cut short") != NULL);
	CHECK(sc_wood_probe("x.jpg", b, 10, &fmt, &w, &h, &e) == -1);
	static const unsigned char png[24] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
	                                      'I', 'H', 'D', 'R', 0, 0, 0x1f, 0x40, 0, 0, 0x1d, 0x4c};
	CHECK(sc_wood_probe("x.png", png, sizeof png, &fmt, &w, &h, &e) == 0);
	CHECK(w == 8000 && h == 7500);
	CHECK(sc_wood_probe("x.png", png, 20, &fmt, &w, &h, &e) == -1);
	CHECK(sc_wood_probe("x.txt", (const unsigned char *)"hello world", 11, &fmt, &w, &h, &e) == -1);
	CHECK_STR(e.code, "bad-image");
	CHECK_STR(e.file, "x.txt");
}

static void test_reduction(void)
{
	struct sc_error e;
	/* decoded smaller only while 1,024 pixels remain on the shorter side */
	CHECK(sc_wood_reduction("a", "jpeg", 20000, 16000, &e) == 8);
	CHECK(sc_wood_reduction("a", "jpeg", 8000, 7500, &e) == 4);
	CHECK(sc_wood_reduction("a", "jpeg", 2732, 2048, &e) == 2);
	CHECK(sc_wood_reduction("a", "jpeg", 2732, 2046, &e) == 1);
	CHECK(sc_wood_reduction("a", "jpeg", 1632, 1224, &e) == 1);
	CHECK(sc_wood_reduction("a", "jpeg", 512, 384, &e) == 1);
	CHECK(sc_wood_reduction("a", "jpeg", 4000, 3000, &e) == 2);
	CHECK(sc_wood_reduction("a", "png", 8000, 7500, &e) == -1);
	CHECK_STR(e.code, "too-large");
	CHECK(sc_wood_reduction("a", "jpeg", 60000, 60000, &e) == -1);
	CHECK(sc_wood_reduction("a", "png", 1, 1, &e) == -1);
	CHECK_STR(e.code, "too-small");
}

static void test_cites(void)
{
	struct sc_error e;
	struct sc_cites *c = sc_cites_load("rules/cites-timber.yaml", &e);
	json_t *o;

	CHECK(c != NULL);
	if (!c) {
		fprintf(stderr, "%s\n", e.msg);
		return;
	}
	CHECK(sc_cites_count(c) >= 25);
	CHECK(strstr(sc_cites_source(c), "CITES") != NULL);
	o = sc_cites_lookup(c, "Dalbergia nigra");
	CHECK_STR(json_string_value(json_object_get(o, "appendix")), "I");
	json_decref(o);
	o = sc_cites_lookup(c, "dalbergia LATIFOLIA");
	CHECK_STR(json_string_value(json_object_get(o, "listing")), "Dalbergia spp.");
	CHECK_STR(json_string_value(json_object_get(o, "appendix")), "II");
	CHECK_STR(json_string_value(json_object_get(o, "annotation")), "#15");
	json_decref(o);
	o = sc_cites_lookup(c, "Pterocarpus santalinus");
	CHECK_STR(json_string_value(json_object_get(o, "annotation")), "#7");
	/* an entry that could not be checked says so with its listing */
	CHECK(json_is_string(json_object_get(o, "unconfirmed")));
	json_decref(o);
	o = sc_cites_lookup(c, "Khaya ivorensis");
	CHECK_STR(json_string_value(json_object_get(o, "effective")), "2023-02-23");
	CHECK(json_object_get(o, "unconfirmed") == NULL);
	json_decref(o);
	CHECK(sc_cites_lookup(c, "Quercus robur") == NULL);
	CHECK(sc_cites_lookup(c, "Dalbergiax nigra") == NULL);
	CHECK(sc_cites_lookup(c, "") == NULL);
	o = sc_cites_lookup(c, "Aquilaria malaccensis");
	CHECK_STR(json_string_value(json_object_get(o, "listing")), "Aquilaria spp.");
	json_decref(o);
	sc_cites_free(c);

	static const char bad[] = "source: x\ntaxa:\n  - {taxon: \"Dalbergia nigra\", genus: Dalbergia, appendix: \"I\", effective: \"1992-13-01\"}\n";
	struct sc_yaml *y = sc_yaml_load_buffer("t.yaml", bad, sizeof bad - 1, &e);
	CHECK(y && sc_cites_load_yaml(y, &e) == NULL);
	CHECK(e.line == 3 && strstr(e.msg, "effective") != NULL);
	sc_yaml_free(y);
	static const char bad2[] = "source: x\ntaxa:\n  - {taxon: \"Khaya ivorensis\", genus: Dalbergia, appendix: \"II\", effective: \"2023-02-23\"}\n";
	y = sc_yaml_load_buffer("t.yaml", bad2, sizeof bad2 - 1, &e);
	CHECK(y && sc_cites_load_yaml(y, &e) == NULL);
	CHECK(strstr(e.msg, "not of genus") != NULL);
	sc_yaml_free(y);
	static const char bad3[] = "source: x\ncolour: red\ntaxa: []\n";
	y = sc_yaml_load_buffer("t.yaml", bad3, sizeof bad3 - 1, &e);
	CHECK(y && sc_cites_load_yaml(y, &e) == NULL);
	CHECK(e.line == 2 && e.col == 1);
	sc_yaml_free(y);
}

static void test_taxon(void)
{
	struct sc_error e;
	struct sc_wood_taxon t;
	json_t *sp;
	static const char good[] = "taxon: \"Dalbergia nigra\"\ntrade_names: [jacaranda]\nporosity: diffuse\n"
	                           "cites: {appendix: \"I\"}\nspecimens: {a.jpg: S1, b.jpg: 7}\n";
	struct sc_yaml *y = sc_yaml_load_buffer("taxon.yaml", good, sizeof good - 1, &e);
	CHECK(y && sc_wood_taxon_parse(y, "dn", &t, &sp, &e) == 0);
	CHECK_STR(t.name, "Dalbergia nigra");
	CHECK_STR(t.folder, "dn");
	CHECK_STR(t.porosity, "diffuse");
	CHECK(json_array_size(t.trade_names) == 1);
	CHECK_STR(json_string_value(json_object_get(t.cites, "appendix")), "I");
	CHECK_STR(json_string_value(json_object_get(sp, "a.jpg")), "S1");
	json_decref(sp);
	sc_wood_taxon_clear(&t);
	sc_yaml_free(y);

	static const char bad[] = "taxon: x\nsmell: sweet\n";
	y = sc_yaml_load_buffer("taxon.yaml", bad, sizeof bad - 1, &e);
	CHECK(y && sc_wood_taxon_parse(y, "x", &t, &sp, &e) == -1);
	CHECK(e.line == 2 && e.col == 1 && strstr(e.msg, "smell"));
	sc_yaml_free(y);
	static const char bad2[] = "cites: {appendix: IV}\n";
	y = sc_yaml_load_buffer("taxon.yaml", bad2, sizeof bad2 - 1, &e);
	CHECK(y && sc_wood_taxon_parse(y, "x", &t, &sp, &e) == -1);
	CHECK(e.line == 1);
	sc_yaml_free(y);
	/* an empty file: the folder's name, underscores as spaces */
	y = sc_yaml_load_buffer("taxon.yaml", "", 0, &e);
	CHECK(y && sc_wood_taxon_parse(y, "Khaya_ivorensis", &t, &sp, &e) == 0);
	CHECK_STR(t.name, "Khaya ivorensis");
	sc_wood_taxon_clear(&t);
	sc_yaml_free(y);
}

/* a library of planted features: taxon t's patches centre on a pattern of its own */
static unsigned long lcg = 12345;
static double rnd(void)
{
	lcg = lcg * 6364136223846793005ul + 1442695040888963407ul;
	return ((lcg >> 11) & 0xFFFFFFF) / (double)0x10000000 - 0.5;
}

static void make_lib(struct sc_wood_library *lib, struct sc_wood_feat **feats)
{
	int c = 3, spec = 4, per = 3;
	memset(lib, 0, sizeof *lib);
	lib->dir = strdup("planted");
	lib->ntaxa = c;
	lib->taxa = calloc(c, sizeof *lib->taxa);
	lib->nimages = (size_t)c * spec * per;
	lib->images = calloc(lib->nimages, sizeof *lib->images);
	*feats = calloc(lib->nimages, sizeof **feats);
	const char *names[3] = {"Alpha one", "Beta two", "Dalbergia nigra"};
	for (int t = 0; t < c; t++) {
		lib->taxa[t].name = strdup(names[t]);
		lib->taxa[t].folder = strdup(names[t]);
		lib->taxa[t].trade_names = json_array();
	}
	size_t i = 0;
	for (int t = 0; t < c; t++)
		for (int s = 0; s < spec; s++)
			for (int k = 0; k < per; k++, i++) {
				char buf[64];
				snprintf(buf, sizeof buf, "planted/%d/s%d_%d.jpg", t, s, k);
				lib->images[i].path = strdup(buf);
				snprintf(buf, sizeof buf, "s%d", s);
				lib->images[i].specimen = strdup(buf);
				lib->images[i].taxon = t;
				struct sc_wood_feat *f = &(*feats)[i];
				f->npatches = 10;
				f->x = malloc(10 * SC_CV_NFEAT * sizeof(float));
				f->q.sharpness = 1000;
				f->q.brightness = 120;
				f->q.contrast = 40;
				f->q.disc = 0.9;
				for (int p = 0; p < 10; p++)
					for (int j = 0; j < SC_CV_NFEAT; j++)
						f->x[p * SC_CV_NFEAT + j] = (float)((j % 3 == t ? 2.0 : 0.0) + rnd());
			}
}

static unsigned char *slurp(const char *path, size_t *len)
{
	unsigned char *d;
	struct sc_error e;
	return sc_read_file(path, 64u << 20, &d, len, &e) == 0 ? d : NULL;
}

static void test_model(void)
{
	struct sc_wood_library lib;
	struct sc_wood_feat *feats;
	struct sc_wood_train_opts o = {7, 0, 100};
	struct sc_wood_refer_opts ro;
	struct sc_error e;
	char p1[] = "/tmp/test_wood_XXXXXX", p2[] = "/tmp/test_wood_XXXXXX";
	int fd1 = mkstemp(p1), fd2 = mkstemp(p2);

	close(fd1);
	close(fd2);
	make_lib(&lib, &feats);
	sc_wood_refer_defaults(&ro);
	struct sc_wood_model *m = sc_wood_train(&lib, feats, &o, &e);
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK(sc_wood_model_ntaxa(m) == 3);
	CHECK(sc_wood_model_save(m, p1, &e) == 0);
	struct sc_wood_model *m2 = sc_wood_train(&lib, feats, &o, &e);
	CHECK(m2 && sc_wood_model_save(m2, p2, &e) == 0);
	size_t l1, l2;
	unsigned char *d1 = slurp(p1, &l1), *d2 = slurp(p2, &l2);
	CHECK(d1 && d2 && l1 == l2 && memcmp(d1, d2, l1) == 0);

	/* a fresh image of taxon 1 is named, and the same by the loaded model */
	struct sc_wood_feat f = {0};
	f.npatches = 10;
	f.x = malloc(10 * SC_CV_NFEAT * sizeof(float));
	f.q = feats[0].q;
	for (int p = 0; p < 10; p++)
		for (int j = 0; j < SC_CV_NFEAT; j++)
			f.x[p * SC_CV_NFEAT + j] = (float)((j % 3 == 1 ? 2.0 : 0.0) + rnd());
	json_t *w = sc_wood_decide(m, NULL, &f, &ro, NULL, NULL, &e);
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(w, "top"), 0), "taxon")), "Beta two");
	struct sc_wood_model *ml = sc_wood_model_load(p1, &e);
	CHECK(ml != NULL);
	json_t *wl = ml ? sc_wood_decide(ml, NULL, &f, &ro, NULL, NULL, &e) : NULL;
	CHECK(wl && json_equal(w, wl));
	json_decref(wl);
	json_decref(w);

	/* a sample of three photos of taxon 1, decided together; one photo
	 * without a surface is left out of the pool and named */
	struct sc_wood_feat fs3[3] = {{0}};
	for (int q = 0; q < 3; q++) {
		fs3[q].npatches = 10;
		fs3[q].q = feats[0].q;
		fs3[q].x = malloc(10 * SC_CV_NFEAT * sizeof(float));
		for (int k = 0; k < 10 * SC_CV_NFEAT; k++)
			fs3[q].x[k] = (float)((k % SC_CV_NFEAT % 3 == 1 ? 2.0 : 0.0) + rnd());
	}
	const struct sc_wood_feat *sp[4] = {&fs3[0], &fs3[1], &fs3[2], NULL};
	w = sc_wood_decide_sample(m, NULL, "lot/s01", sp, 3, &ro, &e);
	CHECK(w != NULL);
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(w, "top"), 0), "taxon")), "Beta two");
	CHECK_STR(json_string_value(json_object_get(w, "id")), "lot/s01");
	CHECK(json_integer_value(json_object_get(w, "used")) == 3);
	CHECK(json_integer_value(json_object_get(json_object_get(w, "novelty"), "calibrated_for")) == 3);
	json_decref(w);
	struct sc_wood_feat none = {0};
	none.q = feats[0].q;
	sp[3] = &none;
	w = sc_wood_decide_sample(m, NULL, NULL, sp, 4, &ro, &e);
	CHECK(w && json_integer_value(json_object_get(w, "used")) == 3);
	CHECK(json_integer_value(json_array_get(json_object_get(w, "left_out"), 0)) == 3);
	CHECK(json_is_null(json_object_get(w, "id")));
	json_decref(w);
	w = sc_wood_decide_sample(m, NULL, NULL, sp + 3, 1, &ro, &e);
	CHECK(w && json_is_true(json_object_get(w, "refer")));
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(w, "reasons"), 0), "code")),
	          "no-usable-photo");
	json_decref(w);
	/* three photos far from everything: referred as unknown, pooled */
	for (int q = 0; q < 3; q++)
		for (int k = 0; k < 10 * SC_CV_NFEAT; k++)
			fs3[q].x[k] = 9.0f;
	w = sc_wood_decide_sample(m, NULL, NULL, sp, 3, &ro, &e);
	CHECK(w && json_is_true(json_object_get(w, "refer")));
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(w, "reasons"), 0), "code")), "unknown");
	json_decref(w);
	for (int q = 0; q < 3; q++)
		sc_wood_feat_clear(&fs3[q]);
	CHECK(strcmp(sc_wood_model_pooling(m, 1), "mean") == 0);
	const char *kin[][3] = {{"lot7/s01_2.jpg", "lot7/s01", "lot7"}, {"a_b_3.png", "a_b", "."},
	                        {"x/y/photo.jpg", "x/y/photo", "x/y"}, {"/s_1.jpg", "/s", "/"},
	                        {"_1.jpg", "_1", "."}, {"d/noext", "d/noext", "d"}};
	for (size_t q = 0; q < sizeof kin / sizeof kin[0]; q++) {
		char *k1 = sc_wood_sample_key(kin[q][0], SC_WOOD_BY_NAME), *k2 = sc_wood_sample_key(kin[q][0], SC_WOOD_BY_FOLDER);
		CHECK_STR(k1, kin[q][1]);
		CHECK_STR(k2, kin[q][2]);
		free(k1);
		free(k2);
	}

	/* an image far from everything is referred as unknown */
	for (int k = 0; k < 10 * SC_CV_NFEAT; k++)
		f.x[k] = 9.0f;
	w = sc_wood_decide(m, NULL, &f, &ro, NULL, NULL, &e);
	CHECK(json_is_true(json_object_get(w, "refer")));
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(w, "reasons"), 0), "code")), "unknown");
	json_decref(w);
	/* no patches: referred, no candidates */
	sc_wood_feat_clear(&f);
	w = sc_wood_decide(m, NULL, &f, &ro, NULL, NULL, &e);
	CHECK(json_array_size(json_object_get(w, "top")) == 0 && json_is_true(json_object_get(w, "refer")));
	json_decref(w);

	/* foreign and damaged files */
	char *vp = d1 ? strstr((char *)d1, "\"v\":3,") : NULL;
	CHECK(vp != NULL && d1[0] == '{');
	if (d1 && vp) {
		vp[4] = '9';
		CHECK(sc_wood_model_load_buffer("m", d1, l1, &e) == NULL);
		CHECK_STR(e.code, "model-version");
		vp[4] = '3';
		CHECK(sc_wood_model_load_buffer("m", d1, l1 - 1, &e) == NULL);
		CHECK(strstr(e.msg, "model body") != NULL);
		CHECK(sc_wood_model_load_buffer("m", d1, 40, &e) == NULL);
		struct sc_wood_model *ok = sc_wood_model_load_buffer("m", d1, l1, &e);
		CHECK(ok != NULL);
		sc_wood_model_free(ok);
	}
	CHECK(sc_wood_model_load_buffer("m", (const unsigned char *)"sc-wood-model 1\n{}\n", 19, &e) == NULL);
	CHECK_STR(e.code, "model-version");
	CHECK(strstr(e.msg, "version 1") != NULL);
	CHECK(sc_wood_model_load_buffer("m", (const unsigned char *)"{\"format\":\"x\",\"v\":3}\n", 24, &e) == NULL);
	CHECK_STR(e.code, "bad-model");
	CHECK(sc_wood_model_load("/nonexistent/model", &e) == NULL);

	/* eval on the planted library: every held-out image named */
	json_t *rep = sc_wood_eval(&lib, feats, &o, &ro, 0, NULL, &e);
	CHECK(rep && json_real_value(json_object_get(rep, "top1")) == 1.0);
	CHECK(json_integer_value(json_object_get(rep, "images")) == 36);
	/* each taxon left out in turn: its photos are far from the others' */
	CHECK(json_integer_value(json_object_get(rep, "left_out_groups")) == 3);
	CHECK(json_integer_value(json_object_get(rep, "left_out_images")) == 36);
	CHECK(json_real_value(json_object_get(rep, "left_out_refer_rate")) >= 0.9);
	CHECK(json_array_size(json_object_get(rep, "per_taxon")) == 3);
	/* and as samples of 2..4 photos of one specimen */
	json_t *sa = json_object_get(rep, "samples");
	CHECK(json_array_size(sa) == SC_WOOD_POOL_MAX);
	CHECK(json_integer_value(json_object_get(json_array_get(sa, 0), "samples")) == 36);
	CHECK(json_integer_value(json_object_get(json_array_get(sa, 1), "samples")) > 0);
	CHECK(json_real_value(json_object_get(json_array_get(sa, 1), "top1")) == 1.0);
	json_decref(rep);

	free(d1);
	free(d2);
	sc_wood_model_free(m);
	sc_wood_model_free(m2);
	sc_wood_model_free(ml);
	sc_wood_feats_free(feats, lib.nimages);
	free(lib.dir);
	lib.dir = NULL;
	for (int t = 0; t < lib.ntaxa; t++)
		sc_wood_taxon_clear(&lib.taxa[t]);
	for (size_t i = 0; i < lib.nimages; i++) {
		free(lib.images[i].path);
		free(lib.images[i].specimen);
	}
	free(lib.taxa);
	free(lib.images);
	unlink(p1);
	unlink(p2);
}

/* an answer file sits beside its package (the ordered pool itself is
 * tested in test_workq) */
static void test_answer_path(void)
{
	char *a = sc_wood_answer_path("refer/b-1234abcd.tar.gz");
	CHECK_STR(a, "refer/b-1234abcd.answer.yaml");
	free(a);
	CHECK(sc_wood_answer_path("refer/b.zip") == NULL);
}

static void test_analyse_missing(void)
{
	struct sc_wood_feat f;
	struct sc_error e;
	CHECK(sc_wood_analyse_file("/nonexistent/x.jpg", &f, NULL, &e) == -1);
	CHECK_STR(e.code, "open");
	CHECK(f.npatches == 0 && f.x == NULL);
}

int main(void)
{
	sc_cv_init();
	test_probe();
	test_reduction();
	test_cites();
	test_taxon();
	test_model();
	test_analyse_missing();
	test_answer_path();
	return T_DONE("wood");
}
