/*
 * scan_judge.c - sc-scan's tables and verdict: the settings and the expected
 * density per HS chapter (rules/scan/), a scanner's calibration, and the scan
 * namespace that holds a reading against its declaration, with reasons an
 * officer can act on.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "scan.h"
#include "yamltree.h"

void sc_scan_cfg_defaults(struct sc_scan_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->p.air_rows_min = 3;
	c->p.wall_lo = 0.06;
	c->p.wall_hi = 0.30;
	c->p.cargo_t = 0.08;
	c->p.empty_area_m2 = 0.15;
	c->p.dense_t = 0.9;
	c->p.dense_min_mm = 40;
	c->p.dense_score_min = 0.3;
	c->p.line_mm = 330;
	c->p.gap_mm = 1;
	c->p.local_q = 0.75;
	c->p.opaque_t = 0.002;
	c->p.opaque_area_m2 = 0.1;
	c->p.refer_score = 0.5;
	c->p.density_tol = 1.6;
	c->p.mass_tol = 1.5;
	c->p.mu_rho = 0.045;
	c->p.inner_width_mm = 2350;
	c->max_pixels = 40u * 1000 * 1000;
	c->max_bytes = 256u << 20;
}

static const struct {
	const char *key;
	size_t off;
} params[] = {
#define P(k) {#k, offsetof(struct sc_scan_params, k)}
	P(air_rows_min), P(wall_lo), P(wall_hi), P(cargo_t), P(empty_area_m2), P(dense_t),
	P(dense_min_mm), P(dense_score_min), P(line_mm), P(gap_mm), P(local_q), P(opaque_t), P(opaque_area_m2),
	P(refer_score), P(density_tol), P(mass_tol), P(mu_rho), P(inner_width_mm),
#undef P
};

static int load_params(struct sc_scan_params *p, const char *path, struct sc_error *err)
{
	struct sc_yaml *y = sc_yaml_load_file(path, err);
	const char *k;
	json_t *v, *root;
	if (!y)
		return -1;
	root = sc_yaml_root(y);
	if (!json_is_object(root)) {
		sc_yaml_error(y, root, err, "bad-table", "scan settings must be a mapping");
		sc_yaml_free(y);
		return -1;
	}
	json_object_foreach(root, k, v) {
		size_t i;
		for (i = 0; i < sizeof params / sizeof params[0]; i++)
			if (strcmp(params[i].key, k) == 0)
				break;
		if (i == sizeof params / sizeof params[0] || !json_is_number(v)) {
			sc_yaml_error(y, v, err, "bad-table", i == sizeof params / sizeof params[0]
			              ? "unknown scan setting \"%s\"" : "scan setting \"%s\" must be a number", k);
			sc_yaml_free(y);
			return -1;
		}
		*(double *)((char *)p + params[i].off) = json_number_value(v);
	}
	sc_yaml_free(y);
	return 0;
}

static int load_table(struct sc_scan_cfg *c, const char *path, struct sc_error *err)
{
	struct sc_yaml *y = sc_yaml_load_file(path, err);
	json_t *root, *list, *e;
	size_t i;
	if (!y)
		return -1;
	root = sc_yaml_root(y);
	list = json_object_get(root, "chapters");
	if (!json_is_array(list)) {
		sc_yaml_error(y, root, err, "bad-table", "the attenuation table needs a list \"chapters\"");
		sc_yaml_free(y);
		return -1;
	}
	c->table = calloc(json_array_size(list) + 1, sizeof *c->table);
	if (!c->table) {
		sc_yaml_free(y);
		return sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
	}
	json_array_foreach(list, i, e) {
		json_t *hs = json_object_get(e, "hs"), *d = json_object_get(e, "density");
		json_t *g = json_object_get(e, "goods");
		if (!json_is_string(hs) || strlen(json_string_value(hs)) > 6 || !json_is_array(d) ||
		    json_array_size(d) != 2 || !json_is_number(json_array_get(d, 0)) ||
		    !json_is_number(json_array_get(d, 1))) {
			sc_yaml_error(y, e, err, "bad-table", "an entry needs hs (quoted digits) and density [low, high]");
			sc_yaml_free(y);
			return -1;
		}
		struct sc_scan_hs *t = &c->table[c->ntable++];
		snprintf(t->hs, sizeof t->hs, "%s", json_string_value(hs));
		snprintf(t->goods, sizeof t->goods, "%s", json_is_string(g) ? json_string_value(g) : "");
		t->lo = json_number_value(json_array_get(d, 0));
		t->hi = json_number_value(json_array_get(d, 1));
		t->dense_parts = json_is_true(json_object_get(e, "dense_parts"));
	}
	sc_yaml_free(y);
	return 0;
}

int sc_scan_cfg_load(struct sc_scan_cfg *c, const char *dir, struct sc_error *err)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/scan/params.yaml", dir);
	if (load_params(&c->p, path, err) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/scan/attenuation.yaml", dir);
	return load_table(c, path, err);
}

int sc_scan_calib_load(struct sc_scan_calib *cal, const char *path, struct sc_error *err)
{
	struct sc_yaml *y = sc_yaml_load_file(path, err);
	json_t *root;
	if (!y)
		return -1;
	root = sc_yaml_root(y);
	memset(cal, 0, sizeof *cal);
	cal->dark = -1;
	json_t *px = json_object_get(root, "px_mm"), *py = json_object_get(root, "py_mm");
	if (!json_is_number(px) || !json_is_number(py) || json_number_value(px) <= 0 ||
	    json_number_value(py) <= 0) {
		sc_yaml_error(y, root, err, "bad-calibration", "a calibration needs px_mm and py_mm (mm per column and row)");
		sc_yaml_free(y);
		return -1;
	}
	cal->px_mm = json_number_value(px);
	cal->py_mm = json_number_value(py);
	if (json_is_number(json_object_get(root, "dark")))
		cal->dark = json_number_value(json_object_get(root, "dark"));
	if (json_is_number(json_object_get(root, "mu_rho")))
		cal->mu_rho = json_number_value(json_object_get(root, "mu_rho"));
	cal->have = 1;
	sc_yaml_free(y);
	return 0;
}

void sc_scan_cfg_clear(struct sc_scan_cfg *c)
{
	free(c->table);
	c->table = NULL;
	c->ntable = 0;
}

/* ---- the verdict ---------------------------------------------------------- */

