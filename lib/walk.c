/*
 * walk.c - files, directories and archives into blobs. Archives are read
 * from memory member by member; every cap (member size, total expansion,
 * member count, nesting) turns into an error blob for that member, so one
 * bad member never hides the good ones around it.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "errcode.h"
#include "walk.h"

void sc_walk_limits_default(struct sc_walk_limits *l)
{
	l->max_file = (size_t)512 << 20;
	l->max_member = (size_t)256 << 20;
	l->max_total = (size_t)2 << 30;
	l->max_members = 100000;
	l->max_depth = 3;
}

void sc_walk_init(struct sc_walk *w, sc_walk_fn fn, void *ctx)
{
	memset(w, 0, sizeof *w);
	sc_walk_limits_default(&w->limits);
	w->archives = 1;
	w->fn = fn;
	w->ctx = ctx;
}

static int deliver(struct sc_walk *w, const char *path, const char *member,
                   unsigned char *data, size_t len)
{
	struct sc_blob b = {path, member, data, len, NULL};

	if (w->stop) {
		free(data);
		return -1;
	}
	if (w->fn(w->ctx, &b) < 0)
		w->stop = 1;
	return w->stop ? -1 : 0;
}

static int deliver_error(struct sc_walk *w, const char *path, const char *member,
                         const struct sc_error *e)
{
	struct sc_blob b = {path, member, NULL, 0, e};

	if (w->stop)
		return -1;
	if (w->fn(w->ctx, &b) < 0)
		w->stop = 1;
	return w->stop ? -1 : 0;
}

int sc_walk_is_archive(const unsigned char *d, size_t n)
{
	if (n >= 4 && d[0] == 'P' && d[1] == 'K' && (d[2] == 3 || d[2] == 5) && (d[3] == 4 || d[3] == 6))
		return 1;                                            /* zip */
	if (n >= 6 && memcmp(d, "7z\xbc\xaf\x27\x1c", 6) == 0)
		return 1;                                            /* 7z */
	if (n >= 2 && d[0] == 0x1f && d[1] == 0x8b)
		return 1;                                            /* gzip (tar.gz) */
	if (n >= 6 && memcmp(d, "\xfd" "7zXZ\0", 6) == 0)
		return 1;                                            /* xz (tar.xz) */
	if (n >= 3 && memcmp(d, "BZh", 3) == 0)
		return 1;                                            /* bzip2 (tar.bz2) */
	if (n >= 4 && memcmp(d, "\x28\xb5\x2f\xfd", 4) == 0)
		return 1;                                            /* zstd */
	if (n >= 262 && memcmp(d + 257, "ustar", 5) == 0)
		return 1;                                            /* tar */
	return 0;
}

/* State shared by one top-level archive and the archives nested in it. */
struct expansion {
	size_t total;
	int capped;      /* the cap was reached: later members are reported, not read */
};

static int walk_archive(struct sc_walk *w, const char *path, const char *prefix,
                        const unsigned char *data, size_t len, int depth,
                        struct expansion *exp);

static void join(char *out, size_t n, const char *prefix, const char *name)
{
	if (prefix && *prefix)
		snprintf(out, n, "%s/%s", prefix, name);
	else
		snprintf(out, n, "%s", name);
}

/* Read one member into memory, refusing it past the caps. 0, or -1 with err. */
static int read_member(struct sc_walk *w, struct archive *a, const char *path,
                       const char *member, struct expansion *exp, unsigned char **out,
                       size_t *outlen, int *fatal, struct sc_error *err)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;

	*fatal = 0;
	for (;;) {
		unsigned char chunk[65536];
		la_ssize_t got = archive_read_data(a, chunk, sizeof chunk);

		if (got == 0)
			break;
		if (got < 0) {
			free(buf);
			*fatal = archive_errno(a) != 0 || got == ARCHIVE_FATAL;
			return sc_error_set(err, path, 0, 0, "archive", "%s",
			                    archive_error_string(a) ? archive_error_string(a)
			                                            : "read error");
		}
		if (len + (size_t)got > w->limits.max_member) {
			free(buf);
			return sc_error_set(err, path, 0, 0, "too-large",
			                    "expands beyond the limit of %zu bytes", w->limits.max_member);
		}
		if (exp->total + (size_t)got > w->limits.max_total) {
			free(buf);
			exp->capped = 1;   /* nothing more may be expanded from this archive */
			return sc_error_set(err, path, 0, 0, "too-large",
			                    "archive expands beyond the limit of %zu bytes",
			                    w->limits.max_total);
		}
		exp->total += (size_t)got;
		if (len + (size_t)got + 1 > cap) {
			size_t ncap = cap ? cap * 2 : 1 << 20;
			unsigned char *nb;
			while (ncap < len + (size_t)got + 1)
				ncap *= 2;
			nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				return sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
			}
			buf = nb;
			cap = ncap;
		}
		memcpy(buf + len, chunk, (size_t)got);
		len += (size_t)got;
	}
	if (!buf && !(buf = malloc(1)))
		return sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
	*out = buf;
	*outlen = len;
	return 0;
}

static int walk_archive(struct sc_walk *w, const char *path, const char *prefix,
                        const unsigned char *data, size_t len, int depth,
                        struct expansion *exp)
{
	struct archive *a = archive_read_new();
	struct archive_entry *entry;
	struct sc_error err;
	unsigned members = 0;
	int r;

