/*
 * join.c - consignments: every record taken is a member; members that share
 * a key (declaration id, B/L, invoice, container, or the page a document was
 * read from) are one consignment (union-find over the keys, as sc-parse -g
 * ref groups documents). The order of everything that comes out is canonical
 * (by content and place, never by arrival), so the output does not depend on
 * the order of the input files or on -j.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "hash.h"
#include "jscan.h"
#include "join.h"
#include "parse.h"
#include "risk_screen.h"
#include "yamltree.h"

/* messages are cut at their buffer on purpose: a reason is a sentence, not a dump */
#pragma GCC diagnostic ignored "-Wformat-truncation"

enum kind { K_DECL, K_DOC, K_OCR, K_WOOD, K_SCAN, K_JOIN, K_NONE, K_BAD };
static const char *const KIND[] = {"decl", "doc", "ocr", "wood", "scan", "join", "none", "bad"};

/*
 * A member is a record kept as its bytes (compact, as jscan leaves them),
 * with what linking needs read out once: its keys, its canonical order, its
 * id. Everything else is read from the bytes again when its consignment is
 * built, and only the fields the join compares; what it writes as filed
 * (the decl, sources' src, documents, wood and scan readings) is copied
 * from the bytes, never re-serialized.
 */
struct sc_join_rec {
	enum kind kind;
	char *raw;        /* the record, compact JSON (NUL-terminated) */
	size_t rawlen;
	char *idstr;      /* its id when a string, else NULL */
	char *declid;     /* K_DECL: decl.id; K_WOOD/K_SCAN/K_JOIN: the decl.id it carries */
	char *dtype;      /* K_DOC: parse.type */
	double conf;      /* K_OCR: ocr.conf */
	int has_conf;
	/* borrowed views, filled only while a consignment is built (NULL in j->m) */
	json_t *id, *src, *ns, *decl;
	const struct sc_jscan *js;
	char *keys;       /* the "kind:value" strings it links by, back to back, each with its NUL */
	size_t keyslen;
	unsigned nkeys;
	const char *file; /* interned */
	unsigned long line;
	char *order;      /* canonical order key */
	int nokey;        /* nothing to link by: it comes out alone, with an error */
	int sub;          /* a document of an sc-parse consignment, or a bad line: no error of its own */
	int fit;          /* linked by content (link_by_content): the points of evidence */
	char *fit_why;    /* and the evidence, or NULL */
	size_t parent;
	int kept;         /* raw, idstr, declid, dtype, keys and order are in the night's store */
	int raw_kept;     /* raw is, from the start: prepared into a store of sc_join_store_new */
	struct sc_join_rec *next;   /* a chain of prepared members (sc_join_prep) */
};

/* The night's store: what members keep for the whole run, copied in when
 * they are taken, back to back in big blocks freed together at the end.
 * One malloc a member each for six strings that live as long as the run
 * was a tenth of the reading, and their headers and holes a tenth of the
 * memory. */
struct store {
	struct store *next;
	size_t used, cap;
	char b[];
};

#define STORE_BLOCK (4u << 20)

/* A preparing thread's store (join.h): its records' bytes are written into
 * it as they are made, not made apart and copied when taken. */
struct sc_join_store {
	struct store *head;
};

struct group {
	size_t first, n;  /* members[idx[first .. first+n)] in canonical order */
	char *id;
	json_t *problems; /* errors of linking, or NULL */
	int bad;
};

/* 16 bytes, four to a cache line: the map is probed at random, a few
 * hundred thousand keys a night */
struct kslot {
	const char *k;
	uint32_t h;       /* the hash's low half, which places the slot (kcap <= 2^32) */
	uint32_t idx;
};

struct sc_join {
	struct sc_join_tol tol;
	struct sc_join_rec *m;
	size_t n, cap;
	struct kslot *keymap;   /* key -> first member with it (open addressing) */
	size_t kcap, kused;
	char **files;
	size_t nfiles;
	struct store *store;
	size_t *idx;      /* members by group, canonical order */
	struct group *g;
	size_t ng;
	size_t ndocs;     /* documents in the whole run */
	size_t ndecls;    /* electronic declarations in the whole run */
};

/* ---- tolerances ---------------------------------------------------------- */

static const char *const NUMNAME[] = {"total_value", "gross_kg", "net_kg", "packages", "items.value"};

void sc_join_tol_default(struct sc_join_tol *t)
{
	memset(t, 0, sizeof *t);
	t->rel[SC_JN_TOTAL] = 0.005, t->abs[SC_JN_TOTAL] = 1;
	t->rel[SC_JN_GROSS] = 0.02, t->abs[SC_JN_GROSS] = 1;
	t->rel[SC_JN_NET] = 0.02, t->abs[SC_JN_NET] = 1;
	t->rel[SC_JN_PACKAGES] = 0, t->abs[SC_JN_PACKAGES] = 0.5;
	t->rel[SC_JN_ITEM_VALUE] = 0.005, t->abs[SC_JN_ITEM_VALUE] = 1;
	t->party = 0.85;
	t->conf_low = 88;   /* learned: see rules/join.yaml */
}

static int tol_number(struct sc_yaml *y, json_t *o, const char *key, double lo, double hi, double *out,
                      struct sc_error *err)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	if (!json_is_number(v) || json_number_value(v) < lo || json_number_value(v) > hi)
		return sc_yaml_error(y, v, err, "bad-tolerance", "\"%s\" must be a number from %g to %g", key, lo, hi);
	*out = json_number_value(v);
	return 0;
}

int sc_join_tol_load(struct sc_join_tol *t, const char *path, struct sc_error *err)
{
	struct sc_yaml *y = sc_yaml_load_file(path, err);
	if (!y)
		return -1;
	sc_join_tol_default(t);
	json_t *root = sc_yaml_root(y), *tol = json_object_get(root, "tolerances");
	int rc = 0;
	if (!json_is_object(tol)) {
		rc = sc_yaml_error(y, root, err, "bad-tolerance", "no \"tolerances:\" mapping");
		goto out;
	}
	const char *k;
	json_t *v;
	json_object_foreach(tol, k, v) {
		int n;
		for (n = 0; n < SC_JN_N; n++)
			if (strcmp(k, NUMNAME[n]) == 0)
				break;
		if (n < SC_JN_N) {
			if (!json_is_object(v)) {
				rc = sc_yaml_error(y, v, err, "bad-tolerance", "\"%s\" takes {rel: R, abs: A}", k);
				goto out;
			}
			const char *kk;
			json_t *vv;
			json_object_foreach(v, kk, vv)
				if (strcmp(kk, "rel") && strcmp(kk, "abs")) {
					int line, col;
					sc_yaml_key_where(y, v, kk, &line, &col);
					rc = sc_error_set(err, path, line, col, "bad-tolerance",
					                  "unknown key \"%s\" (rel, abs)", kk);
					goto out;
				}
			if (tol_number(y, v, "rel", 0, 1, &t->rel[n], err) < 0 ||
			    tol_number(y, v, "abs", 0, 1e12, &t->abs[n], err) < 0) {
				rc = -1;
				goto out;
			}
		} else if (strcmp(k, "parties") == 0) {
			if (tol_number(y, v, "similarity", 0, 1, &t->party, err) < 0) {
				rc = -1;
				goto out;
			}
		} else if (strcmp(k, "ocr") == 0) {
			if (tol_number(y, v, "conf_low", 0, 100, &t->conf_low, err) < 0) {
				rc = -1;
				goto out;
			}
		} else {
			int line, col;
			sc_yaml_key_where(y, tol, k, &line, &col);
			rc = sc_error_set(err, path, line, col, "bad-tolerance", "unknown tolerance \"%s\"", k);
			goto out;
		}
	}
out:
	sc_yaml_free(y);
	return rc;
}

/* ---- strings put together ------------------------------------------------
 *
 * Keys, order keys and labels are made for every record, and snprintf was a
 * tenth of the reading: they are put together by hand, cut where snprintf(b,
 * cap, ...) would have cut them (at cap - 1 bytes, NUL-terminated). */

static void cat(char *b, size_t cap, size_t *at, const char *s, size_t n)
{
	size_t room = cap - 1 - *at;
	if (n > room)
		n = room;
	memcpy(b + *at, s, n);
	*at += n;
	b[*at] = '\0';
}

static void cats(char *b, size_t cap, size_t *at, const char *s)
{
	cat(b, cap, at, s, strlen(s));
}

/* v in decimal, zero-padded to width digits ("%0*llu"); a '-' first when neg */
static void catu(char *b, size_t cap, size_t *at, unsigned long long v, int width, int neg)
{
	char d[24];
	int n = 0;
	do
		d[sizeof d - 1 - n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n < width && n < (int)sizeof d - 1)
		d[sizeof d - 1 - n++] = '0';
	if (neg)
		d[sizeof d - 1 - n++] = '-';
	cat(b, cap, at, d + sizeof d - n, (size_t)n);
}

/* qsort for the few elements of one record's lists (a src's members, its
 * containers, HS codes): an insertion sort, since qsort's setup and calls
 * cost more than such a sort. Equal elements keep their order, as in glibc's
 * merge sort; a long list goes to qsort. */
static void small_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *b = base, tmp[64];
	if (n > 16 || size > sizeof tmp) {
		qsort(base, n, size, cmp);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		size_t r = i;
		memcpy(tmp, b + i * size, size);
		for (; r > 0 && cmp(b + (r - 1) * size, tmp) > 0; r--)
			memcpy(b + r * size, b + (r - 1) * size, size);
		memcpy(b + r * size, tmp, size);
	}
}

/* ---- keys ---------------------------------------------------------------- */

/* References are normalized by sc-parse's rule, so that a declaration's
 * "RW 2026/04817" meets an invoice's "RW-2026-04817" exactly as two
 * documents meet in sc-parse -g ref: sc_parse_ref_key, called on the
 * record's bytes (no tree); test_join holds the keys of the two tools
 * against each other. */
#define REFMAX 80
static const char *ref_norm(const char *s, char *out)
{
	sc_parse_ref_key(s, out, REFMAX);
	return out;
}

/* A member's keys while they are read out: flat bytes, not a tree of
 * strings per key (one block per member, which union_keys points into). */
struct kbuf {
	char *s;
	size_t len, cap;
	unsigned n;
};

/* Whole UTF-8 sequences only: a key cut at its buffer in the middle of a
 * character is dropped, as json_string refused it when keys were jansson
 * strings (the source was valid UTF-8, so only a cut can break it). */
static int utf8_whole(const unsigned char *s)
{
	while (*s) {
		int n = *s < 0x80 ? 0 : *s >= 0xF0 ? 3 : *s >= 0xE0 ? 2 : *s >= 0xC0 ? 1 : -1;
		if (n < 0)
			return 0;
		s++;
		for (; n > 0; n--, s++)
			if ((*s & 0xC0) != 0x80)
				return 0;
	}
	return 1;
}

static void kput(struct kbuf *b, const char *key)
{
	size_t n = strlen(key) + 1;
	if (!utf8_whole((const unsigned char *)key))
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 128;
		while (cap < b->len + n)
			cap *= 2;
		char *x = realloc(b->s, cap);
		if (!x)
			return;   /* a key lost to memory is a key not read: the record still comes out */
		b->s = x;
		b->cap = cap;
	}
	memcpy(b->s + b->len, key, n);
	b->len += n;
	b->n++;
}

/* cap: where sc-parse's and the earlier sc-join's buffers cut a key */
static void add_key(struct kbuf *keys, const char *kind, const char *v, size_t cap)
{
	char buf[300];
	size_t at = 0;
	cap = cap < sizeof buf ? cap : sizeof buf;
	cats(buf, cap, &at, kind);
	cat(buf, cap, &at, ":", 1);
	cats(buf, cap, &at, v);
	kput(keys, buf);
}

static void add_decl_key(struct kbuf *keys, const char *id)
{
	if (!id || !*id)
		return;
	char k[REFMAX];
	add_key(keys, "decl", *ref_norm(id, k) ? k : id, 300);   /* short ids as they are */
}

/* invoice_no:KEY, bl_no:KEY, container:C for each string in containers (an
 * array, or -1) at least min_cont long: sc_parse_refs's keys */
static void ref_keys(struct kbuf *keys, const char *inv, const char *bl, const struct sc_jscan *js, int cont,
                     size_t min_cont)
{
	char k[REFMAX];
	if (inv && *ref_norm(inv, k))
		add_key(keys, "invoice_no", k, 96);
	if (bl && *ref_norm(bl, k))
		add_key(keys, "bl_no", k, 96);
	if (sc_jscan_type(js, cont) != SC_JS_ARR)
		return;
	for (int x = sc_jscan_first(js, cont); x >= 0; x = sc_jscan_next(js, cont, x)) {
		char c[256];
		long n = sc_jscan_str(js, x, c, sizeof c);
		if (n >= 0 && (size_t)n >= min_cont && strlen(c) >= min_cont)
			add_key(keys, "container", c, 96);
	}
}

/* A string member of object v, decoded into buf (NULL when absent or no string). */
static const char *jstr(const struct sc_jscan *js, int v, const char *key, char *buf, size_t cap)
{
	int x = sc_jscan_get(js, v, key);
	return sc_jscan_str(js, x, buf, cap) >= 0 ? buf : NULL;
}

static void decl_keys(struct kbuf *keys, const struct sc_jscan *js, int d, int all)
{
	char id[512], inv[512], bl[512];
	add_decl_key(keys, jstr(js, d, "id", id, sizeof id));
	ref_keys(keys, all ? jstr(js, d, "invoice_no", inv, sizeof inv) : NULL,
	         all ? jstr(js, d, "bl_no", bl, sizeof bl) : NULL, js, sc_jscan_get(js, d, "containers"), 4);
}

static void page_key(struct kbuf *keys, const struct sc_jscan *js, int src)
{
	char path[1024], member[256];
	if (!jstr(js, src, "path", path, sizeof path))
		return;
	const char *mb = jstr(js, src, "member", member, sizeof member);
	long long pg;
	if (sc_jscan_int(js, sc_jscan_get(js, src, "page"), &pg) < 0)
		pg = 1;
	char buf[1400];
	size_t at = 0;
	cats(buf, sizeof buf, &at, "page:");
	cats(buf, sizeof buf, &at, path);
	cat(buf, sizeof buf, &at, "|", 1);
	cats(buf, sizeof buf, &at, mb ? mb : "");
	cat(buf, sizeof buf, &at, "|", 1);
	catu(buf, sizeof buf, &at, pg < 0 ? 0ULL - (unsigned long long)pg : (unsigned long long)pg, 0, pg < 0);
	kput(keys, buf);
}

static const char *fval(const json_t *parse, const char *name)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(parse, "fields"), name), "value"));
}

static void doc_keys(struct kbuf *keys, const struct sc_jscan *js, int parse)
{
	int fields = sc_jscan_get(js, parse, "fields");
	char inv[512], bl[512], cno[512];
	ref_keys(keys, jstr(js, sc_jscan_get(js, fields, "invoice_no"), "value", inv, sizeof inv),
	         jstr(js, sc_jscan_get(js, fields, "bl_no"), "value", bl, sizeof bl), js,
	         sc_jscan_path(js, fields, "containers.value"), 0);
	add_decl_key(keys, jstr(js, sc_jscan_get(js, fields, "customs_no"), "value", cno, sizeof cno));
	int docs = sc_jscan_get(js, parse, "documents");
	if (sc_jscan_type(js, docs) == SC_JS_ARR)
		for (int s = sc_jscan_first(js, docs); s >= 0; s = sc_jscan_next(js, docs, s))
			page_key(keys, js, s);
}

