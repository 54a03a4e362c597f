/*
 * walk.h - the input walker of the tools at the head of a pipe: files,
 * directories (recursively, in name order, loops refused), standard input,
 * lists of names, and archives (zip, tar, tar.gz/bz2/xz, 7z, nested) read
 * member by member in memory through libarchive, never extracted to disk.
 */
#ifndef SC_WALK_H
#define SC_WALK_H

#include <stdio.h>
#include "sc.h"

struct sc_walk_limits {
	size_t max_file;      /* a plain file larger than this is refused */
	size_t max_member;    /* an archive member larger than this (as expanded) is refused */
	size_t max_total;     /* all members of one top-level archive, expanded */
	unsigned max_members; /* members of one archive */
	int max_depth;        /* archives inside archives */
};

/* Defaults: 512 MiB file, 256 MiB member, 2 GiB per archive, 100,000 members, depth 3. */
void sc_walk_limits_default(struct sc_walk_limits *l);

/*
 * One input: a file's bytes, or the reason it could not be had. The
 * callback owns `data` (free() it) and may keep it past the call.
 */
struct sc_blob {
	const char *path;        /* as given or found; "-" for standard input */
	const char *member;      /* inside an archive ("inner.zip/p1.png" when nested); NULL for files */
	unsigned char *data;     /* NULL when error is set */
	size_t len;
	const struct sc_error *error;  /* set: this input or member could not be read */
};

typedef int (*sc_walk_fn)(void *ctx, struct sc_blob *blob);

struct sc_walk {
	struct sc_walk_limits limits;
	int archives;            /* descend into archives (default 1) */
	sc_walk_fn fn;
	void *ctx;
	int stop;                /* set when fn returned < 0 */
};

void sc_walk_init(struct sc_walk *w, sc_walk_fn fn, void *ctx);
/* Walk one path ("-" is standard input). Returns 0, or -1 if fn asked to stop. */
int sc_walk_path(struct sc_walk *w, const char *path);
/* Walk the names listed one per line in `list` (blank lines skipped). */
int sc_walk_list(struct sc_walk *w, FILE *list, const char *list_name);
/* Walk bytes already in memory under a name (archives are opened; the walker
 * takes ownership of data). */
int sc_walk_buffer(struct sc_walk *w, const char *path, unsigned char *data, size_t len);
/* Does this look like an archive libarchive should open (by its first bytes)? */
int sc_walk_is_archive(const unsigned char *data, size_t len);

#endif
