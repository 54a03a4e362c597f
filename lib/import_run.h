/*
 * import_run.h - sc-import's run between the options and the exit status:
 * the CSV files read through the shared input loop (lib/input.c, CSV mode),
 * each file's header bound to the import map, every row made a `decl` record
 * (consecutive rows of one declaration merged, when the map groups items),
 * bad rows reported with file:line and skipped while the others go on.
 */
#ifndef SC_IMPORT_RUN_H
#define SC_IMPORT_RUN_H

#include "csv.h"
#include "import_map.h"

#define SC_IMPORT_MAX_ITEMS 10000   /* items of one grouped declaration: its record stays bounded */

struct sc_import_run {
	struct sc_import_map *map;   /* borrowed */
	struct sc_csv_opts copts;    /* delim 0: the map's */
	const char *label;           /* --label COLUMN, or NULL */
	int quiet;                   /* no progress line */
	FILE *out;                   /* the records */
	struct sc_diag *diag;        /* counts ("rows"), messages, the exit status */
};

/*
 * Import files[0..nfiles) (standard input when none) into r->out. Stops early
 * when a write fails (status 2) or a stop was requested (sc_stop_install:
 * the row being read and any declaration in progress are dropped, every line
 * written is whole). -1 when it stopped early.
 */
int sc_import_run(const struct sc_import_run *r, int nfiles, char **files);

#endif
