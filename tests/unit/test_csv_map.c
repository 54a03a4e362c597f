/*
 * test_csv_map.c - import maps: mistakes reported at the map's line:col,
 * binding to a header (exact, then trimmed and case-blind), and each type's
 * conversion of a CSV value into the decl record.
 */
#include <string.h>

#include "import_map.h"
#include "t.h"

static struct sc_import_map *load(const char *text, struct sc_error *err)
{
	return sc_import_map_load_buffer("m.yaml", text, strlen(text), err);
}

#define HEAD "format: sc-import-map\nv: 1\nid: ID\n"

static void test_errors(void)
{
	struct sc_error err;
	CHECK(!load(HEAD "fields:\n  date: D\nextra: 1\n", &err));
	CHECK(err.line == 6 && err.col == 1 && strstr(err.msg, "unknown key \"extra\""));
	CHECK(!load(HEAD "fields:\n  items.hs: {column: H, typ: hs}\n", &err));
	CHECK(err.line == 5 && strstr(err.msg, "unknown key \"typ\""));
	CHECK(!load(HEAD "fields:\n  items.hs: {column: H, type: hscode}\n", &err));
	CHECK(err.line == 5 && err.col == 31 && strstr(err.msg, "type: expected"));
	CHECK(!load("format: sc-import-map\nv: 1\nfields: {date: D}\n", &err));
	CHECK(strstr(err.msg, "id: the column of the declaration id is required"));
	CHECK(!load(HEAD "fields:\n  date: {column: D, value: x}\n", &err));
	CHECK(strstr(err.msg, "either a column or a value"));
	CHECK(!load(HEAD "fields: []\n", &err));
	CHECK(strstr(err.msg, "fields: expected a mapping"));
	CHECK(!load("format: other\nv: 1\nid: X\nfields: {date: D}\n", &err));
	CHECK(err.line == 1 && strstr(err.msg, "format: expected \"sc-import-map\""));
	CHECK(!load(HEAD "delimiter: ';;'\nfields: {date: D}\n", &err));
	CHECK(err.line == 4 && strstr(err.msg, "delimiter"));
	CHECK(!load(HEAD "fields:\n  items.hs: {column: H, pad: 11}\n", &err));
	CHECK(strstr(err.msg, "pad: expected a width"));
	CHECK(!load("- a\n- b\n", &err));
	CHECK(strstr(err.msg, "an import map is a mapping"));
	CHECK(!load(HEAD "fields: {date: D}\n: : :\n", &err));   /* YAML syntax */
	CHECK(err.line > 0 && strcmp(err.file, "m.yaml") == 0);
}

static const char *str_at(const json_t *rec, const char *path)
{
	return json_string_value(sc_json_path(rec, path));
}

