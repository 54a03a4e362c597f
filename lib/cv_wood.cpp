/*
 * cv_wood.cpp - OpenCV behind the C door of cv.h: an end-grain photograph decoded,
 * its loupe disc found and scaled to a fixed radius (the loupe is the scale bar),
 * quality measured, and each patch described by rotation-invariant texture
 * (LBP, GLCM, Gabor), colour (Lab, HSV) and pore statistics.
 */
#include "cv.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace {

const int R = SC_CV_DISC_RADIUS;
const int N = 2 * SC_CV_DISC_RADIUS;
const int P = SC_CV_PATCH;
const int STEP = SC_CV_PATCH / 2;
const double PATCH_REACH = 138.0;  /* patch centres within this of the disc's centre */

const char *const feature_names[SC_CV_NFEAT] = {
	"lbp1_0", "lbp1_1", "lbp1_2", "lbp1_3", "lbp1_4", "lbp1_5", "lbp1_6", "lbp1_7", "lbp1_8", "lbp1_x",
	"lbp2_0", "lbp2_1", "lbp2_2", "lbp2_3", "lbp2_4", "lbp2_5", "lbp2_6", "lbp2_7", "lbp2_8", "lbp2_x",
	"lbp4_0", "lbp4_1", "lbp4_2", "lbp4_3", "lbp4_4", "lbp4_5", "lbp4_6", "lbp4_7", "lbp4_8", "lbp4_x",
	"glcm1_contrast", "glcm1_homogeneity", "glcm1_energy", "glcm1_correlation", "glcm1_entropy",
	"glcm4_contrast", "glcm4_homogeneity", "glcm4_energy", "glcm4_correlation", "glcm4_entropy",
	"lab_l", "lab_l_sd", "lab_a", "lab_a_sd", "lab_b", "lab_b_sd", "hsv_s",
	"gabor8_energy", "gabor8_aniso", "gabor16_energy", "gabor16_aniso",
	"pore_count", "pore_size", "pore_size_cv", "pore_area", "pore_big_ratio", "pore_clustering",
	"img_pore_density", "img_pore_size", "img_pore_size_cv", "img_pore_bimodal", "img_pore_area",
	"img_period_6", "img_period_12", "img_period_24", "img_period_48", "img_period_96",
	"vessel_density", "vessel_radius",
	"img_vessel_density", "img_vessel_radius", "img_vessel_radius_iqr", "img_vessel_grouped",
	"img_vessel_spacing",
};

void set_err(char *err, size_t len, const char *msg)
{
	if (err && len)
		snprintf(err, len, "%s", msg);
}

/* OpenCV's own message, without its source file and line; out of memory said plainly */
void cv_error(char *err, size_t len, const cv::Exception &e)
{
	if (e.code == cv::Error::StsNoMem)
		set_err(err, len, SC_CV_NOMEM);
	else if (!e.err.empty())
		set_err(err, len, ("image analysis failed: " + e.err).c_str());
	else
		set_err(err, len, "image analysis failed");
}

struct pore {
	float x, y, area;
};

/* rotation-invariant uniform LBP code (0..8 ones, 9 non-uniform) for each byte */
struct riu2_table {
	unsigned char t[256];
	riu2_table()
	{
		for (int c = 0; c < 256; c++) {
			int trans = 0, ones = 0;
			for (int b = 0; b < 8; b++) {
				int x = (c >> b) & 1, y = (c >> ((b + 1) & 7)) & 1;
				trans += x != y;
				ones += x;
			}
			t[c] = (unsigned char)(trans <= 2 ? ones : 9);
		}
	}
};
const riu2_table riu2;

cv::Mat lbp_map(const cv::Mat &g, int r)
{
	int d = (int)std::lround(r * 0.70710678);
	const int dx[8] = {r, d, 0, -d, -r, -d, 0, d};
	const int dy[8] = {0, d, r, d, 0, -d, -r, -d};
	cv::Mat out(g.size(), CV_8U, cv::Scalar(255));
	for (int y = r; y < g.rows - r; y++) {
		const unsigned char *row = g.ptr<unsigned char>(y);
		unsigned char *o = out.ptr<unsigned char>(y);
		for (int x = r; x < g.cols - r; x++) {
			int c = row[x], code = 0;
			for (int k = 0; k < 8; k++)
				code |= (g.at<unsigned char>(y + dy[k], x + dx[k]) >= c) << k;
			o[x] = riu2.t[code];
		}
	}
	return out;
}