static enum kind kind_of(const struct sc_jscan *js)
{
	static const char *const NS[] = {"join", "wood", "scan", "parse", "ocr", "decl"};
	static const enum kind K[] = {K_JOIN, K_WOOD, K_SCAN, K_DOC, K_OCR, K_DECL};
	for (int k = 0; k < 6; k++)
		if (sc_jscan_type(js, sc_jscan_get(js, 0, NS[k])) == SC_JS_OBJ)
			return K[k];
	return K_NONE;
}

static void member_keys(struct sc_join_rec *m, const struct sc_jscan *js)
{
	struct kbuf kb = {0};
	switch (m->kind) {
	case K_DECL:
		decl_keys(&kb, js, sc_jscan_get(js, 0, "decl"), 1);
		break;
	case K_WOOD:
	case K_SCAN:
	case K_JOIN:
		decl_keys(&kb, js, sc_jscan_get(js, 0, "decl"), 1);
		break;
	case K_DOC:
		doc_keys(&kb, js, sc_jscan_get(js, 0, "parse"));
		break;
	case K_OCR:
		page_key(&kb, js, sc_jscan_get(js, 0, "src"));
		break;
	default:
		break;
	}
	if (!kb.n) {
		free(kb.s);
		kb.s = NULL;
		kb.len = 0;
	}
	m->keys = kb.s;
	m->keyslen = kb.len;
	m->nkeys = kb.n;
}

json_t *sc_join_keys(const json_t *rec)
{
	struct sc_join *j = sc_join_new(NULL);
	json_t *all = json_array();
	if (!j || sc_join_add(j, (json_t *)rec, "-", 1, NULL) < 0 || !all) {
		sc_join_free(j);
		return all;
	}
	for (size_t i = 0; i < j->n; i++) {
		const char *k = j->m[i].keys;
		for (unsigned q = 0; q < j->m[i].nkeys; q++, k += strlen(k) + 1)
			json_array_append_new(all, json_string(k));
	}
	sc_join_free(j);
	return all;
}

/* ---- taking records ---------------------------------------------------------- */

struct sc_join *sc_join_new(const struct sc_join_tol *tol)
{
	struct sc_join *j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	if (tol)
		j->tol = *tol;
	else
		sc_join_tol_default(&j->tol);
	return j;
}

static const char *intern(struct sc_join *j, const char *file)
{
	if (!file)
		file = "-";
	for (size_t k = j->nfiles; k-- > 0;)
		if (strcmp(j->files[k], file) == 0)
			return j->files[k];
	char **f = realloc(j->files, (j->nfiles + 1) * sizeof *f);
	if (!f)
		return "-";
	j->files = f;
	j->files[j->nfiles] = strdup(file);
	return j->files[j->nfiles] ? j->files[j->nfiles++] : "-";
}

/* The bytes a member owns until they are kept in the run's store. */
static void member_free_own(struct sc_join_rec *m)
{
	if (!m->raw_kept)
		free(m->raw);
	free(m->idstr);
	free(m->declid);
	free(m->dtype);
	free(m->keys);
	free(m->order);
}

static void member_free(struct sc_join_rec *m)
{
	if (!m->kept)
		member_free_own(m);
	free(m->fit_why);
}

/* n bytes of the store at *head, or NULL when out of memory */
static char *store_get(struct store **head, size_t n)
{
	struct store *s = *head;
	if (!s || s->cap - s->used < n) {
		size_t cap = n > STORE_BLOCK ? n : STORE_BLOCK;
		s = malloc(sizeof *s + cap);
		if (!s)
			return NULL;
		s->used = 0;
		s->cap = cap;
		s->next = *head;
		*head = s;
	}
	s->used += n;
	return s->b + s->used - n;
}

/* The last store_get of *head used only n of its bytes: the rest back. */
static void store_trim(struct store **head, size_t got, size_t n)
{
	(*head)->used -= got - n;
}

struct sc_join_store *sc_join_store_new(void)
{
	return calloc(1, sizeof(struct sc_join_store));
}

void sc_join_adopt(struct sc_join *j, struct sc_join_store *st)
{
	if (!st)
		return;
	while (st->head) {
		struct store *nx = st->head->next;
		st->head->next = j->store;
		j->store = st->head;
		st->head = nx;
	}
	free(st);
}

static char *store_put(char **at, const char *v, size_t n)
{
	char *p = *at;
	memcpy(p, v, n);
	*at += n;
	return p;
}

/* The place (file name, line) at the end of an order key of cap bytes, n
 * long: the last tie-break between members of equal content, which does not
 * depend on the order the files were named in. */
static void order_place(char *order, size_t cap, size_t *n, const char *fn, unsigned long line)
{
	cats(order, cap, n, fn);
	cat(order, cap, n, "\x1f", 1);
	catu(order, cap, n, line, 12, 0);
}

/* The member's strings into the store, its place at the end of its order
 * key; the prepared ones freed. Out of memory they stay as they are, the
 * order key then without its place. */
static void keep_member(struct sc_join *j, struct sc_join_rec *m, const char *fn, unsigned long line)
{
	size_t nid = m->idstr ? strlen(m->idstr) + 1 : 0, ndecl = m->declid ? strlen(m->declid) + 1 : 0,
	       ntype = m->dtype ? strlen(m->dtype) + 1 : 0, nord = m->order ? strlen(m->order) : 0,
	       ordcap = m->order ? nord + strlen(fn) + 24 : 0;
	char *at = store_get(&j->store, (m->raw_kept ? 0 : m->rawlen + 1) + nid + ndecl + ntype + m->keyslen + ordcap);
	if (!at) {
		if (m->order) {
			char *o = realloc(m->order, ordcap);
			if (o) {
				order_place(o, ordcap, &nord, fn, line);
				m->order = o;
			}
		}
		return;
	}
	char *raw = m->raw_kept ? m->raw : store_put(&at, m->raw, m->rawlen + 1),
	     *id = m->idstr ? store_put(&at, m->idstr, nid) : NULL,
	     *decl = m->declid ? store_put(&at, m->declid, ndecl) : NULL,
	     *type = m->dtype ? store_put(&at, m->dtype, ntype) : NULL,
	     *keys = m->keys ? store_put(&at, m->keys, m->keyslen) : NULL, *order = NULL;
	if (m->order) {
		order = store_put(&at, m->order, nord + 1);
		order_place(order, ordcap, &nord, fn, line);
	}
	member_free_own(m);
	m->raw = raw;
	m->idstr = id;
	m->declid = decl;
	m->dtype = type;
	m->keys = keys;
	m->order = order;
	m->kept = 1;
}

void sc_join_prep_free(struct sc_join_rec *m)
{
	while (m) {
		struct sc_join_rec *nx = m->next;
		member_free(m);
		free(m);
		m = nx;
	}
}

/* The canonical order of members: kind, id, src, place (the place is added
 * when the member is taken: only then is its file known for certain). */
struct okey {
	const char *k;
	size_t n;
	int v;
};

static int cmp_okey(const void *a, const void *b)
{
	const struct okey *x = a, *y = b;
	int r = memcmp(x->k, y->k, x->n < y->n ? x->n : y->n);
	return r ? r : (x->n > y->n) - (x->n < y->n);
}

/* src as jansson writes it with sorted keys, from the bytes when every member
 * is a plain string or a small integer (the usual src), else by jansson */
static char *src_sorted(const struct sc_jscan *js, int src)
{
	struct okey k[32];
	size_t n = 0, len = 2;
	int plain = sc_jscan_type(js, src) == SC_JS_OBJ;
	for (int m = sc_jscan_first(js, src); plain && m >= 0; m = sc_jscan_next(js, src, m)) {
		const struct sc_jtok *t = &js->t[m + 1];
		plain = n < 32 && !js->t[m].esc &&
		        ((t->type == SC_JS_STR && !t->esc) ||
		         (t->type == SC_JS_NUM && !t->esc && t->len <= 18 && !(t->len == 2 && js->s[t->off] == '-')));
		if (plain) {
			k[n] = (struct okey){js->s + js->t[m].off, js->t[m].len, m + 1};
			len += k[n].n + 4 + t->len + 2;
			n++;
		}
	}
	if (!plain) {
		json_t *s = sc_jscan_json(js, src);
		char *d = s ? json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		json_decref(s);
		return d;
	}
	small_sort(k, n, sizeof *k, cmp_okey);
	for (size_t q = 1; q < n; q++)
		if (cmp_okey(&k[q - 1], &k[q]) == 0) {   /* a key twice: jansson's way */
			json_t *s = sc_jscan_json(js, src);
			char *d = s ? json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
			json_decref(s);
			return d;
		}
	char *o = malloc(len + 1), *w = o;
	if (!o)
		return NULL;
	*w++ = '{';
	for (size_t q = 0; q < n; q++) {
		size_t vl;
		const char *v = sc_jscan_span(js, k[q].v, &vl);
		if (q)
			*w++ = ',';
		*w++ = '"';
		memcpy(w, k[q].k, k[q].n);
		w += k[q].n;
		*w++ = '"';
		*w++ = ':';
		memcpy(w, v, vl);
		w += vl;
	}
	*w++ = '}';
	*w = '\0';
	return o;
}

static char *order_of(const struct sc_join_rec *m, const struct sc_jscan *js)
{
	int sv = sc_jscan_get(js, 0, "src");
	char *src = sv >= 0 ? src_sorted(js, sv) : NULL;
	const char *id = m->idstr;
	size_t len = strlen(src ? src : "") + strlen(id ? id : "") + 16, at = 0;
	char *o = malloc(len);
	if (o) {
		catu(o, len, &at, (unsigned)m->kind, 0, 0);
		cat(o, len, &at, "\x1f", 1);
		cats(o, len, &at, id ? id : "");
		cat(o, len, &at, "\x1f", 1);
		cats(o, len, &at, src ? src : "");
		cat(o, len, &at, "\x1f", 1);
	}
	free(src);
	return o;
}

/* What a member keeps of its record: the members its consignment reads or
 * writes (an OCR page its confidence only, not its text and lines), as
 * compact JSON; a record of no known kind, or a bad line, whole. */
static char *slim(const struct sc_jscan *js, enum kind kd, size_t *len, struct sc_join_store *st)
{
	static const char *const KEEP[][3] = {{"decl"}, {"parse"}, {NULL}, {"wood", "decl"}, {"scan", "decl"},
	                                      {"join", "decl"}};
	char *o;
	if (kd == K_NONE || kd == K_BAD) {
		o = st ? store_get(&st->head, js->len + 1) : malloc(js->len + 1);
		if (o)
			memcpy(o, js->s, js->len + 1);
		*len = js->len;
		return o;
	}
	static const char *const HEAD[] = {"id", "src", "errors"};
	int at[6], n = 0;
	for (int k = 0; k < 3; k++)
		at[n++] = sc_jscan_get(js, 0, HEAD[k]);
	for (int k = 0; k < 2 && KEEP[kd][k]; k++)
		at[n++] = sc_jscan_get(js, 0, KEEP[kd][k]);
	int conf = kd == K_OCR ? sc_jscan_path(js, 0, "ocr.conf") : -1;
	size_t cap = 32, vl;
	for (int k = 0; k < n; k++)
		if (at[k] >= 0) {
			sc_jscan_span(js, at[k], &vl);
			cap += vl + 16;
		}
	if (conf >= 0) {
		sc_jscan_span(js, conf, &vl);
		cap += vl + 24;
	}
	o = st ? store_get(&st->head, cap) : malloc(cap);
	if (!o)
		return NULL;
	size_t w = 0;
	o[w++] = '{';
	for (int k = 0; k < n; k++) {
		if (at[k] < 0)
			continue;
		const char *key = k < 3 ? HEAD[k] : KEEP[kd][k - 3], *v = sc_jscan_span(js, at[k], &vl);
		if (w > 1)
			o[w++] = ',';
		o[w++] = '"';
		memcpy(o + w, key, strlen(key));
		w += strlen(key);
		o[w++] = '"';
		o[w++] = ':';
		memcpy(o + w, v, vl);
		w += vl;
	}
	if (kd == K_OCR) {
		const char *v = conf >= 0 ? sc_jscan_span(js, conf, &vl) : NULL;
		if (w > 1)
			o[w++] = ',';
		memcpy(o + w, "\"ocr\":{", 7);
		w += 7;
		if (v) {
			memcpy(o + w, "\"conf\":", 7);
			w += 7;
			memcpy(o + w, v, vl);
			w += vl;
		}
		o[w++] = '}';
	}
	o[w++] = '}';
	o[w] = '\0';
	*len = w;
	if (st)
		store_trim(&st->head, cap, w + 1);
	return o;
}

static struct sc_join_rec *new_prep(const struct sc_jscan *js, enum kind kd, struct sc_join_store *st)
{
	struct sc_join_rec *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->kind = kd;
	m->raw = slim(js, kd, &m->rawlen, st);
	m->raw_kept = st != NULL;
	if (!m->raw) {
		free(m);
		return NULL;
	}
	int id = sc_jscan_get(js, 0, "id");
	if (sc_jscan_type(js, id) == SC_JS_STR)
		m->idstr = sc_jscan_strdup(js, id);
	int d = sc_jscan_get(js, 0, "decl");
	if (kd != K_NONE && kd != K_BAD && kd != K_DOC && kd != K_OCR)
		m->declid = sc_jscan_strdup(js, sc_jscan_get(js, d, "id"));
	if (kd == K_DOC)
		m->dtype = sc_jscan_strdup(js, sc_jscan_path(js, 0, "parse.type"));
	if (kd == K_OCR)
		m->has_conf = sc_jscan_num(js, sc_jscan_path(js, 0, "ocr.conf"), &m->conf) == 0;
	member_keys(m, js);
	m->order = order_of(m, js);
	return m;
}

/* sc-parse -g ref output: its documents each join on their own, each as a
 * record of its own (made here, as a document record of sc-parse looks). */
static struct sc_join_rec *prep_consignment(struct sc_jscan *js, struct sc_join_store *st)
{
	json_t *rec = sc_jscan_json(js, 0), *parse = json_object_get(rec, "parse");
	struct sc_join_rec *head = NULL, **tail = &head;
	int any = 0;
	size_t i;
	json_t *d;
	struct sc_jscan sub;
	sc_jscan_init(&sub);
	json_array_foreach(json_object_get(parse, "documents"), i, d) {
		json_t *src = json_array_get(json_object_get(d, "src"), 0);
		if (!src)
			src = json_object_get(rec, "src");
		json_t *ns = json_pack("{s:i,s:O?,s:O?,s:O?,s:O?,s:O?,s:O?}", "v", 1, "type", json_object_get(d, "type"),
		                       "type_conf", json_object_get(d, "type_conf"), "template",
		                       json_object_get(d, "template"), "fields", json_object_get(d, "fields"), "items",
		                       json_object_get(d, "items"), "documents", json_object_get(d, "src"));
		json_t *one = json_object();
		if (json_object_get(d, "id"))
			json_object_set(one, "id", json_object_get(d, "id"));
		if (src)
			json_object_set(one, "src", src);
		json_object_set_new(one, "parse", ns);
		if (i == 0 && json_is_array(json_object_get(rec, "errors")))
			json_object_set(one, "errors", json_object_get(rec, "errors"));
		char *text = json_dumps(one, SC_JSON_FLAGS);
		json_decref(one);
		struct sc_join_rec *m = NULL;
		if (text && sc_jscan_parse(&sub, text, strlen(text), "-", 0, NULL) == 0)
			m = new_prep(&sub, K_DOC, st);
		free(text);
		if (!m)
			continue;
		m->sub = 1;
		any |= m->nkeys > 0;
		*tail = m;
		tail = &m->next;
	}
	sc_jscan_release(&sub);
	json_decref(rec);
	/* a consignment without documents to link by: the record, of no known kind */
	if (!any)
		*tail = new_prep(js, K_NONE, st);
	return head;
}

