/*
 * wood_answer.c - the expert's answer coming back: the answer file written
 * beside each referral package, read into a record (wood.expert), and the
 * confirmed photo learned into the library, so that each referral teaches
 * the frontline model. Everything read here comes from outside (a package
 * that travelled, a file a person edited): each problem is an error with its
 * place, and nothing is learned from a package that did not check out whole.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errcode.h"
#include "sha256.h"
#include "wood.h"
#include "yamltree.h"

#define MAX_PACKAGE_ENTRY (64u << 20)

/* PKG.tar.gz -> PKG.answer.yaml (malloc'd), NULL when the name is not a package's */
char *sc_wood_answer_path(const char *package)
{
	size_t n = strlen(package);
	char *a;
	if (n < 8 || strcmp(package + n - 7, ".tar.gz") != 0)
		return NULL;
	if (!(a = malloc(n + 8)))
		return NULL;
	memcpy(a, package, n - 7);
	strcpy(a + n - 7, ".answer.yaml");
	return a;
}

char *sc_wood_answer_template(const char *name, const char *sha256, const json_t *top)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	size_t i;
	json_t *t;
	if (!f)
		return NULL;
	fprintf(f,
	        "# sc-wood: the expert's answer for package %s.\n"
	        "# Fill in ONE of\n"
	        "#   taxon:   the scientific name, as the library names it (taxa.txt lists them)\n"
	        "#   verdict: not-end-grain | unidentifiable\n"
	        "# with a note if you like, then send this file back with the package's name.\n"
	        "# The model's candidates were:",
	        name);
	json_array_foreach(top, i, t)
		fprintf(f, "%s %s", i ? "," : "", json_string_value(json_object_get(t, "taxon")));
	fprintf(f, "\npackage: %s\nimage_sha256: %s\ntaxon:\nverdict:\nnote:\nexpert:\n", name, sha256);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* ---- reading a package ---------------------------------------------------- */

struct package {
	unsigned char *record, *image, *taxa;
	size_t record_len, image_len, taxa_len;
	char image_name[64];
};

static void package_clear(struct package *p)
{
	free(p->record);
	free(p->image);
	free(p->taxa);
	memset(p, 0, sizeof *p);
}

/* Read the entries we need; a cut-short or corrupt archive is an error. */
static int package_read(const char *path, struct package *p, struct sc_error *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct stat st;
	int rc = 0, r;

	memset(p, 0, sizeof *p);
	if (!a)
		return sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		archive_read_free(a);
		return sc_error_set(err, path, 0, 0, "not-file", "not a regular file");
	}
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		/* a file that is there but does not open as tar.gz was cut or spoiled */
		rc = sc_error_set(err, path, 0, 0, "bad-package", "%s: %s",
		                  access(path, R_OK) == 0 ? "package is cut short or corrupt" : "cannot read package",
		                  archive_error_string(a));
		archive_read_free(a);
		return rc;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		unsigned char **dst = NULL;
		size_t *dlen = NULL;
		la_int64_t size = archive_entry_size(e);
		if (!name || archive_entry_filetype(e) != AE_IFREG)
			continue;
		if (strcmp(name, "record.json") == 0) {
			dst = &p->record;
			dlen = &p->record_len;
		} else if (strcmp(name, "taxa.txt") == 0) {
			dst = &p->taxa;
			dlen = &p->taxa_len;
		} else if (strncmp(name, "image.", 6) == 0 && !strchr(name, '/') && strlen(name) < sizeof p->image_name) {
			dst = &p->image;
			dlen = &p->image_len;
			strcpy(p->image_name, name);
		}
		if (!dst)
			continue;
		if (*dst || size < 0 || (unsigned long long)size > MAX_PACKAGE_ENTRY) {
			rc = sc_error_set(err, path, 0, 0, "bad-package", "package entry %s is repeated or too large", name);
			break;
		}
		if (!(*dst = malloc((size_t)size + 1))) {
			rc = sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
			break;
		}
		la_ssize_t got = archive_read_data(a, *dst, (size_t)size);
		if (got != (la_ssize_t)size) {
			rc = sc_error_set(err, path, 0, 0, "bad-package", "package is cut short or corrupt (in %s): %s",
			                  name, got < 0 ? archive_error_string(a) : "entry shorter than its header says");
			break;
		}
		(*dst)[size] = '\0';
		*dlen = (size_t)size;
	}
	if (rc == 0 && r != ARCHIVE_EOF)
		rc = sc_error_set(err, path, 0, 0, "bad-package", "package is cut short or corrupt: %s",
		                  archive_error_string(a));
	if (rc == 0 && (!p->record || !p->image || !p->taxa))
		rc = sc_error_set(err, path, 0, 0, "bad-package", "package lacks %s",
		                  !p->record ? "record.json" : !p->image ? "its image" : "taxa.txt");
	archive_read_free(a);
	if (rc < 0)
		package_clear(p);
	return rc;
}