static json_t *bbox(const int b[4])
{
	return json_pack("[iiii]", b[0], b[1], b[2], b[3]);
}

static double r3(double v)
{
	return round(v * 1000) / 1000;
}


/* the expected density range of the declared goods; 0 when no item is in the table */
static int expected(const struct sc_scan_cfg *c, const json_t *items, double *lo, double *hi,
                    char *what, size_t wlen, int *parts)
{
	size_t i;
	json_t *it;
	int found = 0;
	what[0] = 0;
	json_array_foreach(items, i, it) {
		const char *hs = json_string_value(json_object_get(it, "hs"));
		const struct sc_scan_hs *best = NULL;
		if (!hs)
			continue;
		for (int k = 0; k < c->ntable; k++) {
			size_t n = strlen(c->table[k].hs);
			if (strncmp(hs, c->table[k].hs, n) == 0 && (!best || n > strlen(best->hs)))
				best = &c->table[k];
		}
		if (!best)
			continue;
		*parts |= best->dense_parts;
		if (!found || best->lo < *lo)
			*lo = best->lo;
		if (!found || best->hi > *hi)
			*hi = best->hi;
		if (!found)
			snprintf(what, wlen, "HS %s (%s)", best->hs, best->goods);
		found = 1;
	}
	return found;
}