struct sc_join_rec *sc_join_prep(struct sc_jscan *js, struct sc_join_store *st, const char *line, size_t len,
                                 const char *file, unsigned long lineno, struct sc_error *err)
{
	if (sc_jscan_parse(js, line, len, file, lineno, err) < 0 || sc_jscan_type(js, 0) != SC_JS_OBJ) {
		/* the message every tool gives (sc_parse_line's); a line jansson takes
		 * and jscan not (a NUL byte between tokens) is read in jansson's form */
		json_t *rec;
		if (sc_parse_line(file, lineno, line, len, &rec, err) < 0)
			return NULL;
		char *text = json_dumps(rec, SC_JSON_FLAGS);
		json_decref(rec);
		int ok = text && sc_jscan_parse(js, text, strlen(text), file, lineno, err) == 0;
		free(text);
		if (!ok) {
			sc_error_set(err, file, (int)lineno, 1, SC_E_NOMEM, "out of memory reading a line of %zu bytes", len);
			return NULL;
		}
	}
	enum kind kd = kind_of(js);
	struct sc_join_rec *m;
	if (kd == K_DOC && sc_jscan_streq(js, sc_jscan_path(js, 0, "parse.type"), "consignment"))
		m = prep_consignment(js, st);
	else
		m = new_prep(js, kd, st);
	if (!m)
		sc_error_set(err, file, (int)lineno, 1, SC_E_NOMEM, "out of memory reading a line of %zu bytes", len);
	return m;
}

/* The member that first had key s (which stays valid: it is in that
 * member's keys), or the empty slot where s goes. */
static struct kslot *kfind(struct sc_join *j, const char *s, uint64_t h)
{
	uint32_t lo = (uint32_t)h;
	size_t mask = j->kcap - 1, i = lo & mask;
	while (j->keymap[i].k && (j->keymap[i].h != lo || strcmp(j->keymap[i].k, s) != 0))
		i = (i + 1) & mask;
	return &j->keymap[i];
}

static int kgrow(struct sc_join *j)
{
	size_t cap = j->kcap ? j->kcap * 2 : 4096;
	if (cap > ((size_t)1 << 32))
		return -1;
	struct kslot *old = j->keymap, *nw = calloc(cap, sizeof *nw);
	if (!nw)
		return -1;
	size_t ocap = j->kcap;
	j->keymap = nw;
	j->kcap = cap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].k)
			*kfind(j, old[i].k, old[i].h) = old[i];
	free(old);
	return 0;
}

static int union_keys(struct sc_join *j, size_t me)
{
	const char *s = j->m[me].keys;
	for (unsigned q = 0; q < j->m[me].nkeys; q++, s += strlen(s) + 1) {
		if ((j->kused + 1) * 2 > j->kcap && kgrow(j) < 0)
			return -1;
		uint64_t h = sc_fnv64_str(SC_FNV64_OFFSET, s);
		struct kslot *at = kfind(j, s, h);
		if (!at->k) {
			*at = (struct kslot){s, (uint32_t)h, (uint32_t)me};
			j->kused++;
			continue;
		}
		size_t a = at->idx, b = me;
		while (j->m[a].parent != a)
			a = j->m[a].parent = j->m[j->m[a].parent].parent;
		while (j->m[b].parent != b)
			b = j->m[b].parent = j->m[j->m[b].parent].parent;
		if (a != b)
			j->m[a > b ? a : b].parent = a < b ? a : b;
	}
	return j->m[me].nkeys ? 0 : -1;
}

static const char *const WHY[] = {"a declaration without id, B/L, invoice or container number",
                                  "a document without invoice, B/L or container number",
                                  "an OCR page without src.path",
                                  "a wood sample whose record carries no decl.id or decl.containers",
                                  "a scan whose record carries no decl.id or decl.containers",
                                  "an sc-join record without decl",
                                  "a record of no known tool (no decl, parse, ocr, wood, scan or join)",
                                  "a bad line"};

int sc_join_take(struct sc_join *j, struct sc_join_rec *p, const char *file, unsigned long line, struct sc_error *err)
{
	const char *fn = intern(j, file);
	int rc = 0;
	while (p) {
		struct sc_join_rec *nx = p->next;
		/* members are numbered in 32 bits in the key map */
		if ((j->n == j->cap && sc_grow(&j->m, &j->cap, 1024, sizeof *j->m) < 0) || j->n >= UINT32_MAX) {
			sc_join_prep_free(p);
			return sc_error_set(err, fn, (int)line, 0, SC_E_NOMEM, "out of memory");
		}
		struct sc_join_rec *m = &j->m[j->n];
		*m = *p;
		free(p);
		m->next = NULL;
		m->file = fn;
		m->line = line;
		m->parent = j->n;
		keep_member(j, m, fn, line);
		j->n++;
		if (union_keys(j, j->n - 1) < 0 && !m->sub) {
			m->nokey = 1;
			rc = sc_error_set(err, fn, (int)line, 0, "no-key", "nothing to link by: %s; it comes out alone",
			                  WHY[m->kind]);
		}
		p = nx;
	}
	return rc;
}

int sc_join_add_line(struct sc_join *j, struct sc_jscan *js, const char *text, size_t len, const char *file,
                     unsigned long line, struct sc_error *err)
{
	struct sc_join_rec *m = sc_join_prep(js, NULL, text, len, file, line, err);
	if (!m)
		return -2;
	return sc_join_take(j, m, file, line, err);
}

int sc_join_add(struct sc_join *j, json_t *rec, const char *file, unsigned long line, struct sc_error *err)
{
	char *text = json_dumps(rec, SC_JSON_FLAGS);
	if (!text)
		return sc_error_set(err, file, (int)line, 0, SC_E_NOMEM, "out of memory");
	struct sc_jscan js;
	sc_jscan_init(&js);
	int rc = sc_join_add_line(j, &js, text, strlen(text), file, line, err);
	sc_jscan_release(&js);
	free(text);
	return rc == -2 ? -1 : rc;
}

void sc_join_add_bad(struct sc_join *j, json_t *rec, const char *file, unsigned long line)
{
	char *text = json_dumps(rec, SC_JSON_FLAGS);
	struct sc_jscan js;
	sc_jscan_init(&js);
	if (text && sc_jscan_parse(&js, text, strlen(text), file, line, NULL) == 0) {
		struct sc_join_rec *m = new_prep(&js, K_BAD, NULL);
		if (m) {
			free(m->keys);
			m->keys = NULL;   /* a bad line links to nothing */
			m->keyslen = 0;
			m->nkeys = 0;
			free(m->idstr);
			m->idstr = NULL;
			free(m->order);
			m->order = strdup("7\x1f\x1f\x1f");
			m->sub = 1;
			sc_join_take(j, m, file, line, NULL);
		}
	}
	sc_jscan_release(&js);
	free(text);
}

size_t sc_join_records(const struct sc_join *j)
{
	return j->n;
}

size_t sc_join_bytes(const struct sc_join *j)
{
	size_t b = j->n * sizeof *j->m;
	for (size_t i = 0; i < j->n; i++) {
		const struct sc_join_rec *m = &j->m[i];
		b += m->rawlen + 1 + (m->order ? strlen(m->order) + 1 : 0) + (m->idstr ? strlen(m->idstr) + 1 : 0);
	}
	return b;
}

void sc_join_free(struct sc_join *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->n; i++)
		member_free(&j->m[i]);
	while (j->store) {
		struct store *nx = j->store->next;
		free(j->store);
		j->store = nx;
	}
	free(j->m);
	free(j->keymap);
	for (size_t k = 0; k < j->nfiles; k++)
		free(j->files[k]);
	free(j->files);
	free(j->idx);
	for (size_t k = 0; k < j->ng; k++) {
		free(j->g[k].id);
		json_decref(j->g[k].problems);
	}
	free(j->g);
	free(j);
}

/* ---- linking ----------------------------------------------------------------- */

static const struct sc_join *sort_j;   /* qsort has no context argument; linking is not reentrant */
static json_t *rec_json(const struct sc_join_rec *m, const char *path);
static void link_by_content(struct sc_join *j);

static size_t root_of(struct sc_join_rec *m, size_t i)
{
	while (m[i].parent != i)
		i = m[i].parent = m[m[i].parent].parent;
	return i;
}

static int cmp_member(const void *a, const void *b)
{
	const struct sc_join_rec *x = &sort_j->m[*(const size_t *)a], *y = &sort_j->m[*(const size_t *)b];
	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	int r = strcmp(x->order ? x->order : "", y->order ? y->order : "");
	return r;
}

static int cmp_order(const void *a, const void *b)
{
	const struct sc_join_rec *x = &sort_j->m[*(const size_t *)a], *y = &sort_j->m[*(const size_t *)b];
	return strcmp(x->order ? x->order : "", y->order ? y->order : "");
}

/*
 * j->idx in the order of cmp_member, as qsort (glibc's, a stable merge sort)
 * put it: the members counted out by their root (stable, in O(n)), then each
 * group, a few members as a rule, sorted by its order keys (insertion, or
 * qsort for a big one; both stable). A sort of the whole night by string
 * compares was some 4% of the run.
 */
static void sort_members(struct sc_join *j)
{
	size_t n = j->n, *start = calloc(n + 1, sizeof *start), *out = malloc((n ? n : 1) * sizeof *out);
	sort_j = j;
	if (!start || !out) {
		free(start);
		free(out);
		qsort(j->idx, n, sizeof *j->idx, cmp_member);
		return;
	}
	for (size_t i = 0; i < n; i++)
		start[j->m[i].parent + 1]++;
	for (size_t r = 0; r < n; r++)
		start[r + 1] += start[r];
	for (size_t i = 0; i < n; i++)
		out[start[j->m[i].parent]++] = i;   /* start[r] ends as the end of group r */
	for (size_t a = 0; a < n;) {
		size_t b = a + 1;
		while (b < n && j->m[out[b]].parent == j->m[out[a]].parent)
			b++;
		if (b - a > 16)
			qsort(out + a, b - a, sizeof *out, cmp_order);
		else
			for (size_t q = a + 1; q < b; q++) {
				size_t x = out[q], r = q;
				for (; r > a && cmp_order(&out[r - 1], &x) > 0; r--)
					out[r] = out[r - 1];
				out[r] = x;
			}
		a = b;
	}
	free(j->idx);
	j->idx = out;
	free(start);
}

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int r = strcmp(x->id, y->id);
	if (r)
		return r;
	return strcmp(sort_j->m[sort_j->idx[x->first]].order, sort_j->m[sort_j->idx[y->first]].order);
}

static const char *mid(const struct sc_join_rec *m)
{
	const char *s = m->id ? json_string_value(m->id) : m->idstr;
	if (!s && m->kind == K_DECL)
		s = m->declid;
	return s ? s : "?";
}

static void problem(struct group *g, const struct sc_join_rec *at, const char *code, sc_join_problem_fn fn,
                    void *ctx, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void problem(struct group *g, const struct sc_join_rec *at, const char *code, sc_join_problem_fn fn,
                    void *ctx, const char *fmt, ...)
{
	struct sc_error e;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sc_error_set(&e, at->file, (int)at->line, 0, code, "%s", msg);
	if (fn)
		fn(ctx, &e);
	if (!g->problems)
		g->problems = json_array();
	json_array_append_new(g->problems, json_pack("{s:s,s:s,s:s,s:s,s:i}", "tool", "sc-join", "code", code, "msg",
	                                             msg, "file", at->file, "line", (int)at->line));
	g->bad = 1;
}

/* The id of a consignment: its electronic declaration's, else the one its
 * documents' declaration gets from sc-parse, else its first member's. */
static char *group_id(const struct sc_join *j, const struct group *g)
{
	const size_t *ix = j->idx + g->first;
	for (size_t k = 0; k < g->n; k++)
		if (j->m[ix[k]].kind == K_DECL && j->m[ix[k]].declid)
			return strdup(j->m[ix[k]].declid);
	json_t *docs = json_array();
	for (size_t k = 0; k < g->n; k++)
		if (j->m[ix[k]].kind == K_DOC) {
			const struct sc_join_rec *m = &j->m[ix[k]];
			json_t *id = m->idstr ? json_string(m->idstr) : m->sub ? rec_json(m, "id") : NULL;
			json_array_append_new(docs, json_pack("{s:o?,s:o}", "id", id, "parse", rec_json(m, "parse")));
		}
	char *id = NULL;
	if (json_array_size(docs)) {
		json_t *decl = NULL, *pa = sc_parse_consign(NULL, docs, &decl);
		if (json_is_string(json_object_get(decl, "id")))
			id = strdup(json_string_value(json_object_get(decl, "id")));
		json_decref(pa);
		json_decref(decl);
	}
	json_decref(docs);
	if (id)
		return id;
	for (size_t k = 0; k < g->n; k++) {
		const struct sc_join_rec *m = &j->m[ix[k]];
		if (m->kind != K_DECL && m->declid)
			return strdup(m->declid);
	}
	const struct sc_join_rec *m = &j->m[ix[0]];
	if (m->idstr)
		return strdup(m->idstr);
	char buf[600];
	snprintf(buf, sizeof buf, "%s:%lu", m->file, m->line);
	return strdup(buf);
}

static int has_key(const struct sc_join_rec *m, const char *key)
{
	const char *k = m->keys;
	for (unsigned q = 0; q < m->nkeys; q++, k += strlen(k) + 1)
		if (strcmp(k, key) == 0)
			return 1;
	return 0;
}

static void check_group(struct sc_join *j, struct group *g, sc_join_problem_fn fn, void *ctx)
{
	const size_t *ix = j->idx + g->first;
	/* electronic declarations: one id once; two ids in one consignment are linked by some record */
	const struct sc_join_rec *d0 = NULL;
	for (size_t k = 0; k < g->n; k++) {
		const struct sc_join_rec *m = &j->m[ix[k]];
		if (m->kind == K_NONE || m->kind == K_BAD || m->nokey)
			g->bad = 1;
		if (m->kind != K_DECL)
			continue;
		if (!d0) {
			d0 = m;
			continue;
		}
		const char *a = d0->declid, *b = m->declid;
		if (a && b && strcmp(a, b) == 0) {
			problem(g, m, "duplicate-decl", fn, ctx,
			        "a second electronic declaration with id \"%s\" (the first is at %s:%lu); both kept, the first is the consignment's decl",
			        b, d0->file, d0->line);
			continue;
		}
		/* which record links them: one that shares a key with each */
		const struct sc_join_rec *bridge = NULL;
		for (size_t q = 0; q < g->n && !bridge; q++) {
			const struct sc_join_rec *x = &j->m[ix[q]];
			if (x->kind == K_DECL)
				continue;
			int ha = 0, hb = 0;
			const char *kx = x->keys;
			for (unsigned i = 0; i < x->nkeys; i++, kx += strlen(kx) + 1) {
				ha |= has_key(d0, kx);
				hb |= has_key(m, kx);
			}
			if (ha && hb)
				bridge = x;
		}
		if (bridge)
			problem(g, bridge, "links-two-decls", fn, ctx,
			        "%s %s links declaration \"%s\" (%s:%lu) and declaration \"%s\" (%s:%lu); one consignment holds both",
			        KIND[bridge->kind], mid(bridge), a ? a : "?", d0->file, d0->line, b ? b : "?", m->file,
			        m->line);
		else
			problem(g, m, "links-two-decls", fn, ctx,
			        "declaration \"%s\" and declaration \"%s\" (%s:%lu) share references through other records; one consignment holds both",
			        b ? b : "?", a ? a : "?", d0->file, d0->line);
	}
	/* sc-join output given back beside the records it was made of */
	for (size_t k = 0; k < g->n; k++) {
		const struct sc_join_rec *m = &j->m[ix[k]];
		if (m->kind != K_JOIN)
			continue;
		size_t i;
		json_t *s, *sources = rec_json(m, "join.sources");
		json_array_foreach(sources, i, s) {
			const char *sk = json_string_value(json_object_get(s, "kind")),
			           *sid = json_string_value(json_object_get(s, "id"));
			for (size_t q = 0; q < g->n && sk && sid; q++) {
				const struct sc_join_rec *x = &j->m[ix[q]];
				if (x != m && strcmp(KIND[x->kind], sk) == 0 && x->idstr && strcmp(x->idstr, sid) == 0) {
					problem(g, m, "link-cycle", fn, ctx,
					        "a consignment of sc-join (%s) is given back with its own source %s %s (%s:%lu): the link runs in a circle; both kept, the joined record only as a source",
					        mid(m), sk, sid, x->file, x->line);
					sk = NULL;
				}
			}
			if (!sk)
				break;
		}
		json_decref(sources);
	}
}

size_t sc_join_link(struct sc_join *j, sc_join_problem_fn fn, void *ctx)
{
	size_t n = j->n;
	free(j->idx);
	j->idx = malloc((n ? n : 1) * sizeof *j->idx);
	for (size_t i = 0; i < n; i++) {
		root_of(j->m, i);
		j->idx[i] = i;
	}
	j->ndocs = j->ndecls = 0;
	for (size_t i = 0; i < n; i++) {
		j->m[i].parent = root_of(j->m, i);
		j->ndocs += j->m[i].kind == K_DOC;
		j->ndecls += j->m[i].kind == K_DECL;
	}
	link_by_content(j);
	for (size_t i = 0; i < n; i++)
		j->m[i].parent = root_of(j->m, i);
	sort_members(j);
	j->g = calloc(n ? n : 1, sizeof *j->g);
	j->ng = 0;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || j->m[j->idx[i]].parent != j->m[j->idx[i - 1]].parent) {
			j->g[j->ng].first = i;
			j->ng++;
		}
		j->g[j->ng - 1].n++;
	}
	for (size_t k = 0; k < j->ng; k++)
		j->g[k].id = group_id(j, &j->g[k]);
	qsort(j->g, j->ng, sizeof *j->g, cmp_group);
	for (size_t k = 0; k < j->ng; k++)
		check_group(j, &j->g[k], fn, ctx);
	return j->ng;
}

