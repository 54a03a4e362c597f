/*
 * wood_model.c - the sc-wood model: a softmax classifier over standardised
 * patch features (patch logits pooled per image, so patches vote), a
 * temperature fitted on held-out specimens for calibrated scores, and a model of
 * what each taxon's own photos look like: its images (means of their patches),
 * and how far a new specimen of the taxon typically lies from them. A photo
 * closer to taxon A than to anything else, but farther from A's photos than A's
 * own specimens lie from each other, is an unknown. The limit is set by leaving
 * each taxon out in turn during training and asking how its photos would have
 * looked to a model without it.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "hash.h"
#include "wood.h"

#define MAGIC "sc-wood-model"
#define PROTO_PER_TAXON 400
#define DEFAULT_ITERS 300
#define MAX_HEADER (16u << 20)

struct mtaxon {
	char *name, *folder, *porosity;
	json_t *trade_names, *cites;
	char *refs[SC_WOOD_REFS];
};

/* how a sample's photos are pooled for the novelty (the logits are always averaged) */
enum { POOL_MEAN, POOL_DISTANCE, POOL_SPECIMENS };
static const char *const pool_names[] = {"mean", "distance", "specimens"};

struct sc_wood_model {
	int c, d;
	struct mtaxon *taxa;
	float *mean, *sd;          /* d each */
	float *nscale;             /* d x d: the space novelty is measured in (novelty_space) */
	float *w, *b;              /* c*d, c */
	/* per number of photos k = 1..SC_WOOD_POOL_MAX, at [k - 1]: */
	float *own;                /* c each: typical distance of a new specimen of the taxon to its photos */
	double novelty[SC_WOOD_POOL_MAX];  /* relative distance (distance / own) above this is "unknown" */
	int pool[SC_WOOD_POOL_MAX];        /* POOL_MEAN, POOL_DISTANCE or POOL_SPECIMENS */
	double cal_known[SC_WOOD_POOL_MAX], cal_left[SC_WOOD_POOL_MAX];  /* held-out referral rates */
	long cal_n[SC_WOOD_POOL_MAX];      /* held-out samples the limit was set on */
	double cal_alt[SC_WOOD_POOL_MAX][3][3];  /* each pooling's known and left-out rates, area */
	double temperature;
	double sharp_min;          /* sharpness below this is "blurred" */
	int nproto;
	float *proto;              /* nproto*d, standardised */
	uint16_t *plabel;
	int nspec;
	float *sproto;             /* nspec*d: each specimen's mean of its photos (standardised) */
	uint16_t *slabel;
	unsigned long images, patches;
	unsigned seed;
	char *libdir;              /* the library's folder (refs are relative to it), or NULL */
	char name[160];
};

/* four decimals are all a score or a measure means here */
static double num(double x)
{
	return round(x * 10000.0) / 10000.0;
}

void sc_wood_model_free(struct sc_wood_model *m)
{
	if (!m)
		return;
	for (int i = 0; m->taxa && i < m->c; i++) {
		free(m->taxa[i].name);
		free(m->taxa[i].folder);
		free(m->taxa[i].porosity);
		json_decref(m->taxa[i].trade_names);
		json_decref(m->taxa[i].cites);
		for (int k = 0; k < SC_WOOD_REFS; k++)
			free(m->taxa[i].refs[k]);
	}
	free(m->taxa);
	free(m->libdir);
	free(m->mean);
	free(m->sd);
	free(m->nscale);
	free(m->w);
	free(m->b);
	free(m->own);
	free(m->proto);
	free(m->plabel);
	free(m->sproto);
	free(m->slabel);
	free(m);
}

int sc_wood_model_ntaxa(const struct sc_wood_model *m) { return m->c; }
const char *sc_wood_model_taxon(const struct sc_wood_model *m, int i)
{
	return i >= 0 && i < m->c ? m->taxa[i].name : NULL;
}
const char *sc_wood_model_ref(const struct sc_wood_model *m, int i, int k)
{
	return i >= 0 && i < m->c && k >= 0 && k < SC_WOOD_REFS ? m->taxa[i].refs[k] : NULL;
}
const char *sc_wood_model_library(const struct sc_wood_model *m) { return m->libdir; }

/* a reference path the model may name: relative, inside the library, no ".." */
static int safe_ref(const char *r)
{
	if (!*r || *r == '/' || strlen(r) > 1000)
		return 0;
	for (const char *p = r; *p; p++)
		if ((p == r || p[-1] == '/') && p[0] == '.' && p[1] == '.' && (p[2] == '/' || !p[2]))
			return 0;
	return 1;
}

/* "dir" of path, as a new string ("." when there is none) */
static char *dir_of(const char *path)
{
	const char *sl = strrchr(path, '/');
	return sl ? strndup(path, sl == path ? 1 : (size_t)(sl - path)) : strdup(".");
}

/* target relative to base (both absolute, as realpath gives them), malloc'd */
static char *relative_to(const char *target, const char *base)
{
	size_t i = 0, common = 0, ups = 0;
	/* the longest common prefix that ends at a component's end */
	for (;; i++) {
		int te = target[i] == '/' || !target[i], be = base[i] == '/' || !base[i];
		if (te && be)
			common = i;
		if (!target[i] || !base[i] || target[i] != base[i])
			break;
	}
	for (const char *p = base + common; *p; p++)
		ups += *p == '/';
	const char *rest = target + common + (target[common] == '/');
	size_t tl = strlen(rest);
	char *out = malloc(3 * ups + tl + 2), *o = out;
	if (!out)
		return NULL;
	for (size_t u = 0; u < ups; u++, o += 3)
		memcpy(o, "../", 3);
	memcpy(o, rest, tl + 1);
	if (!tl && o > out)
		o[-1] = '\0';   /* "../.." rather than "../../" */
	if (!*out)
		strcpy(out, ".");
	return out;
}
const char *sc_wood_model_name(const struct sc_wood_model *m) { return m->name; }

static void set_name(struct sc_wood_model *m)
{
	snprintf(m->name, sizeof m->name, "%s/%d %d taxa %lu images", MAGIC, SC_WOOD_MODEL_VERSION,
	         m->c, m->images);
}

/* ---- the classifier ------------------------------------------------------ */

/* four running sums, so that the compiler keeps the multiply units busy */
static double dot(const float *a, const float *b, int n)
{
	float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	int j = 0;
	for (; j + 4 <= n; j += 4) {
		s0 += a[j] * b[j];
		s1 += a[j + 1] * b[j + 1];
		s2 += a[j + 2] * b[j + 2];
		s3 += a[j + 3] * b[j + 3];
	}
	for (; j < n; j++)
		s0 += a[j] * b[j];
	return (double)s0 + s1 + s2 + s3;
}

/* Softmax regression by full-batch Adam with L2; class-balanced; deterministic. */
static void fit(const float *X, const int *y, size_t n, int c, int d, int iters,
                float *W, float *B)
{
	size_t np = (size_t)c * d;
	double *g = calloc(np + c, sizeof *g), *m1 = calloc(np + c, sizeof *m1),
	       *m2 = calloc(np + c, sizeof *m2), *cw = calloc(c, sizeof *cw), *p = calloc(c, sizeof *p);
	const double lr = 0.05, b1 = 0.9, b2 = 0.999, l2 = 1e-3;

	memset(W, 0, np * sizeof *W);
	memset(B, 0, c * sizeof *B);
	if (!g || !m1 || !m2 || !cw || !p)
		goto out;
	for (size_t i = 0; i < n; i++)
		cw[y[i]] += 1;
	for (int k = 0; k < c; k++)
		cw[k] = cw[k] > 0 ? (double)n / (c * cw[k]) : 0;
	for (int it = 1; it <= iters; it++) {
		double wsum = 0;
		memset(g, 0, (np + c) * sizeof *g);
		for (size_t i = 0; i < n; i++) {
			const float *x = X + i * d;
			double mx = -1e300, s = 0, wt = cw[y[i]];
			for (int k = 0; k < c; k++) {
				double z = B[k] + dot(W + (size_t)k * d, x, d);
				p[k] = z;
				if (z > mx)
					mx = z;
			}
			for (int k = 0; k < c; k++)
				s += (p[k] = exp(p[k] - mx));
			for (int k = 0; k < c; k++) {
				double e = wt * (p[k] / s - (k == y[i]));
				double *gk = g + (size_t)k * d;
				for (int j = 0; j < d; j++)
					gk[j] += e * x[j];
				g[np + k] += e;
			}
			wsum += wt;
		}
		double bc1 = 1 - pow(b1, it), bc2 = 1 - pow(b2, it);
		for (size_t q = 0; q < np + c; q++) {
			double gr = g[q] / (wsum > 0 ? wsum : 1) + (q < np ? l2 * W[q] : 0);
			m1[q] = b1 * m1[q] + (1 - b1) * gr;
			m2[q] = b2 * m2[q] + (1 - b2) * gr * gr;
			double step = lr * (m1[q] / bc1) / (sqrt(m2[q] / bc2) + 1e-8);
			if (q < np)
				W[q] -= (float)step;
			else
				B[q - np] -= (float)step;
		}
	}
out:
	free(g);
	free(m1);
	free(m2);
	free(cw);
	free(p);
}

/* mean logits of an image's patches (already standardised) */
static void image_logits(const float *W, const float *B, int c, int d, const float *X, int np,
                         double *z)
{
	for (int k = 0; k < c; k++) {
		double s = 0;
		for (int i = 0; i < np; i++) {
			const float *x = X + (size_t)i * d;
			double t = B[k];
			for (int j = 0; j < d; j++)
				t += W[(size_t)k * d + j] * x[j];
			s += t;
		}
		z[k] = np > 0 ? s / np : 0;
	}
}

