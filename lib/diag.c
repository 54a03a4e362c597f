/*
 * diag.c - struct sc_error and the diagnostics of one run: messages that name
 * their place, and an exit status that stays at its worst (bsdtar's rule,
 * not jq's last-input-wins).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errcode.h"
#include "progress.h"
#include "sc.h"

/* The name of the program, for the check of standard output at exit. */
static const char *exit_prog = "sc";
static int fatal_reported;

/*
 * Standard output is checked when the program ends, whatever path main took
 * (--help, --figures, a listing): a full disk or a closed pipe is a failed
 * write, exit status 2 with a message, never a silent 0.
 */
static void close_stdout(void)
{
	int bad = ferror(stdout) != 0;
	if (fclose(stdout) != 0 && errno != EBADF)
		bad = 1;
	if (!bad)
		return;
	if (!fatal_reported) {
		int e = errno;
		fprintf(stderr, "%s: write error on standard output%s%s\n", exit_prog,
		        e ? ": " : "", e ? strerror(e) : "");
	}
	_exit(2);
}

void sc_error_clear(struct sc_error *e)
{
	if (e)
		memset(e, 0, sizeof *e);
}

int sc_error_set(struct sc_error *e, const char *file, int line, int col,
                 const char *code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	snprintf(e->file, sizeof e->file, "%s", file ? file : "");
	e->line = line;
	e->col = col;
	{
		/* out of memory is spelled one way, whatever the caller wrote */
		const char *c = code ? sc_errcode_canonical(code) : NULL;
		snprintf(e->code, sizeof e->code, "%s", c ? c : code ? code : "error");
	}
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

void sc_error_format(const struct sc_error *e, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (e->file[0]) {
		n += snprintf(buf + n, len - n, "%s:", e->file);
		if (n < len && e->line > 0)
			n += snprintf(buf + n, len - n, "%d:", e->line);
		if (n < len && e->line > 0 && e->col > 0)
			n += snprintf(buf + n, len - n, "%d:", e->col);
		if (n < len)
			n += snprintf(buf + n, len - n, " ");
	}
	if (n < len)
		snprintf(buf + n, len - n, "%s", e->msg);
}

static void write_checks(const char *prog);

void sc_diag_init(struct sc_diag *d, const char *prog)
{
	const char *slash = prog ? strrchr(prog, '/') : NULL;

	memset(d, 0, sizeof *d);
	d->prog = slash ? slash + 1 : prog;   /* "sc-ocr", not "./bin/sc-ocr" */
	d->out = stderr;
	write_checks(d->prog);
}

/* Once per process: a closed pipe is a write error (exit 2, as the man pages
 * say), not death by SIGPIPE (141); standard output is checked at exit. */
static void write_checks(const char *prog)
{
	static int once;

	if (once)
		return;
	once = 1;
	exit_prog = prog;
	signal(SIGPIPE, SIG_IGN);
	atexit(close_stdout);
}

char *sc_tool_start(char *argv0)
{
	char *slash = argv0 ? strrchr(argv0, '/') : NULL;
	char *name = slash ? slash + 1 : argv0;

	write_checks(name ? name : "sc");
	return name;
}

static void raise_status(struct sc_diag *d, int status)
{
	if (d->status < status)
		d->status = status;
}

static void vreport(struct sc_diag *d, const char *prefix, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof msg, fmt, ap);
	/* one fprintf per message, so lines from worker threads never interleave;
	 * a progress line on the terminal is cleared first */
	sc_progress_suspend();
	fprintf(d->out, "%s: %s%s\n", d->prog, prefix, msg);
	fflush(d->out);
	sc_progress_resume();
}

void sc_diag_error(struct sc_diag *d, const struct sc_error *e)
{
	char buf[1024];

	sc_error_format(e, buf, sizeof buf);
	raise_status(d, 1);
	if (!d->quiet) {
		sc_progress_suspend();
		fprintf(d->out, "%s: %s\n", d->prog, buf);
		fflush(d->out);
		sc_progress_resume();
	}
}