void glcm_features(const cv::Mat &q, const cv::Rect &rc, int d, float *f)
{
	double m[16][16] = {{0}};
	const int dx[4] = {d, d, 0, -d}, dy[4] = {0, d, d, d};
	double total = 0;
	for (int k = 0; k < 4; k++)
		for (int y = rc.y; y < rc.y + rc.height; y++) {
			int y2 = y + dy[k];
			if (y2 < rc.y || y2 >= rc.y + rc.height)
				continue;
			const unsigned char *a = q.ptr<unsigned char>(y), *b = q.ptr<unsigned char>(y2);
			for (int x = rc.x; x < rc.x + rc.width; x++) {
				int x2 = x + dx[k];
				if (x2 < rc.x || x2 >= rc.x + rc.width)
					continue;
				m[a[x]][b[x2]] += 1;
				m[b[x2]][a[x]] += 1;
				total += 2;
			}
		}
	double con = 0, hom = 0, ene = 0, ent = 0, mu = 0, var = 0, cor = 0;
	if (total <= 0)
		total = 1;
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 16; j++) {
			double p = m[i][j] / total;
			mu += i * p;
		}
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 16; j++) {
			double p = m[i][j] / total;
			con += (i - j) * (i - j) * p;
			hom += p / (1.0 + std::abs(i - j));
			ene += p * p;
			if (p > 0)
				ent -= p * std::log(p);
			var += (i - mu) * (i - mu) * p;
			cor += (i - mu) * (j - mu) * p;
		}
	f[0] = (float)std::log1p(con);
	f[1] = (float)hom;
	f[2] = (float)std::sqrt(ene);
	f[3] = (float)(var > 1e-9 ? cor / var : 1.0);
	f[4] = (float)ent;
}

double box_mean(const cv::Mat &integ, const cv::Rect &r)
{
	double s = integ.at<double>(r.y + r.height, r.x + r.width) - integ.at<double>(r.y, r.x + r.width) -
	           integ.at<double>(r.y + r.height, r.x) + integ.at<double>(r.y, r.x);
	return s / (double)(r.width * r.height);
}

/* statistics of a set of pores over an area of `area` pixels: 6 numbers */
void pore_stats(const std::vector<pore> &ps, double area, float *f, bool image_level)
{
	size_t n = ps.size();
	std::vector<double> s(n);
	double sum = 0, sum2 = 0, atot = 0;
	for (size_t i = 0; i < n; i++) {
		s[i] = std::sqrt((double)ps[i].area);
		sum += s[i];
		sum2 += s[i] * s[i];
		atot += ps[i].area;
	}
	double mean = n ? sum / n : 0;
	double sd = n > 1 ? std::sqrt(std::max(0.0, sum2 / n - mean * mean)) : 0;
	double big = 1, bimodal = 0, clus = 1;
	if (n >= 3) {
		std::vector<double> t = s;
		std::sort(t.begin(), t.end());
		double med = t[n / 2], p90 = t[(n * 9) / 10];
		big = med > 0 ? p90 / med : 1;
		double bigarea = 0;
		for (size_t i = 0; i < n; i++)
			if (ps[i].area > 2.0 * med * med)
				bigarea += ps[i].area;
		bimodal = atot > 0 ? bigarea / atot : 0;
		double nn = 0;
		for (size_t i = 0; i < n; i++) {
			double best = 1e30;
			for (size_t j = 0; j < n; j++) {
				if (i == j)
					continue;
				double dx = ps[i].x - ps[j].x, dy = ps[i].y - ps[j].y;
				best = std::min(best, dx * dx + dy * dy);
			}
			nn += std::sqrt(best);
		}
		nn /= n;
		double expect = 0.5 * std::sqrt(area / n);
		clus = expect > 0 ? nn / expect : 1;
	}
	double per_patch = n * (double)(P * P) / std::max(area, 1.0);
	if (!image_level) {
		f[0] = (float)std::log1p(per_patch);
		f[1] = (float)mean;
		f[2] = (float)(mean > 0 ? sd / mean : 0);
		f[3] = (float)(atot / std::max(area, 1.0));
		f[4] = (float)big;
		f[5] = (float)std::min(clus, 3.0);
	} else {
		f[0] = (float)std::log1p(per_patch);
		f[1] = (float)mean;
		f[2] = (float)(mean > 0 ? sd / mean : 0);
		f[3] = (float)bimodal;
		f[4] = (float)(atot / std::max(area, 1.0));
	}
}

