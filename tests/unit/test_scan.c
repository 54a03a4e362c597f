/*
 * test_scan.c - sc-scan's library: image headers checked before decoding,
 * the tables, and the verdict held against declarations (a reading made by
 * hand, so each rule of the verdict is seen on its own).
 */
#include <stdlib.h>
#include <string.h>

#include "scan.h"
#include "t.h"

static void png_header(unsigned char *b, unsigned w, unsigned h)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	memset(b, 0, 40);
	memcpy(b, sig, 8);
	b[11] = 13;
	memcpy(b + 12, "IHDR", 4);
	for (int i = 0; i < 4; i++) {
		b[16 + i] = (unsigned char)(w >> (24 - 8 * i));
		b[20 + i] = (unsigned char)(h >> (24 - 8 * i));
	}
	b[24] = 16;
}

static void test_probe(void)
{
	unsigned char b[64];
	const char *fmt;
	int w, h;
	struct sc_error e;

	png_header(b, 2400, 600);
	CHECK(sc_scan_probe("a.png", b, 40, 40000000, &fmt, &w, &h, &e) == 0);
	CHECK_STR(fmt, "png");
	CHECK(w == 2400 && h == 600);
	png_header(b, 100000, 100000);
	CHECK(sc_scan_probe("huge.png", b, 40, 40000000, &fmt, &w, &h, &e) < 0);
	CHECK_STR(e.code, "too-large");
	png_header(b, 2400, 1);
	CHECK(sc_scan_probe("strip.png", b, 40, 40000000, &fmt, &w, &h, &e) < 0);
	CHECK_STR(e.code, "too-small");
	CHECK(strstr(e.msg, "2400x1") != NULL);
	CHECK(sc_scan_probe("t.txt", (const unsigned char *)"hello, world", 12, 40000000, &fmt, &w, &h, &e) < 0);
	CHECK_STR(e.code, "not-an-image");
	/* TIFF, little-endian: one IFD with width 3000 (LONG) and height 700 (SHORT) */
	unsigned char t[64] = {'I', 'I', 42, 0, 8, 0, 0, 0, 2, 0,
	                       0, 1, 4, 0, 1, 0, 0, 0, 0xb8, 0x0b, 0, 0,
	                       1, 1, 3, 0, 1, 0, 0, 0, 0xbc, 0x02, 0, 0};
	CHECK(sc_scan_probe("a.tif", t, 34, 40000000, &fmt, &w, &h, &e) == 0);
	CHECK(w == 3000 && h == 700);
	/* a TIFF whose IFD points past the end */
	t[4] = 200;
	CHECK(sc_scan_probe("b.tif", t, 34, 40000000, &fmt, &w, &h, &e) < 0);
	CHECK_STR(e.code, "bad-image");
	/* JPEG: SOI, APP0 of 16 bytes, SOF0 with 600 x 2400 */
	unsigned char j[40] = {0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
	                       0xff, 0xc0, 0, 11, 8, 0x02, 0x58, 0x09, 0x60, 1, 1, 0x11, 0};
	CHECK(sc_scan_probe("a.jpg", j, 40, 40000000, &fmt, &w, &h, &e) == 0);
	CHECK(w == 2400 && h == 600);
	CHECK(sc_scan_is_image(j, 3) == 1 && sc_scan_is_image((const unsigned char *)"{}", 2) == 0);
}

static void test_read_bad(void)
{
	struct sc_scan_cfg c;
	struct sc_scan_reading r;
	struct sc_error e;
	unsigned char b[64];

	sc_scan_cfg_defaults(&c);
	png_header(b, 800, 300);   /* a header and nothing after it */
	CHECK(sc_scan_read(&c, "cut.png", b, 40, &r, &e) < 0);
	CHECK_STR(e.code, "bad-image");
	CHECK(r.att == NULL);
}

static void test_tables(void)
{
	struct sc_scan_cfg c;
	struct sc_error e;
	sc_scan_cfg_defaults(&c);
	sc_error_clear(&e);
	CHECK(sc_scan_cfg_load(&c, "rules", &e) == 0);
	CHECK(c.ntable >= 20);
	CHECK(c.p.refer_score > 0 && c.p.refer_score <= 1);
	int cotton = 0;
	for (int i = 0; i < c.ntable; i++)
		if (strcmp(c.table[i].hs, "52") == 0)
			cotton = c.table[i].lo > 0.2 && c.table[i].hi < 0.7;
	CHECK(cotton);
	sc_scan_cfg_clear(&c);
	sc_scan_cfg_defaults(&c);
	CHECK(sc_scan_cfg_load(&c, "/nonexistent", &e) < 0);
	CHECK(e.file[0] != 0);
}