const char *sc_join_id(const struct sc_join *j, size_t k)
{
	return k < j->ng ? j->g[k].id : NULL;
}

/* ---- the consignment record ------------------------------------------------------ */

static const char *src_name(const struct sc_join_rec *m)
{
	if (m->kind == K_DOC)
		return m->dtype ? m->dtype : "other";
	return m->kind == K_DECL ? "declaration" : m->kind == K_OCR ? "page" : KIND[m->kind];
}

/* "invoice:0a1b…", the name of a source in checks and reasons. v is NULL
 * when the name was cut inside a UTF-8 sequence: jansson refused such a
 * string when labels were its strings, and the output keeps what it did
 * (the key left out, "(null)" in a message). */
struct label {
	char s[400];
	const char *v;
};

static void src_label(const struct sc_join_rec *m, struct label *l)
{
	size_t at = 0;
	l->s[0] = '\0';
	cats(l->s, sizeof l->s, &at, src_name(m));
	cat(l->s, sizeof l->s, &at, ":", 1);
	cats(l->s, sizeof l->s, &at, mid(m));
	l->v = utf8_whole((const unsigned char *)l->s) ? l->s : NULL;
}

/* s, or NULL when jansson would refuse it as a string (see struct label) */
static const char *valid(const char *s)
{
	return s && utf8_whole((const unsigned char *)s) ? s : NULL;
}

static double round_to(double x, double q)
{
	return round(x / q) * q;
}

struct side {
	const struct sc_jscan *js;   /* the declaration: a decl object in js */
	int decl;
	struct label label;          /* its source label */
};

/* <name>.value of a document's parse.fields (at f in js, found once per document), or -1 */
static int fld(const struct sc_jscan *js, int f, const char *name)
{
	return sc_jscan_get(js, sc_jscan_get(js, f, name), "value");
}

static const char *sval(const struct sc_jscan *js, int v, char *buf, size_t cap)
{
	return sc_jscan_str(js, v, buf, cap) >= 0 ? buf : NULL;
}

/* the document's parse object */
static int doc_parse(const struct sc_join_rec *doc)
{
	return sc_jscan_get(doc->js, 0, "parse");
}

/*
 * join.checks[] is written as its bytes, entry by entry, as jansson wrote
 * the tree it once was (SC_JSON_FLAGS): the checks were a tenth of the run
 * as trees that lived for one dump. What jansson left out stays out: a
 * string it would refuse (cut inside a UTF-8 sequence) is null where it was
 * a value and no key where it was a member, a real that is not finite no key.
 */
struct checks {
	struct sc_join_out o;
	size_t n;
	int doc_low;   /* the document compared now was read below ocr.conf_low */
};

/* a value of a check: a real, a string (NULL or refused: null), or null */
struct cval {
	int real;
	double x;
	const char *s;
};

static struct cval cv_real(double x)
{
	return (struct cval){1, x, NULL};
}

static struct cval cv_str(const char *s)
{
	return (struct cval){0, 0, valid(s)};
}

static void put(struct sc_join_out *o, const char *s, size_t n);
static void putz(struct sc_join_out *o, const char *s);
static void put_str(struct sc_join_out *o, const char *s);
static void put_real(struct sc_join_out *o, double x);

/* a check's opening brace, after a comma when it is not the first */
static void check_open(struct checks *ck)
{
	putz(&ck->o, ck->n++ ? ",{" : "{");
}

/* ,"key":"s" when s is a string jansson takes */
static void put_kstr(struct sc_join_out *o, const char *key, const char *s)
{
	if (!valid(s))
		return;
	putz(o, key);
	put_str(o, s);
}

static void put_cval(struct sc_join_out *o, const char *key, struct cval v)
{
	putz(o, key);
	if (v.real)
		put_real(o, v.x);
	else if (v.s)
		put_str(o, v.s);
	else
		putz(o, "null");
}

static void put_kreal(struct sc_join_out *o, const char *key, double x)
{
	if (!isfinite(x))
		return;
	putz(o, key);
	put_real(o, x);
}

static void add_check(struct checks *ck, const char *field, struct cval dv, struct cval pv, const struct side *s,
                      const struct sc_join_rec *doc, double tol, int has_tol, double rel, int has_rel, const char *msg,
                      const char *hs)
{
	struct sc_join_out *o = &ck->o;
	struct label dl;
	src_label(doc, &dl);
	check_open(ck);
	putz(o, "\"field\":");
	put_str(o, field);
	if (hs)
		put_kstr(o, ",\"hs\":", hs);
	put_kstr(o, ",\"msg\":", msg);
	put_cval(o, ",\"decl\":", dv);
	put_cval(o, ",\"doc\":", pv);
	put_kstr(o, ",\"decl_src\":", s->label.v);
	put_kstr(o, ",\"doc_src\":", dl.v);
	/* the document's value may be a misreading: the disagreement is not
	 * known to be one, and the default pack sends it to a documentary
	 * check (JOIN-OCR-LOW) rather than scoring it as a disagreement */
	if (ck->doc_low)
		putz(o, ",\"doc_conf_low\":true");
	if (has_tol)
		put_kreal(o, ",\"tol\":", round_to(tol, 0.0001));
	if (has_rel)
		put_kreal(o, ",\"rel\":", round_to(rel, 0.0001));
	putz(o, "}");
}

/*
 * %.15g of an amount, a weight or a rounded ratio, without printf (which
 * cost some 2,000 instructions a number): when x is the double nearest to
 * n/10^k for an integer |n| < 1e15 and k = 2 or 4, %.15g rounds x to n/10^k
 * exactly (x is within half an ulp of it, far below half a unit of the 15th
 * digit) and writes it in fixed notation with the trailing zeros cut. The
 * length, or 0 for any other x (b holds at least 24 bytes).
 */
static int g15_fixed(char *b, double x)
{
	static const double SCALE[] = {1e4, 1e2}, LIMIT[] = {1e11, 1e13};
	if (x == 0 && signbit(x))
		return 0;
	for (int k = 0; k < 2; k++) {
		if (!(fabs(x) < LIMIT[k]))
			continue;
		double r = round(x * SCALE[k]);
		if (r / SCALE[k] != x)
			continue;
		long long c = (long long)r;
		unsigned long long u = c < 0 ? 0ULL - (unsigned long long)c : (unsigned long long)c;
		unsigned long long one = k == 0 ? 10000 : 100;
		unsigned f = (unsigned)(u % one);
		int digits = k == 0 ? 4 : 2;
		size_t at = 0;
		catu(b, 24, &at, u / one, 0, c < 0);
		if (f) {
			char d[8];
			d[0] = '.';
			for (int q = digits; q > 0; q--, f /= 10)
				d[q] = (char)('0' + f % 10);
			while (d[digits] == '0')
				digits--;
			cat(b, 24, &at, d, (size_t)digits + 1);
		}
		return (int)at;
	}
	return 0;
}

static void fmt_num(char *b, size_t n, double x)
{
	if (n < 24 || !g15_fixed(b, x))
		snprintf(b, n, "%.15g", x);
}

/* "%+.1f" of a percentage, without printf where it is sure: |v| < 1e6, so
 * v * 10 is within 1e-9 of its exact value, and that is far (1e-6) from a
 * half, where rounding could go either way; else printf. b holds 24 bytes. */
static void fmt_pct1(char *b, double v)
{
	double t = v * 10, fl = floor(t), d = t - fl;
	if (!(fabs(v) < 1e6) || fabs(d - 0.5) < 1e-6) {
		snprintf(b, 24, "%+.1f", v);
		return;
	}
	double q = d < 0.5 ? fl : fl + 1;
	unsigned long long u = (unsigned long long)fabs(q);
	size_t at = 0;
	cat(b, 24, &at, signbit(v) ? "-" : "+", 1);
	catu(b, 24, &at, u / 10, 0, 0);
	char f[2] = {'.', (char)('0' + u % 10)};
	cat(b, 24, &at, f, 2);
}

static void check_num(struct checks *checks, const struct sc_join_tol *t, enum sc_join_num which, const char *what,
                      double a, double b, const struct side *s, const struct sc_join_rec *doc, const char *field,
                      const char *hs)
{
	double tol = fmax(t->abs[which], t->rel[which] * fmax(fabs(a), fabs(b)));
	if (fabs(a - b) <= tol)
		return;
	double rel = a != 0 ? (b - a) / fabs(a) : (b > 0 ? 1 : -1);
	char sa[40], sb[40], pct[24], st[40], msg[600];
	fmt_num(sa, sizeof sa, a);
	fmt_num(sb, sizeof sb, b);
	fmt_pct1(pct, rel * 100);
	fmt_num(st, sizeof st, round_to(tol, 0.01));
	/* the sentence names both values and both sources */
	struct label dl;
	src_label(doc, &dl);
	snprintf(msg, sizeof msg, "%s%s%s: %s on %s, declared %s on %s (%s%%, tolerance %s)", what, hs ? " of HS " : "",
	         hs ? hs : "", sb, dl.v, sa, s->label.v, pct, st);
	/* tol: the relative tolerance of the pack (the message states the allowance) */
	add_check(checks, field, cv_real(a), cv_real(b), s, doc, t->rel[which], 1, rel, 1, msg, hs);
}

/* Two strings that name the same thing once case, spaces and punctuation go. */
static int same_code(const char *a, const char *b)
{
	char x[256], y[256];
	size_t i = 0, k = 0;
	for (; *a && i + 1 < sizeof x; a++)
		if ((*a >= '0' && *a <= '9') || (*a >= 'A' && *a <= 'Z') || (*a >= 'a' && *a <= 'z') || (*a & 0x80))
			x[i++] = (char)(*a >= 'a' && *a <= 'z' ? *a - 32 : *a);
	for (; *b && k + 1 < sizeof y; b++)
		if ((*b >= '0' && *b <= '9') || (*b >= 'A' && *b <= 'Z') || (*b >= 'a' && *b <= 'z') || (*b & 0x80))
			y[k++] = (char)(*b >= 'a' && *b <= 'z' ? *b - 32 : *b);
	x[i] = y[k] = '\0';
	return strcmp(x, y) == 0;
}

static void check_str(struct checks *checks, const char *what, const char *field, const char *a, const char *b,
                      const struct side *s, const struct sc_join_rec *doc)
{
	if (!a || !b || same_code(a, b))
		return;
	char msg[1400];
	struct label dl;
	src_label(doc, &dl);
	snprintf(msg, sizeof msg, "%s: %s on %s, declared %s on %s", what, b, dl.v, a, s->label.v);
	add_check(checks, field, cv_str(a), cv_str(b), s, doc, 0, 0, 0, 0, msg, NULL);
}

/* A reference (B/L, invoice number) by sc-parse's normalization. */
static void check_ref(struct checks *checks, const char *what, const char *field, const char *a, const char *b,
                      const struct side *s, const struct sc_join_rec *doc)
{
	if (!a || !b)
		return;
	char ka[REFMAX], kb[REFMAX];
	int same = *ref_norm(a, ka) && strcmp(ka, ref_norm(b, kb)) == 0;
	if (!same)
		check_str(checks, what, field, a, b, s, doc);
}

static int has_latin(const char *s)
{
	for (; *s; s++)
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
			return 1;
	return 0;
}

static int has_wide(const char *s)
{
	for (; *s; s++)
		if (*s & 0x80)
			return 1;
	return 0;
}

