/*
 * cv_scan.cpp - OpenCV behind the sc-scan part of cv.h: decoding transmission
 * images at their own depth (pseudo-colour exports mapped back through the jet
 * map), line openings for the blob residual, box blur, connected regions and
 * the overlay picture. The reading of the scan itself is in lib/scan.c.
 */
#include "cv.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

struct sc_cv_scan {
	cv::Mat grey;  /* CV_32F */
};

namespace {

void fail(char *err, size_t errlen, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", what);
}

/* jet as consoles draw it: blue, cyan, yellow, red; a level's colour in RGB */
void jet(int v, int rgb[3])
{
	double t = v / 255.0;
	double r = std::min(1.0, std::max(0.0, 1.5 - std::fabs(4 * t - 3)));
	double g = std::min(1.0, std::max(0.0, 1.5 - std::fabs(4 * t - 2)));
	double b = std::min(1.0, std::max(0.0, 1.5 - std::fabs(4 * t - 1)));
	rgb[0] = (int)(r * 255 + 0.5);
	rgb[1] = (int)(g * 255 + 0.5);
	rgb[2] = (int)(b * 255 + 0.5);
}

/* grey level of every colour on a 64-level cube, nearest on the jet curve */
struct JetCube {
	unsigned char level[64 * 64 * 64];
	unsigned char dist[64 * 64 * 64];
	JetCube()
	{
		int lut[256][3];
		for (int v = 0; v < 256; v++)
			jet(v, lut[v]);
		for (int r = 0; r < 64; r++)
			for (int g = 0; g < 64; g++)
				for (int b = 0; b < 64; b++) {
					int R = r * 4 + 2, G = g * 4 + 2, B = b * 4 + 2, best = 0;
					long bd = -1;
					for (int v = 0; v < 256; v++) {
						long d = (long)(R - lut[v][0]) * (R - lut[v][0]) +
						         (long)(G - lut[v][1]) * (G - lut[v][1]) +
						         (long)(B - lut[v][2]) * (B - lut[v][2]);
						if (bd < 0 || d < bd) {
							bd = d;
							best = v;
						}
					}
					int i = (r << 12) | (g << 6) | b;
					level[i] = (unsigned char)best;
					dist[i] = (unsigned char)std::min(255.0, std::sqrt((double)bd));
				}
	}
};

const JetCube &cube()
{
	static const JetCube c;  /* thread-safe initialisation (C++11) */
	return c;
}

}  // namespace

extern "C" {

struct sc_cv_scan *sc_cv_scan_decode(const unsigned char *data, size_t len,
                                     struct sc_cv_scan_info *info, char *err, size_t errlen)
{
	try {
		memset(info, 0, sizeof *info);
		cv::Mat buf(1, (int)len, CV_8U, (void *)data);
		cv::Mat m = cv::imdecode(buf, cv::IMREAD_UNCHANGED);
		if (m.empty()) {
			fail(err, errlen, "the image does not decode");
			return NULL;
		}
		if (m.dims != 2 || (m.depth() != CV_8U && m.depth() != CV_16U)) {
			fail(err, errlen, "unsupported sample type (8- or 16-bit integers expected)");
			return NULL;
		}
		info->width = m.cols;
		info->height = m.rows;
		info->channels = m.channels();
		info->bits = m.depth() == CV_16U ? 16 : 8;
		sc_cv_scan *s = new sc_cv_scan;
		if (m.channels() == 1) {
			m.convertTo(s->grey, CV_32F);
			return s;
		}
		cv::Mat rgb;
		if (m.channels() == 4)
			cv::cvtColor(m, rgb, cv::COLOR_BGRA2BGR);
		else if (m.channels() == 3)
			rgb = m;
		else {
			delete s;
			fail(err, errlen, "unsupported number of channels");
			return NULL;
		}
		if (rgb.depth() == CV_16U)
			rgb.convertTo(rgb, CV_8U, 1.0 / 257);
		/* grey stored as colour: channels agree; else a colour map */
		double spread = 0;
		std::vector<cv::Mat> ch;
		cv::split(rgb, ch);
		cv::Mat d1, d2;
		cv::absdiff(ch[0], ch[1], d1);
		cv::absdiff(ch[1], ch[2], d2);
		spread = cv::mean(d1)[0] + cv::mean(d2)[0];
		s->grey.create(rgb.rows, rgb.cols, CV_32F);
		info->bits = 8;
		if (spread < 2.0) {
			ch[1].convertTo(s->grey, CV_32F);
			return s;
		}
		const JetCube &c = cube();
		double dsum = 0;
		for (int y = 0; y < rgb.rows; y++) {
			const cv::Vec3b *p = rgb.ptr<cv::Vec3b>(y);
			float *o = s->grey.ptr<float>(y);
			for (int x = 0; x < rgb.cols; x++) {
				int i = ((p[x][2] >> 2) << 12) | ((p[x][1] >> 2) << 6) | (p[x][0] >> 2);
				o[x] = c.level[i];
				dsum += c.dist[i];
			}
		}
		info->pseudo = 1;
		info->colour_misfit = dsum / ((double)rgb.rows * rgb.cols);
		return s;
	} catch (const std::exception &e) {
		fail(err, errlen, e.what());
	} catch (...) {
		fail(err, errlen, "OpenCV failed");
	}
	return NULL;
}

void sc_cv_scan_delete(struct sc_cv_scan *s)
{
	delete s;
}

float *sc_cv_scan_pixels(struct sc_cv_scan *s)
{
	return s ? s->grey.ptr<float>(0) : NULL;
}

int sc_cv_scan_blob_residual(const float *src, int width, int height, const int roi[4],
                             int len_x, int len_y, int gap, float *dst, char *err, size_t errlen)
{
	try {
		cv::Mat all(height, width, CV_32F, (void *)src);
		cv::Mat in = all(cv::Rect(roi[0], roi[1], roi[2], roi[3]));
		cv::Mat out(roi[3], roi[2], CV_32F, dst), oh, ov;
		if (gap > 1) {
			cv::Mat kg = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(gap, gap)), closed;
			cv::morphologyEx(in, closed, cv::MORPH_CLOSE, kg, cv::Point(-1, -1), 1, cv::BORDER_REPLICATE);
			in = closed;
		}
		cv::Mat kh = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(std::max(1, len_x), 1));
		cv::Mat kv = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(1, std::max(1, len_y)));
		cv::morphologyEx(in, oh, cv::MORPH_OPEN, kh, cv::Point(-1, -1), 1, cv::BORDER_REPLICATE);
		cv::morphologyEx(in, ov, cv::MORPH_OPEN, kv, cv::Point(-1, -1), 1, cv::BORDER_REPLICATE);
		cv::max(oh, ov, oh);
		cv::subtract(in, oh, out);
		return 0;
	} catch (const std::exception &e) {
		fail(err, errlen, e.what());
	} catch (...) {
		fail(err, errlen, "OpenCV failed");
	}
	return -1;
}