json_t *sc_scan_judge(const struct sc_scan_cfg *c, const struct sc_scan_reading *r,
                      const json_t *decl, int incomplete)
{
	const struct sc_scan_params *P = &c->p;
	json_t *s = json_object(), *an = json_array(), *rs = json_array(), *boxes = json_array();
	int refer = incomplete, consistent = 1;

	json_object_set_new(s, "v", json_integer(SC_SCAN_VERSION));
	json_object_set_new(s, "empty", json_boolean(r->empty));
	json_object_set_new(s, "fill", json_real(r3(r->fill)));
	json_object_set_new(s, "density", json_real(r3(r->density)));
	/* declared goods with dense parts of their own (machinery, vehicles): dense
	 * blobs in the cargo space are what they look like; marked, not referred */
	int parts = 0;
	if (decl && json_is_object(decl) && json_array_size(json_object_get(decl, "items")) > 0) {
		double lo = 0, hi = 0;
		char what[96];
		expected(c, json_object_get(decl, "items"), &lo, &hi, what, sizeof what, &parts);
	}
	for (int i = 0; i < r->nanom; i++) {
		const struct sc_scan_anom *a = &r->anom[i];
		json_t *o = json_pack("{s:o,s:f,s:s}", "bbox", bbox(a->bbox), "score", r3(a->score), "kind", a->kind);
		if (parts && strcmp(a->kind, "dense") == 0)
			json_object_set_new(o, "expected", json_true());
		json_array_append_new(an, o);
	}
	json_object_set_new(s, "anomalies", an);
	/* against the declaration */
	if (decl && json_is_object(decl)) {
		const json_t *items = json_object_get(decl, "items");
		int dempty = json_is_true(json_object_get(decl, "empty"));
		int goods = json_array_size(items) > 0;
		if (dempty && goods) {
			consistent = 0;
			sc_reason_add(rs, "decl-contradicts", "the declaration says empty and lists %zu items", json_array_size(items));
		} else if (dempty && !r->empty) {
			consistent = 0;
			sc_reason_add(rs, "declared-empty-loaded",
			       "declared empty, but about %.1f m2 of cargo shows in the side view (fill %.0f%%): open and inspect",
			       r->cargo_m2, 100 * r->fill);
		} else if (dempty) {
			/* declared empty and found empty: consistent */
		} else if (goods && r->empty) {
			consistent = 0;
			sc_reason_add(rs, "declared-goods-empty",
			       "goods declared (%zu items), but the container looks empty (cargo %.2f m2): check for a missing or swapped container",
			       json_array_size(items), r->cargo_m2);
		} else if (goods) {
			double lo = 0, hi = 0;
			char what[96];
			int p2 = 0;
			if (expected(c, items, &lo, &hi, what, sizeof what, &p2)) {
				if (r->density < lo / P->density_tol && r->opaque_frac < 0.1) {
					consistent = 0;
					sc_reason_add(rs, "lighter-than-declared",
					       "cargo density about %.2f g/cm3, far below %.2f-%.2f expected for %s", r->density, lo, hi, what);
				} else if (r->density > hi * P->density_tol || (r->opaque_frac > 0.5 && hi < 0.6)) {
					consistent = 0;
					sc_reason_add(rs, "denser-than-declared",
					       "cargo density about %.2f g/cm3 (%.0f%% opaque), far above %.2f-%.2f expected for %s",
					       r->density, 100 * r->opaque_frac, lo, hi, what);
				}
			} else
				sc_reason_add(rs, "hs-not-in-table", "no expected density for the declared HS codes: density not checked");
			json_t *gk = json_object_get(decl, "gross_kg");
			if (c->calib.have && json_is_number(gk) && json_number_value(gk) > 0) {
				double d = json_number_value(gk), ratio = r->mass_kg / d;
				json_object_set_new(s, "mass_kg", json_real(round(r->mass_kg)));
				/* where the beam gives out the estimate is only a lower bound */
				if (ratio > P->mass_tol || (ratio < 1 / P->mass_tol && r->opaque_frac < 0.1)) {
					consistent = 0;
					sc_reason_add(rs, "mass", "estimated cargo mass %.0f kg against %.0f kg declared gross (ratio %.2f)",
					       r->mass_kg, d, ratio);
				}
			}
		} else {
			consistent = 0;
			sc_reason_add(rs, "decl-unchecked", "the declaration lists no items and does not say empty: nothing to hold the scan against");
		}
		json_object_set_new(s, "consistent", json_boolean(consistent));
		refer |= !consistent;
	}
	for (int i = 0; i < r->nanom; i++) {
		const struct sc_scan_anom *a = &r->anom[i];
		if (a->score < P->refer_score || (parts && strcmp(a->kind, "dense") == 0))
			continue;
		refer = 1;
		double wmm = a->bbox[2] * r->px_mm, hmm = a->bbox[3] * r->py_mm;
		if (strcmp(a->kind, "dense") == 0)
			sc_reason_add(rs, "dense", "dense object about %.0fx%.0f mm at x=%d y=%d, %.1f above its surroundings: image review or open",
			       wmm, hmm, a->bbox[0], a->bbox[1], a->excess);
		else if (strcmp(a->kind, "opaque") == 0)
			sc_reason_add(rs, "opaque", "region about %.0fx%.0f mm at x=%d y=%d that the beam does not pass: cannot be cleared by X-ray",
			       wmm, hmm, a->bbox[0], a->bbox[1]);
		else
			sc_reason_add(rs, "in-structure", "object about %.0fx%.0f mm in the container's structure at x=%d y=%d: inspect walls, floor, frames",
			       wmm, hmm, a->bbox[0], a->bbox[1]);
	}
	if (incomplete)
		sc_reason_add(rs, "incomplete", "the image could not be read in full (see errors): not cleared");
	json_object_set_new(s, "refer", json_boolean(refer));
	json_object_set_new(s, "reasons", rs);
	/* what was found in the frame */
	for (int i = 0; i < r->nbox; i++) {
		json_t *b = json_pack("{s:o,s:i}", "bbox", bbox(r->box[i].bbox), "feet", r->box[i].feet);
		if (r->box[i].reefer[2])
			json_object_set_new(b, "reefer", bbox(r->box[i].reefer));
		json_array_append_new(boxes, b);
	}
	json_object_set_new(s, "containers", boxes);
	{
		json_t *t = json_object(), *wh = json_array();
		if (r->cab[2])
			json_object_set_new(t, "cab", bbox(r->cab));
		if (r->chassis[2])
			json_object_set_new(t, "chassis", bbox(r->chassis));
		for (int i = 0; i < r->nwheels; i++)
			json_array_append_new(wh, bbox(r->wheels[i]));
		json_object_set_new(t, "wheels", wh);
		json_object_set_new(s, "truck", t);
	}
	json_object_set_new(s, "attenuation", json_pack("{s:f,s:f}", "mean", r3(r->att_mean), "sd", r3(r->att_sd)));
	json_object_set_new(s, "image", json_pack("{s:i,s:i,s:i,s:b,s:b,s:i,s:i}", "width", r->width, "height",
	                                          r->height, "bits", r->bits, "inverted", r->inverted, "pseudo",
	                                          r->pseudo, "dead_rows", r->dead_rows, "streaks", r->streaks));
	return s;
}

json_t *sc_scan_unread(const json_t *decl, const struct sc_error *why)
{
	json_t *s = json_pack("{s:i}", "v", SC_SCAN_VERSION), *rs = json_array();
	sc_reason_add(rs, "unread", "the image could not be read (%s): not cleared, scan again or inspect", why->code);
	json_object_set_new(s, "anomalies", json_array());
	if (decl && json_is_object(decl))
		json_object_set_new(s, "consistent", json_false());
	json_object_set_new(s, "refer", json_true());
	json_object_set_new(s, "reasons", rs);
	return s;
}
