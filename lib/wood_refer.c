/*
 * wood_refer.c - the package a remote expert receives for a referred image:
 * one .tar.gz (written by libarchive, never a shell) with the image, the record,
 * the patches that drove the decision and reference images of the candidates.
 * Entries carry fixed times and owners, so the same input gives the same bytes.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errcode.h"
#include "hash.h"
#include "sha256.h"
#include "wood.h"

static int add_entry(struct archive *a, const char *name, const void *data, size_t len,
                     struct sc_error *err, const char *pkg)
{
	struct archive_entry *e = archive_entry_new();
	int rc = 0;

	if (!e)
		return sc_error_set(err, pkg, 0, 0, SC_E_NOMEM, "out of memory");
	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, 0, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    (len > 0 && archive_write_data(a, data, len) != (la_ssize_t)len))
		rc = sc_error_set(err, pkg, 0, 0, "write", "%s", archive_error_string(a));
	archive_entry_free(e);
	return rc;
}

/* a file name made of the taxon: letters, digits and '-' only */
static void safe_name(const char *in, char *out, size_t n)
{
	size_t k = 0;
	for (; *in && k + 1 < n; in++)
		out[k++] = ((*in >= 'a' && *in <= 'z') || (*in >= 'A' && *in <= 'Z') ||
		            (*in >= '0' && *in <= '9') || *in == '.') ? *in : '-';
	out[k] = '\0';
}

static const char *ext_of(const char *path)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	return dot && (!slash || dot > slash) && strlen(dot) <= 6 ? dot : "";
}

/* a stable package name: the image's base name and a hash of its path */
static void package_name(const char *image, char *out, size_t n)
{
	const char *base = strrchr(image, '/');
	char stem[96];
	uint32_t h = sc_fnv32_str(SC_FNV32_OFFSET, image);
	safe_name(base ? base + 1 : image, stem, sizeof stem);
	char *dot = strrchr(stem, '.');
	if (dot && dot != stem)
		*dot = '\0';
	snprintf(out, n, "%s-%08x", stem, h);
}

/* Reference image `ref` (relative to the model's library) if it is a regular
 * file inside the library that reads as a JPEG or PNG. */
static int read_ref(const struct sc_wood_model *m, const char *ref, unsigned char **data, size_t *len)
{
	const char *lib = sc_wood_model_library(m), *fmt;
	char path[4200], *real = NULL, *rlib = NULL;
	struct sc_error e;
	int w, h, ok = 0;

	*data = NULL;
	if (!lib || (size_t)snprintf(path, sizeof path, "%s/%s", lib, ref) >= sizeof path)
		return -1;
	/* after symlinks: still under the library's own folder */
	real = realpath(path, NULL);
	rlib = realpath(lib, NULL);
	if (real && rlib && strncmp(real, rlib, strlen(rlib)) == 0 && real[strlen(rlib)] == '/' &&
	    sc_wood_read_file(real, SC_WOOD_MAX_FILE, data, len, &e) == 0)
		ok = sc_wood_probe(ref, *data, *len, &fmt, &w, &h, &e) == 0;
	free(real);
	free(rlib);
	if (!ok) {
		free(*data);
		*data = NULL;
		return -1;
	}
	return 0;
}