void sc_diag_errorf(struct sc_diag *d, const char *fmt, ...)
{
	va_list ap;

	raise_status(d, 1);
	if (d->quiet)
		return;
	va_start(ap, fmt);
	vreport(d, "", fmt, ap);
	va_end(ap);
}

void sc_diag_warnf(struct sc_diag *d, const char *fmt, ...)
{
	va_list ap;

	if (d->quiet)
		return;
	va_start(ap, fmt);
	vreport(d, "warning: ", fmt, ap);
	va_end(ap);
}

void sc_diag_notef(struct sc_diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(d, "", fmt, ap);
	va_end(ap);
}

void sc_diag_warn(struct sc_diag *d, const struct sc_error *e)
{
	char place[300];

	if (d->quiet)
		return;
	place[0] = '\0';
	if (e->file[0] && e->line > 0 && e->col > 0)
		snprintf(place, sizeof place, "%.256s:%d:%d: ", e->file, e->line, e->col);
	else if (e->file[0] && e->line > 0)
		snprintf(place, sizeof place, "%.256s:%d: ", e->file, e->line);
	else if (e->file[0])
		snprintf(place, sizeof place, "%.256s: ", e->file);
	sc_progress_suspend();
	fprintf(d->out, "%s: %swarning: %s: %s\n", d->prog, place, e->code[0] ? e->code : "warning",
	        e->msg);
	fflush(d->out);
	sc_progress_resume();
}

void sc_diag_fatalf(struct sc_diag *d, const char *fmt, ...)
{
	va_list ap;

	raise_status(d, 2);
	fatal_reported = 1;
	va_start(ap, fmt);
	vreport(d, "", fmt, ap);
	va_end(ap);
}

int sc_diag_flush(struct sc_diag *d, FILE *f, const char *what)
{
	int e;

	errno = 0;
	if (fflush(f) == 0 && !ferror(f))
		return 0;
	e = errno;
	sc_diag_fatalf(d, "write error on %s%s%s", what, e ? ": " : "", e ? strerror(e) : "");
	return -1;
}

int sc_diag_finish(struct sc_diag *d, const char *what)
{
	if (d->bad > 0 && !d->quiet) {
		sc_progress_suspend();
		fprintf(d->out, "%s: %lu of %lu %s had errors\n", d->prog, d->bad,
		        d->records, what ? what : "records");
		sc_progress_resume();
	}
	if (d->bad > 0)
		raise_status(d, 1);
	return d->status;
}

/*
 * A code outside the vocabulary (errcode.h) is a bug of the program, not of
 * the input: under SC_CHECK_CODES=1 (the test harness sets it) the program
 * says so and aborts, so that the test that emitted it fails. Otherwise the
 * record still gets its entry.
 */
static const char *checked_code(const char *tool, const char *code)
{
	const char *c = sc_errcode_canonical(code);
	const char *check = getenv("SC_CHECK_CODES");

	if (c)
		return c;
	if (check && !strcmp(check, "1")) {
		fprintf(stderr, "%s: internal error: code \"%s\" is not in the vocabulary of sc(7)"
		        " (lib/errcode.h)\n", tool, code);
		abort();
	}
	return code;
}

int sc_record_add_error(json_t *rec, const char *tool, const struct sc_error *e)
{
	json_t *errors, *item;

	if (!json_is_object(rec))
		return -1;
	errors = json_object_get(rec, "errors");
	if (!json_is_array(errors)) {
		errors = json_array();
		if (!errors || json_object_set_new(rec, "errors", errors) < 0)
			return -1;
	}
	item = json_pack("{s:s,s:s,s:s}", "tool", tool, "code",
	                 checked_code(tool, e->code[0] ? e->code : "error"), "msg", e->msg);
	if (!item)
		return -1;
	if (e->file[0])
		json_object_set_new(item, "file", json_string(e->file));
	if (e->line > 0)
		json_object_set_new(item, "line", json_integer(e->line));
	if (e->col > 0)
		json_object_set_new(item, "col", json_integer(e->col));
	return json_array_append_new(errors, item);
}

int sc_reason_add(json_t *list, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return json_array_append_new(list, json_pack("{s:s,s:s}", "code", code, "msg", msg));
}
