/*
 * wood.c - the outside inputs of sc-wood: image headers (checked before any
 * decoding, so a 60-megapixel picture is decoded small or refused, never
 * exhausts memory), the CITES timber table, taxon.yaml and the library folders.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errcode.h"
#include "norm.h"
#include "sha256.h"
#include "wood.h"

/* ---- images -------------------------------------------------------------- */

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned long be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

int sc_wood_probe(const char *name, const unsigned char *d, size_t len,
                  const char **fmt, int *width, int *height, struct sc_error *err)
{
	static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

	*fmt = NULL;
	*width = *height = 0;
	if (len >= 24 && memcmp(d, png_sig, 8) == 0) {
		unsigned long w, h;
		if (memcmp(d + 12, "IHDR", 4) != 0)
			return sc_error_set(err, name, 0, 0, "bad-image", "PNG without IHDR header");
		w = be32(d + 16);
		h = be32(d + 20);
		if (w == 0 || h == 0 || w > 1000000 || h > 1000000)
			return sc_error_set(err, name, 0, 0, "bad-image", "PNG header gives an impossible size %lux%lu", w, h);
		*fmt = "png";
		*width = (int)w;
		*height = (int)h;
		return 0;
	}
	if (len >= 4 && d[0] == 0xFF && d[1] == 0xD8) {
		size_t i = 2;
		while (i + 1 < len) {
			unsigned m;
			if (d[i] != 0xFF)
				return sc_error_set(err, name, 0, 0, "bad-image", "corrupt JPEG: no marker at byte %zu", i);
			while (i < len && d[i] == 0xFF)
				i++;
			if (i >= len)
				break;
			m = d[i++];
			if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7))
				continue;
			if (m == 0xD9 || m == 0xDA)
				break;  /* end of image or start of scan before any frame header */
			if (i + 2 > len)
				break;
			unsigned seg = be16(d + i);
			if (seg < 2)
				return sc_error_set(err, name, 0, 0, "bad-image", "corrupt JPEG: segment length %u at byte %zu", seg, i);
			if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
				if (i + 7 > len || seg < 7)
					break;
				*height = (int)be16(d + i + 3);
				*width = (int)be16(d + i + 5);
				if (*width == 0 || *height == 0)
					return sc_error_set(err, name, 0, 0, "bad-image", "JPEG frame header gives size %dx%d", *width, *height);
				/* libjpeg fills a cut-short picture with grey and calls it good:
				 * a whole JPEG ends with EOI after its scan data (where a
				 * 0xFF byte is always escaped, so FF D9 cannot appear by chance) */
				const unsigned char *sos = NULL;
				for (size_t k = i + seg; k + 1 < len; k++)
					if (d[k] == 0xFF && d[k + 1] == 0xDA) {
						sos = d + k;
						break;
					}
				if (!sos || !memmem(sos, len - (size_t)(sos - d), "\xFF\xD9", 2))
					return sc_error_set(err, name, 0, 0, "bad-image",
					                    "corrupt JPEG: cut short (no end-of-image marker)");
				*fmt = "jpeg";
				return 0;
			}
			i += seg;
		}
		return sc_error_set(err, name, 0, 0, "bad-image", "corrupt JPEG: no frame header");
	}
	return sc_error_set(err, name, 0, 0, "bad-image", "not a JPEG or PNG image");
}

int sc_wood_reduction(const char *name, const char *fmt, int width, int height,
                      struct sc_error *err)
{
	int r = 1;
	int side = width < height ? width : height;

