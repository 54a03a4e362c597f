/*
 * test_jscan.c - unit tests for lib/jscan.c: what it takes and refuses (as
 * jansson does, as sc_parse_line calls it), the place of a fault, lookups by
 * key and path, iteration, decoding of escapes and numbers, the compact copy.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"
#include "t.h"

static struct sc_jscan js;

static int ok(const char *s)
{
	struct sc_error e;
	return sc_jscan_parse(&js, s, strlen(s), "t", 1, &e) == 0;
}

static int col(const char *s)
{
	struct sc_error e;
	e.col = 0;
	return sc_jscan_parse(&js, s, strlen(s), "t", 1, &e) == 0 ? 0 : e.col;
}

static void test_validity(void)
{
	static const char *const good[] = {"{}", "[]", " {\"a\" : [1, 2.5e3, -0, true, false, null]}\r\n", "\"x\"", "0",
	                                   "{\"a\":{\"a\":{}}}", "\"\\u00e9\\ud83d\\ude00\"", "\"\\u0000\"", "1e308",
	                                   "123456789012345678901234567890", "[\"caf\xc3\xa9\"]", "{\"a\":1,\"a\":2}"};
	static const char *const bad[] = {"", " ", "{", "[1,]", "{\"a\":}", "{\"a\" 1}", "[01]", "[1.]", "[.5]", "[1e]",
	                                  "[-]", "tru", "[1] x", "{a:1}", "[\"\\x\"]", "[\"\\ud800\"]", "[\"\\udc00\"]",
	                                  "{\"\\u0000\":1}", "[\"a\tb\"]", "[\"\xc0\xaf\"]", "[\"\xed\xa0\x80\"]", "1e400",
	                                  "[+1]", "{\"a\":1,}", "[1 2]", "\"abc"};
	for (size_t k = 0; k < sizeof good / sizeof *good; k++)
		CHECK(ok(good[k]));
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
		CHECK(!ok(bad[k]));
	/* the place of the fault, 1-based */
	CHECK(col("[1,]") == 4);
	CHECK(col("{\"a\":1 \"b\":2}") == 8);
	CHECK(col("[1] x") == 5);
	/* depth: jansson's limit, 2048 levels */
	char deep[4200];
	memset(deep, '[', 2048);
	memset(deep + 2048, ']', 2048);
	deep[4096] = '\0';
	CHECK(ok(deep));
	memset(deep, '[', 2049);
	memset(deep + 2049, ']', 2049);
	deep[4098] = '\0';
	CHECK(!ok(deep));
}

static void test_lookup(void)
{
	CHECK(ok(" { \"id\" : \"N-1\", \"decl\" : {\"total_value\": 1500.5, \"packages\": 12, \"items\": [{\"hs\": \"0203\"}, "
	         "{\"hs\": \"8507\"}], \"name\": \"Caf\\u00e9 \\\"A\\\"\"}, \"a\": 1, \"a\": 2 }"));
	CHECK_STR(js.s, "{\"id\":\"N-1\",\"decl\":{\"total_value\":1500.5,\"packages\":12,\"items\":[{\"hs\":\"0203\"},"
	                "{\"hs\":\"8507\"}],\"name\":\"Caf\\u00e9 \\\"A\\\"\"},\"a\":1,\"a\":2}");
	double x;
	long long i;
	CHECK(sc_jscan_num(&js, sc_jscan_path(&js, 0, "decl.total_value"), &x) == 0 && x == 1500.5);
	CHECK(sc_jscan_int(&js, sc_jscan_path(&js, 0, "decl.packages"), &i) == 0 && i == 12);
	CHECK(sc_jscan_int(&js, sc_jscan_path(&js, 0, "decl.total_value"), &i) < 0);
	CHECK(sc_jscan_path(&js, 0, "decl.nothing") < 0);
	CHECK(sc_jscan_path(&js, 0, "id.x") < 0);
	char buf[64];
	CHECK(sc_jscan_str(&js, sc_jscan_path(&js, 0, "decl.name"), buf, sizeof buf) == 9);
	CHECK_STR(buf, "Caf\xc3\xa9 \"A\"");
	CHECK(sc_jscan_str(&js, sc_jscan_path(&js, 0, "decl.name"), buf, 4) == 9);
	CHECK_STR(buf, "Caf");
	CHECK(sc_jscan_streq(&js, sc_jscan_get(&js, 0, "id"), "N-1"));
	/* a repeated key: the last, as jansson keeps it */
	CHECK(sc_jscan_int(&js, sc_jscan_get(&js, 0, "a"), &i) == 0 && i == 2);
	int items = sc_jscan_path(&js, 0, "decl.items"), n = 0;
	CHECK(sc_jscan_size(&js, items) == 2);
	for (int m = sc_jscan_first(&js, items); m >= 0; m = sc_jscan_next(&js, items, m))
		n += sc_jscan_streq(&js, sc_jscan_get(&js, m, "hs"), n ? "8507" : "0203");
	CHECK(n == 2);
	size_t len;
	const char *s = sc_jscan_span(&js, sc_jscan_get(&js, sc_jscan_first(&js, items), "hs"), &len);
	CHECK(s && len == 6 && memcmp(s, "\"0203\"", 6) == 0);
	json_t *t = sc_jscan_json(&js, sc_jscan_get(&js, 0, "decl")), *u = json_loads(js.s, 0, NULL);
	CHECK(json_equal(t, json_object_get(u, "decl")));
	json_decref(t);
	json_decref(u);
	/* past 64 bits: a real, as sc_parse_line reads it */
	CHECK(ok("[123456789012345678901234567890]"));
	t = sc_jscan_json(&js, 1);
	CHECK(json_is_real(t));
	json_decref(t);
}

