/*
 * scan.h - sc-scan's reading of a container X-ray transmission image: header
 * checks, normalisation to attenuation, the container and truck found in the
 * frame, empty verification, anomalies, and the verdict against a declaration.
 * The frontend (cmd/sc-scan.c) only feeds it files and records.
 */
#ifndef SC_SCAN_H
#define SC_SCAN_H

#include "cv.h"
#include "sc.h"

#define SC_SCAN_VERSION 1
#define SC_SCAN_MAX_BOXES 3
#define SC_SCAN_MAX_ANOM 32
#define SC_SCAN_MAX_WHEELS 12
#define SC_SCAN_MAX_WARN 4

/* Tunable settings, read from rules/scan/params.yaml (fitted on tuning seeds). */
struct sc_scan_params {
	double air_rows_min;      /* fewest air rows above the container for I0 */
	double wall_lo, wall_hi;  /* attenuation of two empty side walls */
	double cargo_t;           /* excess attenuation that counts as cargo */
	double empty_area_m2;     /* less cargo than this (side view area) is empty */
	double dense_t;           /* blob residual that counts as a dense object */
	double dense_min_mm;      /* smallest object side considered */
	double dense_score_min;   /* anomalies scored below this are dropped */
	double line_mm;           /* length of the line openings */
	double gap_mm;            /* dark gaps narrower than this are closed first */
	double local_q;           /* quantile of the cargo around a blob that it must stand above */
	double opaque_t;          /* transmission below this is opaque */
	double opaque_area_m2;    /* opaque region worth reporting */
	double refer_score;       /* an anomaly at least this refers the scan */
	double density_tol;       /* measured density may stray this factor from the table */
	double mass_tol;          /* estimated mass may stray this factor from gross_kg */
	double mu_rho;            /* cm2/g, mass attenuation of cargo at the scanner's energy */
	double inner_width_mm;    /* path through a container's cargo space */
};

/* A scanner's calibration (--calibration FILE); have = 0 when none was given. */
struct sc_scan_calib {
	int have;
	double px_mm, py_mm;      /* mm per column and per row */
	double dark;              /* dark offset in counts (16-bit) */
	double mu_rho;            /* cm2/g, replaces the params' value when > 0 */
};

/* Expected density of stowed cargo per HS chapter (2 digits) or heading (4). */
struct sc_scan_hs {
	char hs[8];
	char goods[64];
	double lo, hi;            /* g/cm3 as stowed */
	int dense_parts;          /* the goods hold dense parts (engines, motors): dense blobs are expected */
};

struct sc_scan_cfg {
	struct sc_scan_params p;
	struct sc_scan_calib calib;
	struct sc_scan_hs *table;
	int ntable;
	int expect_bits;          /* 16: an 8-bit image is reported; 0: either */
	size_t max_pixels;        /* larger headers are refused before decoding */
	size_t max_bytes;
};

/* Defaults, then rules/scan/params.yaml and attenuation.yaml from dir. */
void sc_scan_cfg_defaults(struct sc_scan_cfg *c);
int sc_scan_cfg_load(struct sc_scan_cfg *c, const char *dir, struct sc_error *err);
int sc_scan_calib_load(struct sc_scan_calib *cal, const char *path, struct sc_error *err);
void sc_scan_cfg_clear(struct sc_scan_cfg *c);

struct sc_scan_anom {
	int bbox[4];
	double score;
	const char *kind;         /* "dense", "opaque", "in-structure" (static) */
	double excess;            /* mean residual attenuation */
	int area;
};

struct sc_scan_box {
	int bbox[4];
	int feet;                 /* 20 or 40 */
	int reefer[4];            /* w == 0: none */
	int inner[4];             /* the cargo space */
};

struct sc_scan_reading {
	int width, height, bits, inverted, pseudo;
	double i0, dark;
	int dead_rows, streaks;
	int nbox;
	struct sc_scan_box box[SC_SCAN_MAX_BOXES];
	int cab[4], chassis[4];
	int nwheels;
	int wheels[SC_SCAN_MAX_WHEELS][4];
	double px_mm, py_mm;
	double fill, cargo_m2, density, att_mean, att_sd, mass_kg;
	double opaque_frac;       /* share of the cargo the beam does not pass: density and mass are then lower bounds */
	int empty;
	int nanom;
	struct sc_scan_anom anom[SC_SCAN_MAX_ANOM];
	int nwarn;                /* problems that leave the reading incomplete */
	struct sc_error warn[SC_SCAN_MAX_WARN];
	float *att;               /* attenuation picture, for the overlay; owned */
};

/*
 * Check an image's header before decoding: format ("png", "jpeg", "tiff") and
 * size. -1 with err when it is no image, or its size is impossible or above
 * max_pixels, or too small to be a scan.
 */
int sc_scan_probe(const char *name, const unsigned char *d, size_t len, size_t max_pixels,
                  const char **fmt, int *width, int *height, struct sc_error *err);
/* 1 when the bytes start like an image sc-scan reads, else 0. */
int sc_scan_is_image(const unsigned char *d, size_t len);

/* Read the image bytes. 0, or -1 with err (r is then cleared). Free with _clear. */
int sc_scan_read(const struct sc_scan_cfg *c, const char *name, const unsigned char *data,
                 size_t len, struct sc_scan_reading *r, struct sc_error *err);
void sc_scan_reading_clear(struct sc_scan_reading *r);

/*
 * The scan namespace for a reading, held against decl (may be NULL): a new
 * object. `incomplete` says the reading missed something (then refer is true).
 */
json_t *sc_scan_judge(const struct sc_scan_cfg *c, const struct sc_scan_reading *r,
                      const json_t *decl, int incomplete);
/* The scan namespace when the image could not be read at all (refer, reason). */
json_t *sc_scan_unread(const json_t *decl, const struct sc_error *why);

/* Write the overlay PNG of a reading to path. 0, or -1 with err. */
int sc_scan_overlay(const struct sc_scan_reading *r, const char *path, struct sc_error *err);

#endif
