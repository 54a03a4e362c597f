/*
 * learn_logreg.c - L2-regularized logistic regression on standardized
 * features, fitted by Newton's method (a Cholesky solve per step): the plain
 * baseline the trees are measured against, and a model kind of its own.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "learn.h"

void sc_logreg_free(struct sc_logreg *m)
{
	if (!m)
		return;
	free(m->mean);
	free(m->sd);
	free(m->w);
	free(m);
}

double sc_logreg_margin(const struct sc_logreg *m, const float *x, double *contrib)
{
	double z = m->b;
	for (int f = 0; f < m->nf; f++) {
		double c = m->w[f] * ((x[f] - m->mean[f]) / m->sd[f]);
		if (contrib)
			contrib[f] = c;
		z += c;
	}
	return z;
}

/* Solve A x = b in place (A symmetric positive definite, k x k); -1 if not. */
static int cholesky_solve(double *A, double *b, int k)
{
	for (int j = 0; j < k; j++) {
		double d = A[j * k + j];
		for (int p = 0; p < j; p++)
			d -= A[j * k + p] * A[j * k + p];
		if (d <= 1e-12)
			return -1;
		d = sqrt(d);
		A[j * k + j] = d;
		for (int i = j + 1; i < k; i++) {
			double s = A[i * k + j];
			for (int p = 0; p < j; p++)
				s -= A[i * k + p] * A[j * k + p];
			A[i * k + j] = s / d;
		}
	}
	for (int i = 0; i < k; i++) {      /* L y = b */
		double s = b[i];
		for (int p = 0; p < i; p++)
			s -= A[i * k + p] * b[p];
		b[i] = s / A[i * k + i];
	}
	for (int i = k - 1; i >= 0; i--) { /* L^T x = y */
		double s = b[i];
		for (int p = i + 1; p < k; p++)
			s -= A[p * k + i] * b[p];
		b[i] = s / A[i * k + i];
	}
	return 0;
}

struct sc_logreg *sc_logreg_train(const float *X, const unsigned char *y, size_t n, int nf,
                                  double l2, int iters, struct sc_error *err)
{
	int k = nf + 1;   /* weights, then the intercept */
	struct sc_logreg *m = calloc(1, sizeof *m);
	double *H = malloc((size_t)k * k * sizeof *H), *gr = malloc((size_t)k * sizeof *gr);
	double *z = malloc((size_t)k * sizeof *z), *beta = calloc((size_t)k, sizeof *beta);

	if (!m || !H || !gr || !z || !beta ||
	    !(m->mean = calloc((size_t)nf, sizeof *m->mean)) ||
	    !(m->sd = calloc((size_t)nf, sizeof *m->sd)) ||
	    !(m->w = calloc((size_t)nf, sizeof *m->w))) {
		sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
		goto fail;
	}
	if (n == 0) {
		sc_error_set(err, NULL, 0, 0, "empty", "no labelled records to learn from");
		goto fail;
	}
	m->nf = nf;
	for (int f = 0; f < nf; f++) {
		double s = 0, ss = 0;
		for (size_t i = 0; i < n; i++)
			s += X[i * (size_t)nf + f];
		s /= (double)n;
		for (size_t i = 0; i < n; i++) {
			double d = X[i * (size_t)nf + f] - s;
			ss += d * d;
		}
		m->mean[f] = s;
		m->sd[f] = sqrt(ss / (double)n) > 1e-9 ? sqrt(ss / (double)n) : 1;
	}
	for (int it = 0; it < iters; it++) {
		memset(H, 0, (size_t)k * k * sizeof *H);
		memset(gr, 0, (size_t)k * sizeof *gr);
		for (size_t i = 0; i < n; i++) {
			const float *x = X + i * (size_t)nf;
			double s = beta[nf];
			for (int f = 0; f < nf; f++) {
				z[f] = (x[f] - m->mean[f]) / m->sd[f];
				s += beta[f] * z[f];
			}
			z[nf] = 1;
			double p = 1 / (1 + exp(-s)), w = p * (1 - p), r = p - y[i];
			if (w < 1e-9)
				w = 1e-9;
			for (int a = 0; a < k; a++) {
				gr[a] += r * z[a];
				double wa = w * z[a];
				for (int b = 0; b <= a; b++)
					H[a * k + b] += wa * z[b];
			}
		}
		for (int a = 0; a < k; a++)
			for (int b = 0; b < a; b++)
				H[b * k + a] = H[a * k + b];
		for (int a = 0; a < nf; a++) {   /* the intercept goes unpenalized */
			H[a * k + a] += l2;
			gr[a] += l2 * beta[a];
		}
		if (cholesky_solve(H, gr, k) < 0) {
			sc_error_set(err, NULL, 0, 0, "singular", "logistic regression: singular system");
			goto fail;
		}
		double step = 0;
		for (int a = 0; a < k; a++) {
			beta[a] -= gr[a];
			step = fmax(step, fabs(gr[a]));
		}
		if (step < 1e-6)
			break;
	}
	memcpy(m->w, beta, (size_t)nf * sizeof *beta);
	m->b = beta[nf];
	free(H); free(gr); free(z); free(beta);
	return m;
fail:
	free(H); free(gr); free(z); free(beta);
	sc_logreg_free(m);
	return NULL;
}