	if (side < SC_WOOD_MIN_SIDE)
		return sc_error_set(err, name, 0, 0, "too-small",
		                    "image is %dx%d; at least %dx%d pixels are needed", width, height,
		                    SC_WOOD_MIN_SIDE, SC_WOOD_MIN_SIDE);
	/*
	 * libjpeg decodes at 1/2, 1/4, 1/8 for free, but its DCT scaling keeps
	 * other fine texture than the area resampling that brings the disc to
	 * working size. Photos of one sample taken at different resolutions must
	 * look alike, so the area resampling always does at least half the
	 * reduction: a JPEG is decoded smaller only while twice the working size
	 * remains.
	 */
	if (strcmp(fmt, "jpeg") == 0)
		while (r < 8 && side / (2 * r) >= 2 * (2 * SC_CV_DISC_RADIUS + 64))
			r *= 2;
	if ((double)(width / r) * (double)(height / r) > (double)SC_WOOD_MAX_PIXELS)
		return sc_error_set(err, name, 0, 0, "too-large",
		                    "image is %dx%d (%.0f megapixels): more than the cap of %ld megapixels%s",
		                    width, height, (double)width * height / 1e6, SC_WOOD_MAX_PIXELS / 1000000,
		                    r > 1 ? " even decoded at 1/8" : "");
	return r;
}

int sc_wood_read_file(const char *path, size_t max, unsigned char **data, size_t *len,
                      struct sc_error *err)
{
	struct stat st;
	int fd;

	*data = NULL;
	*len = 0;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer that never comes */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return sc_error_set(err, path, 0, 0, "open", "%s", strerror(errno));
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return sc_error_set(err, path, 0, 0, "open", "%s", strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return sc_error_set(err, path, 0, 0, "not-file", "not a regular file (%s)",
		                    S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISCHR(st.st_mode) ? "a device" :
		                    S_ISDIR(st.st_mode) ? "a folder" : S_ISSOCK(st.st_mode) ? "a socket" : "special");
	}
	/* the size before any byte is read: a huge file costs nothing to refuse */
	if ((unsigned long long)st.st_size > max) {
		close(fd);
		return sc_error_set(err, path, 0, 0, "too-large", "file of %lld bytes: more than the limit of %zu bytes",
		                    (long long)st.st_size, max);
	}
	close(fd);
	/* a regular file that grew since: the reader's own cap still holds */
	return sc_read_file(path, max, data, len, err);
}

void sc_wood_feat_clear(struct sc_wood_feat *f)
{
	free(f->x);
	memset(f, 0, sizeof *f);
}

int sc_wood_analyse_file(const char *path, struct sc_wood_feat *f, struct sc_cv_wood **keep,
                         struct sc_error *err)
{
	unsigned char *data;
	size_t len;
	const char *fmt;
	int w, h, r;
	char msg[400];
	struct sc_cv_wood *cw;

	memset(f, 0, sizeof *f);
	if (keep)
		*keep = NULL;
	if (sc_wood_read_file(path, SC_WOOD_MAX_FILE, &data, &len, err) < 0)
		return -1;
	sc_sha256_hex(data, len, f->sha256);
	if (sc_wood_probe(path, data, len, &fmt, &w, &h, err) < 0 ||
	    (r = sc_wood_reduction(path, fmt, w, h, err)) < 0) {
		free(data);
		return -1;
	}
	msg[0] = '\0';
	cw = sc_cv_wood_new(data, len, r, msg, sizeof msg);
	free(data);
	if (!cw)
		return sc_error_set(err, path, 0, 0, strcmp(msg, SC_CV_NOMEM) == 0 ? SC_E_NOMEM : "bad-image", "%s", msg);
	f->width = w;
	f->height = h;
	sc_cv_wood_quality(cw, &f->q);
	f->npatches = sc_cv_wood_npatches(cw);
	if (f->npatches > 0) {
		f->x = malloc((size_t)f->npatches * SC_CV_NFEAT * sizeof(float));
		if (!f->x) {
			sc_cv_wood_delete(cw);
			return sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
		}
		for (int i = 0; i < f->npatches; i++)
			memcpy(f->x + (size_t)i * SC_CV_NFEAT, sc_cv_wood_features(cw, i),
			       SC_CV_NFEAT * sizeof(float));
	}
	if (keep)
		*keep = cw;
	else
		sc_cv_wood_delete(cw);
	return 0;
}

/* ---- the CITES timber table ---------------------------------------------- */

struct cites_entry {
	char *taxon, *genus, *appendix, *annotation, *effective, *unconfirmed;
};

struct sc_cites {
	struct sc_yaml *y;
	char *source;
	size_t n;
	struct cites_entry *e;
};