static void check_party(struct checks *checks, const struct sc_join_tol *t, const char *what, const char *field,
                        const char *a, const char *b, const struct side *s, const struct sc_join_rec *doc)
{
	/* the same bytes are the same party (similarity 1, or names that normalize
	 * to nothing): the usual case, decided without normalizing either */
	if (!a || !b || strcmp(a, b) == 0)
		return;
	/* a name in Chinese against its English form is no disagreement we can judge */
	if (has_wide(a) != has_wide(b) || has_latin(a) != has_latin(b))
		return;
	char x[512], y[512];
	size_t nx = sc_risk_screen_normalize(a, strlen(a), x, sizeof x), ny = sc_risk_screen_normalize(b, strlen(b), y, sizeof y);
	if (!nx || !ny)
		return;
	double sim = sc_jaro_winkler(x, nx, y, ny);
	if (sim >= t->party || strstr(x, y) || strstr(y, x))
		return;
	char msg[900];
	struct label dl;
	src_label(doc, &dl);
	snprintf(msg, sizeof msg, "%s: \"%s\" on %s, declared \"%s\" on %s (similarity %.2f, at least %.2f needed)",
	         what, b, dl.v, a, s->label.v, sim, t->party);
	add_check(checks, field, cv_str(a), cv_str(b), s, doc, t->party, 1, sim, 1, msg, NULL);
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "A B C": a set for a message and a check's value (the caller frees; ""
 * when out of memory, the caller's empty string, as its tree was) */
static char *joined(const char **v, size_t n, char *empty)
{
	size_t len = 1;
	for (size_t k = 0; k < n; k++)
		len += strlen(v[k]) + 1;
	char *b = malloc(len), *w = b;
	if (!b) {
		*empty = '\0';
		return empty;
	}
	for (size_t k = 0; k < n; k++) {
		size_t l = strlen(v[k]);
		if (k)
			*w++ = ' ';
		memcpy(w, v[k], l);
		w += l;
	}
	*w = '\0';
	return b;
}

static void joined_free(char *b, const char *empty)
{
	if (b != empty)
		free(b);
}

static int in_set(const char **v, size_t n, const char *s)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(v[k], s) == 0)
			return 1;
	return 0;
}

#define MAXSET 256

/* up to MAXSET strings of array a, decoded (the caller frees each) */
static size_t strings_of(const struct sc_jscan *js, int a, char **out)
{
	size_t n = 0;
	for (int x = sc_jscan_first(js, a); x >= 0 && n < MAXSET; x = sc_jscan_next(js, a, x))
		if (sc_jscan_type(js, x) == SC_JS_STR && sc_jscan_type(js, a) == SC_JS_ARR)
			out[n++] = sc_jscan_strdup(js, x);
	return n;
}

static void check_containers(struct checks *checks, const struct side *s, const struct sc_join_rec *doc)
{
	char *dvm[MAXSET], *pvm[MAXSET];
	/* a declaration that says nothing of containers is not held to them */
	int dc = sc_jscan_get(s->js, s->decl, "containers");
	if (sc_jscan_type(s->js, dc) != SC_JS_ARR)
		return;
	size_t nd = strings_of(s->js, dc, dvm), np = strings_of(doc->js, fld(doc->js, sc_jscan_get(doc->js, doc_parse(doc), "fields"), "containers"), pvm);
	const char **dv = (const char **)dvm, **pv = (const char **)pvm;
	int oom = 0;
	for (size_t k = 0; k < nd; k++)
		oom |= !dv[k];
	for (size_t k = 0; k < np; k++)
		oom |= !pv[k];
	if (!np || oom)
		goto out;
	small_sort(dv, nd, sizeof *dv, cmp_cstr);
	small_sort(pv, np, sizeof *pv, cmp_cstr);
	struct label dl;
	src_label(doc, &dl);
	char e0[1];
	for (size_t k = 0; k < np; k++) {
		if (in_set(dv, nd, pv[k]) || (k && strcmp(pv[k], pv[k - 1]) == 0))
			continue;
		char msg[1400];
		char *ds = joined(dv, nd, e0);
		snprintf(msg, sizeof msg, "container %s on %s is not declared (declared: %.300s on %s)", pv[k], dl.v,
		         nd ? valid(ds) : "none", s->label.v);
		add_check(checks, "containers", cv_str(ds), cv_str(pv[k]), s, doc, 0, 0, 0, 0, msg, NULL);
		joined_free(ds, e0);
	}
	for (size_t k = 0; k < nd; k++) {
		if (in_set(pv, np, dv[k]) || (k && strcmp(dv[k], dv[k - 1]) == 0))
			continue;
		char msg[1400];
		char *ps = joined(pv, np, e0);
		snprintf(msg, sizeof msg, "declared container %s (%s) is not on %s, which lists %.300s", dv[k], s->label.v,
		         dl.v, valid(ps));
		add_check(checks, "containers_missing", cv_str(dv[k]), cv_str(ps), s, doc, 0, 0, 0, 0, msg, NULL);
		joined_free(ps, e0);
	}
out:
	for (size_t k = 0; k < nd; k++)
		free(dvm[k]);
	for (size_t k = 0; k < np; k++)
		free(pvm[k]);
}

struct hsv {
	char hs[8];
	double value;
	int has_value;
};

static size_t hs_values(const struct sc_jscan *js, int items, const char *vkey, struct hsv *out, size_t cap)
{
	size_t n = 0;
	if (sc_jscan_type(js, items) != SC_JS_ARR)
		return 0;
	const char *const keys[] = {"hs", vkey};
	for (int x = sc_jscan_first(js, items); x >= 0; x = sc_jscan_next(js, items, x)) {
		char h[64];
		int at[2];
		sc_jscan_getv(js, x, keys, 2, at);
		long hl = sc_jscan_str(js, at[0], h, sizeof h);
		if (hl < 0 || strlen(h) < 6)
			continue;
		size_t k;
		for (k = 0; k < n; k++)
			if (strncmp(out[k].hs, h, 6) == 0)
				break;
		if (k == n) {
			if (n == cap)
				continue;
			memcpy(out[n].hs, h, 6);   /* "%.6s": h is 6 bytes long at least */
			out[n].hs[6] = '\0';
			out[n].value = 0;
			out[n].has_value = 0;
			n++;
		}
		double v;
		if (sc_jscan_num(js, at[1], &v) == 0) {
			out[k].value += v;
			out[k].has_value = 1;
		}
	}
	return n;
}

static int cmp_hsv(const void *a, const void *b)
{
	return strcmp(((const struct hsv *)a)->hs, ((const struct hsv *)b)->hs);
}

static void check_items(struct checks *checks, const struct sc_join_tol *t, const struct side *s, const struct sc_join_rec *doc)
{
	struct hsv dv[MAXSET], pv[MAXSET];
	size_t nd = hs_values(s->js, sc_jscan_get(s->js, s->decl, "items"), "value", dv, MAXSET),
	       np = hs_values(doc->js, sc_jscan_get(doc->js, doc_parse(doc), "items"), "amount", pv, MAXSET);
	if (!np || !nd)
		return;
	small_sort(dv, nd, sizeof *dv, cmp_hsv);
	small_sort(pv, np, sizeof *pv, cmp_hsv);
	const char *dset[MAXSET];
	for (size_t k = 0; k < nd; k++)
		dset[k] = dv[k].hs;
	struct label dl;
	src_label(doc, &dl);
	char e0[1];
	for (size_t k = 0; k < np; k++) {
		size_t q;
		for (q = 0; q < nd; q++)
			if (strcmp(dv[q].hs, pv[k].hs) == 0)
				break;
		if (q == nd) {
			char msg[1400];
			char *ds = joined(dset, nd, e0);
			snprintf(msg, sizeof msg, "HS %s on %s is not declared (declared: %.300s on %s)", pv[k].hs, dl.v,
			         valid(ds), s->label.v);
			add_check(checks, "items.hs", cv_str(ds), cv_str(pv[k].hs), s, doc, 0, 0, 0, 0, msg, pv[k].hs);
			joined_free(ds, e0);
			continue;
		}
		if (dv[q].has_value && pv[k].has_value)
			check_num(checks, t, SC_JN_ITEM_VALUE, "value", dv[q].value, pv[k].value, s, doc, "items.value",
			          pv[k].hs);
	}
}

static json_t *fnum(const json_t *parse, const char *name)
{
	json_t *v = json_object_get(json_object_get(json_object_get(parse, "fields"), name), "value");
	return json_is_number(v) ? v : NULL;
}

static const char *party_name(const json_t *parse, const char *const *names)
{
	for (; *names; names++) {
		const char *v = fval(parse, *names);
		if (v)
			return v;
	}
	return NULL;
}

/* Every field the declaration and one document both state, compared. The
 * fields of each side are found in one walk of its object (sc_jscan_getv). */
static void compare(struct checks *checks, const struct sc_join_tol *t, const struct side *s, const struct sc_join_rec *doc)
{
	const struct sc_jscan *dj = s->js, *pj = doc->js;
	int d = s->decl, p = sc_jscan_get(pj, doc_parse(doc), "fields");
	/* the names of both sides, by position: four numbers, seven strings, the parties */
	static const char *const DK[] = {"total_value", "gross_kg", "net_kg", "packages", "currency", "origin",
	                                 "incoterm", "port_loading", "port_discharge", "bl_no", "invoice_no",
	                                 "importer", "exporter"},
	                         *const FK[] = {"total", "gross_kg", "net_kg", "packages", "currency", "origin",
	                                        "incoterm", "port_loading", "port_discharge", "bl_no", "invoice_no",
	                                        "buyer", "consignee", "seller", "shipper"};
	int dv[13], fv[15];
	sc_jscan_getv(dj, d, DK, 13, dv);
	sc_jscan_getv(pj, p, FK, 15, fv);
	static const struct {
		const char *what;
		enum sc_join_num n;
	} NUM[] = {{"total value", SC_JN_TOTAL},
	           {"gross weight (kg)", SC_JN_GROSS},
	           {"net weight (kg)", SC_JN_NET},
	           {"packages", SC_JN_PACKAGES}};
	for (size_t k = 0; k < 4; k++) {
		double a, b;
		if (sc_jscan_num(dj, dv[k], &a) == 0 && sc_jscan_num(pj, sc_jscan_get(pj, fv[k], "value"), &b) == 0)
			check_num(checks, t, NUM[k].n, NUM[k].what, a, b, s, doc, DK[k], NULL);
	}
	static const char *const STR[] = {"currency", "country of origin", "Incoterm", "port of loading",
	                                  "port of discharge", "B/L number", "invoice number"};
	char a[1024], b[1024];
	for (size_t k = 0; k < 7; k++) {
		const char *x = sval(dj, dv[4 + k], a, sizeof a), *y = sval(pj, sc_jscan_get(pj, fv[4 + k], "value"), b, sizeof b);
		if (k < 5)
			check_str(checks, STR[k], DK[4 + k], x, y, s, doc);
		else
			check_ref(checks, STR[k], DK[4 + k], x, y, s, doc);
	}
	/* a party: the first of its two fields that holds a string */
	for (int q = 0; q < 2; q++) {
		const char *x = sval(dj, sc_jscan_get(dj, dv[11 + q], "name"), a, sizeof a),
		           *y = sval(pj, sc_jscan_get(pj, fv[11 + 2 * q], "value"), b, sizeof b);
		if (!y)
			y = sval(pj, sc_jscan_get(pj, fv[12 + 2 * q], "value"), b, sizeof b);
		check_party(checks, t, q ? "exporter" : "importer", q ? "exporter" : "importer", x, y, s, doc);
	}
	check_containers(checks, s, doc);
	check_items(checks, t, s, doc);
}

static json_t *alone_record(const struct sc_join_rec *m, json_t *whole)
{
	json_t *rec = json_deep_copy(whole);
	json_t *jn = json_object();
	json_object_set_new(jn, "v", json_integer(1));
	json_object_set_new(jn, "alone", json_true());
	json_t *src = json_object_get(whole, "src"), *id = m->idstr ? json_string(m->idstr) : NULL;
	json_object_set_new(jn, "sources",
	                    json_pack("[{s:s,s:o?,s:O?,s:s}]", "kind", KIND[m->kind], "id", id, "src", src, "type",
	                              m->kind == K_BAD ? "bad-line" : "unknown"));
	json_object_set_new(jn, "checks", json_array());
	json_object_set_new(jn, "wood", json_array());
	json_object_set_new(jn, "scan", json_array());
	json_object_set_new(rec, "join", jn);
	if (m->nokey) {
		json_t *er = json_object_get(rec, "errors");
		if (!json_is_array(er)) {
			er = json_array();
			json_object_set_new(rec, "errors", er);
		}
		json_array_append_new(er, json_pack("{s:s,s:s,s:s,s:s,s:i}", "tool", "sc-join", "code", "no-key", "msg",
		                                    "nothing to link by: it comes out alone", "file", m->file, "line",
		                                    (int)m->line));
	}
	return rec;
}

/* The first candidate's taxon and CITES appendix, and whether a declared
 * item names its genus: what a rule needs without indexing into top[]. */
static void wood_facts(json_t *w, const json_t *wood, const struct sc_jscan *dj, int decl)
{
	json_t *t0 = json_array_get(json_object_get(wood, "top"), 0);
	const char *taxon = json_string_value(json_object_get(t0, "taxon"));
	json_t *cites = json_object_get(t0, "cites");
	json_object_set_new(w, "taxon", taxon ? json_string(taxon) : json_null());
	json_t *app = json_is_object(cites) ? json_object_get(cites, "appendix") : cites;
	json_object_set_new(w, "appendix", json_is_string(app) ? json_incref(app) : json_null());
	int named = 0;
	if (taxon) {
		char genus[64];
		size_t n = strcspn(taxon, " ");
		snprintf(genus, sizeof genus, "%.*s", (int)(n < 63 ? n : 63), taxon);
		int items = dj ? sc_jscan_get(dj, decl, "items") : -1;
		for (int it = sc_jscan_first(dj, items); it >= 0 && sc_jscan_type(dj, items) == SC_JS_ARR;
		     it = sc_jscan_next(dj, items, it)) {
			char d[1024];
			if (sval(dj, sc_jscan_get(dj, it, "description"), d, sizeof d) && *genus && strcasestr(d, genus))
				named = 1;
		}
	}
	json_object_set_new(w, "declared", json_boolean(named));
}

/* ---- linking by content -------------------------------------------------------
 *
 * A document whose references were misread (an invoice number OCR could not
 * read) links to nothing by key. An officer would still find its declaration:
 * the invoice's lines are the declared lines, its seller is the exporter. So a
 * group of documents without a declaration is held against the declarations
 * of the night, evidence by evidence, and joins the one it clearly fits.
 * Every decision is taken against the groups as the keys made them, so it does
 * not depend on the order of anything. */

#define PMAXV 64
#define PMAXC 16

struct prof {
	char ref[2][96];        /* normalized invoice and B/L numbers, "" when none */
	char cont[PMAXC][16];
	int ncont;
	double val[PMAXV];      /* line values (declared) or amounts (invoice), sorted */
	int nval;
	double sum;
	char exp[160], imp[160];
	size_t nexp, nimp;
	double total, gross, packages;
	int has_total, has_gross, has_packages;
	const char *currency, *incoterm, *pol, *pod;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void prof_ref(char *out, size_t n, const char *v, int bl)
{
	out[0] = '\0';
	if (!v)
		return;
	(void)bl;   /* the same key for both */
	char k[REFMAX];
	snprintf(out, n, "%s", ref_norm(v, k));
}

static void prof_party(char *out, size_t cap, size_t *n, const char *name)
{
	*n = name ? sc_risk_screen_normalize(name, strlen(name), out, cap) : 0;
	if (*n >= cap)
		*n = cap - 1;
	out[*n] = '\0';
}

static void prof_num(const json_t *v, double *x, int *has)
{
	*has = json_is_number(v);
	*x = *has ? json_number_value(v) : 0;
}

static void prof_items(struct prof *p, const json_t *items, const char *key)
{
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		json_t *v = json_object_get(it, key);
		if (json_is_number(v) && json_number_value(v) > 0 && p->nval < PMAXV)
			p->val[p->nval++] = json_number_value(v), p->sum += json_number_value(v);
	}
	qsort(p->val, (size_t)p->nval, sizeof *p->val, cmp_double);
}