/* is `name` a line of taxa.txt? */
static int in_taxa(const char *taxa, size_t taxa_len, const char *name)
{
	size_t nl = strlen(name);
	const char *s = taxa, *end = s + taxa_len;
	while (s < end) {
		const char *e = memchr(s, '\n', (size_t)(end - s));
		size_t l = e ? (size_t)(e - s) : (size_t)(end - s);
		if (l == nl && memcmp(s, name, l) == 0)
			return 1;
		s += l + 1;
	}
	return 0;
}

/* The package's name: its file name without ".tar.gz". */
static void package_stem(const char *path, char *out, size_t n)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t l = strlen(b);
	if (l > 7 && strcmp(b + l - 7, ".tar.gz") == 0)
		l -= 7;
	snprintf(out, n, "%.*s", (int)l, b);
}

static const char *opt_str(const struct sc_yaml *y, const json_t *root, const char *key,
                           struct sc_error *err, int *bad)
{
	json_t *v = json_object_get(root, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v) || json_string_length(v) > 2000) {
		sc_yaml_error(y, v, err, "bad-answer", "%s must be text (at most 2000 bytes)", key);
		*bad = 1;
		return NULL;
	}
	return json_string_value(v);
}

int sc_wood_answer_parse(const struct sc_yaml *y, const char *stem, const char *sha,
                         const char *taxa, size_t taxa_len, json_t *expert, struct sc_error *err)
{
	json_t *root, *v;
	const char *key, *s;
	int bad = 0, rc = -1;

	root = sc_yaml_root(y);
	if (!json_is_object(root)) {
		sc_yaml_error(y, root, err, "bad-answer", "an answer file is a map (package:, taxon: or verdict:, note:)");
		goto out;
	}
	json_object_foreach(root, key, v) {
		static const char *known[] = {"package", "image_sha256", "taxon", "verdict", "note", "expert", NULL};
		int ok = 0;
		for (int k = 0; known[k]; k++)
			ok |= strcmp(key, known[k]) == 0;
		if (!ok) {
			int l, c;
			sc_yaml_key_where(y, root, key, &l, &c);
			sc_error_set(err, sc_yaml_name(y), l, c, "bad-answer", "unknown key \"%s\"", key);
			goto out;
		}
	}
	s = opt_str(y, root, "package", err, &bad);
	if (bad)
		goto out;
	if (!s || strcmp(s, stem) != 0) {
		sc_yaml_error(y, json_object_get(root, "package") ? json_object_get(root, "package") : root, err,
		              "wrong-package", "this answer is for package \"%s\", not \"%s\"", s ? s : "(none)", stem);
		goto out;
	}
	s = opt_str(y, root, "image_sha256", err, &bad);
	if (bad)
		goto out;
	if (!s || strcmp(s, sha) != 0) {
		sc_yaml_error(y, json_object_get(root, "image_sha256") ? json_object_get(root, "image_sha256") : root,
		              err, "wrong-package", "this answer is for another image than the package holds");
		goto out;
	}
	const char *taxon = opt_str(y, root, "taxon", err, &bad);
	const char *verdict = bad ? NULL : opt_str(y, root, "verdict", err, &bad);
	const char *note = bad ? NULL : opt_str(y, root, "note", err, &bad);
	const char *who = bad ? NULL : opt_str(y, root, "expert", err, &bad);
	if (bad)
		goto out;
	if (taxon && !*taxon)
		taxon = NULL;
	if (verdict && !*verdict)
		verdict = NULL;
	if (!taxon && !verdict) {
		sc_error_set(err, sc_yaml_name(y), 0, 0, "unanswered", "not answered yet: neither taxon nor verdict is filled in");
		goto out;
	}
	if (taxon && verdict) {
		sc_yaml_error(y, json_object_get(root, "verdict"), err, "bad-answer",
		              "give a taxon or a verdict, not both");
		goto out;
	}
	if (verdict && strcmp(verdict, "not-end-grain") && strcmp(verdict, "unidentifiable")) {
		sc_yaml_error(y, json_object_get(root, "verdict"), err, "bad-answer",
		              "verdict must be not-end-grain or unidentifiable, not \"%s\"", verdict);
		goto out;
	}
	if (taxon && !in_taxa(taxa, taxa_len, taxon)) {
		sc_yaml_error(y, json_object_get(root, "taxon"), err, "unknown-taxon",
		              "\"%s\" is not a taxon of the library (taxa.txt); a new taxon needs its own "
		              "folder in the library first", taxon);
		goto out;
	}
	json_object_set_new(expert, "verdict", json_string(taxon ? "taxon" : verdict));
	if (taxon)
		json_object_set_new(expert, "taxon", json_string(taxon));
	if (note && *note)
		json_object_set_new(expert, "note", json_string(note));
	if (who && *who)
		json_object_set_new(expert, "expert", json_string(who));
	rc = 0;
out:
	return rc;
}

/* Check the answer file against its package; fill expert. */
static int answer_check(const char *apath, const char *pkg, const struct package *p,
                        const char *sha, json_t *expert, struct sc_error *err)
{
	char stem[200];
	struct sc_yaml *y = sc_yaml_load_file(apath, err);
	int rc;
	if (!y)
		return -1;
	package_stem(pkg, stem, sizeof stem);
	rc = sc_wood_answer_parse(y, stem, sha, (const char *)p->taxa, p->taxa_len, expert, err);
	sc_yaml_free(y);
	return rc;
}

