/*
 * learn.c - the features of learned scoring: fields read from a `decl`, key
 * tables of past outcomes, and the time-ordered target encoding that keeps a
 * record's own label (and everything later) out of its features.
 */
#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "norm.h"
#include "hash.h"
#include "errcode.h"
#include "learn.h"

/* ---- fields --------------------------------------------------------------- */

/* Copy a scalar as text into dst (cut at SC_LEARN_MAX_KEY); "" when absent. */
static void scalar_text(const json_t *v, char *dst)
{
	dst[0] = '\0';
	if (json_is_string(v)) {
		size_t n = json_string_length(v);
		if (n > SC_LEARN_MAX_KEY)
			n = SC_LEARN_MAX_KEY;
		memcpy(dst, json_string_value(v), n);
		dst[n] = '\0';
		/* a NUL inside the string would cut it; the group key separator is \x1f */
		for (char *p = dst; *p; p++)
			if (*p == '\x1f')
				*p = ' ';
	} else if (json_is_integer(v)) {
		snprintf(dst, SC_LEARN_MAX_KEY + 1, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		snprintf(dst, SC_LEARN_MAX_KEY + 1, "%.15g", json_real_value(v));
	}
}

static double number_of(const json_t *v)
{
	if (json_is_number(v)) {
		double d = json_number_value(v);
		return isfinite(d) ? d : SC_LEARN_NOVALUE;
	}
	if (json_is_string(v)) {
		char *end;
		const char *s = json_string_value(v);
		double d = strtod(s, &end);
		if (end != s && *end == '\0' && isfinite(d))
			return d;
	}
	return SC_LEARN_NOVALUE;
}

int sc_learn_parse_date(const char *s, long *days)
{
	return sc_date_iso_days(s, strlen(s), days);
}

static const json_t *get(const json_t *o, const char *k)
{
	return json_is_object(o) ? json_object_get(o, k) : NULL;
}

/* A party is known by its id; a declaration read from paper may give only a name. */
static const json_t *party(const json_t *decl, const char *role)
{
	const json_t *p = get(decl, role), *id = get(p, "id");
	if (id && !(json_is_string(id) && json_string_length(id) == 0))
		return id;
	return get(p, "name");
}

void sc_learn_extract(const json_t *decl, struct sc_learn_raw *raw)
{
	const json_t *items = get(decl, "items");
	const json_t *item = json_is_array(items) ? json_array_get(items, 0) : NULL;
	char *b = raw->buf;
	const size_t step = SC_LEARN_MAX_KEY + 1;
	const json_t *src[SC_LEARN_NFIELDS] = { 0 };

	src[LF_IMPORTER] = party(decl, "importer");
	src[LF_DECLARANT] = party(decl, "declarant");
	src[LF_SELLER] = party(decl, "seller");
	src[LF_COURIER] = party(decl, "courier");
	src[LF_OFFICE] = get(decl, "office");
	src[LF_HS6] = get(item, "hs");
	src[LF_ORIGIN] = get(item, "origin") ? get(item, "origin") : get(decl, "origin");
	src[LF_DEPARTURE] = get(decl, "dispatch");
	src[LF_TAX_TYPE] = get(item, "tax_type");
	src[LF_PROCESS] = get(decl, "process_type");
	src[LF_IMPORT_TYPE] = get(decl, "import_type");
	src[LF_IMPORT_USE] = get(decl, "import_use");
	src[LF_PAYMENT] = get(decl, "payment_type");
	src[LF_TRANSPORT] = get(decl, "transport");
	src[LF_ORIGIN_IND] = get(item, "origin_indicator");

	for (int f = 0; f < SC_LEARN_NFIELDS; f++) {
		char *dst = b + (size_t)f * step;
		if (f == LF_HS4 || f == LF_HS2)
			continue;
		scalar_text(src[f], dst);
	}
	/* HS codes: digits only, then the 6-, 4- and 2-digit prefixes */
	{
		char *h6 = b + (size_t)LF_HS6 * step, *h4 = b + (size_t)LF_HS4 * step,
		     *h2 = b + (size_t)LF_HS2 * step;
		size_t k = 0;
		for (const char *p = h6; *p && k < 6; p++)
			if (isdigit((unsigned char)*p))
				h6[k++] = *p;
		h6[k] = '\0';
		snprintf(h4, step, "%.4s", k >= 4 ? h6 : "");
		snprintf(h2, step, "%.2s", k >= 2 ? h6 : "");
	}

	raw->num[LN_VALUE] = number_of(get(item, "value"));
	if (raw->num[LN_VALUE] < 0)
		raw->num[LN_VALUE] = number_of(get(decl, "total_value"));
	raw->num[LN_NET_KG] = number_of(get(item, "net_kg"));
	if (raw->num[LN_NET_KG] < 0)
		raw->num[LN_NET_KG] = number_of(get(decl, "net_kg"));
	raw->num[LN_TAX_RATE] = number_of(get(item, "tax_rate"));
	raw->date = LONG_MIN;
	raw->num[LN_WEEKDAY] = SC_LEARN_NOVALUE;
	{
		const json_t *d = get(decl, "date");
		long days;
		if (json_is_string(d) && sc_learn_parse_date(json_string_value(d), &days) == 0) {
			raw->date = days;
			raw->num[LN_WEEKDAY] = (double)(((days % 7) + 10) % 7);  /* 0 = Monday */
		}
	}
}

/* ---- groups and features -------------------------------------------------- */

struct group { const char *name; int a, b; };
static const struct group groups[] = {
	{ "importer", LF_IMPORTER, -1 }, { "declarant", LF_DECLARANT, -1 },
	{ "seller", LF_SELLER, -1 }, { "courier", LF_COURIER, -1 },
	{ "office", LF_OFFICE, -1 }, { "hs6", LF_HS6, -1 }, { "hs4", LF_HS4, -1 },
	{ "hs2", LF_HS2, -1 }, { "origin", LF_ORIGIN, -1 }, { "departure", LF_DEPARTURE, -1 },
	{ "tax_type", LF_TAX_TYPE, -1 }, { "process_type", LF_PROCESS, -1 },
	{ "import_type", LF_IMPORT_TYPE, -1 }, { "import_use", LF_IMPORT_USE, -1 },
	{ "payment_type", LF_PAYMENT, -1 }, { "transport", LF_TRANSPORT, -1 },
	{ "origin_indicator", LF_ORIGIN_IND, -1 },
	{ "importer_hs6", LF_IMPORTER, LF_HS6 }, { "importer_declarant", LF_IMPORTER, LF_DECLARANT },
	{ "importer_seller", LF_IMPORTER, LF_SELLER }, { "importer_office", LF_IMPORTER, LF_OFFICE },
	{ "declarant_hs6", LF_DECLARANT, LF_HS6 }, { "declarant_office", LF_DECLARANT, LF_OFFICE },
	{ "seller_hs6", LF_SELLER, LF_HS6 }, { "hs6_origin", LF_HS6, LF_ORIGIN },
	{ "hs6_office", LF_HS6, LF_OFFICE }, { "hs6_tax_type", LF_HS6, LF_TAX_TYPE },
	{ "origin_departure", LF_ORIGIN, LF_DEPARTURE }, { "hs4_origin", LF_HS4, LF_ORIGIN },
	{ "office_transport", LF_OFFICE, LF_TRANSPORT },
};
#define NGROUPS ((int)(sizeof groups / sizeof groups[0]))
#define HS6_GROUP 5

static const char *const num_feature[] = {
	"log_value", "log_net_kg", "log_value_per_kg", "tax_rate", "weekday", "hs6_unit_value_dev",
};
#define NNUMF ((int)(sizeof num_feature / sizeof num_feature[0]))
_Static_assert(2 * NGROUPS + NNUMF <= SC_LEARN_MAX_FEATURES, "raise SC_LEARN_MAX_FEATURES");

int sc_learn_ngroups(void) { return NGROUPS; }
int sc_learn_group_has_uv(int g) { return g == HS6_GROUP; }
const char *sc_learn_group_name(int g) { return g >= 0 && g < NGROUPS ? groups[g].name : NULL; }

void sc_learn_group_key(int g, const struct sc_learn_raw *raw, char *buf, size_t len)
{
	if (groups[g].b < 0)
		snprintf(buf, len, "%s", sc_learn_field(raw, groups[g].a));
	else
		snprintf(buf, len, "%s\x1f%s", sc_learn_field(raw, groups[g].a),
		         sc_learn_field(raw, groups[g].b));
}

int sc_learn_nfeatures(void) { return 2 * NGROUPS + NNUMF; }

static char feature_names[2 * NGROUPS][48];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void make_names(void)
{
	for (int f = 0; f < 2 * NGROUPS; f++)
		snprintf(feature_names[f], sizeof feature_names[f], "%s_%s", groups[f / 2].name,
		         f % 2 ? "count" : "rate");
}

const char *sc_learn_feature_name(int f)
{
	if (f < 0 || f >= sc_learn_nfeatures())
		return NULL;
	if (f >= 2 * NGROUPS)
		return num_feature[f - 2 * NGROUPS];
	pthread_once(&names_once, make_names);   /* scoring runs in worker threads */
	return feature_names[f];
}

int sc_learn_feature_group(int f)
{
	return f >= 0 && f < 2 * NGROUPS ? f / 2 : -1;
}

static double log_unit_value(const struct sc_learn_raw *raw)
{
	double v = raw->num[LN_VALUE], kg = raw->num[LN_NET_KG];
	if (v < 0 || kg <= 0)
		return NAN;
	return log1p(v / kg);
}

void sc_learn_encode(const struct sc_learn_stat *const *st, double prior, double m,
                     const struct sc_learn_raw *raw, float *x)
{
	for (int g = 0; g < NGROUPS; g++) {
		double n = st[g] ? st[g]->n : 0, pos = st[g] ? st[g]->pos : 0;
		x[2 * g] = (float)((pos + prior * m) / (n + m));
		x[2 * g + 1] = (float)log1p(n);
	}
	float *y = x + 2 * NGROUPS;
	double v = raw->num[LN_VALUE], kg = raw->num[LN_NET_KG], luv = log_unit_value(raw);
	y[0] = (float)(v >= 0 ? log1p(v) : -1);
	y[1] = (float)(kg >= 0 ? log1p(kg) : -1);
	y[2] = (float)(isnan(luv) ? -1 : luv);
	y[3] = (float)raw->num[LN_TAX_RATE];
	y[4] = (float)raw->num[LN_WEEKDAY];
	/* how far the unit value stands from what the same goods declared before */
	const struct sc_learn_stat *h = st[HS6_GROUP];
	y[5] = (float)(!isnan(luv) && h && h->uv_n > 0 ? luv - h->uv_sum / h->uv_n : 0);
}

void sc_learn_update(struct sc_learn_stat *st, int label, const struct sc_learn_raw *raw)
{
	double luv = log_unit_value(raw);
	st->n += 1;
	st->pos += label ? 1 : 0;
	if (!isnan(luv)) {
		st->uv_n += 1;
		st->uv_sum += luv;
	}
}

/* ---- key tables ------------------------------------------------------------ */

struct sc_keytab {
	size_t count, cap;          /* entries; cap of the slot array (power of 2) */
	long *slot;                 /* index + 1, 0 = empty */
	char **key;
	struct sc_learn_stat *stat;
	size_t ecap, bytes;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = sc_fnv64_str(SC_FNV64_OFFSET, s);
	return h ^ (h >> 29);
}

struct sc_keytab *sc_keytab_new(void)
{
	struct sc_keytab *t = calloc(1, sizeof *t);

	if (t && !(t->slot = calloc(t->cap = 64, sizeof *t->slot))) {
		free(t);
		return NULL;
	}
	return t;
}

void sc_keytab_free(struct sc_keytab *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->count; i++)
		free(t->key[i]);
	free(t->key);
	free(t->stat);
	free(t->slot);
	free(t);
}

