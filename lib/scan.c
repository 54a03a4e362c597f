/*
 * scan.c - the reading of one transmission image: header checks, attenuation
 * -ln(I/I0) with I0 from the air above the container (per column, so pulse
 * drop-outs and dose drift divide out), dead detector rows mended, the boxes,
 * cab, chassis and wheels found, cargo measured against the empty structure,
 * and anomalies (dense, opaque, in-structure) scored.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "scan.h"

/* ---- headers -------------------------------------------------------------- */

static unsigned long be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

static unsigned long rd16(const unsigned char *p, int le)
{
	return le ? (unsigned long)p[0] | (unsigned long)p[1] << 8 : (unsigned long)p[0] << 8 | p[1];
}

static unsigned long rd32(const unsigned char *p, int le)
{
	return le ? rd16(p, 1) | rd16(p + 2, 1) << 16 : rd16(p, 0) << 16 | rd16(p + 2, 0);
}

int sc_scan_is_image(const unsigned char *d, size_t len)
{
	static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	if (len >= 8 && memcmp(d, png, 8) == 0)
		return 1;
	if (len >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff)
		return 1;
	if (len >= 4 && (memcmp(d, "II*\0", 4) == 0 || memcmp(d, "MM\0*", 4) == 0))
		return 1;
	return 0;
}

static int tiff_size(const unsigned char *d, size_t len, unsigned long *w, unsigned long *h)
{
	int le = d[0] == 'I';
	unsigned long off = rd32(d + 4, le), n;
	*w = *h = 0;
	if (off < 8 || off > len - 2 || len < 10)
		return -1;
	n = rd16(d + off, le);
	if (n > (len - off - 2) / 12)
		return -1;
	for (unsigned long i = 0; i < n; i++) {
		const unsigned char *e = d + off + 2 + 12 * i;
		unsigned long tag = rd16(e, le), type = rd16(e + 2, le);
		unsigned long v = type == 3 ? rd16(e + 8, le) : type == 4 ? rd32(e + 8, le) : 0;
		if (tag == 256)
			*w = v;
		else if (tag == 257)
			*h = v;
	}
	return *w && *h ? 0 : -1;
}

int sc_scan_probe(const char *name, const unsigned char *d, size_t len, size_t max_pixels,
                  const char **fmt, int *width, int *height, struct sc_error *err)
{
	unsigned long w = 0, h = 0;

	*fmt = NULL;
	*width = *height = 0;
	if (!sc_scan_is_image(d, len))
		return sc_error_set(err, name, 0, 0, "not-an-image", "not a PNG, TIFF or JPEG image");
	if (d[0] == 0x89) {
		if (len < 24 || memcmp(d + 12, "IHDR", 4) != 0)
			return sc_error_set(err, name, 0, 0, "bad-image", "PNG without IHDR header");
		w = be32(d + 16);
		h = be32(d + 20);
		*fmt = "png";
	} else if (d[0] == 0xff) {
		size_t i = 2;
		*fmt = "jpeg";
		while (i + 9 < len) {
			if (d[i] != 0xff) {
				i++;
				continue;
			}
			unsigned m = d[i + 1];
			if (m == 0xff) {
				i++;
				continue;
			}
			if (m == 0xd8 || m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
				i += 2;
				continue;
			}
			if (m == 0xd9 || m == 0xda)
				break;
			size_t seg = (size_t)d[i + 2] << 8 | d[i + 3];
			if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
				h = (unsigned long)d[i + 5] << 8 | d[i + 6];
				w = (unsigned long)d[i + 7] << 8 | d[i + 8];
				break;
			}
			if (seg < 2)
				break;
			i += 2 + seg;
		}
		if (!w || !h)
			return sc_error_set(err, name, 0, 0, "bad-image", "corrupt JPEG: no frame header");
	} else {
		*fmt = "tiff";
		if (tiff_size(d, len, &w, &h) < 0)
			return sc_error_set(err, name, 0, 0, "bad-image", "TIFF without a readable width and height");
	}
	if (w == 0 || h == 0 || w > 1000000 || h > 1000000)
		return sc_error_set(err, name, 0, 0, "bad-image", "%s header gives an impossible size %lux%lu", *fmt, w, h);
	if ((double)w * (double)h > (double)max_pixels)
		return sc_error_set(err, name, 0, 0, "too-large",
		                    "%s header gives %lux%lu (%.0f megapixels), more than the %.0f a scan may have",
		                    *fmt, w, h, (double)w * h / 1e6, (double)max_pixels / 1e6);
	if (w < 64 || h < 32)
		return sc_error_set(err, name, 0, 0, "too-small",
		                    "a %lux%lu picture is too small to be a container scan (at least 64x32)", w, h);
	*width = (int)w;
	*height = (int)h;
	return 0;
}

/* ---- small numerics ------------------------------------------------------- */