/* sc_jscan_getv gives what sc_jscan_get gives, name by name: a repeated key
 * the last, an escaped key decoded, names of one length told apart, an
 * absent name -1, and -1 for all when v is no object. */
static void test_getv(void)
{
	CHECK(ok("{\"total\":1,\"gross\":2,\"bl_no\":3,\"\\u0074otal\":4,\"net\":5,\"net\":6,\"\":7,"
	         "\"a_name_of_more_than_sixty_four_bytes_to_go_past_the_table_of_lengths_x\":8}"));
	static const char *const keys[] = {"total", "gross", "bl_no", "net", "", "none", "nett",
	                                   "a_name_of_more_than_sixty_four_bytes_to_go_past_the_table_of_lengths_x", "net"};
	int at[9];
	size_t n = sizeof keys / sizeof *keys;
	sc_jscan_getv(&js, 0, keys, n, at);
	for (size_t k = 0; k < n; k++)
		CHECK(at[k] == sc_jscan_get(&js, 0, keys[k]));
	long long i;
	CHECK(sc_jscan_int(&js, at[0], &i) == 0 && i == 4);   /* "\u0074otal" is "total", and later */
	CHECK(sc_jscan_int(&js, at[3], &i) == 0 && i == 6 && at[8] == at[3]);
	CHECK(sc_jscan_int(&js, at[4], &i) == 0 && i == 7);
	CHECK(sc_jscan_int(&js, at[7], &i) == 0 && i == 8);
	CHECK(at[5] < 0 && at[6] < 0);
	CHECK(ok("[1,2]"));
	sc_jscan_getv(&js, 0, keys, 2, at);
	CHECK(at[0] < 0 && at[1] < 0);
}

/* A number read without strtod is the number strtod reads, to the bit:
 * decimals of every length around the fast path's edge, and random ones. */
static void test_numbers(void)
{
	static const char *const N[] = {"0.9", "-0.0", "0.1", "0.3", "170487.89", "105960.52", "99665.0",
	                                "123456789012.345", "1234567890123.456", "0.000000000000001",
	                                "9007199254740993.5", "-2.675", "1e3", "12.5E-2", "0.12345678901234567"};
	int same = 1;
	char line[64];
	for (size_t k = 0; k < sizeof N / sizeof *N; k++) {
		double x = -1;
		snprintf(line, sizeof line, "[%s]", N[k]);
		same &= ok(line) && sc_jscan_num(&js, 1, &x) == 0 && x == strtod(N[k], NULL) &&
		        signbit(x) == signbit(strtod(N[k], NULL));
	}
	CHECK(same);
	unsigned long long r = 88172645463325252ULL;
	int bad = 0;
	for (int k = 0; k < 20000; k++) {
		r ^= r << 13, r ^= r >> 7, r ^= r << 17;
		int frac = (int)(r % 16), digits = 1 + (int)((r >> 8) % 17);
		snprintf(line, sizeof line, "[%s%llu.%0*llu]", r & 1 << 20 ? "-" : "", (r >> 24) % 1000000000ULL, frac + 1,
		         (r >> 3) % (digits > 15 ? 1000000000000000ULL : 1ULL << (digits * 3)));
		double x;
		bad += !ok(line) || sc_jscan_num(&js, 1, &x) < 0 || x != strtod(line + 1, NULL);
	}
	CHECK(bad == 0);
}

int main(void)
{
	sc_jscan_init(&js);
	test_validity();
	test_lookup();
	test_getv();
	test_numbers();
	sc_jscan_release(&js);
	return T_DONE("jscan");
}