/* a listing date: exactly YYYY-MM-DD, a real day (the toolchain's one ISO reader) */
static int is_date(const char *s)
{
	long days;
	return strlen(s) == 10 && sc_date_iso_days(s, 10, &days) == 0;
}

static const char *str_field(const struct sc_yaml *y, const json_t *obj, const char *key,
                             int required, struct sc_error *err, int *bad)
{
	json_t *v = json_object_get(obj, key);
	if (!v) {
		if (required) {
			sc_yaml_error(y, obj, err, "bad-table", "missing \"%s\"", key);
			*bad = 1;
		}
		return NULL;
	}
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 600) {
		sc_yaml_error(y, v, err, "bad-table", "\"%s\" must be a non-empty string (at most 600 bytes)", key);
		*bad = 1;
		return NULL;
	}
	return json_string_value(v);
}

void sc_cites_free(struct sc_cites *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].taxon);
		free(c->e[i].genus);
		free(c->e[i].appendix);
		free(c->e[i].annotation);
		free(c->e[i].effective);
		free(c->e[i].unconfirmed);
	}
	free(c->e);
	free(c->source);
	sc_yaml_free(c->y);
	free(c);
}

static char *dupnull(const char *s) { return s ? strdup(s) : NULL; }

struct sc_cites *sc_cites_load_yaml(const struct sc_yaml *y, struct sc_error *err)
{
	json_t *root = sc_yaml_root(y), *taxa, *item;
	const char *key;
	json_t *val;
	size_t i;
	struct sc_cites *c;
	int bad = 0;

	if (!json_is_object(root)) {
		sc_yaml_error(y, root, err, "bad-table", "the CITES table must be a map with source: and taxa:");
		return NULL;
	}
	json_object_foreach(root, key, val) {
		if (strcmp(key, "source") != 0 && strcmp(key, "taxa") != 0) {
			int l, co;
			sc_yaml_key_where(y, root, key, &l, &co);
			sc_error_set(err, sc_yaml_name(y), l, co, "bad-table", "unknown key \"%s\"", key);
			return NULL;
		}
	}
	const char *source = str_field(y, root, "source", 1, err, &bad);
	if (bad)
		return NULL;
	taxa = json_object_get(root, "taxa");
	if (!json_is_array(taxa)) {
		sc_yaml_error(y, taxa ? taxa : root, err, "bad-table", "\"taxa\" must be a list");
		return NULL;
	}
	c = calloc(1, sizeof *c);
	if (!c || !(c->e = calloc(json_array_size(taxa) + 1, sizeof *c->e))) {
		free(c);
		sc_error_set(err, sc_yaml_name(y), 0, 0, SC_E_NOMEM, "out of memory");
		return NULL;
	}
	c->source = strdup(source);
	json_array_foreach(taxa, i, item) {
		struct cites_entry *e = &c->e[c->n];
		if (!json_is_object(item)) {
			sc_yaml_error(y, item, err, "bad-table", "each taxon must be a map");
			goto fail;
		}
		json_object_foreach(item, key, val) {
			static const char *known[] = {"taxon", "genus", "appendix", "annotation",
			                              "effective", "trade_names", "source", "unconfirmed", NULL};
			int ok = 0;
			for (int k = 0; known[k]; k++)
				ok |= strcmp(key, known[k]) == 0;
			if (!ok) {
				int l, co;
				sc_yaml_key_where(y, item, key, &l, &co);
				sc_error_set(err, sc_yaml_name(y), l, co, "bad-table", "unknown key \"%s\"", key);
				goto fail;
			}
		}
		const char *taxon = str_field(y, item, "taxon", 1, err, &bad);
		const char *genus = bad ? NULL : str_field(y, item, "genus", 1, err, &bad);
		const char *app = bad ? NULL : str_field(y, item, "appendix", 1, err, &bad);
		const char *ann = bad ? NULL : str_field(y, item, "annotation", 0, err, &bad);
		const char *eff = bad ? NULL : str_field(y, item, "effective", 1, err, &bad);
		/* where the entry was checked, and what of it could not be */
		const char *src = bad ? NULL : str_field(y, item, "source", 0, err, &bad);
		const char *unc = bad ? NULL : str_field(y, item, "unconfirmed", 0, err, &bad);
		(void)src;
		if (bad)
			goto fail;
		if (strcmp(app, "I") && strcmp(app, "II") && strcmp(app, "III")) {
			sc_yaml_error(y, json_object_get(item, "appendix"), err, "bad-table",
			              "appendix must be \"I\", \"II\" or \"III\", not \"%s\"", app);
			goto fail;
		}
		if (!is_date(eff)) {
			sc_yaml_error(y, json_object_get(item, "effective"), err, "bad-table",
			              "effective must be a date YYYY-MM-DD, not \"%s\"", eff);
			goto fail;
		}
		size_t gl = strlen(genus);
		if (strncmp(taxon, genus, gl) != 0 || (taxon[gl] != ' ' && taxon[gl] != '\0')) {
			sc_yaml_error(y, json_object_get(item, "taxon"), err, "bad-table",
			              "taxon \"%s\" is not of genus \"%s\"", taxon, genus);
			goto fail;
		}
		json_t *tn = json_object_get(item, "trade_names");
		if (tn) {
			size_t j;
			json_t *s;
			if (!json_is_array(tn)) {
				sc_yaml_error(y, tn, err, "bad-table", "trade_names must be a list of strings");
				goto fail;
			}
			json_array_foreach(tn, j, s) if (!json_is_string(s)) {
				sc_yaml_error(y, s, err, "bad-table", "trade_names must be a list of strings");
				goto fail;
			}
		}
		e->taxon = strdup(taxon);
		e->genus = strdup(genus);
		e->appendix = strdup(app);
		e->annotation = dupnull(ann);
		e->effective = strdup(eff);
		e->unconfirmed = dupnull(unc);
		c->n++;
		if (!e->taxon || !e->genus || !e->appendix || !e->effective || (ann && !e->annotation)) {
			sc_error_set(err, sc_yaml_name(y), 0, 0, SC_E_NOMEM, "out of memory");
			goto fail;
		}
	}
	return c;
fail:
	sc_cites_free(c);
	return NULL;
}