static int cmpf(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

/* q-quantile of n floats (v is reordered) */
static float quantile(float *v, int n, double q)
{
	if (n <= 0)
		return 0;
	qsort(v, (size_t)n, sizeof *v, cmpf);
	int i = (int)(q * (n - 1) + 0.5);
	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static void warn(struct sc_scan_reading *r, const char *name, const char *code, const char *msg)
{
	if (r->nwarn < SC_SCAN_MAX_WARN)
		sc_error_set(&r->warn[r->nwarn++], name, 0, 0, code, "%s", msg);
}

/* ---- normalisation -------------------------------------------------------- */

/*
 * Grey levels v (0..maxval) to attenuation in place. Returns -1 when there is
 * no air to take I0 from (then this is not a scan we can read).
 */
static int normalise(const struct sc_scan_cfg *c, struct sc_scan_reading *r, float *v,
                     double maxval, const char *name, struct sc_error *err)
{
	int W = r->width, H = r->height, step = W > 800 ? 4 : 1;
	int band = H / 25 > 2 ? H / 25 : 2;
	size_t nsamp = 0, cap = (size_t)(W / step + 1) * (size_t)(H / step + 1);
	float *s = malloc(sizeof(float) * (cap > (size_t)W * band ? cap : (size_t)W * band));
	float *i0 = malloc(sizeof(float) * (size_t)W);
	float *rowmed = malloc(sizeof(float) * (size_t)H);
	float *tmp = malloc(sizeof(float) * (size_t)(W > H ? W : H));
	int ret = -1;

	if (!s || !i0 || !rowmed || !tmp) {
		sc_error_set(err, name, 0, 0, SC_E_NOMEM, "out of memory");
		goto out;
	}
	/* inverted exports: the air above the container is then the darkest part */
	{
		size_t k = 0;
		for (int y = 0; y < band; y++)
			for (int x = 0; x < W; x += step)
				s[k++] = v[(size_t)y * W + x];
		float air = quantile(s, (int)k, 0.5);
		size_t brighter = 0;
		for (int y = 0; y < H; y += step)
			for (int x = 0; x < W; x += step, nsamp++)
				brighter += v[(size_t)y * W + x] > air * 1.02f + 1;
		if (brighter > nsamp * 6 / 10) {
			r->inverted = 1;
			for (size_t i = 0; i < (size_t)W * H; i++)
				v[i] = (float)maxval - v[i];
		}
	}
	/* dark offset: from the calibration, else from what nothing gets through */
	{
		size_t k = 0;
		for (int y = 0; y < H; y += step)
			for (int x = 0; x < W; x += step)
				s[k++] = v[(size_t)y * W + x];
		float lo = quantile(s, (int)k, 0.002), hi = s[(size_t)(0.98 * (k - 1))];
		if (c->calib.have && c->calib.dark >= 0)
			r->dark = r->bits == 16 ? c->calib.dark : c->calib.dark / 257.0;
		else
			r->dark = lo < 0.02 * hi ? lo : 0;
	}
	/* rows of air: the top rows as bright as the brightest of them */
	for (int y = 0; y < H; y++) {
		int k = 0;
		for (int x = 0; x < W; x += step)
			tmp[k++] = v[(size_t)y * W + x];
		rowmed[y] = quantile(tmp, k, 0.5);
	}
	{
		int top = H / 5 > 3 ? H / 5 : 3, nair = 0;
		float best = 0;
		for (int y = 0; y < top; y++)
			if (rowmed[y] > best)
				best = rowmed[y];
		if (best - r->dark < (maxval > 255 ? 2000 : 30)) {
			sc_error_set(err, name, 0, 0, "not-a-scan", "not a container scan: no bright air above the container to take I0 from");
			goto out;
		}
		for (int x = 0; x < W; x++)
			i0[x] = 0;
		for (int y = 0; y < top; y++) {
			if (rowmed[y] < 0.93 * best)
				continue;
			for (int x = 0; x < W; x++)
				i0[x] += v[(size_t)y * W + x];
			nair++;
		}
		if (nair < c->p.air_rows_min) {
			sc_error_set(err, name, 0, 0, "not-a-scan", "only %d rows of air above the container (I0 needs %g)",
			             nair, c->p.air_rows_min);
			goto out;
		}
		double sum = 0;
		for (int x = 0; x < W; x++) {
			i0[x] = (float)(i0[x] / nair - r->dark);
			if (i0[x] < 1)
				i0[x] = 1;
			sum += i0[x];
		}
		r->i0 = sum / W;
		/* columns well below their neighbours: source pulses that dropped */
		for (int x = 2; x < W - 2; x++)
			r->streaks += i0[x] < 0.97 * 0.5 * (i0[x - 2] + i0[x + 2]);
	}
	/* attenuation; a floor of half a count keeps the logarithm finite */
	{
		float floor_v = r->bits == 16 ? 0.5f : 0.5f;
		for (int y = 0; y < H; y++) {
			float *p = v + (size_t)y * W;
			for (int x = 0; x < W; x++) {
				float t = p[x] - (float)r->dark;
				if (t < floor_v)
					t = floor_v;
				p[x] = logf(i0[x] / t);
			}
		}
	}
	/* dead detector rows: far above both neighbours along the whole row */
	for (int y = 1; y < H - 1; y++) {
		int k = 0;
		const float *a = v + (size_t)(y - 1) * W, *b = v + (size_t)y * W, *d = v + (size_t)(y + 1) * W;
		for (int x = 0; x < W; x += step)
			tmp[k++] = b[x] - (a[x] < d[x] ? a[x] : d[x]);
		rowmed[y] = quantile(tmp, k, 0.5);
	}
	for (int y = 1; y < H - 1; y++) {
		if (rowmed[y] < 1.5)
			continue;
		int ya = y - 1, yb = y + 1;
		while (yb < H - 1 && rowmed[yb] >= 1.5)
			yb++;
		float *p = v + (size_t)y * W;
		const float *a = v + (size_t)ya * W, *b = v + (size_t)yb * W;
		for (int x = 0; x < W; x++)
			p[x] = 0.5f * (a[x] + b[x]);
		r->dead_rows++;
	}
	ret = 0;
out:
	free(s);
	free(i0);
	free(rowmed);
	free(tmp);
	return ret;
}

/* ---- the frame: boxes, cab, chassis, wheels -------------------------------- */

static int find_boxes(const struct sc_scan_cfg *c, struct sc_scan_reading *r, const float *A,
                      const char *name, struct sc_error *err)
{
	int W = r->width, H = r->height, ytop = -1;
	unsigned char *col = calloc((size_t)W, 1);
	if (!col)
		return sc_error_set(err, name, 0, 0, SC_E_NOMEM, "out of memory");
	/* the roof: the first rows from the top where much of the width attenuates */
	for (int y = 0; y + 3 < H && ytop < 0; y++) {
		int n0 = 0, n3 = 0;
		for (int x = 0; x < W; x += 2) {
			n0 += A[(size_t)y * W + x] > 0.06f;
			n3 += A[(size_t)(y + 3) * W + x] > 0.06f;
		}
		if (n0 > W / 2 * 0.3 && n3 > W / 2 * 0.3)
			ytop = y;
	}
	if (ytop < 0 || ytop > H * 0.6) {
		free(col);
		return sc_error_set(err, name, 0, 0, "not-a-scan", "not a container scan: no roof line found");
	}
	/* columns under the roof line: runs of them are the boxes */
	for (int x = 0; x < W; x++) {
		float t[6];
		int k = 0;
		for (int y = ytop + 1; y < ytop + 7 && y < H; y++)
			t[k++] = A[(size_t)y * W + x];
		col[x] = quantile(t, k, 0.5) > 0.3f;
	}
	for (int x = 1; x + 3 < W; x++)  /* close gaps of a few columns */
		if (!col[x] && col[x - 1] && (col[x + 1] || col[x + 2] || col[x + 3]))
			col[x] = 1;
	r->nbox = 0;
	for (int x = 0; x < W && r->nbox < SC_SCAN_MAX_BOXES;) {
		if (!col[x]) {
			x++;
			continue;
		}
		int x0 = x;
		while (x < W && col[x])
			x++;
		if (x - x0 < W * 0.15)
			continue;
		/* height: down the densest column near each end (corner posts) */
		int ybot = ytop;
		for (int end = 0; end < 2; end++) {
			int best = -1;
			float bv = 0;
			for (int xc = end ? x - 40 : x0; xc < (end ? x : x0 + 40); xc++) {
				if (xc < 0 || xc >= W)
					continue;
				float s = 0;
				for (int y = ytop; y < ytop + 40 && y < H; y++)
					s += A[(size_t)y * W + xc];
				if (s > bv) {
					bv = s;
					best = xc;
				}
			}
			if (best < 0)
				continue;
			int y = ytop, miss = 0;
			while (y < H && miss < 4) {
				miss = A[(size_t)y * W + best] > 1.5f ? 0 : miss + 1;
				y++;
			}
			if (y - miss > ybot)
				ybot = y - miss;
		}
		if (ybot - ytop < 40)
			continue;
		struct sc_scan_box *b = &r->box[r->nbox++];
		memset(b, 0, sizeof *b);
		b->bbox[0] = x0;
		b->bbox[1] = ytop;
		b->bbox[2] = x - x0;
		b->bbox[3] = ybot - ytop;
		b->feet = (double)(x - x0) / (ybot - ytop) >= 3.6 ? 40 : 20;
	}
	free(col);
	if (r->nbox == 0)
		return sc_error_set(err, name, 0, 0, "not-a-scan", "not a container scan: no outline (roof line and corner posts) found");
	/* the scale: from the calibration, else from the boxes' standard sizes */
	if (c->calib.have && c->calib.px_mm > 0) {
		r->px_mm = c->calib.px_mm;
		r->py_mm = c->calib.py_mm;
	} else {
		const struct sc_scan_box *b = &r->box[0];
		r->px_mm = (b->feet == 40 ? 12192.0 : 6058.0) / b->bbox[2];
		r->py_mm = 2591.0 / b->bbox[3];
	}
	return 0;
}

/* cab: what attenuates beside the boxes, above their floor; wheels: below */
static void find_truck(struct sc_scan_reading *r, const float *A, unsigned char *mask)
{
	int W = r->width, H = r->height, ybot = 0, xl = W, xr = 0;
	char e[64];
	struct sc_cv_blob bl[SC_SCAN_MAX_WHEELS + 4];

	for (int i = 0; i < r->nbox; i++) {
		const int *b = r->box[i].bbox;
		if (b[1] + b[3] > ybot)
			ybot = b[1] + b[3];
		if (b[0] < xl)
			xl = b[0];
		if (b[0] + b[2] > xr)
			xr = b[0] + b[2];
	}
	memset(mask, 0, (size_t)W * H);
	for (int y = 0; y < ybot && y < H; y++)
		for (int x = 0; x < W; x++)
			mask[(size_t)y * W + x] = (x < xl - 3 || x > xr + 3) && A[(size_t)y * W + x] > 0.2f;
	memset(r->cab, 0, sizeof r->cab);
	if (sc_cv_scan_blobs(mask, W, H, 400, bl, 1, e, sizeof e) == 1)
		memcpy(r->cab, bl[0].bbox, sizeof r->cab);
	/* chassis: the band right below the boxes that runs their length */
	memset(r->chassis, 0, sizeof r->chassis);
	{
		int y = ybot, y1 = ybot;
		while (y < H) {
			int n = 0, m = 0;
			for (int x = xl; x < xr; x += 4, m++)
				n += A[(size_t)y * W + x] > 0.3f;
			if (m == 0 || n < m * 0.7)
				break;
			y1 = ++y;
		}
		if (y1 > ybot) {
			r->chassis[0] = xl;
			r->chassis[1] = ybot;
			r->chassis[2] = xr - xl;
			r->chassis[3] = y1 - ybot;
		}
		ybot = y1;
	}
	memset(mask, 0, (size_t)W * H);
	for (int y = ybot + 2; y < H; y++)
		for (int x = 0; x < W; x++)
			mask[(size_t)y * W + x] = A[(size_t)y * W + x] > 2.0f;
	int n = sc_cv_scan_blobs(mask, W, H, 600, bl, SC_SCAN_MAX_WHEELS, e, sizeof e);
	r->nwheels = 0;
	for (int i = 0; i < n; i++) {
		double asp = (double)bl[i].bbox[2] / bl[i].bbox[3];
		if (asp > 0.5 && asp < 2.5)
			memcpy(r->wheels[r->nwheels++], bl[i].bbox, sizeof r->wheels[0]);
	}
	/* left to right, for a stable order */
	for (int i = 1; i < r->nwheels; i++)
		for (int j = i; j > 0 && r->wheels[j][0] < r->wheels[j - 1][0]; j--) {
			int t[4];
			memcpy(t, r->wheels[j], sizeof t);
			memcpy(r->wheels[j], r->wheels[j - 1], sizeof t);
			memcpy(r->wheels[j - 1], t, sizeof t);
		}
}

/* ---- inside the boxes ----------------------------------------------------- */

static void add_anom(struct sc_scan_reading *r, const int bbox[4], double score, const char *kind,
                     double excess, int area)
{
	int worst = -1;
	if (r->nanom == SC_SCAN_MAX_ANOM) {
		for (int i = 0; i < r->nanom; i++)
			if (worst < 0 || r->anom[i].score < r->anom[worst].score)
				worst = i;
		if (r->anom[worst].score >= score)
			return;
	} else
		worst = r->nanom++;
	struct sc_scan_anom *a = &r->anom[worst];
	memcpy(a->bbox, bbox, sizeof a->bbox);
	a->score = score;
	a->kind = kind;
	a->excess = excess;
	a->area = area;
}

static int in_structure(const struct sc_scan_box *b, int cx, int cy)
{
	const int *in = b->inner;
	return cx < in[0] || cx >= in[0] + in[2] || cy < in[1] || cy >= in[1] + in[3];
}

/*
 * How many of the four sides of a blob are lower than the blob by more than t
 * (clamped attenuation a, w x h): a thing hidden in cargo stands above all its
 * sides; the end of a row of sacks or a carton sticking out of a stack stands
 * above the gap beside it but level with the rows above and below. A side
 * outside the picture counts as lower (nothing there to compare).
 */
/*
 * The level of the cargo around a blob: the q-quantile of the clamped
 * attenuation in a window of about 2r around it, the blob's box left out. A
 * piece of a row of sacks is as dense as the sacks beside it; a block hidden
 * in them is denser than any of them.
 */
static double local_level(const float *a, int w, int h, const int bb[4], int rx, int ry, double q,
                          const int zone[4])
{
	int cx = bb[0] + bb[2] / 2, cy = bb[1] + bb[3] / 2, k = 0;
	int x0 = cx - rx > 0 ? cx - rx : 0, x1 = cx + rx < w ? cx + rx : w;
	int y0 = cy - ry > 0 ? cy - ry : 0, y1 = cy + ry < h ? cy + ry : h;
	/* only the same part of the box: the floor band is compared with the floor */
	if (x0 < zone[0])
		x0 = zone[0];
	if (x1 > zone[0] + zone[2])
		x1 = zone[0] + zone[2];
	if (y0 < zone[1])
		y0 = zone[1];
	if (y1 > zone[1] + zone[3])
		y1 = zone[1] + zone[3];
	if (x1 <= x0 || y1 <= y0)
		return 0;
	int step = rx > 40 ? 2 : 1;
	size_t cap = (size_t)((x1 - x0) / step + 1) * (size_t)((y1 - y0) / step + 1);
	float *v = malloc(sizeof(float) * (cap ? cap : 1));
	double lv;
	if (!v)
		return 0;
	for (int y = y0; y < y1; y += step)
		for (int x = x0; x < x1; x += step)
			if (x < bb[0] - 2 || x >= bb[0] + bb[2] + 2 || y < bb[1] - 2 || y >= bb[1] + bb[3] + 2)
				v[k++] = a[(size_t)y * w + x];
	lv = k ? quantile(v, k, q) : 0;
	free(v);
	return lv;
}

static int sides_lower(const float *a, int w, int h, const int bb[4], const unsigned char *mask, double t)
{
	double in = 0;
	int n = 0, lower = 0, m = bb[2] > bb[3] ? bb[2] : bb[3];
	m = m / 5 > 3 ? m / 5 : 3;
	for (int y = bb[1]; y < bb[1] + bb[3]; y++)
		for (int x = bb[0]; x < bb[0] + bb[2]; x++)
			if (mask[(size_t)y * w + x]) {
				in += a[(size_t)y * w + x];
				n++;
			}
	if (!n)
		return 0;
	in /= n;
	for (int side = 0; side < 4; side++) {
		int x0, x1, y0, y1, k = 0;
		float v[4096];
		if (side < 2) {  /* left, right */
			x0 = side == 0 ? bb[0] - 2 - m : bb[0] + bb[2] + 2;
			x1 = x0 + m;
			y0 = bb[1];
			y1 = bb[1] + bb[3];
		} else {         /* above, below */
			y0 = side == 2 ? bb[1] - 2 - m : bb[1] + bb[3] + 2;
			y1 = y0 + m;
			x0 = bb[0];
			x1 = bb[0] + bb[2];
		}
		for (int y = y0; y < y1; y++)
			for (int x = x0; x < x1; x++)
				if (x >= 0 && x < w && y >= 0 && y < h && k < 4096)
					v[k++] = a[(size_t)y * w + x];
		if (k == 0 || in - quantile(v, k, 0.5) > t)
			lower++;
	}
	return lower;
}

/* The working state of measure(): the buffers (one image's size, reused box
 * after box) and the sums over every box. */
struct meas {
	const struct sc_scan_params *P;
	struct sc_scan_reading *r;
	const float *A, *raw_t;
	int W;
	size_t N;
	unsigned char *mask;
	float *E, *w, *wo, *col, *res;
	double cargo_px, inner_px, esum, mass, colsum, colsq, nth;
	int ncol, len_x, len_y;
	char e[160];
	struct sc_cv_blob bl[64];
	const char *name;
	struct sc_error *err;
};

static int cv_failed(struct meas *m)
{
	return sc_error_set(m->err, m->name, 0, 0, "cv", "%s", m->e);
}

/* The floor: the densest row band near the bottom (plywood seen edge on);
 * the bottom of the cargo space above it, or y1 when there is none. */
static int floor_line(struct meas *m, const struct sc_scan_box *b, int x0, int x1, int y0, int y1)
{
	struct sc_scan_reading *r = m->r;
	const float *A = m->A;
	float *col = m->col;
	int W = m->W;
	int lo = b->bbox[1] + b->bbox[3] - (int)(350 / r->py_mm), best = -1;
	float bv = 0, rm[512];

	if (lo < y0)
		lo = y0;
	for (int y = lo; y < b->bbox[1] + b->bbox[3] && y - lo < 512; y++) {
		int k = 0;
		for (int x = x0; x < x1; x += 8)
			col[k++] = A[(size_t)y * W + x];
		rm[y - lo] = quantile(col, k, 0.5);
		if (rm[y - lo] > bv) {
			bv = rm[y - lo];
			best = y;
		}
	}
	if (best >= 0 && bv > 1.0f) {
		int y = best;
		while (y > lo && rm[y - 1 - lo] > 0.3f * bv)
			y--;
		y1 = y - (int)(20 / r->py_mm) - 1;
	}
	return y1;
}

/* The empty structure per column (w: a low quantile over the cargo space;
 * E row 0: its opening, where narrow full-height things such as door bars
 * and posts are structure and wide ones cargo) and the wall's level. */
static float empty_structure(struct meas *m, int x0, int x1, int y0, int y1)
{
	const struct sc_scan_params *P = m->P;
	const float *A = m->A;
	float *E = m->E, *w = m->w, *wo = m->wo, *col = m->col;
	int W = m->W, half = (int)(100 / m->r->px_mm) + 1, k = 0;

	for (int x = x0; x < x1; x++) {
		int k = 0;
		for (int y = y0; y < y1; y++)
			col[k++] = A[(size_t)y * W + x];
		w[x] = quantile(col, k, 0.1);
	}
	for (int x = x0; x < x1; x++) {
		float mn = 1e9f;
		for (int k = x - half; k <= x + half; k++)
			if (k >= x0 && k < x1 && w[k] < mn)
				mn = w[k];
		wo[x] = mn;
	}
	for (int x = x0; x < x1; x++) {  /* dilate the erosion back: an opening */
		float mx = -1e9f;
		for (int k = x - half; k <= x + half; k++)
			if (k >= x0 && k < x1 && wo[k] > mx)
				mx = wo[k];
		E[x] = mx;  /* scratch: the opened profile, row 0 of E is outside every box */
	}
	for (int x = x0; x < x1; x += 2)
		col[k++] = E[x];
	float wall = quantile(col, k, 0.1);
	if (wall < P->wall_lo || wall > P->wall_hi)
		wall = (float)(0.5 * (P->wall_lo + P->wall_hi));
	return wall;
}

/* A reefer unit: a dense band at one end, a few hundred mm long; the cargo
 * space between *rx0 and *rx1 without it. */
static void find_reefer(struct meas *m, struct sc_scan_box *b, int x0, int x1, int y0, int y1,
                        int *rx0, int *rx1)
{
	const float *E = m->E;
	struct sc_scan_reading *r = m->r;

	*rx0 = x0;
	*rx1 = x1;
	for (int end = 0; end < 2; end++) {
		int n = 0, lim = (int)(700 / r->px_mm);
		if (!end)
			while (n < lim && x0 + n < x1 && E[x0 + n] > 0.8f)
				n++;
		else
			while (n < lim && x1 - 1 - n > x0 && E[x1 - 1 - n] > 0.8f)
				n++;
		if (n >= 250 / r->px_mm && n < lim) {
			b->reefer[0] = end ? x1 - n : x0;
			b->reefer[1] = y0;
			b->reefer[2] = n;
			b->reefer[3] = y1 - y0;
			if (end)
				*rx1 = x1 - n;
			else
				*rx0 = x0 + n;
			break;
		}
	}
}

/* The cargo in roi: the excess over the empty structure, blurred, its blobs
 * and sums (area, attenuation, the column profile). -1 when OpenCV failed. */
static int cargo(struct meas *m, float wall, int x0, int x1, const int roi[4])
{
	const struct sc_scan_params *P = m->P;
	const float *A = m->A;
	float *E = m->E, *w = m->w, *wo = m->wo, *sub = m->res;
	unsigned char *mask = m->mask;
	struct sc_scan_reading *r = m->r;
	int W = m->W, rx0 = roi[0], y0 = roi[1];

	for (int x = x0; x < x1; x++)
		wo[x] = wall + (w[x] - E[x]);
	for (int x = x0; x < x1; x++)
		E[x] = 0;
	for (int y = y0; y < y0 + roi[3]; y++)
		for (int x = rx0; x < rx0 + roi[2]; x++)
			E[(size_t)y * W + x] = A[(size_t)y * W + x] - wo[x];
	for (int y = 0; y < roi[3]; y++)
		memcpy(sub + (size_t)y * roi[2], E + (size_t)(y + y0) * W + rx0, sizeof(float) * roi[2]);
	if (sc_cv_scan_blur(sub, roi[2], roi[3], 5, 5, m->e, sizeof m->e) < 0)
		return cv_failed(m);
	memset(mask, 0, m->N);
	for (int y = 0; y < roi[3]; y++)
		for (int x = 0; x < roi[2]; x++)
			mask[(size_t)y * roi[2] + x] = sub[(size_t)y * roi[2] + x] > P->cargo_t;
	int minpx = (int)(0.02e6 / (r->px_mm * r->py_mm));
	int n = sc_cv_scan_blobs(mask, roi[2], roi[3], minpx, m->bl, 64, m->e, sizeof m->e);
	if (n < 0)
		return cv_failed(m);
	double cpx = 0;
	for (int i = 0; i < n; i++)
		cpx += m->bl[i].area;
	m->cargo_px += cpx;
	m->inner_px += (double)roi[2] * roi[3];
	for (int y = 0; y < roi[3]; y++)
		for (int x = 0; x < roi[2]; x++)
			if (sub[(size_t)y * roi[2] + x] > P->cargo_t) {
				float ev = E[(size_t)(y + y0) * W + x + rx0];
				m->esum += ev;
				m->mass += ev;
				m->nth++;
			}
	for (int x = 0; x < roi[2]; x++) {
		double s = 0;
		for (int y = 0; y < roi[3]; y++)
			s += sub[(size_t)y * roi[2] + x];
		s /= roi[3];
		m->colsum += s;
		m->colsq += s * s;
		m->ncol++;
	}
	return 0;
}

/* Opaque: nothing of the beam left in roi. */
static void opaque(struct meas *m, const int roi[4])
{
	const struct sc_scan_params *P = m->P;
	struct sc_scan_reading *r = m->r;
	unsigned char *mask = m->mask;
	int nop = 0, rx0 = roi[0], y0 = roi[1];

	memset(mask, 0, m->N);
	for (int y = 0; y < roi[3]; y++)
		for (int x = 0; x < roi[2]; x++) {
			int o = m->raw_t[(size_t)(y + y0) * m->W + x + rx0] < P->opaque_t;
			mask[(size_t)y * roi[2] + x] = (unsigned char)o;
			nop += o;
		}
	r->opaque_frac += nop;
	int minop = (int)(P->opaque_area_m2 * 1e6 / (r->px_mm * r->py_mm));
	int n = sc_cv_scan_blobs(mask, roi[2], roi[3], minop, m->bl, 8, m->e, sizeof m->e);
	for (int i = 0; i < n; i++) {
		const struct sc_cv_blob *bl = &m->bl[i];
		int bb[4] = {bl->bbox[0] + rx0, bl->bbox[1] + y0, bl->bbox[2], bl->bbox[3]};
		double frac = (double)bl->area / ((double)roi[2] * roi[3]);
		/* nothing shows through: it cannot be cleared by the image, whatever its size */
		add_anom(r, bb, fmin(1.0, 0.8 + 2 * frac), "opaque", 0, bl->area);
	}
}

/* Dense objects in box b: smaller than the line openings both ways.
 * Attenuation is clamped where the beam gives out, so that opaque cargo is
 * flat (noise there is no object) and an opaque block in light cargo stands
 * out. -1 when OpenCV failed. */
static int dense(struct meas *m, struct sc_scan_box *b)
{
	const struct sc_scan_params *P = m->P;
	struct sc_scan_reading *r = m->r;
	const float *A = m->A;
	float *E = m->E, *res = m->res;
	unsigned char *mask = m->mask;
	struct sc_cv_blob *bl = m->bl;
	int W = m->W, len_x = m->len_x, len_y = m->len_y;
	int broi[4] = {b->bbox[0], b->bbox[1], b->bbox[2], b->bbox[3]};
	float aop = -logf((float)(r->bits == 16 ? 40.0 / r->i0 : 2.5 / r->i0));

	for (int y = 0; y < broi[3]; y++)
		for (int x = 0; x < broi[2]; x++) {
			float a = A[(size_t)(y + broi[1]) * W + x + broi[0]];
			E[(size_t)y * broi[2] + x] = a > aop ? aop : a;
		}
	int whole[4] = {0, 0, broi[2], broi[3]};
	int gap = (int)(P->gap_mm / r->px_mm + 0.5) | 1;
	if (sc_cv_scan_blob_residual(E, broi[2], broi[3], whole, len_x, len_y, gap, res, m->e, sizeof m->e) < 0 ||
	    sc_cv_scan_blur(res, broi[2], broi[3], 3, 3, m->e, sizeof m->e) < 0)
		return cv_failed(m);
	memset(mask, 0, m->N);
	for (int y = 0; y < broi[3]; y++)
		for (int x = 0; x < broi[2]; x++)
			mask[(size_t)y * broi[2] + x] = res[(size_t)y * broi[2] + x] > P->dense_t;
	int mind = (int)(P->dense_min_mm * P->dense_min_mm / (r->px_mm * r->py_mm));
	int n = sc_cv_scan_blobs(mask, broi[2], broi[3], mind > 4 ? mind : 4, bl, 64, m->e, sizeof m->e);
	for (int i = 0; i < n; i++) {
		double s = 0;
		int *bb = bl[i].bbox;
		for (int y = bb[1]; y < bb[1] + bb[3]; y++)
			for (int x = bb[0]; x < bb[0] + bb[2]; x++)
				if (mask[(size_t)y * broi[2] + x])
					s += res[(size_t)y * broi[2] + x];
		s /= bl[i].area;
		/* the part of the box it is in: roof band, floor band, ends, or cargo space */
		int cx = bb[0] + bb[2] / 2 + broi[0], cy = bb[1] + bb[3] / 2 + broi[1], zone[4];
		const int *in4 = b->inner;
		int structural = in_structure(b, cx, cy);
		if (!structural) {
			zone[0] = in4[0] - broi[0], zone[1] = in4[1] - broi[1], zone[2] = in4[2], zone[3] = in4[3];
		} else if (cy >= in4[1] + in4[3] || cy < in4[1]) {
			/* floor and roof: the same rows along the length */
			zone[0] = 0, zone[1] = bb[1], zone[2] = broi[2], zone[3] = bb[3];
		} else {
			/* posts, door frames, refrigeration unit: the same columns */
			zone[0] = bb[0], zone[1] = 0, zone[2] = bb[2], zone[3] = broi[3];
		}
		if (sides_lower(E, broi[2], broi[3], bb, mask, P->dense_t) < (structural ? 2 : 3))
			continue;
		{
			double in = 0;
			int k = 0;
			for (int y = bb[1]; y < bb[1] + bb[3]; y++)
				for (int x = bb[0]; x < bb[0] + bb[2]; x++)
					if (mask[(size_t)y * broi[2] + x]) {
						in += E[(size_t)y * broi[2] + x];
						k++;
					}
			double lv = local_level(E, broi[2], broi[3], bb, len_x * 2, len_y * 2,
			                        structural ? 0.5 : P->local_q, zone);
			double ex = in / (k ? k : 1) - lv;
			if (ex < s)
				s = ex;
			if (s <= P->dense_t)
				continue;
		}
		/* by contrast: structure, not noise, is what looks like an object here */
		double score = 1 - exp(-(s - P->dense_t) / 0.8);
		if (score < P->dense_score_min)
			continue;
		int gb[4] = {bb[0] + broi[0], bb[1] + broi[1], bb[2], bb[3]};
		const char *kind = structural ? "in-structure" : "dense";
		add_anom(r, gb, score, kind, s, bl[i].area);
	}
	return 0;
}

/* One box after another: its cargo space, reefer, cargo, opaque parts and
 * dense objects; then the reading's totals (fill, mass, density). */
static int measure(const struct sc_scan_cfg *c, struct sc_scan_reading *r, float *A,
                   const float *raw_t, const char *name, struct sc_error *err)
{
	const struct sc_scan_params *P = &c->p;
	int W = r->width, H = r->height;
	size_t N = (size_t)W * H;
	size_t longest = (size_t)(W > H ? W : H), nfloat = 2 * N + 2 * (size_t)W + longest;
	struct meas *m = calloc(1, sizeof *m);
	/* the buffers in one block: E, res (N each), w, wo (W), col (W or H), mask (N bytes) */
	float *block = calloc(nfloat * sizeof(float) + N, 1);
	int ret = -1;

	if (!m || !block) {
		sc_error_set(err, name, 0, 0, SC_E_NOMEM, "out of memory");
		goto out;
	}
	*m = (struct meas){ .P = P, .r = r, .A = A, .raw_t = raw_t, .W = W, .N = N,
	                    .name = name, .err = err };
	m->E = block;
	m->res = m->E + N;
	m->w = m->res + N;
	m->wo = m->w + W;
	m->col = m->wo + W;
	m->mask = (unsigned char *)(m->col + longest);
	int roof = (int)ceil(110 / r->py_mm), floor_h = (int)ceil(170 / r->py_mm);
	int ends = (int)ceil(170 / r->px_mm);
	m->len_x = (int)(P->line_mm / r->px_mm + 0.5);
	m->len_y = (int)(P->line_mm / r->py_mm + 0.5);
	for (int bi = 0; bi < r->nbox; bi++) {
		struct sc_scan_box *b = &r->box[bi];
		int x0 = b->bbox[0] + ends, x1 = b->bbox[0] + b->bbox[2] - ends;
		int y0 = b->bbox[1] + roof, y1 = b->bbox[1] + b->bbox[3] - floor_h;
		int rx0, rx1;
		y1 = floor_line(m, b, x0, x1, y0, y1);
		if (x1 - x0 < 20 || y1 - y0 < 20)
			continue;
		float wall = empty_structure(m, x0, x1, y0, y1);
		find_reefer(m, b, x0, x1, y0, y1, &rx0, &rx1);
		b->inner[0] = rx0;
		b->inner[1] = y0;
		b->inner[2] = rx1 - rx0;
		b->inner[3] = y1 - y0;
		int roi[4] = {rx0, y0, rx1 - rx0, y1 - y0};
		if (cargo(m, wall, x0, x1, roi) < 0)
			goto out;
		opaque(m, roi);
		if (dense(m, b) < 0)
			goto out;
	}
	r->fill = m->inner_px > 0 ? m->cargo_px / m->inner_px : 0;
	r->cargo_m2 = m->cargo_px * r->px_mm * r->py_mm / 1e6;
	r->empty = r->cargo_m2 < P->empty_area_m2;
	{
		double mu = c->calib.have && c->calib.mu_rho > 0 ? c->calib.mu_rho : P->mu_rho;
		double ncargo = m->nth > 0 ? m->nth : 1;
		r->att_mean = m->ncol ? m->colsum / m->ncol : 0;
		r->att_sd = m->ncol ? sqrt(fmax(0, m->colsq / m->ncol - r->att_mean * r->att_mean)) : 0;
		r->density = r->empty ? 0 : (m->esum / ncargo) / (mu * P->inner_width_mm / 10.0);
		/* g/cm2 per pixel times the pixel's area in cm2, in kg */
		r->mass_kg = m->mass / mu * (r->px_mm * r->py_mm / 100.0) / 1000.0;
	}
	r->opaque_frac = m->cargo_px > 0 ? fmin(1.0, r->opaque_frac / m->cargo_px) : 0;
	find_truck(r, A, m->mask);
	ret = 0;
out:
	free(block);
	free(m);
	return ret;
}

/* ---- the whole reading ---------------------------------------------------- */

void sc_scan_reading_clear(struct sc_scan_reading *r)
{
	free(r->att);
	memset(r, 0, sizeof *r);
}

int sc_scan_read(const struct sc_scan_cfg *c, const char *name, const unsigned char *data,
                 size_t len, struct sc_scan_reading *r, struct sc_error *err)
{
	const char *fmt;
	int w, h;
	char e[256];
	struct sc_cv_scan_info info;
	struct sc_cv_scan *img;
	float *v, *t = NULL;
	double maxval;

	memset(r, 0, sizeof *r);
	if (sc_scan_probe(name, data, len, c->max_pixels, &fmt, &w, &h, err) < 0)
		return -1;
	img = sc_cv_scan_decode(data, len, &info, e, sizeof e);
	if (!img)
		return sc_error_set(err, name, 0, 0, "bad-image", "%s: %s", fmt, e);
	if (info.width != w || info.height != h) {
		sc_cv_scan_delete(img);
		return sc_error_set(err, name, 0, 0, "bad-image", "decoded size %dx%d differs from the header's %dx%d",
		                    info.width, info.height, w, h);
	}
	r->width = w;
	r->height = h;
	r->bits = info.bits;
	r->pseudo = info.pseudo;
	v = sc_cv_scan_pixels(img);
	maxval = info.bits == 16 ? 65535 : 255;
	if (info.pseudo && info.colour_misfit > 12) {
		sc_cv_scan_delete(img);
		return sc_error_set(err, name, 0, 0, "not-a-scan",
		                    "a colour picture whose colours are not a scanner's colour map (misfit %.0f): a photograph?",
		                    info.colour_misfit);
	}
	if (info.bits == 16) {
		float mx = 0;
		for (size_t i = 0; i < (size_t)w * h; i++)
			if (v[i] > mx)
				mx = v[i];
		if (mx <= 255) {
			warn(r, name, "bit-depth", "a 16-bit file that holds 8-bit data (no value above 255): "
			     "the dynamic range is 1:255, dense cargo reads as opaque");
			r->bits = 8;
			maxval = 255;
		}
	}
	if (c->expect_bits == 16 && r->bits == 8 && !(r->nwarn && strcmp(r->warn[0].code, "bit-depth") == 0))
		warn(r, name, "bit-depth", "an 8-bit image where 16-bit was expected: the dynamic range is 1:255, "
		     "dense cargo reads as opaque and faint objects are lost");
	if (normalise(c, r, v, maxval, name, err) < 0) {
		sc_cv_scan_delete(img);
		return -1;
	}
	/* transmission for the opaque test: from the attenuation, before any mending */
	t = malloc(sizeof(float) * (size_t)w * h);
	r->att = malloc(sizeof(float) * (size_t)w * h);
	if (!t || !r->att) {
		free(t);
		sc_cv_scan_delete(img);
		sc_scan_reading_clear(r);
		return sc_error_set(err, name, 0, 0, SC_E_NOMEM, "out of memory");
	}
	{
		/* the beam's floor: a few counts (16-bit) or levels (8-bit) above dark */
		float lim = (float)((r->bits == 16 ? 40.0 : 2.5) / r->i0);
		for (size_t i = 0; i < (size_t)w * h; i++) {
			float tt = expf(-v[i]);
			t[i] = tt < lim ? 0 : tt;
		}
	}
	memcpy(r->att, v, sizeof(float) * (size_t)w * h);
	sc_cv_scan_delete(img);
	if (find_boxes(c, r, r->att, name, err) < 0 || measure(c, r, r->att, t, name, err) < 0) {
		free(t);
		sc_scan_reading_clear(r);
		return -1;
	}
	free(t);
	return 0;
}

int sc_scan_overlay(const struct sc_scan_reading *r, const char *path, struct sc_error *err)
{
	struct sc_cv_mark m[SC_SCAN_MAX_BOXES * 2 + SC_SCAN_MAX_ANOM + SC_SCAN_MAX_WHEELS + 2];
	int n = 0;
	unsigned char *png = NULL;
	size_t len = 0;
	char e[160];
	FILE *f;

	for (int i = 0; i < r->nbox; i++) {
		memcpy(m[n].bbox, r->box[i].bbox, sizeof m[n].bbox);
		m[n++].colour = 0;
		if (r->box[i].reefer[2]) {
			memcpy(m[n].bbox, r->box[i].reefer, sizeof m[n].bbox);
			m[n++].colour = 0;
		}
	}
	if (r->cab[2]) {
		memcpy(m[n].bbox, r->cab, sizeof m[n].bbox);
		m[n++].colour = 4;
	}
	for (int i = 0; i < r->nwheels; i++) {
		memcpy(m[n].bbox, r->wheels[i], sizeof m[n].bbox);
		m[n++].colour = 4;
	}
	for (int i = 0; i < r->nanom; i++) {
		memcpy(m[n].bbox, r->anom[i].bbox, sizeof m[n].bbox);
		m[n++].colour = strcmp(r->anom[i].kind, "dense") == 0 ? 1 : strcmp(r->anom[i].kind, "opaque") == 0 ? 2 : 3;
	}
	if (sc_cv_scan_overlay(r->att, r->width, r->height, m, n, &png, &len, e, sizeof e) < 0)
		return sc_error_set(err, path, 0, 0, "overlay", "%s", e);
	f = fopen(path, "wb");
	if (!f || fwrite(png, 1, len, f) != len || fclose(f) != 0) {
		if (f)
			fclose(f);
		sc_cv_free(png);
		return sc_error_set(err, path, 0, 0, "overlay", "cannot write the overlay");
	}
	sc_cv_free(png);
	return 0;
}
