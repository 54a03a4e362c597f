/*
 * test_input.c - unit tests for sc_input: files in order, standard input by
 * default, every record placed and counted, bad lines reported in the one
 * wording and the good ones around them still read.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "input.h"
#include "t.h"

static char dir[64];

static char *write_file(const char *name, const char *text)
{
	static char paths[4][128];
	static int n;
	char *p = paths[n++ % 4];
	FILE *f;

	snprintf(p, 128, "%s/%s", dir, name);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	return p;
}

/* Diagnostics into memory, so the wording can be checked. */
static FILE *diag_to_memory(struct sc_diag *d, char **buf, size_t *len)
{
	sc_diag_init(d, "sc-test");
	d->out = open_memstream(buf, len);
	return d->out;
}

static void test_files_in_order(void)
{
	struct sc_diag d;
	char *msgs = NULL;
	size_t mlen = 0;
	FILE *mf = diag_to_memory(&d, &msgs, &mlen);
	char *files[3];
	struct sc_input *in;
	struct sc_input_stats st;
	json_t *rec;
	int ids[8], n = 0, bad = 0, rc;
	unsigned long lines[8];

	files[0] = write_file("a.jsonl", "{\"i\":1}\n\n{\"i\":2\n[3]\n{\"i\":4}\n");
	files[1] = (char *)"/nonexistent/b.jsonl";
	files[2] = write_file("c.jsonl", "{\"i\":5}\r\n{\"i\":6}");   /* CRLF, no final newline */
	in = sc_input_new(3, files, &d, NULL);
	CHECK(in != NULL);
	while ((rc = sc_input_next(in, &rec)) != 0) {
		if (rc < 0) {
			bad++;
			CHECK(rec == NULL);
			CHECK(sc_input_error(in)->line == (int)sc_input_lineno(in));
			continue;
		}
		if (n < 8) {
			lines[n] = sc_input_lineno(in);
			ids[n++] = (int)json_integer_value(json_object_get(rec, "i"));
		}
		json_decref(rec);
	}
	CHECK(n == 4 && bad == 2);
	CHECK(ids[0] == 1 && ids[1] == 4 && ids[2] == 5 && ids[3] == 6);
	CHECK(lines[0] == 1 && lines[1] == 5 && lines[2] == 1 && lines[3] == 2);
	sc_input_stats(in, &st);
	CHECK(st.files == 2 && st.unreadable == 1 && st.records == 6 && st.bad == 2);
	CHECK(d.records == 6 && d.bad == 2);
	CHECK(d.status == 1);   /* bad input, not fatal: the other files were read */
	sc_input_free(in);
	fclose(mf);
	CHECK(strstr(msgs, "sc-test: ") == msgs);
	CHECK(strstr(msgs, "a.jsonl:3:") != NULL && strstr(msgs, "invalid JSON") != NULL);
	CHECK(strstr(msgs, "a.jsonl:4:1: record is not a JSON object") != NULL);
	CHECK(strstr(msgs, "sc-test: /nonexistent/b.jsonl: No such file or directory\n") != NULL);
	free(msgs);
}

static void test_too_long_and_reject(void)
{
	struct sc_diag d;
	char *msgs = NULL;
	size_t mlen = 0;
	FILE *mf = diag_to_memory(&d, &msgs, &mlen);
	struct sc_input_opts o = { .max_line = 16 };
	char *files[1];
	struct sc_input *in;
	const char *line;
	size_t len;
	int rc, good = 0, bad = 0;

	files[0] = write_file("long.jsonl", "{\"a\":1}\n{\"a\":\"0123456789abcdef\"}\n{\"b\":2}\n");
	in = sc_input_new(1, files, &d, &o);
	while ((rc = sc_input_next_line(in, &line, &len)) != 0) {
		if (rc < 0) {
			bad++;
			CHECK(strcmp(sc_input_error(in)->code, "line-too-long") == 0);
			continue;
		}
		good++;
		CHECK(line[0] == '{' && line[len - 1] == '}');
		if (sc_input_lineno(in) == 3) {
			/* rejected twice, counted once */
			CHECK(sc_input_reject(in, "no-label", "no label at %s", "y") == -1);
			sc_input_reject(in, "no-label", "still no label");
		}
	}
	CHECK(good == 2 && bad == 1);
	CHECK(d.records == 3 && d.bad == 2);
	sc_input_free(in);
	fclose(mf);
	CHECK(strstr(msgs, "sc-test: ") == msgs);
	CHECK(strstr(msgs, "long.jsonl:2: line longer than 16 bytes\n") != NULL);
	CHECK(strstr(msgs, "long.jsonl:3: no label at y\n") != NULL);
	free(msgs);
}