struct sc_cites *sc_cites_load(const char *path, struct sc_error *err)
{
	struct sc_yaml *y = sc_yaml_load_file(path, err);
	struct sc_cites *c;

	if (!y)
		return NULL;
	c = sc_cites_load_yaml(y, err);
	if (c)
		c->y = y;
	else
		sc_yaml_free(y);
	return c;
}

static json_t *entry_json(const struct cites_entry *e)
{
	json_t *o = json_pack("{s:s,s:s}", "listing", e->taxon, "appendix", e->appendix);
	if (o && e->annotation)
		json_object_set_new(o, "annotation", json_string(e->annotation));
	if (o)
		json_object_set_new(o, "effective", json_string(e->effective));
	if (o && e->unconfirmed)
		json_object_set_new(o, "unconfirmed", json_string(e->unconfirmed));
	return o;
}

json_t *sc_cites_lookup(const struct sc_cites *c, const char *taxon)
{
	char genus[128];
	size_t gl;

	if (!c || !taxon)
		return NULL;
	for (size_t i = 0; i < c->n; i++)
		if (strcasecmp(c->e[i].taxon, taxon) == 0)
			return entry_json(&c->e[i]);
	gl = strcspn(taxon, " ");
	if (gl == 0 || gl >= sizeof genus)
		return NULL;
	memcpy(genus, taxon, gl);
	genus[gl] = '\0';
	for (size_t i = 0; i < c->n; i++) {
		const char *t = c->e[i].taxon;
		if (strcasecmp(c->e[i].genus, genus) == 0 && strncasecmp(t + gl, " spp.", 5) == 0 &&
		    strncasecmp(t, genus, gl) == 0)
			return entry_json(&c->e[i]);
	}
	return NULL;
}

const char *sc_cites_source(const struct sc_cites *c) { return c->source; }
size_t sc_cites_count(const struct sc_cites *c) { return c->n; }

/* ---- taxa and the library ------------------------------------------------ */

