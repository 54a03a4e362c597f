/*
 * sc-import.c - CSV exports of declaration systems into `decl` records, one
 * JSON line per declaration, as an import map (rules/maps/) says; bad rows are
 * reported with file:line and skipped, the others go on.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "import_map.h"
#include "progress.h"

#define MAX_ITEMS 10000   /* items of one grouped declaration: its record stays bounded */
#define SYNOPSIS \
	"usage: sc-import -m MAP [-q] [-d DELIM] [--label COLUMN] [--max-field BYTES]\n" \
	"                 [--max-row BYTES] [FILE ...]\n"

static void usage(FILE *fp)
{
	fputs(SYNOPSIS, fp);
}

/* A map is a path, or the name of a shipped one: rules/maps/NAME.yaml. */
static const char *map_path(const char *arg, char *buf, size_t len, const char *argv0)
{
	if (strchr(arg, '/') || access(arg, F_OK) == 0)
		return arg;
	snprintf(buf, len, "%s/maps/%s%s", sc_datadir(argv0), arg,
	         strstr(arg, ".yaml") ? "" : ".yaml");
	return buf;
}

struct run {
	struct sc_diag *d;
	struct sc_import_map *map;
	struct sc_csv_opts copts;
	const char *label;
	json_t *pending;          /* a grouped declaration still taking rows */
	struct sc_progress *progress;
	unsigned long rows;
	int items;                /* items of the pending declaration, beyond its first */
};

static int emit(struct run *r, json_t *rec)
{
	int rc = sc_write_record(stdout, rec);
	json_decref(rec);
	if (rc < 0) {
		if (sc_diag_flush(r->d, stdout, "standard output") == 0)
			sc_diag_fatalf(r->d, "write error on standard output");
		return -1;
	}
	return 0;
}

static int flush_pending(struct run *r)
{
	json_t *p = r->pending;
	r->pending = NULL;
	return p ? emit(r, p) : 0;
}

