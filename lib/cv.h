/*
 * cv.h - the only door to OpenCV: a C header over lib/cv_wood.cpp, in the manner of
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
#define SC_CV_NFEAT 74

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


/* ---- sc-scan: container X-ray transmission images (lib/cv_scan.cpp) -------
 * Decoding keeps the counts: 16-bit PNG/TIFF stay 16-bit; 8-bit files and
 * pseudo-colour exports (mapped back through the jet colour map) come out on
 * a 0..255 scale. The float pictures below are row-major, width x height. */

struct sc_cv_scan;

struct sc_cv_scan_info {
	int width, height;
	int bits;        /* 8 or 16: the depth of the stored samples */
	int channels;    /* as stored: 1 grey, 3 or 4 colour */
	int pseudo;      /* 1: a colour export mapped back to grey levels */
	double colour_misfit; /* mean distance of the colours from the jet map, 0..255 */
};

/* Decode PNG, TIFF or JPEG bytes into grey levels (float). NULL with err filled. */
struct sc_cv_scan *sc_cv_scan_decode(const unsigned char *data, size_t len,
                                     struct sc_cv_scan_info *info, char *err, size_t errlen);
void sc_cv_scan_delete(struct sc_cv_scan *s);
/* The grey levels, width*height floats, owned by s (the caller may change them). */
float *sc_cv_scan_pixels(struct sc_cv_scan *s);

/*
 * Blob residual: dst = src - max(open_h(src), open_v(src)) with line
 * structuring elements of len_x columns and len_y rows, so that only what is
 * smaller than the lines in both directions remains (long straps, posts and
 * floor planks are kept by one of the openings and vanish from dst). Dark
 * gaps narrower than `gap` pixels (between sacks, cartons) are closed first,
 * so that a stack reads as one thing. Works in the rectangle roi [x,y,w,h]
 * of src (w x h floats out). 0 or -1.
 */
int sc_cv_scan_blob_residual(const float *src, int width, int height, const int roi[4],
                             int len_x, int len_y, int gap, float *dst, char *err, size_t errlen);
/* Box-filter src in place with a kw x kh window (edges replicated). 0 or -1. */
int sc_cv_scan_blur(float *img, int width, int height, int kw, int kh, char *err, size_t errlen);

struct sc_cv_blob {
	int bbox[4];     /* x, y, w, h */
	int area;        /* pixels */
};
/*
 * Connected regions (8-neighbour) of a 0/1 mask: at most max blobs of at least
 * min_area pixels, largest first (ties by position). Returns the count, -1 on error.
 */
int sc_cv_scan_blobs(const unsigned char *mask, int width, int height, int min_area,
                     struct sc_cv_blob *out, int max, char *err, size_t errlen);

struct sc_cv_mark {
	int bbox[4];
	int colour;      /* 0 container, 1 dense, 2 opaque, 3 in-structure, 4 truck */
};
/*
 * The picture for the officer's screen: attenuation (0 = air, white) drawn as
 * grey, the marks as outlined rectangles, encoded as PNG into *png (free with
 * sc_cv_free). 0, or -1 with err filled.
 */
int sc_cv_scan_overlay(const float *att, int width, int height, const struct sc_cv_mark *marks,
                       int nmarks, unsigned char **png, size_t *len, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