static void prof_containers(struct prof *p, const json_t *a)
{
	size_t i;
	json_t *x;
	json_array_foreach(a, i, x)
		if (json_is_string(x) && p->ncont < PMAXC)
			snprintf(p->cont[p->ncont++], sizeof p->cont[0], "%s", json_string_value(x));
}

static void prof_decl(struct prof *p, const json_t *d)
{
	memset(p, 0, sizeof *p);
	prof_ref(p->ref[0], sizeof p->ref[0], json_string_value(json_object_get(d, "invoice_no")), 0);
	prof_ref(p->ref[1], sizeof p->ref[1], json_string_value(json_object_get(d, "bl_no")), 1);
	prof_containers(p, json_object_get(d, "containers"));
	prof_items(p, json_object_get(d, "items"), "value");
	prof_party(p->exp, sizeof p->exp, &p->nexp, json_string_value(json_object_get(json_object_get(d, "exporter"), "name")));
	prof_party(p->imp, sizeof p->imp, &p->nimp, json_string_value(json_object_get(json_object_get(d, "importer"), "name")));
	prof_num(json_object_get(d, "total_value"), &p->total, &p->has_total);
	prof_num(json_object_get(d, "gross_kg"), &p->gross, &p->has_gross);
	prof_num(json_object_get(d, "packages"), &p->packages, &p->has_packages);
	p->currency = json_string_value(json_object_get(d, "currency"));
	p->incoterm = json_string_value(json_object_get(d, "incoterm"));
	p->pol = json_string_value(json_object_get(d, "port_loading"));
	p->pod = json_string_value(json_object_get(d, "port_discharge"));
}

static void prof_doc(struct prof *p, const json_t *parse)
{
	static const char *const IMP[] = {"buyer", "consignee", NULL}, *const EXP[] = {"seller", "shipper", NULL};
	memset(p, 0, sizeof *p);
	prof_ref(p->ref[0], sizeof p->ref[0], fval(parse, "invoice_no"), 0);
	prof_ref(p->ref[1], sizeof p->ref[1], fval(parse, "bl_no"), 1);
	prof_containers(p, json_object_get(json_object_get(json_object_get(parse, "fields"), "containers"), "value"));
	prof_items(p, json_object_get(parse, "items"), "amount");
	prof_party(p->exp, sizeof p->exp, &p->nexp, party_name(parse, EXP));
	prof_party(p->imp, sizeof p->imp, &p->nimp, party_name(parse, IMP));
	prof_num(fnum(parse, "total"), &p->total, &p->has_total);
	prof_num(fnum(parse, "gross_kg"), &p->gross, &p->has_gross);
	prof_num(fnum(parse, "packages"), &p->packages, &p->has_packages);
	p->currency = fval(parse, "currency");
	p->incoterm = fval(parse, "incoterm");
	p->pol = fval(parse, "port_loading");
	p->pod = fval(parse, "port_discharge");
}

/* Levenshtein distance, given up past max (returns max + 1). */
static int edits(const char *a, const char *b, int max)
{
	size_t na = strlen(a), nb = strlen(b);
	if (na > 95 || nb > 95 || (na > nb ? na - nb : nb - na) > (size_t)max)
		return max + 1;
	int row[96];
	for (size_t k = 0; k <= nb; k++)
		row[k] = (int)k;
	for (size_t i = 1; i <= na; i++) {
		int diag = row[0], lo;
		row[0] = (int)i;
		lo = row[0];
		for (size_t k = 1; k <= nb; k++) {
			int up = row[k], v = diag + (a[i - 1] != b[k - 1]);
			if (up + 1 < v)
				v = up + 1;
			if (row[k - 1] + 1 < v)
				v = row[k - 1] + 1;
			diag = up;
			row[k] = v;
			if (v < lo)
				lo = v;
		}
		if (lo > max)
			return max + 1;
	}
	return row[nb];
}

/* One name the same party as another: similar enough, or one the start of
 * the other (a name cut short by the reader: "Tianjin Binhai Machinery"). */
static int same_party(const char *a, size_t na, const char *b, size_t nb, double sim)
{
	if (na < 4 || nb < 4)
		return 0;
	size_t n = na < nb ? na : nb;
	if (n >= 8 && strncmp(a, b, n) == 0)
		return 1;
	return sc_jaro_winkler(a, na, b, nb) >= sim;
}

static int near_num(double a, double b, double rel, double abs)
{
	return fabs(a - b) <= fmax(abs, rel * fmax(fabs(a), fabs(b)));
}

static int same_str(const char *a, const char *b)
{
	return a && b && same_code(a, b);
}

/* How well document d fits declaration e; the evidence named in why. */
static int fit(const struct prof *d, const struct prof *e, const struct sc_join_tol *t, char *why, size_t n)
{
	int s = 0;
	size_t w = 0;
	why[0] = '\0';
#define EVID(pts, ...)                                                         \
	do {                                                                       \
		s += (pts);                                                            \
		if (w < n)                                                             \
			w += (size_t)snprintf(why + w, n - w, "%s", w ? ", " : "");        \
		if (w < n)                                                             \
			w += (size_t)snprintf(why + w, n - w, __VA_ARGS__);                \
	} while (0)
	for (int k = 0; k < 2; k++)
		if (strlen(d->ref[k]) >= 6 && strlen(e->ref[k]) >= 6 && edits(d->ref[k], e->ref[k], 2) <= 2) {
			EVID(3, "%s %s read for %s", k ? "B/L" : "invoice number", d->ref[k], e->ref[k]);
			break;
		}
	for (int a = 0, done = 0; a < d->ncont && !done; a++)
		for (int b = 0; b < e->ncont && !done; b++)
			if (edits(d->cont[a], e->cont[b], 1) <= 1) {
				EVID(3, "container %s", e->cont[b]);
				done = 1;
			}
	if (d->nval && e->nval) {
		/* the lines: the same values, else the same values in one proportion
		 * (a declaration that lowered every line by one factor) */
		int used[PMAXV] = {0}, hit = 0;
		for (int a = 0; a < d->nval; a++)
			for (int b = 0; b < e->nval; b++)
				if (!used[b] && near_num(d->val[a], e->val[b], t->rel[SC_JN_ITEM_VALUE], t->abs[SC_JN_ITEM_VALUE])) {
					used[b] = 1;
					hit++;
					break;
				}
		int prop = d->nval == e->nval && d->nval >= 2 && d->sum > 0 && e->sum > 0;
		for (int a = 0; prop && a < d->nval; a++)
			prop = fabs(d->val[a] / d->sum - e->val[a] / e->sum) <= 0.002;
		if (hit == d->nval && hit == e->nval && hit >= 2)
			EVID(3, "all %d line values", hit);
		else if (prop)
			EVID(2, "%d line values in one proportion (%.3f)", d->nval, e->sum / d->sum);
		else if (hit >= 2 || (hit == 1 && d->nval == 1 && e->nval == 1))
			EVID(1, "%d of %d line values", hit, d->nval);
	}
	if (d->nexp && e->nexp && same_party(d->exp, d->nexp, e->exp, e->nexp, t->party))
		EVID(1, "exporter");
	if (d->nimp && e->nimp && same_party(d->imp, d->nimp, e->imp, e->nimp, t->party))
		EVID(1, "importer");
	if (d->has_total && e->has_total && near_num(d->total, e->total, t->rel[SC_JN_TOTAL], t->abs[SC_JN_TOTAL]))
		EVID(1, "total");
	if (d->has_gross && e->has_gross && near_num(d->gross, e->gross, t->rel[SC_JN_GROSS], t->abs[SC_JN_GROSS]))
		EVID(1, "gross weight");
	if (d->has_packages && e->has_packages && d->packages == e->packages)
		EVID(1, "packages");
	if (same_str(d->currency, e->currency) && same_str(d->incoterm, e->incoterm))
		EVID(1, "currency and Incoterm");
	if (same_str(d->pol, e->pol) && same_str(d->pod, e->pod))
		EVID(1, "ports");
#undef EVID
	return s;
}

#define FIT_MIN 4     /* points of evidence a link by content needs */
#define FIT_MARGIN 2  /* ahead of the next declaration by at least this */

/* The blocking keys of a profile: a declaration is a candidate for a
 * document when they share one (a line value, a party, a container). */
static size_t prof_blocks(const struct prof *p, char (*out)[48], size_t cap)
{
	size_t n = 0;
	for (int k = 0; k < p->nval && n < cap; k++)
		snprintf(out[n++], sizeof out[0], "v:%.0f", round(p->val[k]));
	if (p->nexp && n < cap)
		snprintf(out[n++], sizeof out[0], "e:%.12s", p->exp);
	if (p->nimp && n < cap)
		snprintf(out[n++], sizeof out[0], "i:%.12s", p->imp);
	for (int k = 0; k < p->ncont && n < cap; k++)
		snprintf(out[n++], sizeof out[0], "c:%.4s", p->cont[k]);
	return n;
}

static const struct sc_join *sortd_j;

static int cmp_decl_order(const void *a, const void *b)
{
	return strcmp(sortd_j->m[*(const size_t *)a].order, sortd_j->m[*(const size_t *)b].order);
}

static void link_by_content(struct sc_join *j)
{
	size_t n = j->n, nd = 0;
	if (!n)
		return;
	/* the groups as the keys made them: which hold a declaration, which documents only */
	unsigned char *hasdecl = calloc(n, 1), *other = calloc(n, 1);
	size_t *decls = malloc(n * sizeof *decls), *root0 = malloc(n * sizeof *root0), *to = malloc(n * sizeof *to),
	       *head = malloc(n * sizeof *head), *next = malloc(n * sizeof *next);
	struct prof *dp = NULL;
	int *score = NULL;
	size_t *stamp = NULL, *seen = NULL, *gseen = NULL;
	json_t **dtree = NULL;
	json_t *block = json_object();
	if (!hasdecl || !other || !decls || !root0 || !to || !head || !next || !block)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct sc_join_rec *m = &j->m[i];
		root0[i] = m->parent;
		to[i] = head[i] = next[i] = (size_t)-1;
		if (m->kind == K_DECL) {
			hasdecl[m->parent] = 1;
			decls[nd++] = i;
		} else if (m->kind != K_DOC && m->kind != K_OCR)
			other[m->parent] = 1;
	}
	for (size_t i = n; i-- > 0;)
		if (j->m[i].kind == K_DOC && !hasdecl[root0[i]] && !other[root0[i]]) {
			next[i] = head[root0[i]];
			head[root0[i]] = i;
		}
	int orphans = 0;
	for (size_t i = 0; i < n && !orphans; i++)
		orphans = head[i] != (size_t)-1;
	/* no documents alone: nothing to link by content (and no declaration to profile) */
	if (!nd || !orphans)
		goto out;
	/* canonical order, so that a capped candidate list is the same whatever the input order */
	sortd_j = j;
	qsort(decls, nd, sizeof *decls, cmp_decl_order);
	dp = malloc(nd * sizeof *dp);
	score = calloc(nd, sizeof *score);
	stamp = calloc(nd, sizeof *stamp);
	seen = malloc(nd * sizeof *seen);
	gseen = calloc(nd, sizeof *gseen);
	dtree = calloc(nd, sizeof *dtree);
	if (!dp || !score || !stamp || !seen || !gseen || !dtree)
		goto out;
	for (size_t k = 0; k < nd; k++) {
		/* the profile points into the tree: kept till the end */
		dtree[k] = rec_json(&j->m[decls[k]], "decl");
		prof_decl(&dp[k], dtree[k]);
		char keys[PMAXV + PMAXC + 2][48];
		size_t nk = prof_blocks(&dp[k], keys, sizeof keys / sizeof *keys);
		for (size_t q = 0; q < nk; q++) {
			json_t *a = json_object_get(block, keys[q]);
			if (!a) {
				a = json_array();
				json_object_set_new(block, keys[q], a);
			}
			/* a party is shared by many declarations, a line value by few: a
			 * party's list is cut shorter (the canonical order decides who stays) */
			size_t na = json_array_size(a), cap = keys[q][0] == 'e' || keys[q][0] == 'i' ? 512 : 4096;
			if (na < cap && (!na || (size_t)json_integer_value(json_array_get(a, na - 1)) != k))
				json_array_append_new(a, json_integer((json_int_t)k));
		}
	}
	/* decisions first (against the key groups), unions after */
	size_t docno = 0;
	for (size_t r = 0; r < n; r++) {
		if (head[r] == (size_t)-1)
			continue;
		/* a group of documents (and their pages) alone: every document's fit, summed */
		size_t nseen = 0;
		for (size_t i = head[r]; i != (size_t)-1; i = next[i]) {
			struct prof p;
			json_t *pj = rec_json(&j->m[i], "parse");
			prof_doc(&p, pj);
			char keys[PMAXV + PMAXC + 2][48], why[8];
			size_t nk = prof_blocks(&p, keys, sizeof keys / sizeof *keys);
			docno++;
			for (size_t q = 0; q < nk; q++) {
				size_t x;
				json_t *c;
				json_array_foreach(json_object_get(block, keys[q]), x, c) {
					size_t k = (size_t)json_integer_value(c);
					if (stamp[k] == docno)
						continue;    /* already held against this document */
					stamp[k] = docno;
					int s = fit(&p, &dp[k], &j->tol, why, sizeof why);
					if (gseen[k] != r + 1) {
						gseen[k] = r + 1;
						seen[nseen++] = k;
					}
					score[k] += s;
				}
			}
			json_decref(pj);
		}
		size_t best = (size_t)-1;
		int b1 = 0, b2 = 0;
		for (size_t q = 0; q < nseen; q++) {
			size_t k = seen[q];
			if (score[k] > b1) {
				b2 = b1;
				b1 = score[k];
				best = k;
			} else if (score[k] == b1) {
				b2 = b1;     /* a tie: no declaration stands out */
				if (k < best)
					best = k;
			} else if (score[k] > b2)
				b2 = score[k];
		}
		for (size_t q = 0; q < nseen; q++)
			score[seen[q]] = 0;
		if (best != (size_t)-1 && b1 >= FIT_MIN && b1 - b2 >= FIT_MARGIN)
			to[r] = best;
	}
	for (size_t i = 0; i < n; i++) {
		struct sc_join_rec *m = &j->m[i];
		size_t k = to[root0[i]];
		if (k == (size_t)-1 || m->kind != K_DOC)
			continue;
		struct prof p;
		char why[600];
		json_t *pj = rec_json(m, "parse");
		prof_doc(&p, pj);
		m->fit = fit(&p, &dp[k], &j->tol, why, sizeof why);
		json_decref(pj);
		free(m->fit_why);
		m->fit_why = strdup(why);
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = to[root0[i]];
		if (k == (size_t)-1)
			continue;
		size_t a = root_of(j->m, i), b = root_of(j->m, decls[k]);
		if (a != b)
			j->m[a > b ? a : b].parent = a < b ? a : b;
	}