/*
 * How the grey level's variance is spread over periods of 6-12, 12-24, 24-48,
 * 48-96 and 96-192 pixels across the whole disc (a 448-pixel disc covers some
 * 4 mm): parenchyma bands, growth rings and ray spacing repeat at scales a
 * 96-pixel patch cannot see. Radial sums of the power spectrum, so rotation
 * does not matter; log fractions of the total, so exposure does not either.
 */
void periods(const cv::Mat &g32, const cv::Mat &mask, float out[5])
{
	cv::Mat m;
	g32.copyTo(m);
	m.setTo(0, mask == 0);
	/* a soft edge: the disc's rim would otherwise ring at every frequency */
	cv::Mat win(m.size(), CV_32F);
	for (int y = 0; y < m.rows; y++)
		for (int x = 0; x < m.cols; x++) {
			double r = std::hypot(x - m.cols / 2.0, y - m.rows / 2.0) / (0.97 * m.cols / 2.0);
			win.at<float>(y, x) = r < 1 ? (float)(0.5 + 0.5 * std::cos(CV_PI * r)) : 0.0f;
		}
	m = m.mul(win);
	cv::Mat spec;
	cv::dft(m, spec, cv::DFT_COMPLEX_OUTPUT);
	double band[5] = {0}, total = 1e-9;
	int n = m.cols;
	for (int y = 0; y < spec.rows; y++)
		for (int x = 0; x < spec.cols; x++) {
			int fy = y <= spec.rows / 2 ? y : y - spec.rows, fx = x <= spec.cols / 2 ? x : x - spec.cols;
			double f = std::hypot(fx, fy);
			if (f < 1)
				continue;
			cv::Vec2f c = spec.at<cv::Vec2f>(y, x);
			double p = (double)c[0] * c[0] + (double)c[1] * c[1], period = n / f;
			total += p;
			for (int b = 0; b < 5; b++)
				if (period >= 6 << b && period < 12 << b)
					band[b] += p;
		}
	for (int b = 0; b < 5; b++)
		out[b] = (float)std::log(band[b] / total + 1e-6);
}

/* a vessel: a peak of the distance transform of the pore mask */
struct vessel {
	float x, y, r;
	int blob;
};

/*
 * Vessels as the peaks of the pore mask's distance transform: a peak is a
 * pore's centre and its value the pore's radius, so pores that touch (the
 * radial multiples of a rosewood, the crowded pores of a dense wood) are
 * counted one by one at their own size, where a connected blob would count
 * them as one big pore. Close relatives differ in just these: pore size and
 * density (chosen over blob statistics because those did not tell
 * D. nigra from its denser twin at all).
 */
std::vector<vessel> find_vessels(const cv::Mat &bin, const cv::Mat &labels)
{
	std::vector<vessel> vs;
	cv::Mat dt, dil, peak;
	cv::distanceTransform(bin, dt, cv::DIST_L2, cv::DIST_MASK_5);
	cv::dilate(dt, dil, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(7, 7)));
	cv::compare(dt, dil, peak, cv::CMP_GE);
	cv::Mat big = dt >= 2.5f;
	cv::bitwise_and(peak, big, peak);
	cv::Mat pl, ps, pc;
	int n = cv::connectedComponentsWithStats(peak, pl, ps, pc, 8, CV_32S);
	for (int i = 1; i < n; i++) {
		int x = ps.at<int>(i, cv::CC_STAT_LEFT), y = ps.at<int>(i, cv::CC_STAT_TOP);
		/* any pixel of the plateau: all hold the same value */
		int w = ps.at<int>(i, cv::CC_STAT_WIDTH), h = ps.at<int>(i, cv::CC_STAT_HEIGHT);
		int fx = x, fy = y;
		for (int yy = y; yy < y + h; yy++)
			for (int xx = x; xx < x + w; xx++)
				if (pl.at<int>(yy, xx) == i) {
					fx = xx;
					fy = yy;
					yy = y + h;
					break;
				}
		vs.push_back({(float)pc.at<double>(i, 0), (float)pc.at<double>(i, 1), dt.at<float>(fy, fx),
		              labels.at<int>(fy, fx)});
	}
	return vs;
}

