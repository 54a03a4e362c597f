/*
 * input.c - the files of a command line read as one stream of JSON-lines
 * records (or of CSV rows), with the counting and the reporting every
 * frontend did for itself. The reading is sc_reader's (lib/jsonl.c): one
 * buffer, reused; in CSV mode sc_csv's (lib/csv.c).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "input.h"
#include "progress.h"

struct sc_input {
	struct sc_diag *d;
	char *const *files;
	int nfiles, next;          /* files[next] is the one to open after this one */
	size_t max_line;
	int unreadable_fatal;
	struct sc_reader *r;       /* the file being read, or NULL between files */
	/* CSV mode (sc_input_new_csv): the table being read instead of r */
	int csv_mode;
	struct sc_csv_opts copts;
	struct sc_csv *csv;
	int header_due;            /* the next row of csv is its header */
	size_t width;              /* the header's fields */
	struct sc_progress *prog;
	struct sc_error err;       /* the last bad line or rejected record */
	int bad_now;               /* the current record is counted bad already */
	struct sc_input_stats st;
};

static char *const std_in[] = { "-" };

struct sc_input *sc_input_new(int nfiles, char *const *files, struct sc_diag *d,
                              const struct sc_input_opts *opts)
{
	struct sc_input *in = calloc(1, sizeof *in);

	if (!in) {
		sc_diag_fatalf(d, "out of memory");
		return NULL;
	}
	in->d = d;
	in->files = nfiles > 0 ? files : std_in;
	in->nfiles = nfiles > 0 ? nfiles : 1;
	if (opts) {
		in->max_line = opts->max_line;
		in->unreadable_fatal = opts->unreadable_fatal;
		if (opts->progress)
			in->prog = sc_progress_new(d->prog, opts->progress, 0);
	}
	return in;
}

struct sc_input *sc_input_new_csv(int nfiles, char *const *files, struct sc_diag *d,
                                  const struct sc_input_opts *opts,
                                  const struct sc_csv_opts *copts)
{
	struct sc_input *in = sc_input_new(nfiles, files, d, opts);

	if (in) {
		in->csv_mode = 1;
		if (copts)
			in->copts = *copts;
	}
	return in;
}

void sc_input_free(struct sc_input *in)
{
	if (!in)
		return;
	sc_input_skip_file(in);
	sc_progress_free(in->prog);
	free(in);
}

/* A file that cannot be opened or read: bad input, or fatal when so asked. */
static void unreadable(struct sc_input *in, const struct sc_error *e)
{
	char buf[1024];

	in->st.unreadable++;
	if (in->unreadable_fatal) {
		sc_error_format(e, buf, sizeof buf);
		sc_diag_fatalf(in->d, "%s", buf);
	} else {
		sc_diag_error(in->d, e);
	}
}

/* Make in->r (in->csv) the next readable file; 0 when there is none left. */
static int open_next(struct sc_input *in)
{
	while (!in->r && !in->csv && in->next < in->nfiles) {
		struct sc_error e;
		const char *path = in->files[in->next++];
		int opened;

		if (in->csv_mode) {
			in->csv = sc_csv_open(path, &in->copts, &e);
			in->header_due = 1;
			opened = in->csv != NULL;
		} else {
			in->r = sc_reader_open(path, in->max_line, &e);
			opened = in->r != NULL;
		}
		if (opened)
			in->st.files++;
		else
			unreadable(in, &e);
	}
	return in->r || in->csv;
}

void sc_input_skip_file(struct sc_input *in)
{
	sc_reader_free(in->r);
	sc_csv_free(in->csv);
	in->r = NULL;
	in->csv = NULL;
}

/* A new record begins: counted, shown in the progress line. */
static void count(struct sc_input *in)
{
	in->bad_now = 0;
	in->st.records++;
	in->d->records++;
	if (in->st.records == 1 || (in->st.records & 255) == 0)   /* drawn at once, then now and then */
		sc_progress_update(in->prog, in->st.records);
}

