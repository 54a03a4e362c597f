/*
 * test_csv.c - the CSV reader: RFC 4180 quoting, BOM, CRLF/LF/CR, delimiters
 * given and guessed, caps, and bad rows reported with their line while the
 * rows around them still come through.
 */
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "t.h"

/* Read all rows into "a|b|c\n" lines, bad rows as "!LINE:code\n". */
static char *dump(const char *text, const struct sc_csv_opts *o)
{
	static char out[8192];
	struct sc_error err;
	struct sc_csv *c = sc_csv_open_buffer("t.csv", text, strlen(text), o, &err);
	size_t n, len = 0;
	char **f;
	int rc;

	out[0] = '\0';
	while ((rc = sc_csv_next(c, &n, &f, &err)) != 0) {
		if (rc == -1) {
			len += (size_t)snprintf(out + len, sizeof out - len, "!%d:%s\n", err.line, err.code);
			continue;
		}
		if (rc == -2)
			break;
		len += (size_t)snprintf(out + len, sizeof out - len, "%lu:", sc_csv_line(c));
		for (size_t i = 0; i < n; i++)
			len += (size_t)snprintf(out + len, sizeof out - len, "%s%s", i ? "|" : "", f[i]);
		len += (size_t)snprintf(out + len, sizeof out - len, "\n");
	}
	sc_csv_free(c);
	return out;
}

int main(void)
{
	CHECK_STR(dump("a,b,c\n1,2,3\n", NULL), "1:a|b|c\n2:1|2|3\n");
	/* no final newline, CRLF, lone CR, empty lines skipped */
	CHECK_STR(dump("a,b\r\n1,2\r\n\r\n3,4", NULL), "1:a|b\n2:1|2\n4:3|4\n");
	CHECK_STR(dump("a,b\r1,2\r", NULL), "1:a|b\n2:1|2\n");
	/* quotes: delimiters, doubled quotes and newlines inside */
	CHECK_STR(dump("\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\nnext,1,2\n", NULL),
	          "1:x,y|say \"hi\"|two\nlines\n3:next|1|2\n");
	/* empty fields, an empty quoted field, a stray quote kept as text */
	CHECK_STR(dump(",,\n\"\",a,12\" pipe\n", NULL), "1:||\n2:|a|12\" pipe\n");
	/* the BOM is not part of the first name */
	CHECK_STR(dump("\xEF\xBB\xBFid,name\n1,x\n", NULL), "1:id|name\n2:1|x\n");
	/* delimiters: guessed, and given */
	CHECK_STR(dump("a;b;c\n1;\"2;3\";4\n", NULL), "1:a|b|c\n2:1|2;3|4\n");
	CHECK_STR(dump("a\tb\n1\t2\n", NULL), "1:a|b\n2:1|2\n");
	struct sc_csv_opts semi = { .delim = ';' };
	CHECK_STR(dump("a,b;c\n", &semi), "1:a,b|c\n");
	/* OFAC's padding after a closing quote: dropped when asked, else an error */
	struct sc_csv_opts pad = { .delim = ',', .after_quote_dropped = 1 };
	CHECK_STR(dump("a,b\n\"x\" ,2\n\"y\"z,3\n", &pad), "1:a|b\n2:x|2\n3:y|3\n");
	/* a reader that stops at the first bad row: no rows made from a stray
	 * quote's lines, the open field runs to the end */
	struct sc_csv_opts whole = { .delim = ',', .no_recovery = 1 };
	CHECK_STR(dump("a,b\n1,\"x\n2,3\n", &whole), "1:a|b\n!2:csv-quote\n");
	/* bad rows: reported with their line, the rows around them still come */
	CHECK_STR(dump("a,b\n\"x\"y,2\nok,3\n", NULL), "1:a|b\n!2:csv-quote\n3:ok|3\n");
	/* an unclosed quote costs only its row: reading goes on at the next line */
	CHECK_STR(dump("a,b\n1,2\n\"open,3\nmore,4\n5,6\n", NULL),
	          "1:a|b\n2:1|2\n!3:csv-quote\n4:more|4\n5:5|6\n");
	CHECK_STR(dump("a,b\n\"x,1\n\"y,2\n3,4\n", NULL), "1:a|b\n!2:csv-quote\n!3:csv-quote\n4:3|4\n");
	/* a stray quote that closes lines later: each line reads as a row alone */
	CHECK_STR(dump("a,b,c\n1,\"x,2\n3,y\",4\n5,6,7\n", NULL),
	          "1:a|b|c\n!2:csv-quote\n3:3|y\"|4\n4:5|6|7\n");
	/* ... but a real field over two lines is one row */
	CHECK_STR(dump("a,b,c\n1,2,\"line\nmore\"\n3,4,5\n", NULL),
	          "1:a|b|c\n2:1|2|line\nmore\n4:3|4|5\n");
	/* a merged row of the wrong width is taken apart the same way */
	CHECK_STR(dump("a,b\n1,\"x\n2,3\n4,5\"\"\n6,7\n", NULL),
	          "1:a|b\n!2:csv-quote\n3:2|3\n4:4|5\"\"\n5:6|7\n");
	{
		const char text[] = "a,b\n1,x\0y\n2,3\n";
		struct sc_error err;
		struct sc_csv *c = sc_csv_open_buffer("t.csv", text, sizeof text - 1, NULL, &err);
		size_t n;
		char **f;
		CHECK(sc_csv_next(c, &n, &f, &err) == 1);
		CHECK(sc_csv_next(c, &n, &f, &err) == -1 && strcmp(err.code, "csv-nul") == 0 && err.line == 2);
		CHECK(sc_csv_next(c, &n, &f, &err) == 1 && n == 2 && strcmp(f[0], "2") == 0);
		CHECK(sc_csv_next(c, &n, &f, &err) == 0);
		sc_csv_free(c);
	}
	/* caps on field size, row size and field count */
	struct sc_csv_opts caps = { .max_field = 4, .max_row = 12, .max_fields = 3 };
	CHECK_STR(dump("abcd,e\nabcde,f\nok,1\n", &caps), "1:abcd|e\n!2:csv-field-size\n3:ok|1\n");
	CHECK_STR(dump("a,b,c\na,b,c,d\n1,2,3\n", &caps), "1:a|b|c\n!2:csv-fields\n3:1|2|3\n");
	CHECK_STR(dump("abcd,abcd,abcd\nx\n", &caps), "!1:csv-row-size\n2:x\n");
	CHECK_STR(dump(",,,,,,,,,,,,,,,,,,,,\nx\n", &caps), "!1:csv-fields\n2:x\n");
	/* an error's column points into the line */
	{
		struct sc_error err;
		struct sc_csv *c = sc_csv_open_buffer("t.csv", "a\n\"ab\"c\n", 8, NULL, &err);
		size_t n;
		char **f;
		sc_csv_next(c, &n, &f, &err);
		CHECK(sc_csv_next(c, &n, &f, &err) == -1 && err.line == 2 && err.col == 5);
		CHECK(strcmp(err.file, "t.csv") == 0);
		sc_csv_free(c);
	}
	/* an empty input has no rows; a missing file is a clear error */
	CHECK_STR(dump("", NULL), "");
	struct sc_error err;
	CHECK(sc_csv_open("/nonexistent/x.csv", NULL, &err) == NULL && strstr(err.msg, "cannot open"));
	return T_DONE("csv");
}