/* image-level vessel statistics over `area` pixels: 5 numbers */
void vessel_stats(const std::vector<vessel> &vs, double area, float *f)
{
	size_t n = vs.size();
	double dens = n * (double)(P * P) / std::max(area, 1.0);
	double med = 0, iqr = 0, grouped = 0, spacing = 1;
	if (n >= 3) {
		std::vector<float> r(n);
		for (size_t i = 0; i < n; i++)
			r[i] = vs[i].r;
		std::sort(r.begin(), r.end());
		med = r[n / 2];
		iqr = med > 0 ? (r[(3 * n) / 4] - r[n / 4]) / med : 0;
		std::vector<int> blobs(n);
		for (size_t i = 0; i < n; i++)
			blobs[i] = vs[i].blob;
		std::sort(blobs.begin(), blobs.end());
		for (size_t i = 0; i < n; i++)
			grouped += (i > 0 && blobs[i - 1] == blobs[i]) || (i + 1 < n && blobs[i + 1] == blobs[i]);
		grouped /= n;
		double nn = 0;
		for (size_t i = 0; i < n; i++) {
			double best = 1e30;
			for (size_t j = 0; j < n; j++)
				if (j != i) {
					double dx = vs[i].x - vs[j].x, dy = vs[i].y - vs[j].y;
					best = std::min(best, dx * dx + dy * dy);
				}
			nn += std::sqrt(best);
		}
		spacing = (nn / n) / (0.5 * std::sqrt(area / n));
	}
	f[0] = (float)std::log1p(dens);
	f[1] = (float)med;
	f[2] = (float)iqr;
	f[3] = (float)grouped;
	f[4] = (float)std::min(spacing, 3.0);
}

} // namespace

struct sc_cv_wood {
	int width = 0, height = 0;
	sc_cv_quality q = {};
	cv::Mat work;                     /* BGR, N x N, the disc scaled to radius R */
	std::vector<cv::Rect> rects;      /* patches in work */
	std::vector<int> boxes;           /* patches in the decoded picture: x, y, side */
	std::vector<float> feat;
};