long sc_keytab_find(const struct sc_keytab *t, const char *key)
{
	size_t mask = t->cap - 1;
	for (size_t i = hash_str(key) & mask;; i = (i + 1) & mask) {
		long s = t->slot[i];
		if (!s)
			return -1;
		if (strcmp(t->key[s - 1], key) == 0)
			return s - 1;
	}
}

static int grow(struct sc_keytab *t)
{
	size_t ncap = t->cap * 2, mask = ncap - 1;
	long *ns = calloc(ncap, sizeof *ns);
	if (!ns)
		return -1;
	for (size_t e = 0; e < t->count; e++) {
		size_t i = hash_str(t->key[e]) & mask;
		while (ns[i])
			i = (i + 1) & mask;
		ns[i] = (long)e + 1;
	}
	free(t->slot);
	t->slot = ns;
	t->cap = ncap;
	return 0;
}

long sc_keytab_intern(struct sc_keytab *t, const char *key)
{
	long found = sc_keytab_find(t, key);
	if (found >= 0)
		return found;
	if ((t->count + 1) * 2 > t->cap && grow(t) < 0)
		return -1;
	if (t->count == t->ecap) {
		size_t n = t->ecap ? t->ecap * 2 : 64;
		if (sc_resize(&t->key, n, sizeof *t->key) < 0 ||
		    sc_resize(&t->stat, n, sizeof *t->stat) < 0)
			return -1;
		t->ecap = n;
	}
	char *dup = strdup(key);
	if (!dup)
		return -1;
	size_t mask = t->cap - 1, i = hash_str(key) & mask;
	while (t->slot[i])
		i = (i + 1) & mask;
	t->slot[i] = (long)t->count + 1;
	t->key[t->count] = dup;
	memset(&t->stat[t->count], 0, sizeof t->stat[0]);
	t->bytes += strlen(key) + 1;
	return (long)t->count++;
}