void sc_wood_taxon_clear(struct sc_wood_taxon *t)
{
	if (!t)
		return;
	free(t->folder);
	free(t->name);
	json_decref(t->trade_names);
	free(t->porosity);
	json_decref(t->cites);
	memset(t, 0, sizeof *t);
}

int sc_wood_taxon_parse(const struct sc_yaml *y, const char *folder, struct sc_wood_taxon *t,
                        json_t **specimens, struct sc_error *err)
{
	json_t *root = sc_yaml_root(y), *v;
	const char *key;
	int bad = 0;

	memset(t, 0, sizeof *t);
	*specimens = NULL;
	if (json_is_null(root))
		root = NULL;  /* an empty taxon.yaml says nothing */
	else if (!json_is_object(root))
		return sc_yaml_error(y, root, err, "bad-taxon", "taxon.yaml must be a map");
	if (root) {
		json_object_foreach(root, key, v) {
			static const char *known[] = {"taxon", "trade_names", "porosity", "cites",
			                              "specimens", NULL};
			int ok = 0;
			for (int k = 0; known[k]; k++)
				ok |= strcmp(key, known[k]) == 0;
			if (!ok) {
				int l, co;
				sc_yaml_key_where(y, root, key, &l, &co);
				return sc_error_set(err, sc_yaml_name(y), l, co, "bad-taxon", "unknown key \"%s\"", key);
			}
		}
	}
	const char *name = root ? str_field(y, root, "taxon", 0, err, &bad) : NULL;
	const char *por = root && !bad ? str_field(y, root, "porosity", 0, err, &bad) : NULL;
	if (bad)
		return -1;
	if (por && strcmp(por, "ring") && strcmp(por, "semi-ring") && strcmp(por, "diffuse") &&
	    strcmp(por, "none"))
		return sc_yaml_error(y, json_object_get(root, "porosity"), err, "bad-taxon",
		                     "porosity must be ring, semi-ring, diffuse or none, not \"%s\"", por);
	t->trade_names = json_array();
	v = root ? json_object_get(root, "trade_names") : NULL;
	if (v) {
		size_t i;
		json_t *s;
		if (!json_is_array(v))
			goto bad_names;
		json_array_foreach(v, i, s) {
			if (!json_is_string(s) || json_string_length(s) > 200 || i >= 64)
				goto bad_names;
			json_array_append(t->trade_names, s);
		}
	}
	v = root ? json_object_get(root, "cites") : NULL;
	if (v && !json_is_null(v)) {
		json_t *app = json_object_get(v, "appendix"), *ann = json_object_get(v, "annotation");
		if (!json_is_object(v) || !json_is_string(app) ||
		    (strcmp(json_string_value(app), "I") && strcmp(json_string_value(app), "II") &&
		     strcmp(json_string_value(app), "III")) ||
		    (ann && !json_is_string(ann)) || json_object_size(v) > (ann ? 2u : 1u)) {
			sc_wood_taxon_clear(t);
			return sc_yaml_error(y, v, err, "bad-taxon",
			                     "cites must be {appendix: I|II|III, annotation: \"#..\"}");
		}
		t->cites = json_pack("{s:s}", "appendix", json_string_value(app));
		if (ann)
			json_object_set_new(t->cites, "annotation", json_string(json_string_value(ann)));
	}
	v = root ? json_object_get(root, "specimens") : NULL;
	if (v) {
		json_t *s;
		if (!json_is_object(v)) {
			sc_wood_taxon_clear(t);
			return sc_yaml_error(y, v, err, "bad-taxon", "specimens must map image file names to specimen names");
		}
		json_object_foreach(v, key, s) {
			if (json_is_integer(s) || json_is_real(s))
				continue;
			if (!json_is_string(s) || json_string_length(s) == 0) {
				sc_wood_taxon_clear(t);
				return sc_yaml_error(y, s, err, "bad-taxon", "specimen of \"%s\" must be a name", key);
			}
		}
		*specimens = json_incref(v);
	}
	t->folder = strdup(folder);
	if (name)
		t->name = strdup(name);
	else {
		t->name = strdup(folder);
		for (char *p = t->name; p && *p; p++)
			if (*p == '_')
				*p = ' ';
	}
	t->porosity = dupnull(por);
	if (!t->folder || !t->name) {
		json_decref(*specimens);
		*specimens = NULL;
		sc_wood_taxon_clear(t);
		return sc_error_set(err, sc_yaml_name(y), 0, 0, SC_E_NOMEM, "out of memory");
	}
	return 0;
bad_names:
	sc_wood_taxon_clear(t);
	return sc_yaml_error(y, v, err, "bad-taxon", "trade_names must be a list of at most 64 strings");
}