namespace {

/* The usable disc: the largest bright region (holes filled), its inscribed circle. */
bool find_disc(const cv::Mat &img, double *cx, double *cy, double *rad)
{
	double s = 256.0 / std::max(img.cols, img.rows);
	s = std::min(s, 1.0);
	cv::Mat small, gray;
	cv::resize(img, small, cv::Size(), s, s, cv::INTER_AREA);
	cv::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
	cv::GaussianBlur(gray, gray, cv::Size(0, 0), 1.5);
	std::vector<int> hist(256, 0);
	for (int y = 0; y < gray.rows; y++)
		for (int x = 0; x < gray.cols; x++)
			hist[gray.at<unsigned char>(y, x)]++;
	long total = (long)gray.rows * gray.cols, acc = 0;
	int p90 = 255;
	for (int v = 0; v < 256; v++) {
		acc += hist[v];
		if (acc >= total * 9 / 10) {
			p90 = v;
			break;
		}
	}
	double thr = std::max(12.0, 0.3 * p90);
	cv::Mat mask;
	cv::threshold(gray, mask, thr, 255, cv::THRESH_BINARY);
	std::vector<std::vector<cv::Point>> contours;
	cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
	if (contours.empty())
		return false;
	size_t best = 0;
	double besta = -1;
	for (size_t i = 0; i < contours.size(); i++) {
		double a = cv::contourArea(contours[i]);
		if (a > besta) {
			besta = a;
			best = i;
		}
	}
	cv::Mat filled(gray.rows + 2, gray.cols + 2, CV_8U, cv::Scalar(0));
	cv::drawContours(filled, contours, (int)best, cv::Scalar(255), cv::FILLED, cv::LINE_8,
	                 cv::noArray(), 0, cv::Point(1, 1));
	cv::Mat dist;
	cv::distanceTransform(filled, dist, cv::DIST_L2, cv::DIST_MASK_PRECISE);
	double mx;
	cv::Point at;
	cv::minMaxLoc(dist, nullptr, &mx, nullptr, &at);
	*cx = (at.x - 1 + 0.5) / s;
	*cy = (at.y - 1 + 0.5) / s;
	*rad = mx / s;
	return mx > 2;
}

void analyse(sc_cv_wood *w, const cv::Mat &img)
{
	w->width = img.cols;
	w->height = img.rows;
	double cx, cy, rad;
	double half = std::min(img.cols, img.rows) / 2.0;
	if (!find_disc(img, &cx, &cy, &rad))
		return;
	rad *= 0.95;  /* the loupe's edge fades: keep off it */
	w->q.disc = rad / half;
	if (rad < 40 || w->q.disc < 0.2)
		return;
	/* the disc's square, padded with black where it leaves the picture */
	int x0 = (int)std::floor(cx - rad), y0 = (int)std::floor(cy - rad), side = (int)std::ceil(2 * rad);
	cv::Mat sq(side, side, CV_8UC3, cv::Scalar(0, 0, 0));
	cv::Rect src(x0, y0, side, side), in = src & cv::Rect(0, 0, img.cols, img.rows);
	if (in.area() <= 0)
		return;
	img(in).copyTo(sq(cv::Rect(in.x - x0, in.y - y0, in.width, in.height)));
	cv::resize(sq, w->work, cv::Size(N, N), 0, 0, side > N ? cv::INTER_AREA : cv::INTER_LINEAR);
	double k = (double)N / side;

	cv::Mat mask(N, N, CV_8U, cv::Scalar(0)), centre(N, N, CV_8U, cv::Scalar(0));
	cv::circle(mask, cv::Point(R, R), (int)(R * 0.97), cv::Scalar(255), cv::FILLED);
	cv::circle(centre, cv::Point(R, R), R / 2, cv::Scalar(255), cv::FILLED);
	cv::Mat gray, lab, hsv;
	cv::cvtColor(w->work, gray, cv::COLOR_BGR2GRAY);
	cv::cvtColor(w->work, lab, cv::COLOR_BGR2Lab);
	cv::cvtColor(w->work, hsv, cv::COLOR_BGR2HSV);
	cv::Scalar gm, gs;
	cv::meanStdDev(gray, gm, gs, mask);
	w->q.brightness = gm[0];
	w->q.contrast = gs[0];
	cv::Mat lap;
	cv::Laplacian(gray, lap, CV_32F, 3);
	cv::Scalar lm, ls;
	cv::meanStdDev(lap, lm, ls, centre);
	w->q.sharpness = ls[0] * ls[0];

	/* grey normalised for exposure inside the disc */
	cv::Mat g32, norm8, q16;
	gray.convertTo(g32, CV_32F);
	double sd = std::max(gs[0], 1.0);
	g32 = (g32 - gm[0]) / sd;
	g32.convertTo(norm8, CV_8U, 40.0, 128.0);
	cv::Mat smooth;
	cv::GaussianBlur(norm8, smooth, cv::Size(0, 0), 1.0);
	g32.convertTo(q16, CV_8U, 3.0, 8.0);
	cv::min(q16, 15, q16);
	cv::Mat lbps[3] = {lbp_map(smooth, 1), lbp_map(smooth, 2), lbp_map(smooth, 4)};

	/* Gabor energies at half resolution, 4 orientations, wavelengths 8 and 16 px */
	cv::Mat halfg;
	cv::resize(g32, halfg, cv::Size(R, R), 0, 0, cv::INTER_AREA);
	cv::Mat gab[2][4];
	for (int s = 0; s < 2; s++) {
		double lambda = s == 0 ? 4.0 : 8.0, sigma = 0.56 * lambda;
		int ks = ((int)(sigma * 5)) | 1;
		for (int o = 0; o < 4; o++) {
			cv::Mat kern = cv::getGaborKernel(cv::Size(ks, ks), sigma, o * CV_PI / 4, lambda, 0.5, 0, CV_32F);
			cv::Mat resp;
			cv::filter2D(halfg, resp, CV_32F, kern);
			resp = cv::abs(resp);
			cv::integral(resp, gab[s][o], CV_64F);
		}
	}

	/* pores: dark compact blobs after local contrast equalisation */
	cv::Mat cl, bin;
	cv::Ptr<cv::CLAHE> clahe = cv::createCLAHE(2.0, cv::Size(8, 8));
	clahe->apply(gray, cl);
	cv::adaptiveThreshold(cl, bin, 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY_INV, 41, 18);
	cv::bitwise_and(bin, mask, bin);
	cv::morphologyEx(bin, bin, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(3, 3)));
	cv::Mat labels, stats, cents;
	int nc = cv::connectedComponentsWithStats(bin, labels, stats, cents, 8, CV_32S);
	std::vector<pore> pores;
	for (int i = 1; i < nc; i++) {
		int a = stats.at<int>(i, cv::CC_STAT_AREA);
		int bw = stats.at<int>(i, cv::CC_STAT_WIDTH), bh = stats.at<int>(i, cv::CC_STAT_HEIGHT);
		if (a < 8 || a > 6000)
			continue;
		if ((double)a / (bw * bh) < 0.35 || std::max(bw, bh) > 4 * std::min(bw, bh))
			continue;
		pores.push_back({(float)cents.at<double>(i, 0), (float)cents.at<double>(i, 1), (float)a});
	}
	float imgpore[5], period[5], imgvessel[5];
	pore_stats(pores, cv::countNonZero(mask), imgpore, true);
	std::vector<vessel> vessels = find_vessels(bin, labels);
	vessel_stats(vessels, cv::countNonZero(mask), imgvessel);
	periods(g32, mask, period);

