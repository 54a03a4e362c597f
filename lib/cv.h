/*
 * cv.h - the only door to OpenCV: a C header over lib/cv.cpp, in the manner of
 * tesseract's capi.h. Opaque handles, create/delete in pairs, the handle first;
 * every C++ body runs inside try/catch, and no C++ type or exception crosses.
 * What it knows: decoding an end-grain photograph, finding the loupe's disc,
 * quality measures, and the per-patch texture, colour and pore features.
 */
#ifndef SC_CV_H
#define SC_CV_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Geometry of the normalised picture: the usable disc is scaled to this radius. */
#define SC_CV_DISC_RADIUS 224
#define SC_CV_PATCH 96
/* Features per patch (fixed for a model format version); names by sc_cv_feature_name. */
#define SC_CV_NFEAT 67

/* Set OpenCV to one thread (callers parallelise over images) and quiet its log. */
void sc_cv_init(void);
/* Feature i's short name ("lbp1_0", "pore_density", ...); borrowed; NULL if out of range. */
const char *sc_cv_feature_name(int i);

struct sc_cv_quality {
	double disc;        /* usable disc radius / half the shorter side, 0..~1.1 */
	double brightness;  /* mean grey level inside the disc, 0..255 */
	double contrast;    /* standard deviation of grey inside the disc */
	double sharpness;   /* variance of the Laplacian in the disc's centre */
	double pores;       /* pore-like blobs per patch area, mean over patches */
};

struct sc_cv_wood;

/*
 * Decode an image held in memory (JPEG or PNG bytes; the caller has checked the
 * size from the header) at 1/reduce of its size (reduce 1, 2, 4 or 8: JPEG is
 * decoded smaller by libjpeg itself, so a huge picture never lands in memory
 * whole), find the usable disc, and compute quality and patch features.
 * NULL with err filled (at most errlen bytes) when the bytes do not decode.
 * An image with no usable disc is not an error: it has 0 patches.
 */
struct sc_cv_wood *sc_cv_wood_new(const unsigned char *data, size_t len, int reduce,
                                  char *err, size_t errlen);
/* The err text of sc_cv_wood_new and sc_cv_wood_patch_png when memory ran out. */
#define SC_CV_NOMEM "out of memory"
void sc_cv_wood_delete(struct sc_cv_wood *w);

/* Size of the decoded picture (after reduce). */
void sc_cv_wood_size(const struct sc_cv_wood *w, int *width, int *height);
void sc_cv_wood_quality(const struct sc_cv_wood *w, struct sc_cv_quality *q);
int sc_cv_wood_npatches(const struct sc_cv_wood *w);
/* Patch i's features: SC_CV_NFEAT floats, borrowed; NULL if i is out of range. */
const float *sc_cv_wood_features(const struct sc_cv_wood *w, int i);
/* Patch i's place in the decoded picture: x, y, side (pixels). 0, or -1 out of range. */
int sc_cv_wood_patch_box(const struct sc_cv_wood *w, int i, int box[3]);
/*
 * Patch i of the normalised picture as PNG bytes: *png is allocated here and
 * freed with sc_cv_free(). 0, or -1 with err filled.
 */
int sc_cv_wood_patch_png(const struct sc_cv_wood *w, int i, unsigned char **png,
                         size_t *len, char *err, size_t errlen);
/* Free memory handed out by this module. Accepts NULL. */
void sc_cv_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