int sc_wood_refer_package(const char *dir, const char *image_path, const json_t *record,
                          const struct sc_cv_wood *cw, const int *drivers, int ndrivers,
                          const struct sc_wood_model *m, char **out_path, struct sc_error *err)
{
	char name[160], path[4200], entry[300];
	unsigned char *img = NULL;
	size_t ilen = 0;
	struct archive *a;
	int rc = 0;

	*out_path = NULL;
	package_name(image_path, name, sizeof name);
	snprintf(path, sizeof path, "%s/%s.tar.gz", dir, name);
	if (sc_wood_read_file(image_path, SC_WOOD_MAX_FILE, &img, &ilen, err) < 0)
		return -1;
	char sha256[65];
	sc_sha256_hex(img, ilen, sha256);
	a = archive_write_new();
	if (!a) {
		free(img);
		return sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
	}
	if (archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
	    archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_filename(a, path) != ARCHIVE_OK) {
		rc = sc_error_set(err, path, 0, 0, "write", "cannot write package: %s", archive_error_string(a));
		archive_write_free(a);
		free(img);
		return rc;
	}
	char *text = json_dumps(record, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	static const char readme[] =
		"Package for the expert: a wood sample that sc-wood could not identify with confidence.\n"
		"  record.json      the identification record; wood.reasons says why it was referred\n"
		"  image.*          the photograph as the officer took it\n"
		"  patches/*.png    the parts of the picture that weighed most for the best candidate,\n"
		"                   scaled so that the loupe's disc has a radius of 224 pixels\n"
		"  candidates/*/    reference images of the candidate taxa from the model's library\n"
		"  taxa.txt         the taxa the library holds, one a line\n"
		"  answer.yaml      the answer to fill in (a copy is beside the package): the taxon,\n"
		"                   or a verdict, not-end-grain or unidentifiable, and a note\n";
	rc = add_entry(a, "README.txt", readme, sizeof readme - 1, err, path);
	if (rc == 0)
		rc = add_entry(a, "record.json", text ? text : "{}", text ? strlen(text) : 2, err, path);
	free(text);
	snprintf(entry, sizeof entry, "image%s", ext_of(image_path));
	if (rc == 0)
		rc = add_entry(a, entry, img, ilen, err, path);
	free(img);
	/* the names the expert may answer with, and the answer to fill in */
	json_t *top = json_object_get(json_object_get(record, "wood"), "top");
	char *taxa = NULL, *answer = NULL;
	size_t tlen = 0;
	FILE *tf = open_memstream(&taxa, &tlen);
	for (int t = 0; tf && t < sc_wood_model_ntaxa(m); t++)
		fprintf(tf, "%s\n", sc_wood_model_taxon(m, t));
	if (!tf || fclose(tf) != 0 || !(answer = sc_wood_answer_template(name, sha256, top))) {
		if (rc == 0)
			rc = sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
	}
	if (rc == 0)
		rc = add_entry(a, "taxa.txt", taxa, tlen, err, path);
	if (rc == 0)
		rc = add_entry(a, "answer.yaml", answer, strlen(answer), err, path);
	free(taxa);
	for (int i = 0; rc == 0 && cw && i < ndrivers; i++) {
		unsigned char *png;
		size_t plen;
		char msg[200];
		if (sc_cv_wood_patch_png(cw, drivers[i], &png, &plen, msg, sizeof msg) < 0) {
			rc = sc_error_set(err, path, 0, 0, "write", "patch %d: %s", drivers[i], msg);
			break;
		}
		snprintf(entry, sizeof entry, "patches/patch-%d.png", i + 1);
		rc = add_entry(a, entry, png, plen, err, path);
		sc_cv_free(png);
	}
	/* reference images of the candidates named in wood.top */
	for (size_t r = 0; rc == 0 && r < json_array_size(top); r++) {
		const char *taxon = json_string_value(json_object_get(json_array_get(top, r), "taxon"));
		for (int t = 0; taxon && t < sc_wood_model_ntaxa(m); t++) {
			if (strcmp(taxon, sc_wood_model_taxon(m, t)) != 0)
				continue;
			char tn[100];
			safe_name(taxon, tn, sizeof tn);
			for (int k = 0; rc == 0 && k < SC_WOOD_REFS; k++) {
				const char *ref = sc_wood_model_ref(m, t, k);
				unsigned char *rd;
				size_t rl;
				if (!ref)
					break;
				/* only images inside the library: a library that moved, or a
				 * model naming other files, and the package goes without them */
				if (read_ref(m, ref, &rd, &rl) < 0)
					continue;
				snprintf(entry, sizeof entry, "candidates/%zu-%s/ref-%d%s", r + 1, tn, k + 1, ext_of(ref));
				rc = add_entry(a, entry, rd, rl, err, path);
				free(rd);
			}
		}
	}
	if (archive_write_close(a) != ARCHIVE_OK && rc == 0)
		rc = sc_error_set(err, path, 0, 0, "write", "cannot write package: %s", archive_error_string(a));
	archive_write_free(a);
	/* the copy the expert edits, beside the package; never over an answer given */
	char *apath = rc == 0 ? sc_wood_answer_path(path) : NULL;
	if (rc == 0 && !apath)
		rc = sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
	if (apath) {
		int fd = open(apath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd >= 0) {
			size_t al = strlen(answer);
			ssize_t wr = write(fd, answer, al);
			if ((close(fd) != 0) | (wr != (ssize_t)al)) {
				unlink(apath);
				rc = sc_error_set(err, apath, 0, 0, "write", "cannot write the answer file: %s", strerror(errno));
			}
		} else if (errno != EEXIST)
			rc = sc_error_set(err, apath, 0, 0, "write", "cannot write the answer file: %s", strerror(errno));
	}
	free(apath);
	free(answer);
	if (rc < 0) {
		remove(path);
		return -1;
	}
	if (!(*out_path = strdup(path)))
		return sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
	return 0;
}