	for (int gy = -3; gy <= 3; gy++)
		for (int gx = -3; gx <= 3; gx++) {
			if (std::hypot(gx * STEP, gy * STEP) > PATCH_REACH)
				continue;
			cv::Rect rc(R + gx * STEP - P / 2, R + gy * STEP - P / 2, P, P);
			w->rects.push_back(rc);
			w->boxes.push_back(x0 + (int)std::lround(rc.x / k));
			w->boxes.push_back(y0 + (int)std::lround(rc.y / k));
			w->boxes.push_back((int)std::lround(P / k));
		}
	double porecount = 0;
	w->feat.assign(w->rects.size() * SC_CV_NFEAT, 0.0f);
	for (size_t pi = 0; pi < w->rects.size(); pi++) {
		const cv::Rect &rc = w->rects[pi];
		float *f = &w->feat[pi * SC_CV_NFEAT];
		for (int li = 0; li < 3; li++) {
			double h[10] = {0}, n = 0;
			for (int y = rc.y; y < rc.y + rc.height; y++) {
				const unsigned char *row = lbps[li].ptr<unsigned char>(y);
				for (int x = rc.x; x < rc.x + rc.width; x++)
					if (row[x] < 10) {
						h[row[x]]++;
						n++;
					}
			}
			for (int b = 0; b < 10; b++)
				f[li * 10 + b] = (float)(n > 0 ? h[b] / n : 0);
		}
		glcm_features(q16, rc, 1, f + 30);
		glcm_features(q16, rc, 4, f + 35);
		cv::Scalar m, s;
		cv::meanStdDev(lab(rc), m, s);
		for (int c = 0; c < 3; c++) {
			f[40 + 2 * c] = (float)m[c];
			f[41 + 2 * c] = (float)s[c];
		}
		f[46] = (float)cv::mean(hsv(rc))[1];
		cv::Rect hr(rc.x / 2, rc.y / 2, rc.width / 2, rc.height / 2);
		for (int s2 = 0; s2 < 2; s2++) {
			double e[4], sum = 0, mx = 0, mn = 1e30;
			for (int o = 0; o < 4; o++) {
				e[o] = box_mean(gab[s2][o], hr);
				sum += e[o];
				mx = std::max(mx, e[o]);
				mn = std::min(mn, e[o]);
			}
			f[47 + 2 * s2] = (float)(sum / 4);
			f[48 + 2 * s2] = (float)(sum > 0 ? (mx - mn) / (sum / 4) : 0);
		}
		std::vector<pore> in_patch;
		for (const pore &p : pores)
			if (p.x >= rc.x && p.x < rc.x + rc.width && p.y >= rc.y && p.y < rc.y + rc.height)
				in_patch.push_back(p);
		porecount += in_patch.size();
		pore_stats(in_patch, (double)P * P, f + 51, false);
		for (int i = 0; i < 5; i++)
			f[57 + i] = imgpore[i];
		for (int i = 0; i < 5; i++)
			f[62 + i] = period[i];
		double vn = 0, vr = 0;
		for (const vessel &v : vessels)
			if (v.x >= rc.x && v.x < rc.x + rc.width && v.y >= rc.y && v.y < rc.y + rc.height) {
				vn++;
				vr += v.r;
			}
		f[67] = (float)std::log1p(vn);
		f[68] = (float)(vn > 0 ? vr / vn : 0);
		for (int i = 0; i < 5; i++)
			f[69 + i] = imgvessel[i];
	}
	w->q.pores = w->rects.empty() ? 0 : porecount / w->rects.size();
}

} // namespace