int sc_input_bad(struct sc_input *in, const struct sc_error *e)
{
	if (e != &in->err)
		in->err = *e;
	sc_diag_error(in->d, &in->err);
	if (!in->bad_now) {
		in->bad_now = 1;
		in->st.bad++;
		in->d->bad++;
	}
	return -1;
}

int sc_input_next_line(struct sc_input *in, const char **line, size_t *len)
{
	while (open_next(in)) {
		int st = sc_reader_next_line(in->r, line, len, &in->err);

		if (st == 1 || st == -1) {
			count(in);
			if (st == -1)
				return sc_input_bad(in, &in->err);
			return 1;
		}
		if (st == -2)
			unreadable(in, &in->err);
		/* the end of this file (or its read error): on to the next */
		sc_input_skip_file(in);
	}
	sc_progress_update(in->prog, in->st.records);
	return 0;
}

/* The first row of a table: its width kept; a file without one skipped. */
static int header_row(struct sc_input *in, size_t *n, char ***fields)
{
	int st = sc_csv_next(in->csv, n, fields, &in->err);

	in->header_due = 0;
	if (st == 1) {
		in->width = *n;
		return SC_INPUT_HEADER;
	}
	if (st == 0) {
		sc_diag_warnf(in->d, "%s: empty file, no header", sc_csv_name(in->csv));
	} else {
		sc_diag_error(in->d, &in->err);
		in->d->status = 2;   /* without its header the whole file is unusable */
	}
	sc_input_skip_file(in);
	return 0;
}

int sc_input_next_row(struct sc_input *in, size_t *n, char ***fields)
{
	while (open_next(in)) {
		int st;

		if (in->header_due) {
			if (header_row(in, n, fields) == SC_INPUT_HEADER)
				return SC_INPUT_HEADER;
			continue;
		}
		st = sc_csv_next(in->csv, n, fields, &in->err);
		if (st == 0) {
			sc_input_skip_file(in);
			continue;
		}
		if (sc_stop_requested())
			return SC_INPUT_STOP;   /* the row may be cut short: not counted */
		count(in);
		if (st == -2) {
			/* the stream broke: this file ends here, counted as a bad row */
			sc_input_bad(in, &in->err);
			sc_input_skip_file(in);
			return -1;
		}
		if (st == -1)
			return sc_input_bad(in, &in->err);
		if (*n != in->width) {
			sc_error_set(&in->err, sc_csv_name(in->csv), (int)sc_csv_line(in->csv), 0,
			             "csv-width", "%zu fields, the header has %zu: row skipped", *n,
			             in->width);
			return sc_input_bad(in, &in->err);
		}
		return 1;
	}
	sc_progress_update(in->prog, in->st.records);
	return 0;
}

int sc_input_next(struct sc_input *in, json_t **rec)
{
	const char *line;
	size_t len;
	int st;

	*rec = NULL;
	st = sc_input_next_line(in, &line, &len);
	if (st <= 0)
		return st;
	if (sc_parse_line(sc_input_name(in), sc_input_lineno(in), line, len, rec, &in->err) < 0)
		return sc_input_bad(in, &in->err);
	return 1;
}

const char *sc_input_name(const struct sc_input *in)
{
	return in->r ? sc_reader_name(in->r) : in->csv ? sc_csv_name(in->csv) : "";
}

unsigned long sc_input_lineno(const struct sc_input *in)
{
	return in->r ? sc_reader_lineno(in->r) : in->csv ? sc_csv_line(in->csv) : 0;
}

const struct sc_error *sc_input_error(const struct sc_input *in)
{
	return &in->err;
}

int sc_input_reject(struct sc_input *in, const char *code, const char *fmt, ...)
{
	va_list ap;

	sc_error_set(&in->err, sc_input_name(in), (int)sc_input_lineno(in), 0, code, "%s", "");
	va_start(ap, fmt);
	vsnprintf(in->err.msg, sizeof in->err.msg, fmt, ap);
	va_end(ap);
	return sc_input_bad(in, &in->err);
}

void sc_input_stats(const struct sc_input *in, struct sc_input_stats *st)
{
	*st = in->st;
}
