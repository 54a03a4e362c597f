/*
 * wood.h - preliminary wood identification from end-grain photographs: the
 * reference library (a folder per taxon), the CITES timber table, the model
 * (training, file format, scoring with referral) and the expert's package.
 * Images are analysed through lib/cv.h; nothing here knows OpenCV.
 */
#ifndef SC_WOOD_H
#define SC_WOOD_H

#include "sc.h"
#include "cv.h"
#include "yamltree.h"

#define SC_WOOD_MODEL_VERSION 3
#define SC_WOOD_MAX_FILE (256u << 20)       /* image file bytes */
#define SC_WOOD_MAX_PIXELS (40L * 1000 * 1000)  /* decoded pixels, after JPEG reduction */
#define SC_WOOD_MIN_SIDE 64
#define SC_WOOD_MAX_TAXA 256
#define SC_WOOD_MAX_IMAGES 200000
#define SC_WOOD_REFS 2                        /* reference images kept per taxon */
#define SC_WOOD_MAX_JOBS 64
#define SC_WOOD_POOL_MAX 4                   /* photos of one sample the model is calibrated for */

/* ---- images -------------------------------------------------------------- */

/*
 * Read format and size from the first bytes of a JPEG or PNG: fmt is "jpeg" or
 * "png". Returns 0, or -1 with err (named `name`) when the bytes are neither
 * or the header is cut short.
 */
int sc_wood_probe(const char *name, const unsigned char *data, size_t len,
                  const char **fmt, int *width, int *height, struct sc_error *err);
/*
 * The JPEG reduction (1, 2, 4, 8) that brings a picture near the working scale,
 * or -1 with err when it is too small or too large to be decoded at all.
 */
int sc_wood_reduction(const char *name, const char *fmt, int width, int height,
                      struct sc_error *err);

/* One analysed image: its patches' features and its quality. */
struct sc_wood_feat {
	int npatches;
	float *x;                    /* npatches * SC_CV_NFEAT, owned */
	struct sc_cv_quality q;
	int width, height;           /* as stored in the file */
	char sha256[65];             /* of the file's bytes, hex */
};
void sc_wood_feat_clear(struct sc_wood_feat *f);
/*
 * Read a file's bytes (malloc'd): only a regular file, and only up to
 * max bytes, checked from its size before reading (a FIFO or a device is
 * refused at once, never waited on). 0, or -1 with err.
 */
int sc_wood_read_file(const char *path, size_t max, unsigned char **data, size_t *len,
                      struct sc_error *err);
/*
 * Read, check and analyse one image file. With keep non-NULL the analysed
 * picture is handed back too (for patch crops); free it with sc_cv_wood_delete.
 * 0, or -1 with err filled (unreadable, not an image, too large, too small,
 * corrupt).
 */
int sc_wood_analyse_file(const char *path, struct sc_wood_feat *f, struct sc_cv_wood **keep,
                         struct sc_error *err);

/* ---- the CITES timber table ---------------------------------------------- */

struct sc_cites;
/* rules/cites-timber.yaml: every problem is an error with file:line:col. */
struct sc_cites *sc_cites_load(const char *path, struct sc_error *err);
struct sc_cites *sc_cites_load_yaml(const struct sc_yaml *y, struct sc_error *err);
void sc_cites_free(struct sc_cites *c);
/*
 * The listing that covers a scientific name (the species itself, else "Genus spp."),
 * as a new object {listing, appendix, annotation?, effective}, or NULL when none does.
 */
json_t *sc_cites_lookup(const struct sc_cites *c, const char *taxon);
const char *sc_cites_source(const struct sc_cites *c);
size_t sc_cites_count(const struct sc_cites *c);

/* ---- the reference library ----------------------------------------------- */

struct sc_wood_taxon {
	char *folder;           /* the directory's name */
	char *name;             /* scientific name (taxon.yaml's taxon, else the folder's name) */
	json_t *trade_names;    /* array of strings, owned */
	char *porosity;         /* "ring", "semi-ring", "diffuse", "none" or NULL */
	json_t *cites;          /* {appendix, annotation} from taxon.yaml, or NULL */
};

struct sc_wood_image {
	char *path;
	int taxon;              /* index into taxa */
	char *specimen;         /* images of one specimen are never split across folds */
};

struct sc_wood_library {
	char *dir;
	int ntaxa;
	struct sc_wood_taxon *taxa;
	size_t nimages;
	struct sc_wood_image *images;
};

/*
 * Parse a taxon.yaml already loaded (fuzzed on its own). Fills t (free with
 * sc_wood_taxon_clear) and *specimens (an object file -> specimen, or NULL).
 */
int sc_wood_taxon_parse(const struct sc_yaml *y, const char *folder, struct sc_wood_taxon *t,
                        json_t **specimens, struct sc_error *err);
void sc_wood_taxon_clear(struct sc_wood_taxon *t);
/*
 * Scan LIBRARY: each sub-folder is a taxon, holding *.jpg, *.jpeg, *.png and an
 * optional taxon.yaml. A folder without images or with a bad taxon.yaml is
 * reported through diag (status 1) and left out; the rest is returned. NULL
 * with err when the library cannot be read or holds fewer than two taxa.
 */