static void test_rows(void)
{
	struct sc_error err;
	struct sc_import_map *m = load(HEAD
		"delimiter: tab\n"
		"labels: [Fraud]\n"
		"fields:\n"
		"  date: {column: Date, type: date, formats: [\"%d.%m.%Y\", \"%Y-%m-%d\"]}\n"
		"  office: {column: Office, upper: true}\n"
		"  importer.id: {column: Importer, required: true}\n"
		"  origin: {column: Origin, type: country}\n"
		"  packages: {column: Pk, type: integer}\n"
		"  items.hs: {column: HS, type: hs, pad: 6}\n"
		"  items.net_kg: {column: Mass, type: number, unit: g}\n"
		"  items.value: {column: Value, type: number, decimal: \",\", scale: 10}\n"
		"  items.currency: {value: EUR}\n"
		"  items.description: {column: Desc, optional: true}\n", &err);
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK(sc_import_map_delim(m) == '\t');
	CHECK(!sc_import_map_grouped(m));
	char *head[] = { "ID", " date ", "OFFICE", "Importer", "Origin", "Pk", "HS", "Mass", "Value", "Fraud" };
	CHECK(sc_import_map_bind(m, head, 10, "Fraud", "f.csv", &err) == 0);
	char *row[] = { " 77 ", "31.12.2020", "ic1", "IMP9", "cn", "3", "10121", "2500", "1.234,5", "1" };
	json_t *rec = NULL;
	CHECK(sc_import_map_row(m, row, 10, "f.csv", 9, &rec, &err) == 0);
	CHECK_STR(str_at(rec, "id"), "77");
	CHECK_STR(str_at(rec, "src.path"), "f.csv");
	CHECK(json_integer_value(sc_json_path(rec, "src.line")) == 9);
	CHECK(json_integer_value(sc_json_path(rec, "decl.v")) == 1);
	CHECK_STR(str_at(rec, "decl.date"), "2020-12-31");
	CHECK_STR(str_at(rec, "decl.office"), "IC1");
	CHECK_STR(str_at(rec, "decl.importer.id"), "IMP9");
	CHECK_STR(str_at(rec, "decl.origin"), "CN");
	CHECK(json_integer_value(sc_json_path(rec, "decl.packages")) == 3);
	CHECK_STR(str_at(rec, "decl.items.0.hs"), "010121");
	CHECK(json_number_value(sc_json_path(rec, "decl.items.0.net_kg")) == 2.5);
	CHECK(json_number_value(sc_json_path(rec, "decl.items.0.value")) == 12345);
	CHECK_STR(str_at(rec, "decl.items.0.currency"), "EUR");
	CHECK(sc_json_path(rec, "decl.items.0.description") == NULL);   /* optional, absent */
	CHECK(json_integer_value(sc_json_path(rec, "decl.outcome")) == 1);
	CHECK_STR(sc_import_map_rec_id(rec), "77");

	/* a second row of the same declaration adds its item */
	json_t *more = NULL;
	CHECK(sc_import_map_row(m, row, 10, "f.csv", 10, &more, &err) == 0);
	CHECK(sc_import_map_merge(rec, more) == 0);
	CHECK(json_array_size(sc_json_path(rec, "decl.items")) == 2);
	json_decref(more);
	json_decref(rec);

	/* bad values name the column, at file:line */
	char *bad[][10] = {
		{ "1", "31.02.2020", "o", "I", "CN", "1", "0101", "1", "1", "0" },
		{ "1", "01.01.2020", "o", "", "CN", "1", "0101", "1", "1", "0" },
		{ "1", "01.01.2020", "o", "I", "C1", "1", "0101", "1", "1", "0" },
		{ "1", "01.01.2020", "o", "I", "CN", "1.5", "0101", "1", "1", "0" },
		{ "1", "01.01.2020", "o", "I", "CN", "1", "0101", "1kg", "1", "0" },
		{ "", "01.01.2020", "o", "I", "CN", "1", "0101", "1", "1", "0" },
	};
	const char *want[] = { "column \"Date\" (date): not a date", "empty, and the map requires it",
	                       "not an ISO 3166", "not an integer", "not a number", "empty declaration id" };
	for (int i = 0; i < 6; i++) {
		rec = NULL;
		CHECK(sc_import_map_row(m, bad[i], 10, "f.csv", 20 + i, &rec, &err) == -1 && rec == NULL);
		CHECK(err.line == 20 + i && strstr(err.msg, want[i]) != NULL);
		if (!strstr(err.msg, want[i]))
			fprintf(stderr, "  got: %s\n", err.msg);
	}
	/* a short row */
	CHECK(sc_import_map_row(m, row, 4, "f.csv", 30, &rec, &err) == -1 && strstr(err.msg, "missing"));

	/* a header without a needed column */
	char *head2[] = { "ID", "Date" };
	CHECK(sc_import_map_bind(m, head2, 2, NULL, "g.csv", &err) == -1);
	CHECK(err.line == 1 && strcmp(err.file, "g.csv") == 0 && strstr(err.msg, "\"OFFICE\"") == NULL);
	CHECK(strstr(err.msg, "no column \"Office\""));
	sc_import_map_free(m);
}

int main(void)
{
	test_errors();
	test_rows();
	return T_DONE("csv_map");
}