static void softmax_t(const double *z, int c, double t, double *p)
{
	double mx = -1e300, s = 0;
	for (int k = 0; k < c; k++)
		if (z[k] / t > mx)
			mx = z[k] / t;
	for (int k = 0; k < c; k++)
		s += (p[k] = exp(z[k] / t - mx));
	for (int k = 0; k < c; k++)
		p[k] /= s;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

#define KNN 3

/* the mean of an image's (standardised) patches */
static void patch_mean(const float *X, int np, int d, double *mu)
{
	for (int j = 0; j < d; j++)
		mu[j] = 0;
	for (int i = 0; i < np; i++)
		for (int j = 0; j < d; j++)
			mu[j] += X[(size_t)i * d + j];
	for (int j = 0; j < d; j++)
		mu[j] /= np > 0 ? np : 1;
}

/*
 * How far an image is from taxon cls's photos: the mean distance from mu, the
 * mean of its (standardised) patches, to the KNN nearest training images of
 * cls. Means of ~25 patches are steady where single patches are noisy, so the
 * within-taxon spread is narrow and an unknown stands out; several neighbours
 * rather than one, so that a single odd photo in the library does not vouch
 * for an unknown that happens to fall near it.
 */
static double novelty_of(const float *proto, const uint16_t *plabel, int nproto, int d,
                         const float *space, const double *mu, int cls)
{
	double best[KNN], sum = 0;
	int nb = 0, k = 0;
	double *pm = calloc(d, sizeof *pm);
	if (!pm || nproto == 0) {
		free(pm);
		return 1e9;
	}
	while (k < d) {  /* the space's rows in use */
		int nz = 0;
		for (int j = 0; j < d; j++)
			nz |= space[(size_t)k * d + j] != 0;
		if (!nz)
			break;
		k++;
	}
	for (int r = 0; r < k; r++) {
		double v = 0;
		for (int j = 0; j < d; j++)
			v += space[(size_t)r * d + j] * mu[j];
		pm[r] = v;
	}
	for (int q = 0; q < nproto; q++) {
		const float *p = proto + (size_t)q * d;
		double s = 0, worst = nb == KNN ? best[KNN - 1] : 1e300;
		if (plabel[q] != cls)
			continue;
		for (int r = 0; r < k && s < worst; r++) {
			const float *row = space + (size_t)r * d;
			double t = pm[r];
			for (int j = 0; j < d; j++)
				t -= row[j] * p[j];
			s += t * t;
		}
		if (s >= worst)
			continue;
		int at = nb < KNN ? nb++ : KNN - 1;  /* insert, keeping best[] sorted */
		while (at > 0 && best[at - 1] > s) {
			best[at] = best[at - 1];
			at--;
		}
		best[at] = s;
	}
	free(pm);
	for (int b = 0; b < nb; b++)
		sum += sqrt(best[b] / (k ? k : 1));
	return nb ? sum / nb : 1e9;
}

/* the taxon the classifier favours, leaving out taxon `skip` (-1: none) */
static int novelty_class(const double *z, int c, int skip)
{
	int best = skip == 0 ? 1 : 0;
	for (int k = best + 1; k < c; k++)
		if (k != skip && z[k] > z[best])
			best = k;
	return best;
}

/* ---- training ------------------------------------------------------------ */

static uint32_t hash32(uint32_t h, const char *s)
{
	return sc_fnv32_str(h, s);
}

/*
 * Folds by specimen: within each taxon the specimens, ordered by a hash of the
 * seed and their name, are dealt round the folds, so no specimen is split
 * and every fold sees most taxa. Returns the number of folds used.
 */
int sc_wood_folds(const struct sc_wood_library *lib, unsigned seed, int want, int *fold)
{
	int maxspec = 0;
	size_t n = lib->nimages;
	/* distinct specimens per taxon */
	for (int t = 0; t < lib->ntaxa; t++) {
		int cnt = 0;
		for (size_t i = 0; i < n; i++) {
			if (lib->images[i].taxon != t)
				continue;
			size_t j;
			for (j = 0; j < i; j++)
				if (lib->images[j].taxon == t && strcmp(lib->images[j].specimen, lib->images[i].specimen) == 0)
					break;
			cnt += j == i;
		}
		if (cnt > maxspec)
			maxspec = cnt;
	}
	int k = want > 0 ? want : (maxspec < 4 ? maxspec : 4);
	if (k < 2)
		k = 2;
	for (int t = 0; t < lib->ntaxa; t++) {
		/* rank each specimen of t by hash; fold = (rank + t) % k */
		for (size_t i = 0; i < n; i++) {
			if (lib->images[i].taxon != t)
				continue;
			uint32_t hi = hash32(SC_FNV32_OFFSET ^ seed, lib->images[i].specimen);
			int rank = 0;
			const char *seen[1];
			(void)seen;
			for (size_t j = 0; j < n; j++) {
				if (lib->images[j].taxon != t)
					continue;
				/* count distinct specimens ordered before i's */
				size_t f;
				for (f = 0; f < j; f++)
					if (lib->images[f].taxon == t && strcmp(lib->images[f].specimen, lib->images[j].specimen) == 0)
						break;
				if (f < j)
					continue;
				uint32_t hj = hash32(SC_FNV32_OFFSET ^ seed, lib->images[j].specimen);
				int c = strcmp(lib->images[j].specimen, lib->images[i].specimen);
				if (hj < hi || (hj == hi && c < 0))
					rank++;
			}
			fold[i] = (rank + t) % k;
		}
	}
	if (maxspec < 2)  /* one specimen per taxon: no grouping is possible; fold by image */
		for (size_t i = 0; i < n; i++)
			fold[i] = (int)(hash32(SC_FNV32_OFFSET ^ seed, lib->images[i].path) % (uint32_t)k);
	return k;
}

struct trainset {
	float *X;        /* standardised patches */
	int *y;
	size_t n;
	size_t *first;   /* image i's patches start at first[i] */
};

static void standardise(const struct sc_wood_feat *feats, size_t nimg, const int *use,
                        int d, float *mean, float *sd)
{
	double *s = calloc(d, sizeof *s), *s2 = calloc(d, sizeof *s2);
	double n = 0;
	for (size_t i = 0; i < nimg; i++) {
		if (use && !use[i])
			continue;
		for (int p = 0; p < feats[i].npatches; p++) {
			const float *x = feats[i].x + (size_t)p * d;
			for (int j = 0; j < d; j++) {
				s[j] += x[j];
				s2[j] += (double)x[j] * x[j];
			}
			n++;
		}
	}
	for (int j = 0; j < d; j++) {
		double m = n > 0 ? s[j] / n : 0, v = n > 0 ? s2[j] / n - m * m : 1;
		mean[j] = (float)m;
		sd[j] = (float)(v > 1e-12 ? sqrt(v) : 1.0);
	}
	free(s);
	free(s2);
}

static void standardise_into(const float *mean, const float *sd, int d, const float *x, int np, float *out)
{
	for (int p = 0; p < np; p++)
		for (int j = 0; j < d; j++) {
			double v = (x[(size_t)p * d + j] - mean[j]) / sd[j];
			/* a wild value in one feature must not swamp the rest */
			out[(size_t)p * d + j] = (float)(v > 8 ? 8 : v < -8 ? -8 : v);
		}
}

/*
 * The space novelty is measured in, as a d x d matrix: image means whitened by the pooled within-taxon covariance
 * (shrunk toward its diagonal, floored, so that a feature steady within taxa
 * cannot make every distance huge), then projected on the span of the taxa's
 * whitened means. The directions that tell known taxa apart (pore size and
 * density, bands, rays, colour) are those that tell a relative from its twin;
 * what varies only from tree to tree within every taxon weighs little, and
 * with it the noise that would hide a small difference (chosen by leaving taxa
 * out on the synthetic library: 0.88 of left-out photos beyond the limit that
 * refers 5% of known ones, against 0.66 with a per-feature scale, as measured
 * then with the left-out taxon still in the space). Prototypes of taxon `skip`
 * (-1: none) are left out, as if the library did not hold it. Cholesky and
 * Gram-Schmidt: d is 74, so plain loops are enough.
 */
#define OTHER_WEIGHT 0.05
static int novelty_space(const float *proto, const uint16_t *plabel, int nproto, int c, int d,
                         int skip, float *out)
{
	double *cm = calloc((size_t)c * d, sizeof *cm), *cn = calloc(c, sizeof *cn),
	       *S = calloc((size_t)d * d, sizeof *S), *L = calloc((size_t)d * d, sizeof *L),
	       *Li = calloc((size_t)d * d, sizeof *Li), *Q = calloc((size_t)c * d, sizeof *Q),
	       *g = calloc(d, sizeof *g);
	int rc = -1, k = 0;

	if (!cm || !cn || !S || !L || !Li || !Q || !g)
		goto out;
	double used = 0;
	for (int q = 0; q < nproto; q++) {
		if (plabel[q] == skip)
			continue;
		used++;
		cn[plabel[q]]++;
		for (int j = 0; j < d; j++)
			cm[(size_t)plabel[q] * d + j] += proto[(size_t)q * d + j];
	}
	int present = 0;  /* taxa with prototypes: one may be left out (calibration) */
	for (int t = 0; t < c; t++) {
		present += cn[t] > 0;
		for (int j = 0; j < d; j++)
			cm[(size_t)t * d + j] /= cn[t] > 0 ? cn[t] : 1;
	}
	for (int q = 0; q < nproto; q++) {
		const float *p = proto + (size_t)q * d;
		const double *m = cm + (size_t)plabel[q] * d;
		if (plabel[q] == skip)
			continue;
		for (int i = 0; i < d; i++)
			for (int j = 0; j <= i; j++)
				S[(size_t)i * d + j] += (p[i] - m[i]) * (p[j] - m[j]);
	}
	double dof = used > present ? used - present : 1;
	for (int i = 0; i < d; i++)
		for (int j = 0; j <= i; j++) {
			double v = S[(size_t)i * d + j] / dof;
			v *= i == j ? 1.0 : 0.8;
			if (i == j)
				v += 0.05;
			S[(size_t)i * d + j] = S[(size_t)j * d + i] = v;
		}
	/* S = L L^T */
	for (int i = 0; i < d; i++)
		for (int j = 0; j <= i; j++) {
			double v = S[(size_t)i * d + j];
			for (int q = 0; q < j; q++)
				v -= L[(size_t)i * d + q] * L[(size_t)j * d + q];
			if (i == j)
				L[(size_t)i * d + i] = sqrt(v > 1e-9 ? v : 1e-9);
			else
				L[(size_t)i * d + j] = v / L[(size_t)j * d + j];
		}
	/* Li = L^-1 (lower triangular): whitened x = Li x */
	for (int col = 0; col < d; col++)
		for (int i = col; i < d; i++) {
			double v = i == col ? 1.0 : 0.0;
			for (int q = col; q < i; q++)
				v -= L[(size_t)i * d + q] * Li[(size_t)q * d + col];
			Li[(size_t)i * d + col] = v / L[(size_t)i * d + i];
		}
	/* whitened taxon means about their centre, orthonormalised */
	for (int t = 0; t < c; t++)
		for (int j = 0; j < d; j++)
			g[j] += cn[t] > 0 ? cm[(size_t)t * d + j] / present : 0;
	for (int t = 0; t < c; t++) {
		double *qr = Q + (size_t)k * d, nrm = 0;
		if (cn[t] == 0)
			continue;
		for (int i = 0; i < d; i++) {
			double v = 0;
			for (int j = 0; j <= i; j++)
				v += Li[(size_t)i * d + j] * (cm[(size_t)t * d + j] - g[j]);
			qr[i] = v;
		}
		for (int r = 0; r < k; r++) {  /* twice, for round-off */
			for (int pass = 0; pass < 2; pass++) {
				double dp = 0;
				for (int i = 0; i < d; i++)
					dp += qr[i] * Q[(size_t)r * d + i];
				for (int i = 0; i < d; i++)
					qr[i] -= dp * Q[(size_t)r * d + i];
			}
		}
		for (int i = 0; i < d; i++)
			nrm += qr[i] * qr[i];
		if (nrm < 1e-9)
			continue;
		for (int i = 0; i < d; i++)
			qr[i] /= sqrt(nrm);
		if (++k >= d)
			break;
	}
	/* out = (P + s (I - P)) Li with P = Q^T Q: the other directions are kept,
	 * at a fifth of the weight, so that an unknown unlike the known taxa in a way
	 * no two of them differ is still seen */
	const double sw = sqrt(OTHER_WEIGHT);
	for (int a = 0; a < d; a++)
		for (int j = 0; j < d; j++) {
			double v = 0;
			for (int i = j; i < d; i++) {
				double p = 0;
				for (int r = 0; r < k; r++)
					p += Q[(size_t)r * d + a] * Q[(size_t)r * d + i];
				v += ((1 - sw) * p + (a == i ? sw : 0)) * Li[(size_t)i * d + j];
			}
			out[(size_t)a * d + j] = (float)v;
		}
	rc = 0;
out:
	free(cm);
	free(cn);
	free(S);
	free(L);
	free(Li);
	free(Q);
	free(g);
	return rc;
}

/* Fit classifier and prototypes on the images with use[i] set. */
static int fit_part(const struct sc_wood_library *lib, const struct sc_wood_feat *feats,
                    const int *use, const float *mean, const float *sd, int iters,
                    float *W, float *B, float **proto, uint16_t **plabel, int *nproto,
                    float *nscale)
{
	int c = lib->ntaxa, d = SC_CV_NFEAT;
	size_t n = 0, k = 0;
	for (size_t i = 0; i < lib->nimages; i++)
		if (use[i])
			n += feats[i].npatches;
	float *X = malloc((n + 1) * d * sizeof *X);
	int *y = malloc((n + 1) * sizeof *y);
	size_t *cnt = calloc(c, sizeof *cnt), *taken = calloc(c, sizeof *taken);
	if (!X || !y || !cnt || !taken) {
		free(X);
		free(y);
		free(cnt);
		free(taken);
		return -1;
	}
	for (size_t i = 0; i < lib->nimages; i++) {
		if (!use[i])
			continue;
		standardise_into(mean, sd, d, feats[i].x, feats[i].npatches, X + k * d);
		for (int p = 0; p < feats[i].npatches; p++)
			y[k++] = lib->images[i].taxon;
	}
	fit(X, y, n, c, d, iters, W, B);
	for (size_t i = 0; i < lib->nimages; i++)
		if (use[i])
			cnt[lib->images[i].taxon]++;
	*proto = malloc(((size_t)c * PROTO_PER_TAXON + 1) * d * sizeof **proto);
	*plabel = malloc(((size_t)c * PROTO_PER_TAXON + 1) * sizeof **plabel);
	*nproto = 0;
	if (!*proto || !*plabel) {
		free(X);
		free(y);
		free(cnt);
		free(taken);
		return -1;
	}
	size_t *seen = calloc(c, sizeof *seen), at = 0;
	for (size_t i = 0; seen && i < lib->nimages; i++) {
		if (!use[i])
			continue;
		int t = lib->images[i].taxon, np = feats[i].npatches;
		size_t stride = (cnt[t] + PROTO_PER_TAXON - 1) / PROTO_PER_TAXON;
		if (seen[t]++ % stride == 0 && taken[t] < PROTO_PER_TAXON) {
			float *o = *proto + (size_t)*nproto * d;
			for (int j = 0; j < d; j++) {
				double s = 0;
				for (int p = 0; p < np; p++)
					s += X[(at + p) * d + j];
				o[j] = (float)(s / np);
			}
			(*plabel)[*nproto] = (uint16_t)t;
			(*nproto)++;
			taken[t]++;
		}
		at += np;
	}
	free(seen);
	if (novelty_space(*proto, *plabel, *nproto, c, d, -1, nscale) < 0) {
		free(X);
		free(y);
		free(cnt);
		free(taken);
		return -1;
	}
	free(X);
	free(y);
	free(cnt);
	free(taken);
	return 0;
}

/*
 * Each specimen's mean photo among the images with use[i] set (the means of
 * their standardised patches, averaged): what a sample of several photos is
 * compared with, so that the photo-to-photo spread within one specimen, which
 * pooling takes out of the sample, is out of what it is measured against too.
 */
static int specimen_protos(const struct sc_wood_library *lib, const struct sc_wood_feat *feats,
                           const int *use, const float *mean, const float *sd, float **sp,
                           uint16_t **sl, int *nsp)
{
	int d = SC_CV_NFEAT;
	size_t n = lib->nimages, ns = 0;
	int *of = malloc((n + 1) * sizeof *of), *cnt = calloc(n + 1, sizeof *cnt);
	double *acc = calloc((n + 1) * d, sizeof *acc), *mu = malloc(d * sizeof *mu);
	int rc = -1;
	*sp = NULL;
	*sl = NULL;
	*nsp = 0;
	if (!of || !cnt || !acc || !mu)
		goto out;
	for (size_t i = 0; i < n; i++) {
		of[i] = -1;
		if (!use[i] || feats[i].npatches == 0)
			continue;
		size_t q;
		for (q = 0; q < i; q++)
			if (of[q] >= 0 && lib->images[q].taxon == lib->images[i].taxon &&
			    strcmp(lib->images[q].specimen, lib->images[i].specimen) == 0)
				break;
		of[i] = q < i ? of[q] : (int)ns++;
		float *X = malloc((size_t)feats[i].npatches * d * sizeof *X);
		if (!X)
			goto out;
		standardise_into(mean, sd, d, feats[i].x, feats[i].npatches, X);
		patch_mean(X, feats[i].npatches, d, mu);
		free(X);
		for (int j = 0; j < d; j++)
			acc[(size_t)of[i] * d + j] += mu[j];
		cnt[of[i]]++;
	}
	*sp = malloc((ns + 1) * d * sizeof **sp);
	*sl = malloc((ns + 1) * sizeof **sl);
	if (!*sp || !*sl)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (of[i] >= 0)
			(*sl)[of[i]] = (uint16_t)lib->images[i].taxon;
	for (size_t k = 0; k < ns; k++)
		for (int j = 0; j < d; j++)
			(*sp)[k * d + j] = (float)(acc[k * d + j] / cnt[k]);
	*nsp = (int)ns;
	rc = 0;
out:
	if (rc < 0) {
		free(*sp);
		free(*sl);
		*sp = NULL;
		*sl = NULL;
	}
	free(of);
	free(cnt);
	free(acc);
	free(mu);
	return rc;
}

static double quantile(double *v, size_t n, double q)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, cmp_double);
	size_t i = (size_t)floor(q * (n - 1));
	return v[i];
}