static int is_image_name(const char *n)
{
	const char *dot = strrchr(n, '.');
	return dot && n[0] != '.' && (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0 ||
	                              strcasecmp(dot, ".png") == 0);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in dir (dirs or images); NULL on failure, *n set. */
static char **list_dir(const char *dir, int want_dirs, size_t *n, struct sc_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL, path[4096];
	size_t cap = 0;

	*n = 0;
	if (!d) {
		sc_error_set(err, dir, 0, 0, "open", "cannot read folder: %s", strerror(errno));
		return NULL;
	}
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (stat(path, &st) < 0)
			continue;
		if (want_dirs ? !S_ISDIR(st.st_mode) : !(S_ISREG(st.st_mode) && is_image_name(de->d_name)))
			continue;
		if (*n >= SC_WOOD_MAX_IMAGES)
			break;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nv = realloc(v, cap * sizeof *v);
			if (!nv)
				break;
			v = nv;
		}
		if (!(v[*n] = strdup(de->d_name)))
			break;
		(*n)++;
	}
	closedir(d);
	if (!v)
		v = calloc(1, sizeof *v);
	if (v && *n)
		qsort(v, *n, sizeof *v, cmp_str);
	return v;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Default specimen of an image: its name up to the last '_' (s03_2.jpg -> s03). */
static char *default_specimen(const char *file)
{
	const char *us = strrchr(file, '_'), *dot = strrchr(file, '.');
	size_t n = us ? (size_t)(us - file) : dot ? (size_t)(dot - file) : strlen(file);
	return strndup(file, n);
}

void sc_wood_library_free(struct sc_wood_library *lib)
{
	if (!lib)
		return;
	for (int i = 0; i < lib->ntaxa; i++)
		sc_wood_taxon_clear(&lib->taxa[i]);
	for (size_t i = 0; i < lib->nimages; i++) {
		free(lib->images[i].path);
		free(lib->images[i].specimen);
	}
	free(lib->taxa);
	free(lib->images);
	free(lib->dir);
	free(lib);
}

/*
 * Append image `file` of the taxon in tdir (in its sub-folder `sub` when not
 * NULL) as taxon lib->ntaxa. Its specimen: taxon.yaml's specimens entry (by
 * "file" or "sub/file"), else the sub-folder, else the name up to its last '_'.
 */
static void add_image(struct sc_wood_library *lib, size_t *cap, const char *tdir, const char *sub,
                      const char *file, const json_t *specimens)
{
	char rel[600], path[4096], num[64];
	struct sc_wood_image *im;
	json_t *sp;

	if ((size_t)snprintf(rel, sizeof rel, "%s%s%s", sub ? sub : "", sub ? "/" : "", file) >= sizeof rel ||
	    (size_t)snprintf(path, sizeof path, "%.3700s/%s", tdir, rel) >= sizeof path)
		return;
	if (lib->nimages == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		struct sc_wood_image *ni = realloc(lib->images, nc * sizeof *ni);
		if (!ni)
			return;
		lib->images = ni;
		*cap = nc;
	}
	im = &lib->images[lib->nimages];
	sp = specimens ? json_object_get(specimens, rel) : NULL;
	im->path = strdup(path);
	im->taxon = lib->ntaxa;
	if (json_is_string(sp))
		im->specimen = strdup(json_string_value(sp));
	else if (json_is_integer(sp)) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(sp));
		im->specimen = strdup(num);
	} else if (sub)
		im->specimen = strdup(sub);
	else
		im->specimen = default_specimen(file);
	if (!im->path || !im->specimen) {
		free(im->path);
		free(im->specimen);
		return;
	}
	lib->nimages++;
}