struct sc_learn_stat *sc_keytab_stat(struct sc_keytab *t, long i) { return &t->stat[i]; }
const struct sc_learn_stat *sc_keytab_cstat(const struct sc_keytab *t, long i) { return &t->stat[i]; }
const char *sc_keytab_key(const struct sc_keytab *t, long i) { return t->key[i]; }
size_t sc_keytab_count(const struct sc_keytab *t) { return t->count; }

size_t sc_keytab_bytes(const struct sc_keytab *t)
{
	return sizeof *t + t->cap * sizeof *t->slot +
	       t->ecap * (sizeof *t->key + sizeof *t->stat) + t->bytes;
}

void sc_learn_encode_with(struct sc_keytab *const *tabs, double prior, double smooth,
                          const struct sc_learn_raw *raw, float *x)
{
	const struct sc_learn_stat *st[NGROUPS];
	char key[2 * SC_LEARN_MAX_KEY + 2];

	for (int g = 0; g < NGROUPS; g++) {
		sc_learn_group_key(g, raw, key, sizeof key);
		long i = sc_keytab_find(tabs[g], key);
		st[g] = i >= 0 ? sc_keytab_cstat(tabs[g], i) : NULL;
	}
	sc_learn_encode(st, prior, smooth, raw, x);
}

/* ---- the training set -------------------------------------------------------- */