/*
 * The held-out evidence of samples (one photo, or several photos of one
 * specimen pooled): four numbers each, distance to the favoured taxon, to its
 * own taxon, to the taxon favoured when its own is left out (in a space built
 * without it), and (pred << 16 | alt); and its taxon.
 */
struct evidence {
	double *nov;
	int *lab;
	size_t n, cap;
};

static int evidence_add(struct evidence *e, const double v[4], int t)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 256;
		double *nv = realloc(e->nov, 4 * cap * sizeof *nv);
		if (!nv)
			return -1;
		e->nov = nv;
		int *lb = realloc(e->lab, cap * sizeof *lb);
		if (!lb)
			return -1;
		e->lab = lb;
		e->cap = cap;
	}
	memcpy(e->nov + 4 * e->n, v, 4 * sizeof *v);
	e->lab[e->n++] = t;
	return 0;
}

/*
 * The per-taxon model of its own photos and the open-set limit, from the
 * held-out evidence of the specimen folds (struct evidence):
 *   own[t]: the median distance of held-out specimens of t to t's photos;
 *   known sample i: relative distance nov0 / own[pred];
 *   the same sample with its taxon left out: nov2 / own[alt].
 * The limit is the lowest that refers at most MAX_KNOWN_REFER of the known
 * samples: a name for a taxon the library does not hold is the one answer a
 * screening must not give, so the whole budget of known referrals is spent
 * on catching them (the limit that best separated the two, most left-out
 * referred less known referred, stopped short of the budget once the far taxa
 * were all caught, and let close relatives through). The leave-taxa-out loop
 * of evaluation, run here on the training data only. *kref and *uref are the
 * two rates at the limit; *score is the mean share of left-out samples
 * referred over the limits that refer from none to MAX_KNOWN_REFER of the
 * known ones (a partial area under the curve, reported beside each pooling).
 */