out:
	for (size_t k = 0; dtree && k < nd; k++)
		json_decref(dtree[k]);
	free(dtree);
	free(hasdecl);
	free(other);
	free(decls);
	free(root0);
	free(to);
	free(head);
	free(next);
	free(dp);
	free(score);
	free(stamp);
	free(seen);
	free(gseen);
	json_decref(block);
}

/* ---- the consignment, written ---------------------------------------------------------
 *
 * What the consignment holds as filed (the electronic decl, every source's
 * src, the documents' fields and items, the wood and scan readings, the
 * errors) is copied from the records' bytes; what the join makes (its checks,
 * the documents' cross-checks of sc_parse_consign, the sources' confidence)
 * is written by jansson. The trees the comparisons read are made for the
 * consignment at hand, of the fields they read, and let go after it. */

static void put(struct sc_join_out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (o->len + n + 2 > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		while (cap < o->len + n + 2)
			cap *= 2;
		char *b = realloc(o->s, cap);
		if (!b) {
			o->failed = 1;
			return;
		}
		o->s = b;
		o->cap = cap;
	}
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = '\0';
}

static void putz(struct sc_join_out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_strn(struct sc_join_out *o, const char *s, size_t n);
static void put_real(struct sc_join_out *o, double x);

/* A value as jansson writes it with SC_JSON_FLAGS (compact, members in
 * their order, reals by JSON_REAL_PRECISION(15)), by hand: the values the
 * join writes are small (ids, a wood sample's facts, parse.checks, often
 * []), and json_dump_callback's setup was most of their cost. */
static void put_json(struct sc_join_out *o, const json_t *v)
{
	char b[24];
	size_t at = 0;
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING: put_strn(o, json_string_value(v), json_string_length(v)); return;
	case JSON_REAL: put_real(o, json_real_value(v)); return;
	case JSON_INTEGER: {
		json_int_t x = json_integer_value(v);
		catu(b, sizeof b, &at, x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x, 0, x < 0);
		put(o, b, at);
		return;
	}
	case JSON_TRUE: putz(o, "true"); return;
	case JSON_FALSE: putz(o, "false"); return;
	case JSON_NULL: putz(o, "null"); return;
	case JSON_ARRAY: {
		size_t i;
		json_t *x;
		put(o, "[", 1);
		json_array_foreach(v, i, x) {
			if (i)
				put(o, ",", 1);
			put_json(o, x);
		}
		put(o, "]", 1);
		return;
	}
	case JSON_OBJECT: {
		const char *k;
		size_t kl;
		json_t *x;
		int first = 1;
		put(o, "{", 1);
		json_object_keylen_foreach((json_t *)v, k, kl, x) {
			if (!first)
				put(o, ",", 1);
			first = 0;
			put_strn(o, k, kl);
			put(o, ":", 1);
			put_json(o, x);
		}
		put(o, "}", 1);
		return;
	}
	}
}

/* A string as jansson writes it (SC_JSON_FLAGS): '"', '\\' and the control
 * characters escaped, everything else (UTF-8) as it is. s is valid UTF-8. */
static void put_strn(struct sc_join_out *o, const char *s, size_t n)
{
	const char *end = s + n;
	put(o, "\"", 1);
	const char *run = s;
	for (; s < end; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(o, run, (size_t)(s - run));
		char e[8];
		switch (c) {
		case '"': putz(o, "\\\""); break;
		case '\\': putz(o, "\\\\"); break;
		case '\b': putz(o, "\\b"); break;
		case '\f': putz(o, "\\f"); break;
		case '\n': putz(o, "\\n"); break;
		case '\r': putz(o, "\\r"); break;
		case '\t': putz(o, "\\t"); break;
		default:
			snprintf(e, sizeof e, "\\u%04X", c);
			putz(o, e);
		}
		run = s + 1;
	}
	put(o, run, (size_t)(s - run));
	put(o, "\"", 1);
}

static void put_str(struct sc_join_out *o, const char *s)
{
	if (!s)
		s = "";
	put_strn(o, s, strlen(s));
}

/* A real as jansson writes it with JSON_REAL_PRECISION(15): %.15g, ".0" when
 * it would read as an integer, the exponent without '+' or leading zeros. */
static void put_real(struct sc_join_out *o, double x)
{
	char b[64];
	int n = g15_fixed(b, x);
	if (n) {
		put(o, b, (size_t)n);
		putz(o, memchr(b, '.', (size_t)n) ? "" : ".0");
		return;
	}
	n = snprintf(b, sizeof b - 2, "%.15g", x);
	if (n < 0 || !isfinite(x)) {
		putz(o, "null");
		return;
	}
	if (!strchr(b, '.') && !strchr(b, 'e'))
		strcat(b, ".0");
	char *e = strchr(b, 'e');
	if (e) {
		char *st = e + 1, *end;
		if (*st == '+')
			memmove(st, st + 1, strlen(st));
		if (*st == '-')
			st++;
		for (end = st; *end == '0' && end[1]; end++)
			;
		memmove(st, end, strlen(end) + 1);
	}
	putz(o, b);
}

/* value v of the record as it stands, or null */
static void put_raw(struct sc_join_out *o, const struct sc_jscan *js, int v)
{
	size_t n;
	const char *s = sc_jscan_span(js, v, &n);
	if (s)
		put(o, s, n);
	else
		putz(o, "null");
}

/* ,"key":value for each of keys that object v has, as it stands */
static void put_members(struct sc_join_out *o, const struct sc_jscan *js, int v, const char *const *keys)
{
	int at[SC_JSCAN_GETV_MAX];
	size_t n = 0;
	while (keys[n] && n < SC_JSCAN_GETV_MAX)
		n++;
	sc_jscan_getv(js, v, keys, n, at);
	for (size_t q = 0; q < n; q++) {
		if (at[q] < 0)
			continue;
		putz(o, ",\"");
		putz(o, keys[q]);
		putz(o, "\":");
		put_raw(o, js, at[q]);
	}
}

/* The opening of one entry of join.wood[] or join.scan[] (the k-th):
 * {"id":..,"src":.. and the kept members of the reading's namespace ns,
 * as filed; the caller adds what it derives and the closing brace. */
static void put_reading(struct sc_join_out *o, size_t k, const struct sc_join_rec *m, const struct sc_jscan *js,
                        const char *ns, const char *const *keep)
{
	if (k)
		putz(o, ",");
	putz(o, "{\"id\":");
	if (m->id)
		put_json(o, m->id);
	else if (m->idstr)
		put_str(o, m->idstr);   /* what json_string(idstr) would have written */
	else
		putz(o, "null");
	putz(o, ",\"src\":");
	put_raw(o, js, sc_jscan_get(js, 0, "src"));
	put_members(o, js, sc_jscan_get(js, 0, ns), keep);
}

static json_t *rec_json(const struct sc_join_rec *m, const char *path)
{
	struct sc_jscan js;
	sc_jscan_init(&js);
	json_t *v = NULL;
	if (sc_jscan_index(&js, m->raw, m->rawlen) == 0)
		v = sc_jscan_json(&js, path ? sc_jscan_path(&js, 0, path) : 0);
	sc_jscan_release(&js);
	return v;
}


/* A document as sc_parse_consign's cross-checks read it (the comparisons of
 * the join read the bytes): its type, the values of the fields it checks,
 * each item's HS code and quantity. The declaration it also makes is not
 * used when an electronic one was filed, the only case this tree is for. */
static json_t *lean_doc(const struct sc_jscan *js, int p)
{
	if (sc_jscan_type(js, p) != SC_JS_OBJ)
		return NULL;
	static const char *const FL[] = {"total", "currency", "gross_kg", "net_kg", "packages", "containers",
	                                 "bl_no", "invoice_no", "incoterm", "origin", NULL},
	                         *const IT[] = {"hs", "qty", NULL};
	json_t *o = json_object();
	int t = sc_jscan_get(js, p, "type");
	if (t >= 0)
		json_object_set_new(o, "type", sc_jscan_json(js, t));
	int fields = sc_jscan_get(js, p, "fields"), at[10];
	json_t *f = json_object();
	sc_jscan_getv(js, fields, FL, 10, at);
	for (const char *const *q = FL; *q; q++) {
		int x = at[q - FL], y = sc_jscan_get(js, x, "value");
		if (y >= 0) {
			/* {"value": v} made directly: json_pack read its format for every field */
			json_t *val = sc_jscan_json(js, y), *fo = json_object();
			if (val && fo) {
				if (json_object_set_new(fo, "value", val) == 0)
					json_object_set_new(f, *q, fo);
				else
					json_decref(fo);
			} else {
				json_decref(val);
				json_decref(fo);
			}
		} else if (x >= 0)
			json_object_set_new(f, *q, json_object());
	}
	json_object_set_new(o, "fields", f);
	int items = sc_jscan_get(js, p, "items");
	if (sc_jscan_type(js, items) == SC_JS_ARR) {
		json_t *a = json_array();
		for (int it = sc_jscan_first(js, items); it >= 0; it = sc_jscan_next(js, items, it)) {
			json_t *x = json_object();
			for (const char *const *q = IT; *q; q++) {
				int y = sc_jscan_get(js, it, *q);
				if (y >= 0)
					json_object_set_new(x, *q, sc_jscan_json(js, y));
			}
			json_array_append_new(a, x);
		}
		json_object_set_new(o, "items", a);
	}
	return o;
}

struct view {
	struct sc_join_rec m;      /* a copy of the member, its trees filled */
	struct sc_jscan js;
	int conf_low;              /* a document read below ocr.conf_low (put_source says) */
};

/* The views of a thread, kept from consignment to consignment: indexing a
 * member again then costs its scan only, not the growth of a new token
 * array per member (which cost about a tenth of the run in malloc). */
struct vcache {
	struct view *v;
	size_t cap;
	/* the parts of a consignment's line written apart (errors, sources,
	 * wood, scans, checks), kept too: made and freed for each consignment
	 * they were a third of the run's page faults */
	struct sc_join_out part[5];
};

static pthread_key_t vc_key;
static pthread_once_t vc_once = PTHREAD_ONCE_INIT;

static void vc_free(void *p)
{
	struct vcache *c = p;
	for (size_t q = 0; c && q < c->cap; q++)
		sc_jscan_release(&c->v[q].js);
	for (int q = 0; c && q < 5; q++)
		free(c->part[q].s);
	if (c)
		free(c->v);
	free(c);
}

static void vc_init(void)
{
	pthread_key_create(&vc_key, vc_free);
}

static void views_free(struct view *v, size_t n)
{
	for (size_t q = 0; v && q < n; q++) {
		json_decref(v[q].m.id);
		json_decref(v[q].m.src);
		json_decref(v[q].m.ns);
		json_decref(v[q].m.decl);
		v[q].m.id = v[q].m.src = v[q].m.ns = v[q].m.decl = NULL;
	}
}

static struct view *views_new(const struct sc_join *j, const struct group *g, int full)
{
	pthread_once(&vc_once, vc_init);
	struct vcache *c = pthread_getspecific(vc_key);
	if (!c) {
		c = calloc(1, sizeof *c);
		if (!c || pthread_setspecific(vc_key, c) != 0) {
			free(c);
			return NULL;
		}
	}
	if (c->cap < g->n) {
		struct view *nv = realloc(c->v, g->n * sizeof *nv);
		if (!nv)
			return NULL;
		memset(nv + c->cap, 0, (g->n - c->cap) * sizeof *nv);
		c->v = nv;
		c->cap = g->n;
	}
	struct view *v = c->v;
	for (size_t q = 0; q < g->n; q++) {
		struct view *w = &v[q];
		w->m = j->m[j->idx[g->first + q]];
		w->m.js = &w->js;
		w->m.id = w->m.src = w->m.ns = w->m.decl = NULL;
		if (sc_jscan_index(&w->js, w->m.raw, w->m.rawlen) < 0) {
			views_free(v, q + 1);
			return NULL;
		}
		const struct sc_jscan *js = &w->js;
		/* a tree of the id only where trees are made of the document; the
		 * rest write and name it from idstr (mid, put_id, put_reading) */
		if (w->m.idstr && w->m.kind == K_DOC)
			w->m.id = json_string(w->m.idstr);
		else if (w->m.sub && sc_jscan_get(js, 0, "id") >= 0)
			w->m.id = sc_jscan_json(js, sc_jscan_get(js, 0, "id"));
		switch (w->m.kind) {
		case K_DOC: {
			int p = sc_jscan_get(js, 0, "parse");
			w->m.ns = full ? sc_jscan_json(js, p) : lean_doc(js, p);
			break;
		}
		case K_WOOD: w->m.ns = sc_jscan_json(js, sc_jscan_get(js, 0, "wood")); break;
		case K_JOIN:
			w->m.ns = sc_jscan_json(js, sc_jscan_get(js, 0, "join"));
			w->m.decl = sc_jscan_json(js, sc_jscan_get(js, 0, "decl"));
			break;
		default: break;
		}
	}
	return v;
}

/* Two values the same (strings decoded, anything else byte for byte). */
static int same_value(const struct sc_jscan *a, int x, const struct sc_jscan *b, int y)
{
	if (x < 0 || y < 0)
		return x < 0 && y < 0;
	if (sc_jscan_type(a, x) == SC_JS_STR && sc_jscan_type(b, y) == SC_JS_STR) {
		char s[1024], t[1024];
		long n = sc_jscan_str(a, x, s, sizeof s), m = sc_jscan_str(b, y, t, sizeof t);
		return n == m && n < (long)sizeof s && memcmp(s, t, (size_t)n) == 0;
	}
	size_t n, m;
	const char *s = sc_jscan_span(a, x, &n), *t = sc_jscan_span(b, y, &m);
	return n == m && memcmp(s, t, n) == 0;
}

/* A document's OCR confidence, 0..100: the lowest of its pages' ocr.conf
 * where sc-ocr's pages are in the consignment, else the mean confidence of
 * the fields sc-parse read (which carries the OCR line confidence). */
static json_t *doc_conf(const struct view *v, size_t n, const struct sc_join_rec *d)
{
	const struct sc_jscan *js = d->js;
	int p = doc_parse(d), docs = sc_jscan_get(js, p, "documents");
	double lo = 1e9;
	int pages = 0;
	for (int s = sc_jscan_first(js, docs); s >= 0 && sc_jscan_type(js, docs) == SC_JS_ARR; s = sc_jscan_next(js, docs, s)) {
		for (size_t k = 0; k < n; k++) {
			const struct sc_join_rec *pg = &v[k].m;
			if (pg->kind != K_OCR || !pg->has_conf)
				continue;
			int ps = sc_jscan_get(pg->js, 0, "src");
			static const char *const K[] = {"path", "member", "page"};
			int same = 1;
			for (int q = 0; q < 3 && same; q++)
				same = same_value(pg->js, sc_jscan_get(pg->js, ps, K[q]), js, sc_jscan_get(js, s, K[q]));
			if (same) {
				lo = fmin(lo, pg->conf);
				pages++;
			}
		}
	}
	if (pages)
		return json_real(round_to(lo, 0.1));
	double sum = 0, c;
	int nf = 0, fields = sc_jscan_get(js, p, "fields");
	for (int f = sc_jscan_first(js, fields); f >= 0 && sc_jscan_type(js, fields) == SC_JS_OBJ; f = sc_jscan_next(js, fields, f))
		if (sc_jscan_num(js, sc_jscan_get(js, f + 1, "conf"), &c) == 0)
			sum += c, nf++;
	return nf ? json_real(round_to(sum / nf * 100, 0.1)) : NULL;
}