static int import_file(struct run *r, const char *path)
{
	struct sc_error err;
	struct sc_csv *c = sc_csv_open(path, &r->copts, &err);
	const char *name;
	size_t n, nhead = 0;
	char **fields;
	int rc;

	if (!c) {
		sc_diag_error(r->d, &err);
		return 0;
	}
	name = sc_csv_name(c);
	/* the header row: the map binds to it by column names */
	rc = sc_csv_next(c, &n, &fields, &err);
	if (rc == 0) {
		sc_diag_warnf(r->d, "%s: empty file, no header", name);
		sc_csv_free(c);
		return 0;
	}
	if (rc < 0 || sc_import_map_bind(r->map, fields, n, r->label, name, &err) < 0) {
		sc_diag_error(r->d, &err);
		r->d->status = 2;   /* the whole file is unusable with this map */
		sc_csv_free(c);
		return 0;
	}
	nhead = n;
	for (size_t a, b, from = 0; sc_import_map_header_dup(fields, n, from, &a, &b); from = b + 1) {
		sc_error_set(&err, name, 1, 0, "dup-column", "columns %zu and %zu are both named \"%s\"",
		             a + 1, b + 1, fields[b]);
		sc_diag_warn(r->d, &err);
	}
	while ((rc = sc_csv_next(c, &n, &fields, &err)) != 0) {
		json_t *rec = NULL;
		if (sc_stop_requested()) {
			/* the row may be cut short, and so may a grouped declaration */
			sc_error_set(&err, name, (int)sc_csv_line(c), 0, "interrupted",
			             "this row and any declaration in progress are dropped");
			sc_diag_warn(r->d, &err);
			json_decref(r->pending);
			r->pending = NULL;
			break;
		}
		r->d->records++;
		sc_progress_update(r->progress, ++r->rows);
		if (rc == -2) {
			sc_diag_error(r->d, &err);
			r->d->bad++;
			break;
		}
		if (rc == 1 && n != nhead)
			rc = sc_error_set(&err, name, (int)sc_csv_line(c), 0, "csv-width",
			                  "%zu fields, the header has %zu: row skipped", n, nhead);
		if (rc == 1)
			rc = sc_import_map_row(r->map, fields, n, name, sc_csv_line(c), &rec, &err) < 0 ? -1 : 1;
		if (rc < 0) {
			r->d->bad++;
			sc_diag_error(r->d, &err);
			continue;
		}
		if (r->pending && !strcmp(sc_import_map_rec_id(r->pending), sc_import_map_rec_id(rec))) {
			if (++r->items >= MAX_ITEMS) {
				sc_error_set(&err, name, (int)sc_csv_line(c), 0, "too-many-items",
				             "declaration %s has more than %d items: row skipped",
				             sc_import_map_rec_id(rec), MAX_ITEMS);
				r->d->bad++;
				sc_diag_error(r->d, &err);
				/* the declaration itself says it is cut short, once: a record
				   that lost items must never pass as whole */
				if (r->items == MAX_ITEMS)
					sc_record_add_error(r->pending, "sc-import", &err);
			} else {
				sc_import_map_merge(r->pending, rec);
			}
			json_decref(rec);
			continue;
		}
		r->items = 0;
		if (flush_pending(r) < 0) {
			json_decref(rec);
			sc_csv_free(c);
			return -1;
		}
		if (sc_import_map_grouped(r->map)) {
			r->pending = rec;
		} else if (emit(r, rec) < 0) {
			sc_csv_free(c);
			return -1;
		}
	}
	sc_csv_free(c);
	if (sc_stop_requested()) {
		json_decref(r->pending);
		r->pending = NULL;
		return -1;
	}
	/* a declaration does not span files */
	return flush_pending(r);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "map", required_argument, NULL, 'm' }, { "delimiter", required_argument, NULL, 'd' },
		{ "label", required_argument, NULL, 'l' }, { "max-field", required_argument, NULL, 'F' },
		{ "max-row", required_argument, NULL, 'R' }, { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct sc_diag d;
	struct run r = { 0 };
	const char *map_arg = NULL;
	char mapbuf[4096];
	int c, quiet = 0;

	argv[0] = sc_tool_start(argv[0]);   /* names the program; failed writes exit 2 */
	sc_diag_init(&d, "sc-import");
	r.d = &d;
	while ((c = getopt_long(argc, argv, "m:d:l:qhv", longopts, NULL)) != -1) {
		size_t v;
		switch (c) {
		case 'm': map_arg = optarg; break;
		case 'l': r.label = optarg; break;
		case 'q': quiet = 1; break;
		case 'd':
			if (!strcmp(optarg, "tab") || !strcmp(optarg, "\\t"))
				r.copts.delim = '\t';
			else if (strlen(optarg) == 1 && *optarg != '"' && *optarg != '\n' && *optarg != '\r')
				r.copts.delim = *optarg;
			else {
				sc_diag_fatalf(&d, "-d: expected one character or \"tab\"");
				return 2;
			}
			break;
		case 'F':
		case 'R':
			if (sc_parse_size(optarg, &v) < 0 || v < 16 || v > (1ull << 31)) {
				sc_diag_fatalf(&d, "--%s: expected a byte count from 16 to 2 GiB",
				               c == 'F' ? "max-field" : "max-row");
				return 2;
			}
			if (c == 'F')
				r.copts.max_field = v;
			else
				r.copts.max_row = v;
			break;
		case 'h': usage(stdout); return 0;
		case 'v': printf("sc-import %s\n", SC_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!map_arg) {
		sc_diag_fatalf(&d, "-m MAP is required (a file, or a shipped map such as "
		               "customs-import-declarations)");
		usage(stderr);
		return 2;
	}
	struct sc_error err;
	if (!(r.map = sc_import_map_load(map_path(map_arg, mapbuf, sizeof mapbuf, argv[0]), &err))) {
		sc_diag_error(&d, &err);
		return 2;
	}
	if (!r.copts.delim)
		r.copts.delim = sc_import_map_delim(r.map);
	r.progress = quiet ? NULL : sc_progress_new("sc-import", "rows", 0);
	sc_stop_install();
	if (optind == argc) {
		import_file(&r, "-");
	} else {
		for (int i = optind; i < argc; i++)
			if (import_file(&r, argv[i]) < 0)
				break;
	}
	sc_progress_free(r.progress);
	if (d.status < 2)
		sc_diag_flush(&d, stdout, "standard output");
	if (sc_stop_requested())
		sc_stop_now();   /* whole lines are out: die of the signal (130, 143) */
	sc_import_map_free(r.map);
	return sc_diag_finish(&d, "rows");
}