int sc_cv_scan_blur(float *img, int width, int height, int kw, int kh, char *err, size_t errlen)
{
	try {
		cv::Mat m(height, width, CV_32F, img);
		cv::blur(m, m, cv::Size(kw, kh), cv::Point(-1, -1), cv::BORDER_REPLICATE);
		return 0;
	} catch (const std::exception &e) {
		fail(err, errlen, e.what());
	} catch (...) {
		fail(err, errlen, "OpenCV failed");
	}
	return -1;
}

int sc_cv_scan_blobs(const unsigned char *mask, int width, int height, int min_area,
                     struct sc_cv_blob *out, int max, char *err, size_t errlen)
{
	try {
		cv::Mat m(height, width, CV_8U, (void *)mask), labels, stats, cent;
		int n = cv::connectedComponentsWithStats(m, labels, stats, cent, 8, CV_32S);
		std::vector<sc_cv_blob> v;
		for (int i = 1; i < n; i++) {
			int a = stats.at<int>(i, cv::CC_STAT_AREA);
			if (a < min_area)
				continue;
			sc_cv_blob b;
			b.bbox[0] = stats.at<int>(i, cv::CC_STAT_LEFT);
			b.bbox[1] = stats.at<int>(i, cv::CC_STAT_TOP);
			b.bbox[2] = stats.at<int>(i, cv::CC_STAT_WIDTH);
			b.bbox[3] = stats.at<int>(i, cv::CC_STAT_HEIGHT);
			b.area = a;
			v.push_back(b);
		}
		std::stable_sort(v.begin(), v.end(), [](const sc_cv_blob &a, const sc_cv_blob &b) {
			if (a.area != b.area)
				return a.area > b.area;
			if (a.bbox[1] != b.bbox[1])
				return a.bbox[1] < b.bbox[1];
			return a.bbox[0] < b.bbox[0];
		});
		int k = std::min((int)v.size(), max);
		for (int i = 0; i < k; i++)
			out[i] = v[i];
		return k;
	} catch (const std::exception &e) {
		fail(err, errlen, e.what());
	} catch (...) {
		fail(err, errlen, "OpenCV failed");
	}
	return -1;
}

int sc_cv_scan_overlay(const float *att, int width, int height, const struct sc_cv_mark *marks,
                       int nmarks, unsigned char **png, size_t *len, char *err, size_t errlen)
{
	try {
		cv::Mat a(height, width, CV_32F, (void *)att), g, bgr;
		/* air white, 6 (nothing left of the beam) black */
		a.convertTo(g, CV_8U, -255.0 / 6.0, 255.0);
		cv::cvtColor(g, bgr, cv::COLOR_GRAY2BGR);
		static const cv::Scalar colours[5] = {
			cv::Scalar(200, 120, 0), cv::Scalar(0, 0, 255), cv::Scalar(255, 0, 255),
			cv::Scalar(0, 160, 255), cv::Scalar(0, 160, 0)};
		int th = std::max(1, std::min(width, height) / 200);
		for (int i = 0; i < nmarks; i++) {
			const sc_cv_mark &m = marks[i];
			cv::Rect r(m.bbox[0], m.bbox[1], m.bbox[2], m.bbox[3]);
			r &= cv::Rect(0, 0, width, height);
			int c = m.colour >= 0 && m.colour < 5 ? m.colour : 1;
			cv::rectangle(bgr, r, colours[c], c == 0 || c == 4 ? th : th + 1);
		}
		std::vector<unsigned char> out;
		if (!cv::imencode(".png", bgr, out)) {
			fail(err, errlen, "PNG encoding failed");
			return -1;
		}
		*png = (unsigned char *)malloc(out.size() ? out.size() : 1);
		if (!*png) {
			fail(err, errlen, "out of memory");
			return -1;
		}
		memcpy(*png, out.data(), out.size());
		*len = out.size();
		return 0;
	} catch (const std::exception &e) {
		fail(err, errlen, e.what());
	} catch (...) {
		fail(err, errlen, "OpenCV failed");
	}
	return -1;
}

}  /* extern "C" */