#define MAX_KNOWN_REFER 0.12
static int calibrate_novelty(int c, const struct evidence *ev, float *own, double *limit,
                             double *score, double *kref_out, double *uref_out)
{
	size_t nheld = ev->n;
	const double *nov = ev->nov;
	double *v = malloc((nheld + 1) * sizeof *v), *known = malloc((nheld + 1) * sizeof *known),
	       *unk = malloc((nheld + 1) * sizeof *unk), pooled;
	size_t nv;
	if (!v || !known || !unk) {
		free(v);
		free(known);
		free(unk);
		return -1;
	}
	nv = 0;
	for (size_t i = 0; i < nheld; i++)
		v[nv++] = nov[4 * i + 1];
	pooled = nv ? quantile(v, nv, 0.5) : 1;
	for (int t = 0; t < c; t++) {
		nv = 0;
		for (size_t i = 0; i < nheld; i++)
			if (ev->lab[i] == t)
				v[nv++] = nov[4 * i + 1];
		/* few held-out samples: lean on the pooled figure */
		double o = nv ? quantile(v, nv, 0.5) : pooled;
		o = (nv * o + 3 * pooled) / (nv + 3);
		own[t] = (float)(o > 1e-3 ? o : 1e-3);
	}
	for (size_t i = 0; i < nheld; i++) {
		long code = (long)nov[4 * i + 3];
		int pr = (int)(code / 65536), alt = (int)(code % 65536);
		known[i] = nov[4 * i] / own[pr];
		unk[i] = nov[4 * i + 2] / own[alt];
	}
	qsort(known, nheld, sizeof *known, cmp_double);
	qsort(unk, nheld, sizeof *unk, cmp_double);
	/* candidate limits: every known value; sweep with two pointers */
	double best = -1, lim = nheld ? known[nheld - 1] : 1e9, kr = 0, ur = 0;
	size_t ku = 0;
	for (size_t a = 0; a < nheld; a++) {
		double thr = known[a];
		double kref = (double)(nheld - 1 - a) / nheld;  /* known above thr */
		while (ku < nheld && unk[ku] <= thr)
			ku++;
		double uref = (double)(nheld - ku) / nheld;
		if (kref > MAX_KNOWN_REFER)
			continue;
		if (best < 0) {  /* the first, lowest limit within the budget */
			best = uref - kref;
			lim = thr;
			kr = kref;
			ur = uref;
		}
	}
	*limit = nheld ? lim : 1e9;
	double area = 0;
	for (int g = 0; g <= 24 && nheld; g++) {
		double thr = known[(size_t)floor((1 - MAX_KNOWN_REFER * g / 24) * (nheld - 1))];
		size_t above = 0;
		for (size_t i = 0; i < nheld; i++)
			above += unk[i] > thr;
		area += (double)above / nheld / 25;
	}
	*score = area;
	*kref_out = kr;
	*uref_out = ur;
	free(v);
	free(known);
	free(unk);
	return 0;
}

/*
 * The evidence of one held-out sample of taxon t: the photos idx[0..k) of one
 * specimen (their logits z and patch means mu, rows of the fold's arrays),
 * pooled three ways: ev[0] the distance of their mean to the taxon's photos,
 * ev[1] the mean of their distances, ev[2] the distance of their mean to the
 * taxon's specimens (sp, each specimen's mean photo). space is the fold's novelty space, lto the one without t.
 */
static int pooled_evidence(const float *proto, const uint16_t *pl, int np, const float *sp,
                           const uint16_t *sl, int nsp, int c, int d,
                           const float *space, const float *lto, const double *z,
                           const double *mu, const size_t *idx, int k, int t,
                           struct evidence ev[3])
{
	double *zb = calloc(c, sizeof *zb), *mb = calloc(d, sizeof *mb), a[4], b[4] = {0, 0, 0, 0}, s[4];
	if (!zb || !mb) {
		free(zb);
		free(mb);
		return -1;
	}
	for (int q = 0; q < k; q++) {
		for (int j = 0; j < c; j++)
			zb[j] += z[idx[q] * c + j] / k;
		for (int j = 0; j < d; j++)
			mb[j] += mu[idx[q] * d + j] / k;
	}
	int pr = novelty_class(zb, c, -1), alt = novelty_class(zb, c, t);
	a[0] = novelty_of(proto, pl, np, d, space, mb, pr);
	a[1] = pr == t ? a[0] : novelty_of(proto, pl, np, d, space, mb, t);
	a[2] = novelty_of(proto, pl, np, d, lto, mb, alt);
	a[3] = b[3] = s[3] = pr * 65536 + alt;
	s[0] = novelty_of(sp, sl, nsp, d, space, mb, pr);
	s[1] = pr == t ? s[0] : novelty_of(sp, sl, nsp, d, space, mb, t);
	s[2] = novelty_of(sp, sl, nsp, d, lto, mb, alt);
	for (int q = 0; q < k; q++) {
		const double *m1 = mu + idx[q] * d;
		double v0 = novelty_of(proto, pl, np, d, space, m1, pr);
		b[0] += v0 / k;
		b[1] += (pr == t ? v0 : novelty_of(proto, pl, np, d, space, m1, t)) / k;
		b[2] += novelty_of(proto, pl, np, d, lto, m1, alt) / k;
	}
	free(zb);
	free(mb);
	return evidence_add(&ev[0], a, t) < 0 || evidence_add(&ev[1], b, t) < 0 ||
	       evidence_add(&ev[2], s, t) < 0 ? -1 : 0;
}

/* The model's taxa from the library's: names, anatomy, CITES, and up to
 * SC_WOOD_REFS reference photos each, by path relative to the library (so
 * that the model moves with it). -1 when out of memory. */
static int copy_taxa(struct sc_wood_model *m, const struct sc_wood_library *lib,
                     const struct sc_wood_feat *feats)
{
	size_t dl = strlen(lib->dir);

	for (int t = 0; t < lib->ntaxa; t++) {
		struct mtaxon *mt = &m->taxa[t];
		const struct sc_wood_taxon *lt = &lib->taxa[t];
		int nr = 0;
		mt->name = strdup(lt->name);
		mt->folder = strdup(lt->folder);
		mt->porosity = lt->porosity ? strdup(lt->porosity) : NULL;
		mt->trade_names = json_deep_copy(lt->trade_names ? lt->trade_names : json_array());
		mt->cites = lt->cites ? json_deep_copy(lt->cites) : NULL;
		for (size_t i = 0; i < lib->nimages && nr < SC_WOOD_REFS; i++)
			if (lib->images[i].taxon == t && feats[i].npatches > 0) {
				const char *p = lib->images[i].path;
				if (strncmp(p, lib->dir, dl) == 0 && p[dl] == '/')
					mt->refs[nr++] = strdup(p + dl + 1);
			}
		if (!mt->name || !mt->folder)
			return -1;
	}
	return 0;
}

/* The temperature that makes held-out scores honest (least log loss over
 * the nheld held-out logits z, of c taxa, whose truth is held[]), searched
 * from 1 to 20: never sharper than the fit itself, since a few held-out
 * images all named right would otherwise push the scores to 1. */
static double temperature(const double *z, const int *held, size_t nheld, int c)
{
	double bestt = 1, bestl = 1e300, *p = malloc(c * sizeof *p);

	for (int gi = 0; p && gi <= 60; gi++) {
		double t = exp(gi * log(20.0) / 60), loss = 0;
		for (size_t i = 0; i < nheld; i++) {
			softmax_t(z + i * c, c, t, p);
			loss -= log(p[held[i]] > 1e-12 ? p[held[i]] : 1e-12);
		}
		if (loss < bestl) {
			bestl = loss;
			bestt = t;
		}
	}
	free(p);
	return bestt;
}

/* The novelty limits of m from the held-out evidence ev[k - 1][pooling].
 * -1 when out of memory. */
static int calibrate_limits(struct sc_wood_model *m, struct evidence ev[SC_WOOD_POOL_MAX][3])
{
	int c = m->c;

	/* the limit for each number of photos. Several photos are pooled by
	 * comparing their mean with the taxon's specimens (each specimen's mean
	 * photo): pooling takes the photo-to-photo spread out of the sample, and
	 * specimens take it out of what the sample is measured against, so what
	 * is left is what tells specimens, and relatives, apart. The other two
	 * ways (the mean against the taxon's photos; the mean of the photos'
	 * distances) are calibrated too and their figures kept in the header:
	 * on the synthetic library's held-out folds, specimens referred the most
	 * left-out samples at 1% and 2% of known ones referred, for 2, 3 and 4
	 * photos, and were level with the others at 5% to 12%.
	 * With no held-out samples of k photos, those of k - 1 stand in. */
	for (int kk = 1; kk <= SC_WOOD_POOL_MAX; kk++) {
		float *own = m->own + (size_t)(kk - 1) * c;
		if (ev[kk - 1][0].n == 0 && kk > 1) {
			memcpy(own, own - c, c * sizeof *own);
			m->novelty[kk - 1] = m->novelty[kk - 2];
			m->pool[kk - 1] = m->pool[kk - 2];
			continue;
		}
		for (int pm = 0; pm < (kk == 1 ? 1 : 3); pm++) {
			float *tmp = malloc(c * sizeof *tmp);
			double lim, sc, kr, ur;
			if (!tmp || calibrate_novelty(c, &ev[kk - 1][pm], tmp, &lim, &sc, &kr, &ur) < 0) {
				free(tmp);
				return -1;
			}
			m->cal_alt[kk - 1][pm][0] = kr;
			m->cal_alt[kk - 1][pm][1] = ur;
			m->cal_alt[kk - 1][pm][2] = sc;
			if (pm == (kk == 1 ? POOL_MEAN : POOL_SPECIMENS)) {
				memcpy(own, tmp, c * sizeof *own);
				m->novelty[kk - 1] = lim;
				m->pool[kk - 1] = pm;
				m->cal_known[kk - 1] = kr;
				m->cal_left[kk - 1] = ur;
				m->cal_n[kk - 1] = (long)ev[kk - 1][pm].n;
			}
			free(tmp);
		}
	}
	return 0;
}

