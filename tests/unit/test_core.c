/*
 * test_core.c - unit tests for the core of libsc: errors, JSON lines,
 * pass-through appending, dotted paths, YAML places, SHA-256.
 */
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "sc.h"
#include "sha256.h"
#include "t.h"
#include "yamltree.h"

static void test_sha256(void)
{
	char hex[65];

	sc_sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sc_sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* 56 bytes: the padding spills into a second block */
	sc_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	{
		/* a million 'a', fed in uneven pieces */
		struct sc_sha256 s;
		unsigned char d[32];
		char *a = malloc(1000000);
		memset(a, 'a', 1000000);
		sc_sha256_init(&s);
		sc_sha256_update(&s, a, 3);
		sc_sha256_update(&s, a, 999990);
		sc_sha256_update(&s, a, 7);
		sc_sha256_final(&s, d);
		CHECK(d[0] == 0xcd && d[1] == 0xc7 && d[31] == 0xd0);
		free(a);
	}
}

static void test_reader(void)
{
	char path[] = "/tmp/sc-test-XXXXXX";
	int fd = mkstemp(path);
	const char *text = "{\"a\":1}\n\n[1,2]\n{\"b\":\n{\"c\":\"\xff\"}\r\n{\"d\":2}";
	struct sc_error err;
	struct sc_reader *r;
	json_t *rec;

	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	r = sc_reader_open(path, 0, &err);
	CHECK(r != NULL);
	CHECK(sc_reader_next(r, &rec, &err) == 1 && json_integer_value(json_object_get(rec, "a")) == 1);
	json_decref(rec);
	CHECK(sc_reader_next(r, &rec, &err) == -1 && err.line == 3 && strcmp(err.code, "not-object") == 0);
	CHECK(sc_reader_next(r, &rec, &err) == -1 && err.line == 4 && strcmp(err.code, "bad-json") == 0);
	CHECK(sc_reader_next(r, &rec, &err) == -1 && err.line == 5);   /* invalid UTF-8 */
	CHECK(sc_reader_next(r, &rec, &err) == 1 && sc_reader_lineno(r) == 6);  /* CRLF, no final \n */
	json_decref(rec);
	CHECK(sc_reader_next(r, &rec, &err) == 0);
	sc_reader_free(r);

	/* an overlong line is refused and the next one still read */
	fd = open(path, O_WRONLY | O_TRUNC);
	{
		char *big = malloc(5000);
		memset(big, ' ', 5000);
		big[0] = '{';
		big[4998] = '}';
		big[4999] = '\n';
		CHECK(write(fd, big, 5000) == 5000);
		CHECK(write(fd, "{\"ok\":true}\n", 12) == 12);
		free(big);
	}
	close(fd);
	r = sc_reader_open(path, 1000, &err);
	CHECK(sc_reader_next(r, &rec, &err) == -1 && strcmp(err.code, "line-too-long") == 0 && err.line == 1);
	CHECK(sc_reader_next(r, &rec, &err) == 1 && json_is_true(json_object_get(rec, "ok")));
	json_decref(rec);
	sc_reader_free(r);
	unlink(path);
}

static void test_append(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *v = json_pack("{s:i}", "score", 3);

	sc_write_appended(f, "{\"id\":\"x\"}", 10, "risk", v);
	sc_write_appended(f, "{ }", 3, "risk", v);
	sc_write_appended(f, "{\"a\":[1]}  ", 11, "risk", v);
	fclose(f);
	CHECK_STR(buf, "{\"id\":\"x\",\"risk\":{\"score\":3}}\n{\"risk\":{\"score\":3}}\n"
	               "{\"a\":[1],\"risk\":{\"score\":3}}\n");
	free(buf);
	json_decref(v);
}