struct sc_wood_library *sc_wood_library_scan(const char *dir, struct sc_diag *diag,
                                              struct sc_error *err)
{
	size_t nd, cap = 0;
	char **dirs = list_dir(dir, 1, &nd, err), path[4096];
	struct sc_wood_library *lib;

	if (!dirs)
		return NULL;
	lib = calloc(1, sizeof *lib);
	if (!lib || !(lib->taxa = calloc(nd + 1, sizeof *lib->taxa)) || !(lib->dir = strdup(dir))) {
		free_list(dirs, nd);
		sc_wood_library_free(lib);
		sc_error_set(err, dir, 0, 0, SC_E_NOMEM, "out of memory");
		return NULL;
	}
	for (size_t di = 0; di < nd && lib->ntaxa < SC_WOOD_MAX_TAXA; di++) {
		struct sc_wood_taxon t;
		json_t *specimens = NULL;
		struct sc_error e;
		size_t nf;
		char tdir[4096];

		if ((size_t)snprintf(tdir, sizeof tdir, "%s/%s", dir, dirs[di]) >= sizeof tdir - 300)
			continue;  /* a path this long cannot be a library folder of ours */
		snprintf(path, sizeof path, "%.3700s/taxon.yaml", tdir);
		sc_error_clear(&e);
		if (access(path, F_OK) == 0) {
			struct sc_yaml *y = sc_yaml_load_file(path, &e);
			int rc = y ? sc_wood_taxon_parse(y, dirs[di], &t, &specimens, &e) : -1;
			sc_yaml_free(y);
			if (rc < 0) {
				sc_diag_error(diag, &e);
				sc_diag_errorf(diag, "%s: taxon left out of the library", tdir);
				continue;
			}
		} else {
			memset(&t, 0, sizeof t);
			t.folder = strdup(dirs[di]);
			t.name = strdup(dirs[di]);
			t.trade_names = json_array();
			for (char *p = t.name; p && *p; p++)
				if (*p == '_')
					*p = ' ';
		}
		/* images in the taxon's folder, and in its sub-folders (one per specimen) */
		char **files = list_dir(tdir, 0, &nf, &e), **subs = NULL;
		size_t ns = 0, before = lib->nimages;
		if (files)
			subs = list_dir(tdir, 1, &ns, &e);
		if (!files || !subs) {
			sc_diag_error(diag, &e);
			free_list(files, nf);
			json_decref(specimens);
			sc_wood_taxon_clear(&t);
			continue;
		}
		for (size_t fi = 0; fi < nf; fi++)
			add_image(lib, &cap, tdir, NULL, files[fi], specimens);
		for (size_t si = 0; si < ns; si++) {
			char sdir[4096];
			size_t nsf;
			char **sf;
			snprintf(sdir, sizeof sdir, "%.3700s/%.200s", tdir, subs[si]);
			if (!(sf = list_dir(sdir, 0, &nsf, &e))) {
				sc_diag_error(diag, &e);
				continue;
			}
			for (size_t fi = 0; fi < nsf; fi++)
				add_image(lib, &cap, tdir, subs[si], sf[fi], specimens);
			free_list(sf, nsf);
		}
		free_list(subs, ns);
		if (lib->nimages == before) {
			sc_diag_errorf(diag, "%s: no images (*.jpg, *.jpeg, *.png): taxon left out of the library", tdir);
			free_list(files, nf);
			json_decref(specimens);
			sc_wood_taxon_clear(&t);
			continue;
		}
		free_list(files, nf);
		json_decref(specimens);
		lib->taxa[lib->ntaxa++] = t;
	}
	free_list(dirs, nd);
	if (lib->ntaxa < 2) {
		sc_error_set(err, dir, 0, 0, "bad-library",
		             "a library needs at least two taxa with images (found %d)", lib->ntaxa);
		sc_wood_library_free(lib);
		return NULL;
	}
	return lib;
}

void sc_wood_feats_free(struct sc_wood_feat *feats, size_t n)
{
	if (!feats)
		return;
	for (size_t i = 0; i < n; i++)
		sc_wood_feat_clear(&feats[i]);
	free(feats);
}