struct sc_wood_model *sc_wood_train(const struct sc_wood_library *lib,
                                    const struct sc_wood_feat *feats,
                                    const struct sc_wood_train_opts *o, struct sc_error *err)
{
	int c = lib->ntaxa, d = SC_CV_NFEAT, iters = o->iterations > 0 ? o->iterations : DEFAULT_ITERS;
	size_t n = lib->nimages, good = 0;
	struct sc_wood_model *m = calloc(1, sizeof *m);
	int *fold = calloc(n + 1, sizeof *fold), *use = calloc(n + 1, sizeof *use);
	double *z = calloc((n + 1) * c, sizeof *z), *mu = calloc((n + 1) * d, sizeof *mu);
	int *held = calloc(n + 1, sizeof *held), *have = calloc(c, sizeof *have);
	size_t *hidx = calloc(n + 1, sizeof *hidx), *grp = calloc(n + 1, sizeof *grp);
	double *sharp = calloc(n + 1, sizeof *sharp);
	size_t nsharp = 0;
	/* ev[k - 1][pooling]: held-out evidence of samples of k photos */
	struct evidence ev[SC_WOOD_POOL_MAX][3];
	/* per fold, the novelty space without each taxon in turn (built when needed) */
	float *lto = malloc((size_t)c * SC_CV_NFEAT * SC_CV_NFEAT * sizeof *lto);
	char *lto_ok = calloc(c, 1);
	float *W = NULL, *B = NULL;

	memset(ev, 0, sizeof ev);
	if (!m || !fold || !use || !z || !mu || !held || !have || !hidx || !grp || !sharp || !lto ||
	    !lto_ok)
		goto nomem;
	m->c = c;
	m->d = d;
	m->seed = o->seed;
	m->libdir = realpath(lib->dir, NULL);
	m->taxa = calloc(c, sizeof *m->taxa);
	m->mean = malloc(d * sizeof(float));
	m->sd = malloc(d * sizeof(float));
	m->nscale = malloc((size_t)d * d * sizeof(float));
	m->w = malloc((size_t)c * d * sizeof(float));
	m->b = malloc(c * sizeof(float));
	m->own = malloc((size_t)c * SC_WOOD_POOL_MAX * sizeof(float));
	if (!m->taxa || !m->mean || !m->sd || !m->nscale || !m->w || !m->b || !m->own)
		goto nomem;
	for (size_t i = 0; i < n; i++)
		if (feats[i].npatches > 0) {
			have[lib->images[i].taxon]++;
			m->patches += feats[i].npatches;
			good++;
			sharp[nsharp++] = feats[i].q.sharpness;
		}
	for (int t = 0; t < c; t++)
		if (!have[t]) {
			sc_error_set(err, lib->dir, 0, 0, "bad-library",
			             "taxon \"%s\" has no usable image: cannot train", lib->taxa[t].name);
			goto fail;
		}
	m->images = good;
	if (copy_taxa(m, lib, feats) < 0)
		goto nomem;
	for (size_t i = 0; i < n; i++)
		use[i] = feats[i].npatches > 0;
	standardise(feats, n, use, d, m->mean, m->sd);

	/* held-out predictions for calibration */
	int k = sc_wood_folds(lib, o->seed, o->folds, fold);
	W = malloc((size_t)c * d * sizeof *W);
	B = malloc(c * sizeof *B);
	if (!W || !B)
		goto nomem;
	size_t nheld = 0;
	for (int f = 0; f < k; f++) {
		float *proto = NULL, *sp = NULL;
		uint16_t *pl = NULL, *sl = NULL;
		int np = 0, nsp = 0, any = 0;
		size_t fstart = nheld;
		for (size_t i = 0; i < n; i++) {
			use[i] = feats[i].npatches > 0 && fold[i] != f;
			any |= feats[i].npatches > 0 && fold[i] == f;
		}
		if (!any)
			continue;
		memset(lto_ok, 0, c);
		if (fit_part(lib, feats, use, m->mean, m->sd, iters, W, B, &proto, &pl, &np, m->nscale) < 0 ||
		    specimen_protos(lib, feats, use, m->mean, m->sd, &sp, &sl, &nsp) < 0) {
			free(proto);
			free(pl);
			goto nomem;
		}
		int bad = 0;
		for (size_t i = 0; i < n && !bad; i++) {
			if (feats[i].npatches == 0 || fold[i] != f)
				continue;
			float *X = malloc((size_t)feats[i].npatches * d * sizeof *X);
			if (!X) {
				bad = 1;
				break;
			}
			standardise_into(m->mean, m->sd, d, feats[i].x, feats[i].npatches, X);
			int t = lib->images[i].taxon;
			double *zi = z + nheld * c, *mi = mu + nheld * d, nv[4];
			image_logits(W, B, c, d, X, feats[i].npatches, zi);
			patch_mean(X, feats[i].npatches, d, mi);
			free(X);
			/* as the model sees a known photo: against the taxon it favours,
			 * and against its own taxon; as a model without taxon t would see
			 * it: against the taxon favoured once t is out of the running */
			int pr = novelty_class(zi, c, -1), alt = novelty_class(zi, c, t);
			nv[0] = novelty_of(proto, pl, np, d, m->nscale, mi, pr);
			nv[1] = pr == t ? nv[0] : novelty_of(proto, pl, np, d, m->nscale, mi, t);
			/* ... in a space built without t: t's own differences from its
			 * relatives must not shape the space that is to find it new
			 * (with t in, a left-out relative looked far easier to refer
			 * than one truly unseen) */
			if (!lto_ok[t]) {
				if (novelty_space(proto, pl, np, c, d, t, lto + (size_t)t * d * d) < 0) {
					bad = 1;
					break;
				}
				lto_ok[t] = 1;
			}
			nv[2] = novelty_of(proto, pl, np, d, lto + (size_t)t * d * d, mi, alt);
			nv[3] = pr * 65536 + alt;  /* both small integers, exact in a double */
			if (evidence_add(&ev[0][0], nv, t) < 0)
				bad = 1;
			held[nheld] = t;
			hidx[nheld++] = i;
		}
		/* samples of several photos: the fold's photos of one specimen, in
		 * library order, taken k at a time (a specimen's last few, fewer than
		 * k, are left over) */
		for (size_t a = fstart; a < nheld; a++) {  /* grp: the first photo of a's specimen */
			const struct sc_wood_image *ia = &lib->images[hidx[a]];
			grp[a] = a;
			for (size_t q = fstart; q < a; q++)
				if (grp[q] == q && lib->images[hidx[q]].taxon == ia->taxon &&
				    strcmp(lib->images[hidx[q]].specimen, ia->specimen) == 0) {
					grp[a] = q;
					break;
				}
		}
		for (int kk = 2; kk <= SC_WOOD_POOL_MAX && !bad; kk++)
			for (size_t a = fstart; a < nheld && !bad; a++) {
				size_t members[SC_WOOD_POOL_MAX];
				int got = 0;
				if (grp[a] != a)
					continue;
				for (size_t q = a; q < nheld && !bad; q++) {
					if (grp[q] != a)
						continue;
					members[got++] = q;
					if (got == kk) {
						int t = held[a];
						bad = pooled_evidence(proto, pl, np, sp, sl, nsp, c, d, m->nscale,
						                      lto + (size_t)t * d * d,
						                      z, mu, members, kk, t, ev[kk - 1]) < 0;
						got = 0;
					}
				}
			}
		free(proto);
		free(pl);
		free(sp);
		free(sl);
		if (bad)
			goto nomem;
	}
	m->temperature = nheld ? temperature(z, held, nheld, c) : 1.0;
	if (calibrate_limits(m, ev) < 0)
		goto nomem;
	m->sharp_min = 0.3 * quantile(sharp, nsharp, 0.02);

	/* the final fit on everything */
	for (size_t i = 0; i < n; i++)
		use[i] = feats[i].npatches > 0;
	if (fit_part(lib, feats, use, m->mean, m->sd, iters, W, B, &m->proto, &m->plabel, &m->nproto,
	             m->nscale) < 0 ||
	    specimen_protos(lib, feats, use, m->mean, m->sd, &m->sproto, &m->slabel, &m->nspec) < 0)
		goto nomem;
	memcpy(m->w, W, (size_t)c * d * sizeof *W);
	memcpy(m->b, B, c * sizeof *B);
	set_name(m);
	goto out;
nomem:
	sc_error_set(err, lib->dir, 0, 0, SC_E_NOMEM, "out of memory");
fail:
	sc_wood_model_free(m);
	m = NULL;
out:
	free(W);
	free(B);
	free(fold);
	free(use);
	free(z);
	free(mu);
	free(held);
	free(have);
	free(hidx);
	free(grp);
	free(sharp);
	free(lto);
	free(lto_ok);
	for (int kk = 0; kk < SC_WOOD_POOL_MAX; kk++)
		for (int pm = 0; pm < 3; pm++) {
			free(ev[kk][pm].nov);
			free(ev[kk][pm].lab);
		}
	return m;
}

/* ---- the file ------------------------------------------------------------ */
/*
 * The shared convention (sc(7), MODEL FILES): one line of JSON, the header,
 * whose first keys are format "sc-wood-model", v and created_by (then taxa,
 * features, calibration, the sizes of what follows), "\n", then little-endian
 * float32 arrays: mean, sd, the novelty space (d x d), weights, bias, each
 * taxon's own spread for 1..SC_WOOD_POOL_MAX photos, prototypes, and the
 * prototypes' labels as uint16. Files of versions 1 and 2 began with a line
 * "sc-wood-model N" instead; they are refused, naming their version.
 */