static void test_csv_mode(void)
{
	struct sc_diag d;
	char *msgs = NULL;
	size_t mlen = 0;
	FILE *mf = diag_to_memory(&d, &msgs, &mlen);
	char *files[3];
	struct sc_input *in;
	char **fields;
	size_t n;
	int rc, headers = 0, rows = 0, bad = 0;
	char seen[64] = "";

	files[0] = write_file("a.csv", "id,v\nA,1\nB\n\"C\nc\",3\n");
	files[1] = write_file("e.csv", "");
	files[2] = write_file("b.csv", "x;y;z\nD;4;5\n");
	struct sc_csv_opts co = { 0 };
	in = sc_input_new_csv(3, files, &d, NULL, &co);
	while ((rc = sc_input_next_row(in, &n, &fields)) != 0) {
		if (rc == SC_INPUT_HEADER) {
			headers++;
			CHECK(sc_input_lineno(in) == 1);
			continue;
		}
		if (rc < 0) {
			bad++;
			CHECK(strcmp(sc_input_error(in)->code, "csv-width") == 0);
			CHECK(sc_input_lineno(in) == 3);
			continue;
		}
		rows++;
		strncat(seen, fields[0], sizeof seen - strlen(seen) - 1);
		if (fields[0][0] == 'C')
			CHECK(sc_input_lineno(in) == 4);   /* the row's first line */
	}
	CHECK(headers == 2 && rows == 3 && bad == 1);
	CHECK(strcmp(seen, "AC\ncD") == 0);
	CHECK(d.records == 4 && d.bad == 1);
	sc_input_free(in);
	fclose(mf);
	CHECK(strstr(msgs, "a.csv:3: 1 fields, the header has 2: row skipped\n") != NULL);
	CHECK(strstr(msgs, "e.csv: empty file, no header\n") != NULL);
	free(msgs);
}

static void test_unreadable_fatal(void)
{
	struct sc_diag d;
	char *msgs = NULL;
	size_t mlen = 0;
	FILE *mf = diag_to_memory(&d, &msgs, &mlen);
	struct sc_input_opts o = { .unreadable_fatal = 1 };
	char *files[2] = { (char *)"/nonexistent/x.jsonl", NULL };
	struct sc_input *in;
	json_t *rec;
	int n = 0;

	files[1] = write_file("ok.jsonl", "{}\n");
	in = sc_input_new(2, files, &d, &o);
	while (sc_input_next(in, &rec) == 1) {
		n++;
		json_decref(rec);
	}
	CHECK(n == 1);           /* still read: the report says what it could */
	CHECK(d.status == 2);
	sc_input_free(in);
	fclose(mf);
	CHECK(strstr(msgs, "sc-test: /nonexistent/x.jsonl: No such file or directory\n") != NULL);
	free(msgs);
}

static void test_stdin_default(void)
{
	struct sc_diag d;
	char *msgs = NULL;
	size_t mlen = 0;
	FILE *mf = diag_to_memory(&d, &msgs, &mlen);
	char *path = write_file("in.jsonl", "{\"x\":1}\n{\"x\":2}\n");
	int saved = dup(0), n = 0;
	struct sc_input *in;
	json_t *rec;

	CHECK(freopen(path, "r", stdin) != NULL);
	in = sc_input_new(0, NULL, &d, NULL);
	while (sc_input_next(in, &rec) == 1) {
		CHECK_STR(sc_input_name(in), "<stdin>");
		n++;
		json_decref(rec);
	}
	CHECK(n == 2 && d.status == 0);
	sc_input_free(in);
	dup2(saved, 0);
	close(saved);
	fclose(mf);
	CHECK(mlen == 0);
	free(msgs);
}

int main(void)
{
	char tmpl[] = "/tmp/sc-test-input-XXXXXX";
	const char *td = getenv("TMPDIR");

	if (td && strlen(td) < 40)
		snprintf(dir, sizeof dir, "%s/sc-test-input-XXXXXX", td);
	else
		snprintf(dir, sizeof dir, "%s", tmpl);
	if (!mkdtemp(dir))
		return 2;
	test_files_in_order();
	test_too_long_and_reject();
	test_unreadable_fatal();
	test_stdin_default();
	test_csv_mode();
	{
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 2;
	}
	return T_DONE("input");
}