static void test_path_and_errors(void)
{
	json_t *rec = json_loads("{\"decl\":{\"items\":[{\"hs\":\"440710\"}],\"id\":\"D1\"}}", 0, NULL);
	struct sc_error e;
	char buf[256];

	CHECK_STR(json_string_value(sc_json_path(rec, "decl.items.0.hs")), "440710");
	CHECK(sc_json_path(rec, "decl.items.1.hs") == NULL);
	CHECK(sc_json_path(rec, "decl.id.x") == NULL);
	sc_error_set(&e, "rules/value.yaml", 12, 9, "unknown-field", "unknown field \"%s\"", "decl.valeu");
	sc_error_format(&e, buf, sizeof buf);
	CHECK_STR(buf, "rules/value.yaml:12:9: unknown field \"decl.valeu\"");
	sc_record_add_error(rec, "sc-test", &e);
	CHECK_STR(json_string_value(sc_json_path(rec, "errors.0.code")), "unknown-field");
	CHECK(json_integer_value(sc_json_path(rec, "errors.0.line")) == 12);
	json_decref(rec);
}

static void test_yaml(void)
{
	const char *doc = "name: pack\nversion: 3\nlanes:\n  - green\n  - \"123\"\nrate: 0.02\nok: true\n";
	struct sc_error err;
	struct sc_yaml *y = sc_yaml_load_buffer("p.yaml", doc, strlen(doc), &err);
	json_t *root, *lanes;
	int line, col;

	CHECK(y != NULL);
	if (!y)
		return;
	root = sc_yaml_root(y);
	CHECK(json_integer_value(json_object_get(root, "version")) == 3);
	CHECK(json_real_value(json_object_get(root, "rate")) == 0.02);
	CHECK(json_is_true(json_object_get(root, "ok")));
	lanes = json_object_get(root, "lanes");
	CHECK(json_is_string(json_array_get(lanes, 1)));
	CHECK(sc_yaml_where(y, json_array_get(lanes, 1), &line, &col) == 0 && line == 5 && col == 5);
	CHECK(sc_yaml_key_where(y, root, "ok", &line, &col) == 0 && line == 7 && col == 1);
	CHECK(sc_yaml_where(y, json_object_get(root, "ok"), &line, &col) == -1);
	sc_yaml_free(y);

	CHECK(sc_yaml_load_buffer("b.yaml", "a: [1, 2\n", 9, &err) == NULL && err.line >= 1);
	CHECK(sc_yaml_load_buffer("d.yaml", "a: 1\na: 2\n", 10, &err) == NULL && err.line == 2 &&
	      strstr(err.msg, "duplicate") != NULL);
	CHECK(sc_yaml_load_buffer("x.yaml", "a: &x [1]\nb: *x\n", 16, &err) == NULL &&
	      strstr(err.msg, "alias") != NULL);
	{
		/* deeper than the cap: refused with a place, never a crash */
		char deep[400];
		memset(deep, '[', 200);
		memset(deep + 200, ']', 200);
		CHECK(sc_yaml_load_buffer("deep.yaml", deep, 400, &err) == NULL &&
		      strcmp(err.code, "too-deep") == 0);
	}
	y = sc_yaml_load_buffer("e.yaml", "", 0, &err);
	CHECK(y && json_is_null(sc_yaml_root(y)));
	sc_yaml_free(y);
}

static void test_parse_numbers(void)
{
	double d;
	unsigned long long u;
	int n;

	CHECK(sc_parse_double("0.5", 0, 1, &d) == 0 && d == 0.5);
	CHECK(sc_parse_double("1e2", 0, 100, &d) == 0 && d == 100);
	CHECK(sc_parse_double("100.1", 0, 100, &d) < 0);
	CHECK(sc_parse_double("-1", 0, 100, &d) < 0);
	CHECK(sc_parse_double("nan", 0, 100, &d) < 0);
	CHECK(sc_parse_double("1e999", 0, 1e300, &d) < 0);
	CHECK(sc_parse_double("5%", 0, 100, &d) < 0);
	CHECK(sc_parse_double("", 0, 100, &d) < 0);
	CHECK(sc_parse_u64("18446744073709551615", &u) == 0 && u == 18446744073709551615ull);
	CHECK(sc_parse_u64("18446744073709551616", &u) < 0);
	CHECK(sc_parse_u64("-1", &u) < 0 && sc_parse_u64("1x", &u) < 0);
	CHECK(sc_parse_int("64", 1, 64, &n) == 0 && n == 64);
	CHECK(sc_parse_int("65", 1, 64, &n) < 0);
}

int main(void)
{
	test_parse_numbers();
	test_sha256();
	test_reader();
	test_append();
	test_path_and_errors();
	test_yaml();
	return T_DONE("core");
}
