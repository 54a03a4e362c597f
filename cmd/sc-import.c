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
	struct sc_import_run r = { .out = stdout, .diag = &d };
	const char *map_arg = NULL;
	char mapbuf[4096];
	struct sc_error err;
	int c;

	argv[0] = sc_tool_start(argv[0]);   /* names the program; failed writes exit 2 */
	sc_diag_init(&d, "sc-import");
	while ((c = getopt_long(argc, argv, "m:d:l:qhv", longopts, NULL)) != -1) {
		size_t v;
		switch (c) {
		case 'm': map_arg = optarg; break;
		case 'l': r.label = optarg; break;
		case 'q': r.quiet = 1; break;
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
