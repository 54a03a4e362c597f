/*
 * diag.c - struct sc_error and the diagnostics of one run: messages that name
 * their place, and an exit status that stays at its worst (bsdtar's rule,
 * not jq's last-input-wins).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sc.h"

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
	snprintf(e->code, sizeof e->code, "%s", code ? code : "error");
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

void sc_diag_init(struct sc_diag *d, const char *prog)
{
	memset(d, 0, sizeof *d);
	d->prog = prog;
	d->out = stderr;
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
	/* one fprintf per message, so lines from worker threads never interleave */
	fprintf(d->out, "%s: %s%s\n", d->prog, prefix, msg);
	fflush(d->out);
}

void sc_diag_error(struct sc_diag *d, const struct sc_error *e)
{
	char buf[1024];

	sc_error_format(e, buf, sizeof buf);
	raise_status(d, 1);
	if (!d->quiet) {
		fprintf(d->out, "%s: %s\n", d->prog, buf);
		fflush(d->out);
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

void sc_diag_fatalf(struct sc_diag *d, const char *fmt, ...)
{
	va_list ap;

	raise_status(d, 2);
	va_start(ap, fmt);
	vreport(d, "", fmt, ap);
	va_end(ap);
}

int sc_diag_finish(struct sc_diag *d, const char *what)
{
	if (d->bad > 0 && !d->quiet)
		fprintf(d->out, "%s: %lu of %lu %s had errors\n", d->prog, d->bad,
		        d->records, what ? what : "records");
	if (d->bad > 0)
		raise_status(d, 1);
	return d->status;
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
	                 e->code[0] ? e->code : "error", "msg", e->msg);
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