static void put_id(struct sc_join_out *o, const struct sc_join_rec *m)
{
	if (m->id)
		put_json(o, m->id);
	else
		put_str(o, mid(m));
}

/* The source entry of member m; returns 1 when m is a document read below
 * ocr.conf_low (its checks are marked doc_conf_low), else 0. */
static int put_source(struct sc_join_out *o, const struct sc_join *j, const struct view *v, size_t n,
                      const struct sc_join_rec *m)
{
	int low = 0;
	putz(o, "{\"kind\":\"");
	putz(o, KIND[m->kind]);
	putz(o, "\",\"id\":");
	put_id(o, m);
	putz(o, ",\"src\":");
	put_raw(o, m->js, sc_jscan_get(m->js, 0, "src"));
	putz(o, ",\"type\":");
	put_str(o, src_name(m));
	if (m->fit_why) {
		char pts[32];
		snprintf(pts, sizeof pts, "%d", m->fit);
		putz(o, ",\"link\":{\"by\":\"content\",\"points\":");
		putz(o, pts);
		putz(o, ",\"evidence\":");
		json_t *ev = json_string(m->fit_why);
		put_json(o, ev);
		json_decref(ev);
		putz(o, "}");
	}
	if (m->kind == K_DOC) {
		json_t *c = doc_conf(v, n, m);
		if (c) {
			putz(o, ",\"conf\":");
			put_real(o, json_real_value(c));
			low = json_number_value(c) < j->tol.conf_low;
			if (low)
				putz(o, ",\"conf_low\":true");
		}
		json_decref(c);
	}
	putz(o, "}");
	return low;
}

/* A document as sc_parse_consign lists it in parse.documents[], from its bytes. */
static void put_document(struct sc_join_out *o, const struct sc_join_rec *m)
{
	const struct sc_jscan *js = m->js;
	int p = sc_jscan_get(js, 0, "parse");
	static const char *const A[] = {"type", "type_conf", "template", NULL}, *const B[] = {"fields", "items", "notes", NULL};
	putz(o, "{\"id\":");
	put_json(o, m->id);
	put_members(o, js, p, A);
	int s = sc_jscan_get(js, p, "documents");
	if (s >= 0) {
		putz(o, ",\"src\":");
		put_raw(o, js, s);
	}
	put_members(o, js, p, B);
	putz(o, "}");
}

static void put_error_list(struct sc_join_out *e, size_t *ne, const struct sc_jscan *js, int arr)
{
	for (int x = sc_jscan_first(js, arr); x >= 0; x = sc_jscan_next(js, arr, x)) {
		if ((*ne)++)
			putz(e, ",");
		put_raw(e, js, x);
	}
}

static void put_nokey(struct sc_join_out *e, size_t *ne, const struct sc_join_rec *m)
{
	json_t *x = json_pack("{s:s,s:s,s:s,s:s,s:i}", "tool", "sc-join", "code", "no-key", "msg",
	                      "nothing to link by: it comes out alone", "file", m->file, "line", (int)m->line);
	if ((*ne)++)
		putz(e, ",");
	put_json(e, x);
	json_decref(x);
}

int sc_join_write(const struct sc_join *j, size_t k, struct sc_join_out *o, int *bad)
{
	if (k >= j->ng)
		return -1;
	const struct group *g = &j->g[k];
	const size_t *ix = j->idx + g->first;
	if (bad)
		*bad = g->bad;
	const struct sc_join_rec *m0 = &j->m[ix[0]];
	if (g->n == 1 && (m0->kind == K_NONE || m0->kind == K_BAD)) {
		json_t *whole = rec_json(m0, NULL);
		json_t *rec = whole ? alone_record(m0, whole) : NULL;
		put_json(o, rec);
		json_decref(rec);
		json_decref(whole);
		return o->failed || !rec ? -1 : 0;
	}
	int has_edecl = 0;
	for (size_t q = 0; q < g->n; q++)
		has_edecl |= j->m[ix[q]].kind == K_DECL;
	struct view *v = views_new(j, g, !has_edecl);
	if (!v)
		return -1;
	/* views_new made this thread's cache */
	struct sc_join_out *part = ((struct vcache *)pthread_getspecific(vc_key))->part;
	for (int q = 0; q < 5; q++)
		part[q].len = 0, part[q].failed = 0;
	struct sc_join_out eb = part[0];
	size_t ne = 0, nw = 0, ns = 0;
	struct sc_join_out src = part[1], wood = part[2], scan = part[3];
	json_t *docs = json_array();
	struct checks checks = {part[4], 0, 0};
	const struct sc_join_rec *edecl = NULL, *paper = NULL, *carrier = NULL;
	for (size_t q = 0; q < g->n; q++) {
		const struct sc_join_rec *m = &v[q].m;
		const struct sc_jscan *js = m->js;
		if (q)
			putz(&src, ",");
		v[q].conf_low = put_source(&src, j, v, g->n, m);
		int er = sc_jscan_get(js, 0, "errors");
		if (sc_jscan_type(js, er) == SC_JS_ARR)
			put_error_list(&eb, &ne, js, er);
		if (m->nokey)
			put_nokey(&eb, &ne, m);
		switch (m->kind) {
		case K_DECL:
			if (!edecl)
				edecl = m;
			break;
		case K_DOC: {
			/* {"id":…,"src":…,"parse":…} as json_pack("{s:O?,s:O?,s:O}") made it
			 * (null for an absent id or src; no entry without parse) */
			json_t *e = m->ns ? json_object() : NULL;
			if (e) {
				json_object_set_new(e, "id", m->id ? json_incref(m->id) : json_null());
				json_object_set_new(e, "src", m->src ? json_incref(m->src) : json_null());
				json_object_set_new(e, "parse", json_incref(m->ns));
				json_array_append_new(docs, e);
			}
			if (!paper && m->dtype && strcmp(m->dtype, "customs_declaration") == 0)
				paper = m;
			break;
		}
		case K_WOOD: {
			static const char *const W[] = {"top", "refer", "reasons", "expert", "package", NULL};
			put_reading(&wood, nw++, m, js, "wood", W);
			json_t *f = json_object();
			const struct sc_join_rec *dd = edecl;
			for (size_t r = 0; !dd && r < g->n; r++)
				if (v[r].m.kind == K_DECL)
					dd = &v[r].m;
			wood_facts(f, m->ns, dd ? dd->js : NULL, dd ? sc_jscan_get(dd->js, 0, "decl") : -1);
			const char *fk;
			json_t *fv;
			json_object_foreach(f, fk, fv) {
				putz(&wood, ",\"");
				putz(&wood, fk);
				putz(&wood, "\":");
				put_json(&wood, fv);
			}
			json_decref(f);
			putz(&wood, "}");
			if (!carrier)
				carrier = m;
			break;
		}
		case K_SCAN: {
			static const char *const S[] = {"empty", "fill", "density", "anomalies", "consistent", "refer",
			                                "reasons", "overlay", NULL};
			put_reading(&scan, ns++, m, js, "scan", S);
			putz(&scan, "}");
			if (!carrier)
				carrier = m;
			break;
		}
		case K_JOIN:
			if (!carrier)
				carrier = m;
			break;
		default:
			break;
		}
	}
	/* the declaration: as filed, else the documents', else the one a sample or scan carried */
	json_t *pa = NULL, *ddecl = NULL;
	if (json_array_size(docs))
		pa = sc_parse_consign(NULL, docs, edecl ? NULL : &ddecl);   /* a filed decl is the decl */

	/* the declaration against every document: the electronic one when filed,
	 * else the paper customs declaration against the others */
	struct side s;
	const struct sc_join_rec *dm = edecl ? edecl : paper;
	struct sc_jscan pjs;
	sc_jscan_init(&pjs);
	if (dm) {
		s.js = edecl ? edecl->js : &pjs;
		s.decl = edecl ? sc_jscan_get(edecl->js, 0, "decl") : -1;
		json_t *pdecl = NULL;
		if (!edecl) {
			/* the paper declaration's own values, as a decl (read as the others are) */
			json_t *one = json_pack("[{s:O?,s:O}]", "id", paper->id, "parse", paper->ns);
			json_t *p1 = sc_parse_consign(NULL, one, &pdecl);
			json_decref(p1);
			json_decref(one);
			/* dumped into a buffer of ours: json_dumps's text is jansson's
			 * memory, which may be the build's arena (lib/jarena.h) */
			struct sc_join_out text = {0};
			if (pdecl)
				put_json(&text, pdecl);
			if (text.s && !text.failed && sc_jscan_parse(&pjs, text.s, text.len, "-", 0, NULL) == 0)
				s.decl = 0;
			free(text.s);
		}
		src_label(dm, &s.label);
		for (size_t q = 0; q < g->n; q++) {
			const struct sc_join_rec *m = &v[q].m;
			if (m->kind != K_DOC || m == dm)
				continue;
			checks.doc_low = v[q].conf_low;   /* a document's confidence found once, for its source */
			compare(&checks, &j->tol, &s, m);
			checks.doc_low = 0;
		}
		/* a run with documents, and none here that the declaration names:
		 * unread, unreadable or missing, never clean */
		static const char *const NEED[][3] = {{"invoice_no", "invoice", "invoice"},
		                                     {"bl_no", "bill_of_lading", "bill of lading"}};
		for (size_t q = 0; edecl && j->ndocs && q < 2; q++) {
			char rb[1024];
			const char *ref = sval(edecl->js, sc_jscan_get(edecl->js, s.decl, NEED[q][0]), rb, sizeof rb);
			int found = 0;
			for (size_t r = 0; r < g->n && ref; r++) {
				const struct sc_join_rec *m = &v[r].m;
				found |= m->kind == K_DOC && m->dtype && strcmp(m->dtype, NEED[q][1]) == 0;
			}
			if (ref && !found) {
				char msg[600];
				snprintf(msg, sizeof msg, "the declared %s %s (%s) is not among the documents read", NEED[q][2], ref,
				         s.label.v);
				/* a pack that failed (a string refused) appended nothing */
				if (valid(msg) && valid(ref) && s.label.v) {
					check_open(&checks);
					putz(&checks.o, "\"field\":\"documents\",\"msg\":");
					put_str(&checks.o, msg);
					putz(&checks.o, ",\"decl\":");
					put_str(&checks.o, ref);
					putz(&checks.o, ",\"doc\":null,\"decl_src\":");
					put_str(&checks.o, s.label.v);
					putz(&checks.o, ",\"doc_src\":null}");
				}
			}
		}
		json_decref(pdecl);
	}
	/* documents of a run with declarations that belong to none of them: by
	 * keys or by content; never clean, since nothing was held against them */
	if (!dm && j->ndecls && json_array_size(docs)) {
		char msg[600];
		const struct sc_join_rec *d0 = NULL;
		for (size_t q = 0; q < g->n && !d0; q++)
			if (v[q].m.kind == K_DOC)
				d0 = &v[q].m;
		struct label dl;
		src_label(d0, &dl);
		snprintf(msg, sizeof msg, "%s%s links to no declaration of the run (by its references or its content)",
		         dl.v, json_array_size(docs) > 1 ? " and the documents with it" : "");
		if (valid(msg) && dl.v) {
			check_open(&checks);
			putz(&checks.o, "\"field\":\"declaration\",\"msg\":");
			put_str(&checks.o, msg);
			putz(&checks.o, ",\"decl\":null,\"doc\":null,\"decl_src\":null,\"doc_src\":");
			put_str(&checks.o, dl.v);
			putz(&checks.o, "}");
		}
	}
	if (g->problems) {
		size_t i;
		json_t *p;
		json_array_foreach(g->problems, i, p) {
			const char *code = json_string_value(json_object_get(p, "code")),
			           *msg = json_string_value(json_object_get(p, "msg"));
			if (code && msg) {
				check_open(&checks);
				putz(&checks.o, "\"field\":\"link\",\"code\":");
				put_str(&checks.o, code);
				putz(&checks.o, ",\"msg\":");
				put_str(&checks.o, msg);
				putz(&checks.o, ",\"decl\":null,\"doc\":null,\"decl_src\":null,\"doc_src\":null}");
			}
			if (ne++)
				putz(&eb, ",");
			put_json(&eb, p);
		}
	}

	putz(o, "{\"id\":");
	put_str(o, g->id);
	if (edecl) {
		putz(o, ",\"decl\":");
		put_raw(o, edecl->js, sc_jscan_get(edecl->js, 0, "decl"));
	} else if (ddecl) {
		putz(o, ",\"decl\":");
		put_json(o, ddecl);
	} else if (carrier && sc_jscan_get(carrier->js, 0, "decl") >= 0) {
		putz(o, ",\"decl\":");
		put_raw(o, carrier->js, sc_jscan_get(carrier->js, 0, "decl"));
	}
	if (pa) {
		putz(o, ",\"parse\":{");
		const char *pk;
		json_t *pv;
		int first = 1;
		json_object_foreach(pa, pk, pv) {
			if (!first)
				putz(o, ",");
			first = 0;
			put_str(o, pk);
			putz(o, ":");
			if (strcmp(pk, "documents") != 0) {
				put_json(o, pv);
				continue;
			}
			putz(o, "[");
			int nd = 0;
			for (size_t q = 0; q < g->n; q++)
				if (v[q].m.kind == K_DOC) {
					if (nd++)
						putz(o, ",");
					put_document(o, &v[q].m);
				}
			putz(o, "]");
		}
		putz(o, "}");
	}
	putz(o, ",\"join\":{\"v\":1");
	if (g->n == 1)
		putz(o, ",\"alone\":true");
	putz(o, ",\"sources\":[");
	put(o, src.s ? src.s : "", src.len);
	putz(o, "],\"checks\":[");
	put(o, checks.o.s ? checks.o.s : "", checks.o.len);
	putz(o, "]");
	putz(o, ",\"wood\":[");
	put(o, wood.s ? wood.s : "", wood.len);
	putz(o, "],\"scan\":[");
	put(o, scan.s ? scan.s : "", scan.len);
	putz(o, "]}");
	if (ne) {
		putz(o, ",\"errors\":[");
		put(o, eb.s, eb.len);
		putz(o, "]");
	}
	putz(o, "}");
	int failed = o->failed || src.failed || wood.failed || scan.failed || eb.failed || checks.o.failed;
	part[0] = eb;   /* their buffers, grown or not, for the next consignment */
	part[1] = src;
	part[2] = wood;
	part[3] = scan;
	part[4] = checks.o;
	json_decref(pa);
	json_decref(ddecl);
	json_decref(docs);
	views_free(v, g->n);
	sc_jscan_release(&pjs);
	return failed ? -1 : 0;
}

json_t *sc_join_build(const struct sc_join *j, size_t k, int *bad)
{
	struct sc_join_out o = {0};
	json_t *rec = NULL;
	if (sc_join_write(j, k, &o, bad) == 0) {
		/* as every record is read: an integer past 64 bits, copied as
		 * filed, is valid JSON too (jansson alone refuses it) */
		struct sc_error e;
		if (sc_parse_line("sc-join", 0, o.s, o.len, &rec, &e) < 0)
			rec = NULL;
	}
	free(o.s);
	return rec;
}