struct sc_wood_library *sc_wood_library_scan(const char *dir, struct sc_diag *diag,
                                              struct sc_error *err);
void sc_wood_library_free(struct sc_wood_library *lib);

/* Analyse every image of the library with `jobs` threads; bad images are
 * reported through diag (in library order) and get 0 patches. feats has
 * lib->nimages entries. */
struct sc_wood_feat *sc_wood_library_analyse(const struct sc_wood_library *lib, int jobs,
                                             struct sc_diag *diag);
void sc_wood_feats_free(struct sc_wood_feat *feats, size_t n);

/* ---- the model ----------------------------------------------------------- */

struct sc_wood_model;

struct sc_wood_train_opts {
	unsigned seed;
	int folds;              /* for calibration; 0: up to 4, fewer if specimens are few */
	int iterations;         /* of the classifier's fit; 0: default */
};

struct sc_wood_model *sc_wood_train(const struct sc_wood_library *lib,
                                    const struct sc_wood_feat *feats,
                                    const struct sc_wood_train_opts *o, struct sc_error *err);
int sc_wood_model_save(const struct sc_wood_model *m, const char *path, struct sc_error *err);
struct sc_wood_model *sc_wood_model_load(const char *path, struct sc_error *err);
struct sc_wood_model *sc_wood_model_load_buffer(const char *name, const unsigned char *data,
                                                size_t len, struct sc_error *err);
void sc_wood_model_free(struct sc_wood_model *m);
int sc_wood_model_ntaxa(const struct sc_wood_model *m);
const char *sc_wood_model_taxon(const struct sc_wood_model *m, int i);
/* Reference image k of taxon i, relative to the library (no "..", never
 * absolute: checked on load), or NULL. */
const char *sc_wood_model_ref(const struct sc_wood_model *m, int i, int k);
/* The library's folder: as trained, or (for a model read from a file) where it
 * lay relative to the model file when saved; NULL when the model does not say. */
const char *sc_wood_model_library(const struct sc_wood_model *m);
/* A short description for wood.model: "sc-wood-model/1 12 taxa 3240 patches". */
const char *sc_wood_model_name(const struct sc_wood_model *m);

/* Thresholds of referral; defaults by sc_wood_refer_defaults(). */
struct sc_wood_refer_opts {
	double min_score;       /* refer when the best score is below */
	double min_margin;      /* refer when the best two are closer than this */
	double cites_score;     /* a CITES-listed candidate needs this much of the best score */
	double cites_floor;     /* ... counted as a candidate from this score */
	double novelty;         /* multiplies the model's novelty threshold */
};
void sc_wood_refer_defaults(struct sc_wood_refer_opts *o);

/*
 * The `wood` namespace for one analysed image:
 *   {"v":1,"top":[{taxon,score,cites}...3],"refer":bool,"reasons":[{code,msg}],
 *    "quality":{...},"novelty":x,"model":...}
 * cites may be NULL (then only taxon.yaml statuses are known). *drivers gets
 * the indexes of up to 4 patches that spoke most for the best taxon (may be NULL).
 */
json_t *sc_wood_decide(const struct sc_wood_model *m, const struct sc_cites *cites,
                       const struct sc_wood_feat *f, const struct sc_wood_refer_opts *o,
                       int drivers[4], int *ndrivers, struct sc_error *err);

/*
 * The decision over a sample: n photos of one piece of wood (several fields of
 * view), pooled. The classifier's logits are averaged over the photos (each
 * photo weighs the same); the novelty is measured as the model was calibrated
 * for min(n, SC_WOOD_POOL_MAX) photos (the distance of the photos' mean, or
 * the mean of the photos' distances, whichever training found to separate
 * left-out taxa better). Photos with a quality problem (no surface, dark,
 * overexposed, featureless, blurred) are left out of the pool and named. The
 * object: {"id","photos","used","top","refer","reasons","novelty"}; id may be NULL.
 */
json_t *sc_wood_decide_sample(const struct sc_wood_model *m, const struct sc_cites *cites,
                              const char *id, const struct sc_wood_feat *const *f, int n,
                              const struct sc_wood_refer_opts *o, struct sc_error *err);
/* How the model decides over k photos (1..SC_WOOD_POOL_MAX): "mean" or "distance". */
const char *sc_wood_model_pooling(const struct sc_wood_model *m, int k);

/*
 * Folds by specimen: fold[i] for each image (photos of one specimen share a
 * fold; with one specimen per taxon, folds by image). Returns the number of
 * folds, `want` or (0) up to 4.
 */
int sc_wood_folds(const struct sc_wood_library *lib, unsigned seed, int want, int *fold);

/*
 * Cross-validation grouped by specimen: train on the other folds, decide on
 * each held-out image; then taxa left out of training in turn (in up to 6
 * groups), their photos identified by a model without them. Returns the report
 * object (top1, top3, refer_rate, accuracy_unreferred, left_out_refer_rate,
 * taxa, confusion, per_taxon with left_out_named_as), or NULL with err.
 */