struct sc_learnset *sc_learnset_new(double smooth)
{
	struct sc_learnset *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->nf = sc_learn_nfeatures();
	s->smooth = smooth;
	s->tabs = calloc(NGROUPS, sizeof *s->tabs);
	for (int g = 0; g < NGROUPS; g++)
		if (!s->tabs || !(s->tabs[g] = sc_keytab_new())) {
			sc_learnset_free(s);   /* frees what was made so far */
			return NULL;
		}
	return s;
}

void sc_learnset_free(struct sc_learnset *s)
{
	if (!s)
		return;
	if (s->tabs)
		for (int g = 0; g < NGROUPS; g++)
			sc_keytab_free(s->tabs[g]);
	free(s->tabs);
	free(s->keys);
	free(s->num);
	free(s->date);
	free(s->label);
	free(s->X);
	free(s);
}

int sc_learnset_add(struct sc_learnset *s, const struct sc_learn_raw *raw, int label,
                    struct sc_error *err)
{
	char key[2 * SC_LEARN_MAX_KEY + 2];

	if (s->n == s->cap) {
		size_t n = s->cap ? s->cap * 2 : 1024;
		if (sc_resize(&s->keys, n * NGROUPS, sizeof *s->keys) < 0 ||
		    sc_resize(&s->num, n * SC_LEARN_NNUM, sizeof *s->num) < 0 ||
		    sc_resize(&s->date, n, sizeof *s->date) < 0 || sc_resize(&s->label, n, 1) < 0)
			return sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
		s->cap = n;
	}
	for (int g = 0; g < NGROUPS; g++) {
		sc_learn_group_key(g, raw, key, sizeof key);
		long i = sc_keytab_intern(s->tabs[g], key);
		if (i < 0)
			return sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
		s->keys[s->n * NGROUPS + g] = (uint32_t)i;
	}
	for (int k = 0; k < SC_LEARN_NNUM; k++)
		s->num[s->n * SC_LEARN_NNUM + k] = (float)raw->num[k];
	s->date[s->n] = raw->date;
	s->label[s->n] = label ? 1 : 0;
	s->n++;
	return 0;
}