static void put_f32(unsigned char *o, float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	o[0] = u & 0xff;
	o[1] = (u >> 8) & 0xff;
	o[2] = (u >> 16) & 0xff;
	o[3] = u >> 24;
}

static float get_f32(const unsigned char *i)
{
	uint32_t u = (uint32_t)i[0] | (uint32_t)i[1] << 8 | (uint32_t)i[2] << 16 | (uint32_t)i[3] << 24;
	float f;
	memcpy(&f, &u, 4);
	return f;
}

int sc_wood_model_save(const struct sc_wood_model *m, const char *path, struct sc_error *err)
{
	json_t *h = json_object(), *taxa = json_array(), *fn = json_array();
	int d = m->d, c = m->c;
	for (int j = 0; j < d; j++)
		json_array_append_new(fn, json_string(sc_cv_feature_name(j)));
	for (int t = 0; t < c; t++) {
		json_t *o = json_pack("{s:s,s:s,s:O}", "taxon", m->taxa[t].name, "folder", m->taxa[t].folder,
		                      "trade_names", m->taxa[t].trade_names);
		json_t *refs = json_array();
		if (m->taxa[t].porosity)
			json_object_set_new(o, "porosity", json_string(m->taxa[t].porosity));
		if (m->taxa[t].cites)
			json_object_set(o, "cites", m->taxa[t].cites);
		for (int k = 0; k < SC_WOOD_REFS; k++)
			if (m->taxa[t].refs[k])
				json_array_append_new(refs, json_string(m->taxa[t].refs[k]));
		json_object_set_new(o, "refs", refs);
		json_array_append_new(taxa, o);
	}
	json_object_set_new(h, "format", json_string(MAGIC));
	json_object_set_new(h, "v", json_integer(SC_WOOD_MODEL_VERSION));
	json_object_set_new(h, "created_by", json_string("sc-wood train " SC_VERSION));
	json_object_set_new(h, "classifier", json_string("softmax-pooled"));
	json_object_set_new(h, "taxa", taxa);
	json_object_set_new(h, "features", fn);
	json_object_set_new(h, "temperature", json_real(m->temperature));
	json_t *nl = json_array(), *pool = json_array(), *cal = json_array();
	for (int k = 0; k < SC_WOOD_POOL_MAX; k++) {
		json_array_append_new(nl, json_real(m->novelty[k]));
		json_array_append_new(pool, json_string(pool_names[m->pool[k]]));
		json_t *alt = json_object();
		for (int q = 0; q < (k == 0 ? 1 : 3); q++)
			json_object_set_new(alt, pool_names[q], json_pack("[f,f,f]", num(m->cal_alt[k][q][0]),
			                                                  num(m->cal_alt[k][q][1]),
			                                                  num(m->cal_alt[k][q][2])));
		json_array_append_new(cal, json_pack("{s:i,s:I,s:f,s:f,s:o}", "photos", k + 1,
		                                     "samples", (json_int_t)m->cal_n[k],
		                                     "known_referred", num(m->cal_known[k]),
		                                     "left_out_referred", num(m->cal_left[k]),
		                                     "poolings", alt));
	}
	json_object_set_new(h, "novelty", nl);
	json_object_set_new(h, "pooling", pool);
	json_object_set_new(h, "calibration", cal);
	json_object_set_new(h, "sharpness_min", json_real(m->sharp_min));
	json_object_set_new(h, "images", json_integer((json_int_t)m->images));
	json_object_set_new(h, "patches", json_integer((json_int_t)m->patches));
	json_object_set_new(h, "prototypes", json_integer(m->nproto));
	json_object_set_new(h, "specimens", json_integer(m->nspec));
	json_object_set_new(h, "seed", json_integer(m->seed));
	if (m->libdir) {
		char *mdir = dir_of(path), *amdir = mdir ? realpath(mdir, NULL) : NULL;
		char *rel = amdir ? relative_to(m->libdir, amdir) : NULL;
		json_object_set_new(h, "library", json_string(rel ? rel : m->libdir));
		free(mdir);
		free(amdir);
		free(rel);
	}
	char *text = json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(h);
	if (!text)
		return sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
	size_t nf = 2 * (size_t)d + (size_t)d * d + (size_t)c * d + (size_t)c * (1 + SC_WOOD_POOL_MAX) +
	            (size_t)(m->nproto + m->nspec) * d;
	size_t blen = nf * 4 + (size_t)(m->nproto + m->nspec) * 2;
	unsigned char *b = malloc(blen + 1), *o = b;
	if (!b) {
		free(text);
		return sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
	}
	for (int j = 0; j < d; j++, o += 4)
		put_f32(o, m->mean[j]);
	for (int j = 0; j < d; j++, o += 4)
		put_f32(o, m->sd[j]);
	for (size_t j = 0; j < (size_t)d * d; j++, o += 4)
		put_f32(o, m->nscale[j]);
	for (size_t j = 0; j < (size_t)c * d; j++, o += 4)
		put_f32(o, m->w[j]);
	for (int j = 0; j < c; j++, o += 4)
		put_f32(o, m->b[j]);
	for (int j = 0; j < c * SC_WOOD_POOL_MAX; j++, o += 4)
		put_f32(o, m->own[j]);
	for (size_t j = 0; j < (size_t)m->nproto * d; j++, o += 4)
		put_f32(o, m->proto[j]);
	for (int j = 0; j < m->nproto; j++, o += 2) {
		o[0] = m->plabel[j] & 0xff;
		o[1] = m->plabel[j] >> 8;
	}
	for (size_t j = 0; j < (size_t)m->nspec * d; j++, o += 4)
		put_f32(o, m->sproto[j]);
	for (int j = 0; j < m->nspec; j++, o += 2) {
		o[0] = m->slabel[j] & 0xff;
		o[1] = m->slabel[j] >> 8;
	}
	FILE *f = fopen(path, "wb");
	if (!f) {
		free(text);
		free(b);
		return sc_error_set(err, path, 0, 0, "open", "cannot write model: %s", strerror(errno));
	}
	int bad = fprintf(f, "%s\n", text) < 0 ||
	          fwrite(b, 1, blen, f) != blen;
	bad |= fclose(f) != 0;
	free(text);
	free(b);
	if (bad)
		return sc_error_set(err, path, 0, 0, "write", "cannot write model: %s", strerror(errno));
	return 0;
}

static int get_str(const json_t *o, const char *k, char **out)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_string(v))
		return -1;
	return (*out = strdup(json_string_value(v))) ? 0 : -1;
}