	if (!a)
		return deliver_error(w, path, prefix,
		                     (sc_error_set(&err, path, 0, 0, SC_E_NOMEM, "out of memory"), &err));
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		sc_error_set(&err, path, 0, 0, "archive", "%s%s%s", prefix ? prefix : "",
		             prefix ? ": " : "", archive_error_string(a) ? archive_error_string(a)
		                                                          : "not a readable archive");
		archive_read_free(a);
		return deliver_error(w, path, prefix, &err);
	}
	while (!w->stop) {
		char member[1024];
		unsigned char *mdata;
		size_t mlen;
		int fatal;

		r = archive_read_next_header(a, &entry);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			sc_error_set(&err, path, 0, 0, "archive", "%s%sarchive damaged after %u members: %s",
			             prefix ? prefix : "", prefix ? ": " : "", members,
			             archive_error_string(a) ? archive_error_string(a) : "read error");
			deliver_error(w, path, prefix, &err);
			break;
		}
		if (archive_entry_filetype(entry) != AE_IFREG)
			continue;
		join(member, sizeof member, prefix, archive_entry_pathname(entry) ?
		     archive_entry_pathname(entry) : "?");
		if (++members > w->limits.max_members) {
			sc_error_set(&err, path, 0, 0, "too-many", "more than %u members; the rest are skipped",
			             w->limits.max_members);
			deliver_error(w, path, prefix, &err);
			break;
		}
		if (exp->capped) {
			/* every member still gets its record: the caller must be able
			 * to account for all of them */
			sc_error_set(&err, path, 0, 0, "too-large",
			             "not read: the archive expanded beyond the limit of %zu bytes before "
			             "this member", w->limits.max_total);
			deliver_error(w, path, member, &err);
			continue;
		}
		if (archive_entry_size_is_set(entry) &&
		    (size_t)archive_entry_size(entry) > w->limits.max_member) {
			sc_error_set(&err, path, 0, 0, "too-large", "%lld bytes, beyond the limit of %zu bytes",
			             (long long)archive_entry_size(entry), w->limits.max_member);
			deliver_error(w, path, member, &err);
			continue;
		}
		if (read_member(w, a, path, member, exp, &mdata, &mlen, &fatal, &err) < 0) {
			deliver_error(w, path, member, &err);
			if (fatal)
				break;
			continue;
		}
		if (exp->capped) {   /* reached inside a nested archive */
			free(mdata);
			continue;
		}
		if (w->archives && sc_walk_is_archive(mdata, mlen)) {
			if (depth + 1 > w->limits.max_depth) {
				sc_error_set(&err, path, 0, 0, "too-deep", "archive nested deeper than %d levels",
				             w->limits.max_depth);
				deliver_error(w, path, member, &err);
			} else {
				walk_archive(w, path, member, mdata, mlen, depth + 1, exp);
			}
			free(mdata);
			continue;
		}
		deliver(w, path, member, mdata, mlen);
	}
	archive_read_free(a);
	return w->stop ? -1 : 0;
}

int sc_walk_buffer(struct sc_walk *w, const char *path, unsigned char *data, size_t len)
{
	if (w->archives && sc_walk_is_archive(data, len)) {
		struct expansion exp = {0};
		int r = walk_archive(w, path, NULL, data, len, 1, &exp);
		free(data);
		return r;
	}
	return deliver(w, path, NULL, data, len);
}

/* Ancestor directories, to refuse loops made by links. */
struct ancestry {
	dev_t dev;
	ino_t ino;
	const struct ancestry *up;
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_any(struct sc_walk *w, const char *path, const struct ancestry *up);

static int walk_dir(struct sc_walk *w, const char *path, const struct stat *st,
                    const struct ancestry *up)
{
	struct ancestry me = {st->st_dev, st->st_ino, up};
	struct sc_error err;
	DIR *dir;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	for (const struct ancestry *a = up; a; a = a->up)
		if (a->dev == st->st_dev && a->ino == st->st_ino) {
			sc_error_set(&err, path, 0, 0, "loop", "directory loop: already inside this directory");
			return deliver_error(w, path, NULL, &err);
		}
	dir = opendir(path);
	if (!dir) {
		sc_error_set(&err, path, 0, 0, "open", "%s", strerror(errno));
		return deliver_error(w, path, NULL, &err);
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')   /* ., .., and hidden files */
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
			if (!nn)
				break;
			names = nn;
		}
		names[n] = malloc(strlen(path) + strlen(de->d_name) + 2);
		if (!names[n])
			break;
		sprintf(names[n], "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", de->d_name);
		n++;
	}
	closedir(dir);
	/* name order, so the same folder always gives the same output */
	qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (!w->stop)
			walk_any(w, names[i], &me);
		free(names[i]);
	}
	free(names);
	return w->stop ? -1 : 0;
}

static int walk_any(struct sc_walk *w, const char *path, const struct ancestry *up)
{
	struct stat st;
	struct sc_error err;
	unsigned char *data;
	size_t len;

	if (strcmp(path, "-") != 0) {
		if (stat(path, &st) < 0) {
			sc_error_set(&err, path, 0, 0, "open", "%s", strerror(errno));
			return deliver_error(w, path, NULL, &err);
		}
		if (S_ISDIR(st.st_mode))
			return walk_dir(w, path, &st, up);
		if (!S_ISREG(st.st_mode)) {
			sc_error_set(&err, path, 0, 0, "not-file", "not a regular file");
			return deliver_error(w, path, NULL, &err);
		}
	}
	if (sc_read_file(path, w->limits.max_file, &data, &len, &err) < 0)
		return deliver_error(w, path, NULL, &err);
	return sc_walk_buffer(w, path, data, len);
}

int sc_walk_path(struct sc_walk *w, const char *path)
{
	return walk_any(w, path, NULL);
}

int sc_walk_list(struct sc_walk *w, FILE *list, const char *list_name)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	(void)list_name;
	while (!w->stop && (n = getline(&line, &cap, list)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		walk_any(w, line, NULL);
	}
	free(line);
	return w->stop ? -1 : 0;
}
