/*
 * sc-import.c - CSV exports of declaration systems into `decl` records, one
 * JSON line per declaration, as an import map (rules/maps/) says; bad rows are
 * reported with file:line and skipped, the others go on. Options, usage and
 * the exit status; the run is lib/import_run.c.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import_run.h"
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

/* -d CHAR or "tab": 0, or -1 when it is not one character a CSV can use. */
static int delimiter_option(const char *arg, struct sc_csv_opts *o)
{
	if (!strcmp(arg, "tab") || !strcmp(arg, "\\t"))
		o->delim = '\t';
	else if (strlen(arg) == 1 && *arg != '"' && *arg != '\n' && *arg != '\r')
		o->delim = *arg;
	else
		return -1;
	return 0;
}

/* The options into r: 0 to run, 1 to exit 0 (--help, --version), 2 on a
 * usage error (reported). */
static int options(int argc, char **argv, struct sc_import_run *r, const char **map_arg)
{
	static const struct option longopts[] = {
		{ "map", required_argument, NULL, 'm' }, { "delimiter", required_argument, NULL, 'd' },
		{ "label", required_argument, NULL, 'l' }, { "max-field", required_argument, NULL, 'F' },
		{ "max-row", required_argument, NULL, 'R' }, { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	size_t v;
	int c;

	while ((c = getopt_long(argc, argv, "m:d:l:qhv", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': *map_arg = optarg; break;
		case 'l': r->label = optarg; break;
		case 'q': r->quiet = 1; break;
		case 'd':
			if (delimiter_option(optarg, &r->copts) == 0)
				break;
			sc_diag_fatalf(r->diag, "-d: expected one character or \"tab\"");
			return 2;
		case 'F':
		case 'R':
			if (sc_parse_size(optarg, &v) < 0 || v < 16 || v > (1ull << 31)) {
				sc_diag_fatalf(r->diag, "--%s: expected a byte count from 16 to 2 GiB",
				               c == 'F' ? "max-field" : "max-row");
				return 2;
			}
			*(c == 'F' ? &r->copts.max_field : &r->copts.max_row) = v;
			break;
		case 'h': usage(stdout); return 1;
		case 'v': printf("sc-import %s\n", SC_VERSION); return 1;
		default: usage(stderr); return 2;
		}
	}
	if (!*map_arg) {
		sc_diag_fatalf(r->diag, "-m MAP is required (a file, or a shipped map such as "
		               "customs-import-declarations)");
		usage(stderr);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sc_diag d;
	struct sc_import_run r = { .out = stdout, .diag = &d };
	const char *map_arg = NULL;
	char mapbuf[4096];
	struct sc_error err;
	int rc;

	argv[0] = sc_tool_start(argv[0]);   /* names the program; failed writes exit 2 */
	sc_diag_init(&d, "sc-import");
	if ((rc = options(argc, argv, &r, &map_arg)) != 0)
		return rc == 1 ? 0 : rc;
	if (!(r.map = sc_import_map_load(map_path(map_arg, mapbuf, sizeof mapbuf, argv[0]), &err))) {
		sc_diag_error(&d, &err);
		return 2;
	}
	sc_stop_install();
	sc_import_run(&r, argc - optind, argv + optind);
	if (d.status < 2)
		sc_diag_flush(&d, stdout, "standard output");
	if (sc_stop_requested())
		sc_stop_now();   /* whole lines are out: die of the signal (130, 143) */
	sc_import_map_free(r.map);
	return sc_diag_finish(&d, "rows");
}