struct sc_wood_model *sc_wood_model_load_buffer(const char *name, const unsigned char *data,
                                                size_t len, struct sc_error *err)
{
	const char *nl2;
	size_t ml = strlen(MAGIC);
	json_error_t je;
	json_t *h = NULL, *v;
	struct sc_wood_model *m = NULL;

	if (len > ml + 1 && memcmp(data, MAGIC " ", ml + 1) == 0) {
		/* versions 1 and 2: "sc-wood-model N" on a line of its own */
		int ver = 0;
		for (size_t i = ml + 1; i < len && i < ml + 8 && data[i] >= '0' && data[i] <= '9'; i++)
			ver = ver * 10 + (data[i] - '0');
		sc_error_set(err, name, 1, 1, "model-version",
		             "model file format version %d (an older sc-wood's); this sc-wood reads "
		             "version %d: train the model again", ver, SC_WOOD_MODEL_VERSION);
		return NULL;
	}
	if (len < 2 || data[0] != '{') {
		sc_error_set(err, name, 1, 1, "bad-model", "not a model file of sc-wood train");
		return NULL;
	}
	nl2 = memchr(data, '\n', len < MAX_HEADER ? len : MAX_HEADER);
	if (!nl2) {
		sc_error_set(err, name, 1, 1, "bad-model", "model header is cut short");
		return NULL;
	}
	h = json_loadb((const char *)data, (size_t)(nl2 - (const char *)data), 0, &je);
	if (!h) {
		sc_error_set(err, name, 1, je.column, "bad-model", "model header: %s", je.text);
		return NULL;
	}
	if (sc_model_header_check(h, MAGIC, "sc-wood train", SC_WOOD_MODEL_VERSION, name, err) < 0) {
		err->line = 1;
		json_decref(h);
		return NULL;
	}
#define BAD(...) do { sc_error_set(err, name, 1, 0, "bad-model", __VA_ARGS__); goto fail; } while (0)
	json_t *feat = json_object_get(h, "features"), *taxa = json_object_get(h, "taxa");
	if (!json_is_array(feat) || json_array_size(feat) != SC_CV_NFEAT)
		BAD("model knows %zu features; this sc-wood computes %d", json_array_size(feat), SC_CV_NFEAT);
	for (int j = 0; j < SC_CV_NFEAT; j++) {
		v = json_array_get(feat, j);
		if (!json_is_string(v) || strcmp(json_string_value(v), sc_cv_feature_name(j)) != 0)
			BAD("model feature %d is \"%s\"; this sc-wood computes \"%s\"", j,
			    json_is_string(v) ? json_string_value(v) : "?", sc_cv_feature_name(j));
	}
	if (!json_is_array(taxa) || json_array_size(taxa) < 2 || json_array_size(taxa) > SC_WOOD_MAX_TAXA)
		BAD("model must name between 2 and %d taxa", SC_WOOD_MAX_TAXA);
	json_t *nsp = json_object_get(h, "specimens");
	if (!json_is_integer(nsp) || json_integer_value(nsp) < 0 ||
	    json_integer_value(nsp) > (json_int_t)SC_WOOD_MAX_TAXA * PROTO_PER_TAXON)
		BAD("model's specimen count is missing or out of range");
	json_t *np = json_object_get(h, "prototypes"), *tt = json_object_get(h, "temperature"),
	       *nv = json_object_get(h, "novelty"), *sm = json_object_get(h, "sharpness_min"),
	       *pool = json_object_get(h, "pooling"), *cal = json_object_get(h, "calibration");
	int nv_ok = json_is_array(nv) && json_array_size(nv) == SC_WOOD_POOL_MAX;
	for (int k = 0; nv_ok && k < SC_WOOD_POOL_MAX; k++)
		nv_ok = json_is_number(json_array_get(nv, k)) && json_number_value(json_array_get(nv, k)) >= 0;
	if (!json_is_integer(np) || json_integer_value(np) < 0 ||
	    json_integer_value(np) > (json_int_t)SC_WOOD_MAX_TAXA * PROTO_PER_TAXON)
		BAD("model's prototype count is missing or out of range");
	if (!json_is_number(tt) || !(json_number_value(tt) > 0) || !nv_ok || !json_is_number(sm) ||
	    !(json_number_value(sm) >= 0))
		BAD("model's calibration (temperature, novelty, sharpness_min) is missing or invalid");
	if (!json_is_array(pool) || json_array_size(pool) != SC_WOOD_POOL_MAX)
		BAD("model's pooling must name %d ways", SC_WOOD_POOL_MAX);
	m = calloc(1, sizeof *m);
	if (!m)
		BAD("out of memory");
	m->c = (int)json_array_size(taxa);
	m->d = SC_CV_NFEAT;
	m->nproto = (int)json_integer_value(np);
	m->nspec = (int)json_integer_value(nsp);
	m->temperature = json_number_value(tt);
	for (int k = 0; k < SC_WOOD_POOL_MAX; k++) {
		const char *pw = json_string_value(json_array_get(pool, k));
		json_t *ck = json_array_get(cal, k);
		m->novelty[k] = json_number_value(json_array_get(nv, k));
		m->pool[k] = -1;
		for (int q = 0; pw && q < 3; q++)
			if (strcmp(pw, pool_names[q]) == 0)
				m->pool[k] = q;
		if (m->pool[k] < 0)
			BAD("model's pooling %d is not \"mean\", \"distance\" or \"specimens\"", k + 1);
		/* what training measured: reported, never used to decide */
		m->cal_n[k] = (long)json_integer_value(json_object_get(ck, "samples"));
		m->cal_known[k] = json_number_value(json_object_get(ck, "known_referred"));
		m->cal_left[k] = json_number_value(json_object_get(ck, "left_out_referred"));
	}
	m->sharp_min = json_number_value(sm);
	m->images = (unsigned long)json_integer_value(json_object_get(h, "images"));
	m->patches = (unsigned long)json_integer_value(json_object_get(h, "patches"));
	m->seed = (unsigned)json_integer_value(json_object_get(h, "seed"));
	v = json_object_get(h, "library");
	if (v && (!json_is_string(v) || !(m->libdir = strdup(json_string_value(v)))))
		BAD("model's library must be a folder name");
	m->taxa = calloc(m->c, sizeof *m->taxa);
	if (!m->taxa)
		BAD("out of memory");
	for (int t = 0; t < m->c; t++) {
		json_t *o = json_array_get(taxa, t), *r;
		struct mtaxon *mt = &m->taxa[t];
		size_t k;
		if (!json_is_object(o) || get_str(o, "taxon", &mt->name) < 0 || get_str(o, "folder", &mt->folder) < 0)
			BAD("model taxon %d lacks taxon or folder", t);
		if (json_object_get(o, "porosity") && get_str(o, "porosity", &mt->porosity) < 0)
			BAD("model taxon %d: porosity must be a string", t);
		v = json_object_get(o, "trade_names");
		mt->trade_names = json_is_array(v) ? json_deep_copy(v) : json_array();
		v = json_object_get(o, "cites");
		if (v && !(json_is_object(v) && json_is_string(json_object_get(v, "appendix"))))
			BAD("model taxon %d: cites must be an object with appendix", t);
		mt->cites = v ? json_deep_copy(v) : NULL;
		json_array_foreach(json_object_get(o, "refs"), k, r) {
			if (k >= SC_WOOD_REFS || !json_is_string(r))
				break;
			if (!safe_ref(json_string_value(r)))
				BAD("model taxon %d names a reference image outside its library: \"%s\"", t,
				    json_string_value(r));
			mt->refs[k] = strdup(json_string_value(r));
		}
	}
	size_t d = (size_t)m->d, c = (size_t)m->c;
	size_t nf = 2 * d + d * d + c * d + c * (1 + SC_WOOD_POOL_MAX) + (size_t)(m->nproto + m->nspec) * d;
	size_t blen = nf * 4 + (size_t)(m->nproto + m->nspec) * 2, bstart = (size_t)(nl2 + 1 - (const char *)data);
	if (len - bstart != blen)
		BAD("model body is %zu bytes; its header promises %zu", len - bstart, blen);
	m->mean = malloc(d * 4);
	m->sd = malloc(d * 4);
	m->nscale = malloc(d * d * 4);
	m->w = malloc(c * d * 4);
	m->b = malloc(c * 4);
	m->own = malloc(c * SC_WOOD_POOL_MAX * 4);
	m->proto = malloc((size_t)m->nproto * d * 4 + 4);
	m->plabel = malloc((size_t)m->nproto * 2 + 2);
	m->sproto = malloc((size_t)m->nspec * d * 4 + 4);
	m->slabel = malloc((size_t)m->nspec * 2 + 2);
	if (!m->mean || !m->sd || !m->nscale || !m->w || !m->b || !m->own || !m->proto || !m->plabel ||
	    !m->sproto || !m->slabel)
		BAD("out of memory");
	const unsigned char *in = data + bstart;
	float *dst[7] = {m->mean, m->sd, m->nscale, m->w, m->b, m->own, m->proto};
	size_t cnt[7] = {d, d, d * d, c * d, c, c * SC_WOOD_POOL_MAX, (size_t)m->nproto * d};
	for (int a = 0; a < 7; a++)
		for (size_t j = 0; j < cnt[a]; j++, in += 4) {
			float f = get_f32(in);
			if (!isfinite(f) || ((a == 1 || a == 5) && !(f > 0)))
				BAD("model body holds an invalid number");
			dst[a][j] = f;
		}
	for (int j = 0; j < m->nproto; j++, in += 2) {
		m->plabel[j] = (uint16_t)(in[0] | in[1] << 8);
		if (m->plabel[j] >= c)
			BAD("model prototype %d names taxon %u of %zu", j, m->plabel[j], c);
	}
	for (size_t j = 0; j < (size_t)m->nspec * d; j++, in += 4) {
		float f = get_f32(in);
		if (!isfinite(f))
			BAD("model body holds an invalid number");
		m->sproto[j] = f;
	}
	for (int j = 0; j < m->nspec; j++, in += 2) {
		m->slabel[j] = (uint16_t)(in[0] | in[1] << 8);
		if (m->slabel[j] >= c)
			BAD("model specimen %d names taxon %u of %zu", j, m->slabel[j], c);
	}
	json_decref(h);
	set_name(m);
	return m;
#undef BAD
fail:
	json_decref(h);
	sc_wood_model_free(m);
	return NULL;
}

struct sc_wood_model *sc_wood_model_load(const char *path, struct sc_error *err)
{
	unsigned char *data;
	size_t len;
	struct sc_wood_model *m;

	if (sc_wood_read_file(path, 512u << 20, &data, &len, err) < 0)
		return NULL;
	m = sc_wood_model_load_buffer(path, data, len, err);
	free(data);
	/* the library lies where it lay beside the model when it was saved */
	if (m && m->libdir && m->libdir[0] != '/') {
		char *mdir = dir_of(path), *j = mdir ? malloc(strlen(mdir) + strlen(m->libdir) + 2) : NULL;
		if (j)
			sprintf(j, "%s/%s", mdir, m->libdir);
		free(mdir);
		free(m->libdir);
		m->libdir = j;
	}
	return m;
}

/* ---- deciding ------------------------------------------------------------ */

void sc_wood_refer_defaults(struct sc_wood_refer_opts *o)
{
	o->min_score = 0.6;
	o->min_margin = 0.2;
	o->cites_score = 0.8;
	o->cites_floor = 0.05;
	o->novelty = 1.0;
}