json_t *sc_wood_eval(const struct sc_wood_library *lib, const struct sc_wood_feat *feats,
                     const struct sc_wood_train_opts *o, const struct sc_wood_refer_opts *ro,
                     int folds, const struct sc_cites *cites, struct sc_error *err);

/* ---- the expert's package ------------------------------------------------ */

/*
 * Write DIR/<name>.tar.gz for a referred image: the image, the record
 * (record.json), the patches that drove the decision (PNG), and reference
 * images of the candidate taxa from the model's library. *out_path (malloc'd)
 * names the package. 0, or -1 with err.
 */
int sc_wood_refer_package(const char *dir, const char *image_path, const json_t *record,
                          const struct sc_cv_wood *cw, const int *drivers, int ndrivers,
                          const struct sc_wood_model *m, char **out_path, struct sc_error *err);

/* ---- the expert's answer ------------------------------------------------- */

/* The answer file beside package PKG.tar.gz: PKG.answer.yaml (malloc'd), or NULL. */
char *sc_wood_answer_path(const char *package);
/* The answer file's text as the expert receives it (malloc'd), or NULL. */
char *sc_wood_answer_template(const char *name, const char *sha256, const json_t *top);
/*
 * Read an answered package (and the answer file beside it): the record as it
 * was referred (record.json) with wood.expert = {verdict: "taxon" |
 * "not-end-grain" | "unidentifiable", taxon?, note?, expert?, package, answer,
 * image_sha256}. On a problem (package cut short, answer malformed, for another
 * package, naming a taxon the package's taxa.txt does not list, not answered)
 * err is filled and the record comes back without wood.expert ({src:{path}}
 * when even record.json could not be read). Never NULL but out of memory.
 */
json_t *sc_wood_answer_read(const char *package, struct sc_error *err);
/*
 * The answer file's checks alone (fuzzed on their own): y is the answer file,
 * stem and sha the package's name and image, taxa its taxa.txt. Fills expert
 * with {verdict, taxon?, note?, expert?}. 0, or -1 with err.
 */
int sc_wood_answer_parse(const struct sc_yaml *y, const char *stem, const char *sha,
                         const char *taxa, size_t taxa_len, json_t *expert, struct sc_error *err);
/*
 * Learn one answer record into the library at libdir (scanned as lib): the
 * package's photo, checked against the answer's image_sha256 and as an image,
 * goes into the taxon's folder as expert-<sha>.jpg. A verdict other than a
 * taxon learns nothing and returns 0; so does an answer learned before.
 * *added names a new file (malloc'd) or is NULL. 0, or -1 with err.
 */
int sc_wood_answer_learn(const char *libdir, const struct sc_wood_library *lib, const json_t *rec,
                         char **added, struct sc_error *err);

/* ---- running the commands (wood_run.c) ---------------------------------- */

/* What identification needs; shared read-only by the workers. */
struct sc_wood_ident {
	const struct sc_wood_model *m;
	const struct sc_cites *cites;
	struct sc_wood_refer_opts ro;
	const char *refer_dir;        /* write a package per referred image here, or NULL */
	int samples;                  /* group photos into samples: 0 no, SC_WOOD_BY_NAME, SC_WOOD_BY_FOLDER */
};
enum { SC_WOOD_BY_NAME = 1, SC_WOOD_BY_FOLDER = 2 };
/*
 * The sample a photo belongs to (malloc'd): by folder, the folder's path; by
 * name, the path less its extension and less the last "_" and what follows
 * ("lot7/s01_2.jpg" is sample "lot7/s01"; a name without "_" is a sample of
 * its own).
 */
char *sc_wood_sample_key(const char *path, int by);
/* The sc_filter enricher: ctx is a struct sc_wood_ident, the image src.path. */
int sc_wood_enrich(void *ctx, void *state, json_t *rec, json_t **value, struct sc_error *err);
/* One record per image file, in argument order, written to out. With
 * c->samples, the photos of each sample are also decided together: every
 * photo's record gets wood.sample (sc_wood_decide_sample), and a package is
 * written for each photo of a referred sample. */
int sc_wood_identify_files(const struct sc_wood_ident *c, int n, char **paths, int jobs, FILE *out,
                           struct sc_diag *diag);
/* Records (JSON lines) naming images by src.path, through sc_filter_run. */
int sc_wood_identify_records(const struct sc_wood_ident *c, int nfiles, char **files, int jobs,
                             FILE *out, struct sc_diag *diag);
/* `sc-wood answers`: a record per package, in order. */
int sc_wood_answers(int n, char **packages, FILE *out, struct sc_diag *diag);
/* `sc-wood train [--add answers.jsonl]`: learn the answers, scan, analyse, train, save. */
int sc_wood_train_run(const char *dir, const char *model_path, const char *add,
                      const struct sc_wood_train_opts *o, int jobs, struct sc_diag *diag);
/* `sc-wood eval`: the report of sc_wood_eval as one JSON line on out. */
int sc_wood_eval_run(const char *dir, const struct sc_cites *cites, const struct sc_wood_train_opts *o,
                     const struct sc_wood_refer_opts *ro, int jobs, FILE *out, struct sc_diag *diag);

#endif