static json_t *judge(const struct sc_scan_cfg *c, const struct sc_scan_reading *r, const char *decl)
{
	json_t *d = decl ? json_loads(decl, 0, NULL) : NULL;
	json_t *s = sc_scan_judge(c, r, d, 0);
	json_decref(d);
	return s;
}

static const char *first_reason(json_t *s)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(s, "reasons"), 0), "code"));
}

static void test_judge(void)
{
	struct sc_scan_cfg c;
	struct sc_scan_reading r;
	struct sc_error e;
	json_t *s;

	sc_scan_cfg_defaults(&c);
	CHECK(sc_scan_cfg_load(&c, "rules", &e) == 0);
	memset(&r, 0, sizeof r);
	r.width = 2400;
	r.height = 600;
	r.px_mm = 6;
	r.py_mm = 7;
	r.empty = 1;
	/* empty, declared empty: consistent, nothing to look at */
	s = judge(&c, &r, "{\"empty\":true}");
	CHECK(json_is_true(json_object_get(s, "consistent")));
	CHECK(json_is_false(json_object_get(s, "refer")));
	json_decref(s);
	/* empty, goods declared */
	s = judge(&c, &r, "{\"items\":[{\"hs\":\"520100\"}]}");
	CHECK(json_is_false(json_object_get(s, "consistent")));
	CHECK_STR(first_reason(s), "declared-goods-empty");
	json_decref(s);
	/* no decl: no consistent key */
	s = judge(&c, &r, NULL);
	CHECK(json_object_get(s, "consistent") == NULL);
	json_decref(s);
	/* loaded, declared empty */
	r.empty = 0;
	r.fill = 0.4;
	r.cargo_m2 = 9;
	r.density = 0.35;
	s = judge(&c, &r, "{\"empty\":true}");
	CHECK_STR(first_reason(s), "declared-empty-loaded");
	json_decref(s);
	/* cotton at 0.35 g/cm3 is what cotton weighs; steel is not */
	s = judge(&c, &r, "{\"items\":[{\"hs\":\"520100\"}]}");
	CHECK(json_is_true(json_object_get(s, "consistent")));
	json_decref(s);
	s = judge(&c, &r, "{\"items\":[{\"hs\":\"720851\"}]}");
	CHECK_STR(first_reason(s), "lighter-than-declared");
	json_decref(s);
	r.density = 2.5;
	s = judge(&c, &r, "{\"items\":[{\"hs\":\"610910\"}]}");
	CHECK_STR(first_reason(s), "denser-than-declared");
	json_decref(s);
	/* neither items nor empty: cannot be checked, so not consistent */
	s = judge(&c, &r, "{\"id\":\"X\"}");
	CHECK_STR(first_reason(s), "decl-unchecked");
	json_decref(s);
	/* the mass, with a calibration */
	r.density = 0.35;
	r.mass_kg = 20000;
	c.calib.have = 1;
	s = judge(&c, &r, "{\"gross_kg\":5000,\"items\":[{\"hs\":\"52\"}]}");
	CHECK_STR(first_reason(s), "mass");
	json_decref(s);
	s = judge(&c, &r, "{\"gross_kg\":19000,\"items\":[{\"hs\":\"52\"}]}");
	CHECK(json_is_true(json_object_get(s, "consistent")));
	json_decref(s);
	/* an anomaly at the referral score refers, with its place */
	r.nanom = 1;
	r.anom[0] = (struct sc_scan_anom){{100, 200, 30, 20}, 0.9, "dense", 2.5, 600};
	s = judge(&c, &r, NULL);
	CHECK(json_is_true(json_object_get(s, "refer")));
	CHECK_STR(first_reason(s), "dense");
	CHECK(strstr(json_string_value(json_object_get(json_array_get(json_object_get(s, "reasons"), 0), "msg")), "x=100 y=200"));
	json_decref(s);
	/* an image read only in part is never clean */
	r.nanom = 0;
	s = sc_scan_judge(&c, &r, NULL, 1);
	CHECK(json_is_true(json_object_get(s, "refer")));
	json_decref(s);
	sc_scan_cfg_clear(&c);
}

int main(void)
{
	test_probe();
	test_read_bad();
	test_tables();
	test_judge();
	return T_DONE("scan");
}