static void reason(json_t *reasons, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void reason(json_t *reasons, const char *code, const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_array_append_new(reasons, json_pack("{s:s,s:s}", "code", code, "msg", msg));
}

static json_t *cites_of(const struct sc_wood_model *m, const struct sc_cites *cites, int t)
{
	if (m->taxa[t].cites) {
		json_t *o = json_deep_copy(m->taxa[t].cites);
		json_object_set_new(o, "listing", json_string("taxon.yaml"));
		return o;
	}
	return sc_cites_lookup(cites, m->taxa[t].name);
}

/* the photo's quality problems as reasons; the number found */
static int quality_reasons(const struct sc_wood_model *m, const struct sc_wood_feat *f, json_t *reasons)
{
	const struct sc_cv_quality *q = &f->q;
	size_t before = json_array_size(reasons);
	if (f->npatches == 0)
		reason(reasons, "no-disc", "no usable picture of a surface was found (lit area %.0f%% of the frame)",
		       100 * q->disc);
	else {
		if (q->brightness < 20)
			reason(reasons, "dark", "too dark: mean grey %.0f of 255", q->brightness);
		if (q->brightness > 235)
			reason(reasons, "overexposed", "overexposed: mean grey %.0f of 255", q->brightness);
		if (q->contrast < 6)
			reason(reasons, "featureless", "no structure: grey deviation %.1f", q->contrast);
		else if (q->sharpness < m->sharp_min)
			reason(reasons, "blurred", "too blurred: sharpness %.1f, training images had at least %.1f",
			       q->sharpness, m->sharp_min / 0.3);
	}
	return (int)(json_array_size(reasons) - before);
}

/*
 * Scores and the open-set judgement from logits z (an image's, or the mean of
 * a sample's) and the relative distance nov from taxon fav: fills top and adds
 * the reasons. Returns the best taxon, or -1 out of memory.
 */
static int judge(const struct sc_wood_model *m, const struct sc_cites *cites,
                 const struct sc_wood_refer_opts *o, const double *z, int fav, double nov, double limit,
                 const char *what, json_t *top, json_t *reasons)
{
	int c = m->c;
	double *p = malloc(c * sizeof *p);
	int *order = malloc(c * sizeof *order), best;
	if (!p || !order) {
		free(p);
		free(order);
		return -1;
	}
	softmax_t(z, c, m->temperature, p);
	for (int k = 0; k < c; k++)
		order[k] = k;
	for (int a = 1; a < c; a++)  /* insertion sort by score, ties by index */
		for (int b = a; b > 0 && p[order[b]] > p[order[b - 1]]; b--) {
			int t = order[b];
			order[b] = order[b - 1];
			order[b - 1] = t;
		}
	int listed_weak = 0;
	for (int r = 0; r < 3 && r < c; r++) {
		int t = order[r];
		json_t *ci = cites_of(m, cites, t);
		if (ci && p[t] >= o->cites_floor && p[order[0]] < o->cites_score)
			listed_weak = 1;
		json_array_append_new(top, json_pack("{s:s,s:f,s:o}", "taxon", m->taxa[t].name,
		                                     "score", num(p[t]), "cites", ci ? ci : json_null()));
	}
	if (nov > limit)
		reason(reasons, "unknown",
		       "unlike the photos of %s, the nearest taxon: %s%.2f times as far as its own "
		       "specimens lie, beyond %.2f (perhaps a taxon the library does not hold)",
		       m->taxa[fav].name, what, nov, limit);
	if (p[order[0]] < o->min_score)
		reason(reasons, "low-score", "best score %.2f is below %.2f", p[order[0]], o->min_score);
	if (c > 1 && p[order[0]] - p[order[1]] < o->min_margin)
		reason(reasons, "close-call", "%s %.2f and %s %.2f are too close to tell apart",
		       m->taxa[order[0]].name, p[order[0]], m->taxa[order[1]].name, p[order[1]]);
	if (listed_weak)
		reason(reasons, "cites-candidate",
		       "a CITES-listed taxon is among the candidates and the best score %.2f is below %.2f",
		       p[order[0]], o->cites_score);
	best = order[0];
	free(p);
	free(order);
	return best;
}

json_t *sc_wood_decide(const struct sc_wood_model *m, const struct sc_cites *cites,
                       const struct sc_wood_feat *f, const struct sc_wood_refer_opts *o,
                       int drivers[4], int *ndrivers, struct sc_error *err)
{
	int c = m->c, d = m->d;
	json_t *w = json_object(), *top = json_array(), *reasons = json_array();
	const struct sc_cv_quality *q = &f->q;

	if (ndrivers)
		*ndrivers = 0;
	json_object_set_new(w, "v", json_integer(1));
	quality_reasons(m, f, reasons);
	double novelty = 0;
	if (f->npatches > 0) {
		float *X = malloc((size_t)f->npatches * d * sizeof *X);
		double *z = calloc(c, sizeof *z), *mu = calloc(d, sizeof *mu);
		int best = -1;
		if (X && z && mu) {
			standardise_into(m->mean, m->sd, d, f->x, f->npatches, X);
			image_logits(m->w, m->b, c, d, X, f->npatches, z);
			patch_mean(X, f->npatches, d, mu);
			int fav = novelty_class(z, c, -1);
			novelty = novelty_of(m->proto, m->plabel, m->nproto, d, m->nscale, mu, fav) / m->own[fav];
			best = judge(m, cites, o, z, fav, novelty, m->novelty[0] * o->novelty, "", top, reasons);
		}
		if (best < 0) {
			free(X);
			free(z);
			free(mu);
			json_decref(w);
			json_decref(top);
			json_decref(reasons);
			sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
			return NULL;
		}
		if (drivers && ndrivers) {
			/* the patches whose own logits favour the best taxon most */
			int nd = 0;
			double *marg = malloc((size_t)f->npatches * sizeof *marg);
			for (int i = 0; marg && i < f->npatches; i++) {
				double zb = m->b[best], zo = -1e300;
				const float *x = X + (size_t)i * d;
				for (int k = 0; k < c; k++) {
					double t = m->b[k];
					for (int j = 0; j < d; j++)
						t += m->w[(size_t)k * d + j] * x[j];
					if (k == best)
						zb = t;
					else if (t > zo)
						zo = t;
				}
				marg[i] = zb - zo;
			}
			for (int r = 0; marg && r < 4 && r < f->npatches; r++) {
				int bi = -1;
				for (int i = 0; i < f->npatches; i++) {
					int used = 0;
					for (int u = 0; u < nd; u++)
						used |= drivers[u] == i;
					if (!used && (bi < 0 || marg[i] > marg[bi]))
						bi = i;
				}
				drivers[nd++] = bi;
			}
			*ndrivers = nd;
			free(marg);
		}
		free(X);
		free(z);
		free(mu);
	}
	json_object_set_new(w, "top", top);
	json_object_set_new(w, "refer", json_boolean(json_array_size(reasons) > 0));
	json_object_set_new(w, "reasons", reasons);
	json_object_set_new(w, "quality", json_pack("{s:f,s:f,s:f,s:f,s:f}", "disc", num(q->disc),
	                                            "brightness", num(q->brightness), "contrast", num(q->contrast),
	                                            "sharpness", num(q->sharpness), "pores", num(q->pores)));
	if (f->npatches > 0)
		json_object_set_new(w, "novelty", json_pack("{s:f,s:f}", "distance", num(novelty),
		                                            "limit", num(m->novelty[0] * o->novelty)));
	json_object_set_new(w, "model", json_string(m->name));
	return w;
}

const char *sc_wood_model_pooling(const struct sc_wood_model *m, int k)
{
	if (k < 1)
		k = 1;
	if (k > SC_WOOD_POOL_MAX)
		k = SC_WOOD_POOL_MAX;
	return pool_names[m->pool[k - 1]];
}

json_t *sc_wood_decide_sample(const struct sc_wood_model *m, const struct sc_cites *cites,
                              const char *id, const struct sc_wood_feat *const *f, int n,
                              const struct sc_wood_refer_opts *o, struct sc_error *err)
{
	int c = m->c, d = m->d, used = 0;
	json_t *w = json_object(), *top = json_array(), *reasons = json_array(), *left = json_array();
	double *z = calloc(c, sizeof *z), *zb = calloc(c, sizeof *zb), *mb = calloc(d, sizeof *mb),
	       *mu = calloc((size_t)(n > 0 ? n : 1) * d, sizeof *mu);
	int ok = w && top && reasons && left && z && zb && mb && mu;

	for (int i = 0; ok && i < n; i++) {
		json_t *qr = json_array();
		/* a photo with a quality problem says nothing about the wood */
		if (!qr || quality_reasons(m, f[i], qr) > 0) {
			json_array_append_new(left, json_integer(i));
			json_decref(qr);
			continue;
		}
		json_decref(qr);
		float *X = malloc((size_t)f[i]->npatches * d * sizeof *X);
		if (!X) {
			ok = 0;
			break;
		}
		standardise_into(m->mean, m->sd, d, f[i]->x, f[i]->npatches, X);
		image_logits(m->w, m->b, c, d, X, f[i]->npatches, z);
		patch_mean(X, f[i]->npatches, d, mu + (size_t)used * d);
		free(X);
		for (int k = 0; k < c; k++)
			zb[k] += z[k];
		used++;
	}
	double novelty = 0, limit = 0;
	int kk = used < SC_WOOD_POOL_MAX ? used : SC_WOOD_POOL_MAX;
	if (ok)
		json_object_set_new(w, "id", id ? json_string(id) : json_null());
	if (ok && used == 0)
		reason(reasons, "no-usable-photo", "none of the sample's %d photos could be used", n);
	else if (ok) {
		for (int k = 0; k < c; k++)
			zb[k] /= used;
		for (int q = 0; q < used; q++)
			for (int j = 0; j < d; j++)
				mb[j] += mu[(size_t)q * d + j] / used;
		int fav = novelty_class(zb, c, -1);
		if (m->pool[kk - 1] == POOL_MEAN)
			novelty = novelty_of(m->proto, m->plabel, m->nproto, d, m->nscale, mb, fav);
		else if (m->pool[kk - 1] == POOL_SPECIMENS)
			novelty = novelty_of(m->sproto, m->slabel, m->nspec, d, m->nscale, mb, fav);
		else
			for (int q = 0; q < used; q++)
				novelty += novelty_of(m->proto, m->plabel, m->nproto, d, m->nscale,
				                      mu + (size_t)q * d, fav) / used;
		novelty /= m->own[(size_t)(kk - 1) * c + fav];
		limit = m->novelty[kk - 1] * o->novelty;
		char what[64];
		snprintf(what, sizeof what, "%d photos pooled, ", used);
		ok = judge(m, cites, o, zb, fav, novelty, limit, used > 1 ? what : "", top, reasons) >= 0;
	}
	free(z);
	free(zb);
	free(mb);
	free(mu);
	if (!ok) {
		json_decref(w);
		json_decref(top);
		json_decref(reasons);
		json_decref(left);
		sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
		return NULL;
	}
	json_object_set_new(w, "photos", json_integer(n));
	json_object_set_new(w, "used", json_integer(used));
	json_object_set_new(w, "left_out", left);
	json_object_set_new(w, "top", top);
	json_object_set_new(w, "refer", json_boolean(json_array_size(reasons) > 0));
	json_object_set_new(w, "reasons", reasons);
	if (used > 0)
		json_object_set_new(w, "novelty", json_pack("{s:f,s:f,s:i,s:s}", "distance", num(novelty),
		                                            "limit", num(limit), "calibrated_for", kk,
		                                            "pooling", pool_names[m->pool[kk - 1]]));
	return w;
}