extern "C" {

void sc_cv_init(void)
{
	try {
		cv::setNumThreads(1);
		cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
	} catch (...) {
	}
}

const char *sc_cv_feature_name(int i)
{
	return i >= 0 && i < SC_CV_NFEAT ? feature_names[i] : nullptr;
}

struct sc_cv_wood *sc_cv_wood_new(const unsigned char *data, size_t len, int reduce,
                                  char *err, size_t errlen)
{
	sc_cv_wood *w = nullptr;
	try {
		if (!data || len == 0 || len > (size_t)INT32_MAX) {
			set_err(err, errlen, "empty or oversized image data");
			return nullptr;
		}
		int flags = cv::IMREAD_COLOR;
		if (reduce == 2)
			flags = cv::IMREAD_REDUCED_COLOR_2;
		else if (reduce == 4)
			flags = cv::IMREAD_REDUCED_COLOR_4;
		else if (reduce == 8)
			flags = cv::IMREAD_REDUCED_COLOR_8;
		cv::Mat buf(1, (int)len, CV_8U, const_cast<unsigned char *>(data));
		cv::Mat img = cv::imdecode(buf, flags);
		if (img.empty()) {
			set_err(err, errlen, "image does not decode (corrupt or unsupported)");
			return nullptr;
		}
		w = new sc_cv_wood();
		analyse(w, img);
		return w;
	} catch (const cv::Exception &e) {
		cv_error(err, errlen, e);
	} catch (const std::bad_alloc &) {
		set_err(err, errlen, SC_CV_NOMEM);
	} catch (...) {
		set_err(err, errlen, "unexpected error in image analysis");
	}
	delete w;
	return nullptr;
}

void sc_cv_wood_delete(struct sc_cv_wood *w)
{
	try {
		delete w;
	} catch (...) {
	}
}

void sc_cv_wood_size(const struct sc_cv_wood *w, int *width, int *height)
{
	*width = w->width;
	*height = w->height;
}

void sc_cv_wood_quality(const struct sc_cv_wood *w, struct sc_cv_quality *q)
{
	*q = w->q;
}

int sc_cv_wood_npatches(const struct sc_cv_wood *w)
{
	return (int)w->rects.size();
}

const float *sc_cv_wood_features(const struct sc_cv_wood *w, int i)
{
	if (i < 0 || (size_t)i >= w->rects.size())
		return nullptr;
	return &w->feat[(size_t)i * SC_CV_NFEAT];
}

int sc_cv_wood_patch_box(const struct sc_cv_wood *w, int i, int box[3])
{
	if (i < 0 || (size_t)i >= w->rects.size())
		return -1;
	for (int k = 0; k < 3; k++)
		box[k] = w->boxes[(size_t)i * 3 + k];
	return 0;
}

int sc_cv_wood_patch_png(const struct sc_cv_wood *w, int i, unsigned char **png,
                         size_t *len, char *err, size_t errlen)
{
	*png = nullptr;
	*len = 0;
	try {
		if (i < 0 || (size_t)i >= w->rects.size()) {
			set_err(err, errlen, "no such patch");
			return -1;
		}
		std::vector<unsigned char> out;
		std::vector<int> params = {cv::IMWRITE_PNG_COMPRESSION, 6};
		if (!cv::imencode(".png", w->work(w->rects[(size_t)i]), out, params) || out.empty()) {
			set_err(err, errlen, "PNG encoding failed");
			return -1;
		}
		unsigned char *p = (unsigned char *)malloc(out.size());
		if (!p) {
			set_err(err, errlen, "out of memory");
			return -1;
		}
		memcpy(p, out.data(), out.size());
		*png = p;
		*len = out.size();
		return 0;
	} catch (const cv::Exception &e) {
		cv_error(err, errlen, e);
	} catch (const std::bad_alloc &) {
		set_err(err, errlen, SC_CV_NOMEM);
	} catch (...) {
		set_err(err, errlen, "unexpected error encoding a patch");
	}
	return -1;
}

void sc_cv_free(void *p)
{
	free(p);
}

} // extern "C"