static const long *sort_dates;
static int by_date(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	if (sort_dates[i] != sort_dates[j])
		return sort_dates[i] < sort_dates[j] ? -1 : 1;
	return i < j ? -1 : i > j;   /* ties keep input order */
}

int sc_learnset_encode(struct sc_learnset *s, struct sc_error *err)
{
	size_t *order = malloc((s->n ? s->n : 1) * sizeof *order);
	free(s->X);
	s->X = malloc((s->n ? s->n : 1) * (size_t)s->nf * sizeof *s->X);
	if (!order || !s->X) {
		free(order);
		return sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < s->n; i++)
		order[i] = i;
	sort_dates = s->date;
	qsort(order, s->n, sizeof *order, by_date);

	/* the stats start empty and grow record by record, in time order */
	for (int g = 0; g < NGROUPS; g++)
		for (size_t i = 0; i < sc_keytab_count(s->tabs[g]); i++)
			memset(sc_keytab_stat(s->tabs[g], (long)i), 0, sizeof(struct sc_learn_stat));
	double seen = 0, pos = 0;
	struct sc_learn_raw raw;
	const struct sc_learn_stat *st[NGROUPS];
	for (size_t r = 0; r < s->n; r++) {
		size_t i = order[r];
		for (int k = 0; k < SC_LEARN_NNUM; k++)
			raw.num[k] = s->num[i * SC_LEARN_NNUM + k];
		raw.date = s->date[i];
		for (int g = 0; g < NGROUPS; g++) {
			const struct sc_learn_stat *x = sc_keytab_cstat(s->tabs[g], s->keys[i * NGROUPS + g]);
			st[g] = x->n > 0 ? x : NULL;
		}
		/* the base rate too is what was known before: one pseudo-record each way */
		double prior = (pos + 1) / (seen + 2);
		sc_learn_encode(st, prior, s->smooth, &raw, s->X + i * (size_t)s->nf);
		for (int g = 0; g < NGROUPS; g++)
			sc_learn_update(sc_keytab_stat(s->tabs[g], s->keys[i * NGROUPS + g]), s->label[i], &raw);
		seen += 1;
		pos += s->label[i];
	}
	s->prior = (pos + 1) / (seen + 2);
	free(order);
	return 0;
}

size_t sc_learnset_keys(const struct sc_learnset *s)
{
	size_t k = 0;
	for (int g = 0; g < NGROUPS; g++)
		k += sc_keytab_count(s->tabs[g]);
	return k;
}

size_t sc_learnset_bytes(const struct sc_learnset *s)
{
	size_t b = sizeof *s;
	for (int g = 0; g < NGROUPS; g++)
		b += sc_keytab_bytes(s->tabs[g]);
	b += s->cap * (NGROUPS * sizeof *s->keys + SC_LEARN_NNUM * sizeof *s->num +
	               sizeof *s->date + 1);
	if (s->X)
		b += s->n * (size_t)s->nf * sizeof *s->X;
	return b;
}