json_t *sc_wood_answer_read(const char *pkg, struct sc_error *err)
{
	struct package p;
	json_error_t je;
	json_t *rec, *expert;
	char sha[65], *apath;

	if (!(apath = sc_wood_answer_path(pkg))) {
		sc_error_set(err, pkg, 0, 0, "bad-package", "a package's name ends in .tar.gz");
		return json_pack("{s:{s:s}}", "src", "path", pkg);
	}
	if (package_read(pkg, &p, err) < 0) {
		free(apath);
		return json_pack("{s:{s:s}}", "src", "path", pkg);
	}
	rec = json_loadb((const char *)p.record, p.record_len, 0, &je);
	if (!json_is_object(rec) || !json_is_object(json_object_get(rec, "wood"))) {
		json_decref(rec);
		sc_error_set(err, pkg, 0, 0, "bad-package", "record.json is not a record with wood");
		package_clear(&p);
		free(apath);
		return json_pack("{s:{s:s}}", "src", "path", pkg);
	}
	sc_sha256_hex(p.image, p.image_len, sha);
	const char *rs = json_string_value(sc_json_path(rec, "src.sha256"));
	expert = json_pack("{s:s,s:s,s:s}", "package", pkg, "answer", apath, "image_sha256", sha);
	if (rs && strcmp(rs, sha) != 0)
		sc_error_set(err, pkg, 0, 0, "bad-package", "the package's image is not the one its record names");
	else if (answer_check(apath, pkg, &p, sha, expert, err) == 0) {
		json_object_set_new(json_object_get(rec, "wood"), "expert", expert);
		expert = NULL;
	}
	json_decref(expert);
	package_clear(&p);
	free(apath);
	return rec;
}

/* ---- learning an answer ---------------------------------------------------- */

int sc_wood_answer_learn(const char *libdir, const struct sc_wood_library *lib, const json_t *rec,
                         char **added, struct sc_error *err)
{
	json_t *ex = sc_json_path((json_t *)rec, "wood.expert");
	const char *pkg = json_string_value(json_object_get(ex, "package"));
	const char *verdict = json_string_value(json_object_get(ex, "verdict"));
	const char *taxon = json_string_value(json_object_get(ex, "taxon"));
	const char *want = json_string_value(json_object_get(ex, "image_sha256"));
	struct package p;
	char sha[65], path[4200];
	const char *fmt;
	int w, h, t, rc = 0;

	*added = NULL;
	if (!json_is_object(ex) || !pkg || !verdict)
		return sc_error_set(err, NULL, 0, 0, "no-answer", "record has no wood.expert with package and verdict");
	if (strcmp(verdict, "taxon") != 0)
		return 0;  /* not end grain, unidentifiable: nothing to learn */
	for (t = 0; taxon && t < lib->ntaxa; t++)
		if (strcmp(lib->taxa[t].name, taxon) == 0)
			break;
	if (!taxon || t >= lib->ntaxa)
		return sc_error_set(err, pkg, 0, 0, "unknown-taxon",
		                    "\"%s\" is not a taxon of the library %s", taxon ? taxon : "(none)", libdir);
	if (package_read(pkg, &p, err) < 0)
		return -1;
	sc_sha256_hex(p.image, p.image_len, sha);
	if (!want || strcmp(want, sha) != 0)
		rc = sc_error_set(err, pkg, 0, 0, "bad-package", "the package's image is not the one the answer names");
	else if (sc_wood_probe(pkg, p.image, p.image_len, &fmt, &w, &h, err) < 0)
		rc = -1;
	if (rc == 0) {
		/* named by content: the same answer learned twice is the same file */
		snprintf(path, sizeof path, "%.2000s/%.1000s/expert-%.16s.%s", libdir, lib->taxa[t].folder, sha,
		         strcmp(fmt, "png") == 0 ? "png" : "jpg");
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0 && errno == EEXIST) {
			unsigned char *old;
			size_t ol;
			char osha[65];
			struct sc_error e2;
			if (sc_wood_read_file(path, SC_WOOD_MAX_FILE, &old, &ol, &e2) == 0) {
				sc_sha256_hex(old, ol, osha);
				free(old);
				if (strcmp(osha, sha) == 0) {
					package_clear(&p);
					return 0;  /* learned before */
				}
			}
			rc = sc_error_set(err, path, 0, 0, "exists", "a different file is already there");
		} else if (fd < 0)
			rc = sc_error_set(err, path, 0, 0, "open", "cannot add to the library: %s", strerror(errno));
		else {
			ssize_t wr = write(fd, p.image, p.image_len);
			if ((close(fd) != 0) | (wr != (ssize_t)p.image_len)) {
				unlink(path);
				rc = sc_error_set(err, path, 0, 0, "write", "cannot add to the library: %s", strerror(errno));
			} else if (!(*added = strdup(path)))
				rc = sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
		}
	}
	package_clear(&p);
	return rc;
}
