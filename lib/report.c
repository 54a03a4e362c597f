/*
 * report.c - the streaming half of sc-report: one pass over any records of
 * the toolchain into state of fixed size (counts, bounded heaps for top lists,
 * space-saving counters for keyed tables, histogram bins), and the summary
 * built from that state at the end. Records are read defensively: a field that
 * is missing or of the wrong type is skipped, never an error.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "report.h"

#define KEYMAX   128
#define LABELMAX SC_REPORT_STR_MAX
#define IDMAX    96

/* ---- reading records defensively ----------------------------------------- */

static const json_t *jget(const json_t *o, const char *key)
{
	return json_is_object(o) ? json_object_get(o, key) : NULL;
}

static const char *jstr(const json_t *o, const char *key)
{
	const json_t *v = jget(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int jnumv(const json_t *v, double *out)
{
	double d;

	if (!json_is_number(v))
		return 0;
	d = json_number_value(v);
	if (!isfinite(d))
		return 0;
	*out = d;
	return 1;
}

static int jnum(const json_t *o, const char *key, double *out)
{
	return jnumv(jget(o, key), out);
}

/* Truthy the way a person reads a flag: true, a nonzero number, a non-empty
 * string other than false/no/0, a non-empty array or object. */
static int truthy(const json_t *v)
{
	const char *s;

	if (!v)
		return 0;
	switch (json_typeof(v)) {
	case JSON_TRUE: return 1;
	case JSON_INTEGER: return json_integer_value(v) != 0;
	case JSON_REAL: return json_real_value(v) != 0;
	case JSON_STRING:
		s = json_string_value(v);
		return *s && strcmp(s, "false") && strcmp(s, "no") && strcmp(s, "0");
	case JSON_ARRAY: return json_array_size(v) > 0;
	case JSON_OBJECT: return json_object_size(v) > 0;
	default: return 0;
	}
}

/* Length of the valid UTF-8 sequence at s (0: not valid). */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0) ||
	    (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
		return 0;
	return n;
}

/* Copy at most n-1 bytes of whole UTF-8 characters, ending in an ellipsis
 * when cut; a byte that is not valid UTF-8 (a file name from the command
 * line) becomes '?', so every kept string is one jansson accepts. */
static void copy_str(char *dst, size_t n, const char *src)
{
	const unsigned char *s = (const unsigned char *)(src ? src : "");
	size_t o = 0;

	size_t mark = 0;      /* where an ellipsis fits, should the string be cut */

	while (*s) {
		size_t k = utf8_len(s);
		if (k == 0)
			k = 1;
		if (o + k >= n) {
			if (n > 8) {
				o = mark;
				memcpy(dst + o, "\xE2\x80\xA6", 3);
				o += 3;
			}
			break;
		}
		if (utf8_len(s) == 0)
			dst[o] = '?';
		else
			memcpy(dst + o, s, k);
		o += k;
		s += k;
		if (o + 3 < n)
			mark = o;
	}
	dst[o] = '\0';
}

/* A string, a number, or nothing: for ids and keys that producers may type either way. */
static int scalar_text(const json_t *v, char *buf, size_t n)
{
	if (json_is_string(v)) {
		copy_str(buf, n, json_string_value(v));
		return buf[0] != '\0';
	}
	if (json_is_integer(v)) {
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
		return 1;
	}
	return 0;
}

static json_t *jstring_trunc(const char *s)
{
	char buf[LABELMAX];

	copy_str(buf, sizeof buf, s);
	return json_string(buf);
}

/* ---- space-saving counters ------------------------------------------------ */

struct slot {
	char key[KEYMAX];
	char label[LABELMAX];
	char ex[SC_REPORT_EXAMPLES][IDMAX];
	int nex;
	uint64_t count, err;
	double v[4];
	int hpos, next;
};

struct ctab {
	struct slot *s;
	int n, cap, alloc;    /* slots in use, at most, allocated (grown on demand) */
	int *bucket;          /* nbucket heads of chains through slot.next */
	unsigned nbucket;
	int *heap;            /* slot indices, min-heap on count */
	int evicted;
};

static uint32_t hash_str(const char *s)
{
	return sc_fnv32_str(SC_FNV32_OFFSET, s);
}

static int ctab_init(struct ctab *t, int cap)
{
	memset(t, 0, sizeof *t);
	t->cap = cap;
	t->nbucket = 1;
	while (t->nbucket < (unsigned)cap * 2)
		t->nbucket <<= 1;
	t->bucket = malloc(t->nbucket * sizeof *t->bucket);
	if (!t->bucket)
		return -1;
	for (unsigned i = 0; i < t->nbucket; i++)
		t->bucket[i] = -1;
	return 0;
}

static void ctab_fini(struct ctab *t)
{
	free(t->s);
	free(t->heap);
	free(t->bucket);
}

static int slot_less(const struct ctab *t, int a, int b)
{
	if (t->s[a].count != t->s[b].count)
		return t->s[a].count < t->s[b].count;
	return a < b;
}

static void heap_swap(struct ctab *t, int i, int j)
{
	int a = t->heap[i], b = t->heap[j];

	t->heap[i] = b; t->s[b].hpos = i;
	t->heap[j] = a; t->s[a].hpos = j;
}

static void sift_down(struct ctab *t, int i)
{
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;
		if (l < t->n && slot_less(t, t->heap[l], t->heap[m]))
			m = l;
		if (r < t->n && slot_less(t, t->heap[r], t->heap[m]))
			m = r;
		if (m == i)
			return;
		heap_swap(t, i, m);
		i = m;
	}
}

static void sift_up(struct ctab *t, int i)
{
	while (i > 0) {
		int p = (i - 1) / 2;
		if (!slot_less(t, t->heap[i], t->heap[p]))
			return;
		heap_swap(t, i, p);
		i = p;
	}
}

static void unlink_slot(struct ctab *t, int idx)
{
	int *pp = &t->bucket[hash_str(t->s[idx].key) & (t->nbucket - 1)];

	while (*pp >= 0) {
		if (*pp == idx) {
			*pp = t->s[idx].next;
			return;
		}
		pp = &t->s[*pp].next;
	}
}

/*
 * Count `w` for key. A new key takes a free slot or, when all are taken,
 * the slot of the smallest count (space-saving: the new count is that
 * minimum plus w, with the minimum as its possible overestimate).
 */
static struct slot *ctab_hit(struct ctab *t, const char *key, uint64_t w)
{
	char k[KEYMAX];
	unsigned b;
	int idx;

	copy_str(k, sizeof k, key);
	b = hash_str(k) & (t->nbucket - 1);
	for (idx = t->bucket[b]; idx >= 0; idx = t->s[idx].next)
		if (strcmp(t->s[idx].key, k) == 0) {
			t->s[idx].count += w;
			sift_down(t, t->s[idx].hpos);
			return &t->s[idx];
		}
	if (t->n == t->alloc && t->alloc < t->cap) {
		int na = t->alloc ? t->alloc * 2 : 16;
		struct slot *ns;
		int *nh;
		if (na > t->cap)
			na = t->cap;
		ns = realloc(t->s, (size_t)na * sizeof *ns);
		if (!ns)
			return NULL;
		t->s = ns;
		nh = realloc(t->heap, (size_t)na * sizeof *nh);
		if (!nh)
			return NULL;
		t->heap = nh;
		t->alloc = na;
	}
	if (t->n < t->alloc) {
		idx = t->n++;
		memset(&t->s[idx], 0, sizeof t->s[idx]);
		t->heap[idx] = idx;
		t->s[idx].hpos = idx;
		t->s[idx].count = w;
		sift_up(t, idx);
	} else if (t->n == 0) {
		return NULL;
	} else {
		uint64_t min;
		idx = t->heap[0];
		min = t->s[idx].count;
		unlink_slot(t, idx);
		memset(&t->s[idx], 0, sizeof t->s[idx]);
		t->s[idx].hpos = 0;
		t->s[idx].count = min + w;
		t->s[idx].err = min;
		t->evicted = 1;
		sift_down(t, 0);
	}
	memcpy(t->s[idx].key, k, sizeof k);
	t->s[idx].next = t->bucket[b];
	t->bucket[b] = idx;
	return &t->s[idx];
}

static void slot_example(struct slot *s, const char *id)
{
	if (s && s->nex < SC_REPORT_EXAMPLES) {
		for (int i = 0; i < s->nex; i++)
			if (strcmp(s->ex[i], id) == 0)
				return;
		copy_str(s->ex[s->nex++], IDMAX, id);
	}
}

static void slot_label(struct slot *s, const char *label)
{
	if (s && !s->label[0] && label)
		copy_str(s->label, sizeof s->label, label);
}

static int cmp_slot_desc(const void *a, const void *b)
{
	const struct slot *x = *(const struct slot *const *)a, *y = *(const struct slot *const *)b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* The slots in order of count (then key), best first; the caller frees the array. */
static struct slot **ctab_sorted(const struct ctab *t)
{
	struct slot **v = malloc(((size_t)t->n + 1) * sizeof *v);

	if (!v)
		return NULL;
	for (int i = 0; i < t->n; i++)
		v[i] = &t->s[i];
	qsort(v, (size_t)t->n, sizeof *v, cmp_slot_desc);
	return v;
}

/* ---- bounded top lists ---------------------------------------------------- */

struct titem {
	double key;
	unsigned long seq;
	json_t *item;
};

struct topk {
	int cap, n;
	struct titem *h;   /* min-heap: the root is the entry to drop first */
};

/* a is worse than b: lower key, or the same key and later in the input */
static int worse(const struct titem *a, double key, unsigned long seq)
{
	return a->key < key || (a->key == key && a->seq > seq);
}

static int topk_init(struct topk *t, int cap)
{
	t->cap = cap;
	t->n = 0;
	t->h = calloc((size_t)cap, sizeof *t->h);
	return t->h ? 0 : -1;
}

static void topk_fini(struct topk *t)
{
	for (int i = 0; i < t->n; i++)
		json_decref(t->h[i].item);
	free(t->h);
}

static int topk_wants(const struct topk *t, double key, unsigned long seq)
{
	if (!t->h || t->cap <= 0)
		return 0;
	return t->n < t->cap || worse(&t->h[0], key, seq);
}

static void topk_sift_down(struct topk *t, int i)
{
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;
		if (l < t->n && worse(&t->h[l], t->h[m].key, t->h[m].seq))
			m = l;
		if (r < t->n && worse(&t->h[r], t->h[m].key, t->h[m].seq))
			m = r;
		if (m == i)
			return;
		struct titem tmp = t->h[i]; t->h[i] = t->h[m]; t->h[m] = tmp;
		i = m;
	}
}

/* Steals item. */
static void topk_put(struct topk *t, double key, unsigned long seq, json_t *item)
{
	if (!item)
		return;
	if (!topk_wants(t, key, seq)) {
		json_decref(item);
		return;
	}
	if (t->n < t->cap) {
		int i = t->n++;
		t->h[i] = (struct titem){ key, seq, item };
		while (i > 0) {
			int p = (i - 1) / 2;
			if (!worse(&t->h[i], t->h[p].key, t->h[p].seq))
				break;
			struct titem tmp = t->h[i]; t->h[i] = t->h[p]; t->h[p] = tmp;
			i = p;
		}
	} else {
		json_decref(t->h[0].item);
		t->h[0] = (struct titem){ key, seq, item };
		topk_sift_down(t, 0);
	}
}

static int cmp_titem_best(const void *a, const void *b)
{
	const struct titem *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? 1 : -1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static json_t *topk_json(const struct topk *t)
{
	json_t *a = json_array();
	struct titem *v = malloc(((size_t)t->n + 1) * sizeof *v);

	if (!v)
		return a;
	memcpy(v, t->h, (size_t)t->n * sizeof *v);
	qsort(v, (size_t)t->n, sizeof *v, cmp_titem_best);
	for (int i = 0; i < t->n; i++)
		json_array_append(a, v[i].item);
	free(v);
	return a;
}

/* ---- the state -------------------------------------------------------------- */

enum { L_GREEN, L_YELLOW, L_RED, L_BLUE, L_OTHER, L_N };
static const char *const lane_names[L_N] = { "green", "yellow", "red", "blue", "other" };

/* The key fields DESIGN.md names for parse.fields. */
static const char *const key_fields[] = {
	"doc_no", "date", "invoice_no", "bl_no", "seller", "buyer", "declarant", "total",
	"currency", "gross_kg", "net_kg", "packages", "origin", "incoterm", "containers",
	"port_loading", "port_discharge", NULL
};

struct sc_report {
	struct sc_report_opts o;
	unsigned long seq;
	uint64_t records, bad_lines, errors, rec_errors;
	/* risk */
	uint64_t lane[L_N], risk_records, random, scored, rule_hits;
	double score_sum, score_max;
	uint64_t score_unit[100], score_pct[101];   /* score_pct[100]: 100 and above */
	struct ctab rules, importers, chapters;
	struct topk red, yellow;
	/* ocr */
	uint64_t ocr_pages, ocr_conf_n, ocr_low, ocr_rotated, ocr_pdf_text, ocr_bins[SC_REPORT_HIST_BINS];
	double ocr_conf_sum;
	struct topk ocr_lowest, ocr_rot;
	/* parse */
	uint64_t parse_docs, parse_missing, parse_checks_failed, parse_disagree;
	struct ctab ptypes, pmissing, checks;
	/* wood */
	uint64_t wood_samples, wood_refer, wood_cites;
	struct ctab taxa, cites, wood_reasons;
	struct topk wood_ref;
	/* scan */
	uint64_t scan_images, scan_empty, scan_anomalies, scan_refer, scan_inconsistent, fill_n;
	double fill_sum;
	struct ctab akinds;
	struct topk scan_ref;
	/* errors */
	struct ctab errs;
};

struct sc_report *sc_report_new(const struct sc_report_opts *o)
{
	struct sc_report *r = calloc(1, sizeof *r);
	int k, bad = 0;

	if (!r)
		return NULL;
	if (o)
		r->o = *o;
	if (r->o.top <= 0)
		r->o.top = 20;
	if (r->o.top > SC_REPORT_TOP_MAX)
		r->o.top = SC_REPORT_TOP_MAX;
	if (!(r->o.ocr_min >= 0))
		r->o.ocr_min = 60;
	k = r->o.top;
	bad |= ctab_init(&r->rules, SC_REPORT_COUNTERS);
	bad |= ctab_init(&r->importers, SC_REPORT_COUNTERS);
	bad |= ctab_init(&r->chapters, SC_REPORT_COUNTERS);
	bad |= ctab_init(&r->ptypes, SC_REPORT_COUNTERS);
	bad |= ctab_init(&r->pmissing, SC_REPORT_COUNTERS);
	bad |= ctab_init(&r->checks, SC_REPORT_COUNTERS);
	bad |= ctab_init(&r->taxa, SC_REPORT_COUNTERS);
	bad |= ctab_init(&r->cites, SC_REPORT_COUNTERS);
	bad |= ctab_init(&r->wood_reasons, SC_REPORT_COUNTERS);
	bad |= ctab_init(&r->akinds, SC_REPORT_COUNTERS);
	bad |= ctab_init(&r->errs, SC_REPORT_COUNTERS);
	bad |= topk_init(&r->red, k);
	bad |= topk_init(&r->yellow, k);
	bad |= topk_init(&r->ocr_lowest, k);
	bad |= topk_init(&r->ocr_rot, k);
	bad |= topk_init(&r->wood_ref, k);
	bad |= topk_init(&r->scan_ref, k);
	if (bad) {
		sc_report_free(r);
		return NULL;
	}
	return r;
}

void sc_report_free(struct sc_report *r)
{
	if (!r)
		return;
	ctab_fini(&r->rules); ctab_fini(&r->importers); ctab_fini(&r->chapters);
	ctab_fini(&r->ptypes); ctab_fini(&r->pmissing); ctab_fini(&r->checks);
	ctab_fini(&r->taxa); ctab_fini(&r->cites); ctab_fini(&r->wood_reasons); ctab_fini(&r->akinds); ctab_fini(&r->errs);
	topk_fini(&r->red); topk_fini(&r->yellow); topk_fini(&r->ocr_lowest);
	topk_fini(&r->ocr_rot); topk_fini(&r->wood_ref); topk_fini(&r->scan_ref);
	free(r);
}

/* The end of a long path (the file name is what a person looks for). */
static void copy_tail(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	if (len >= n) {
		src += len - (n - 4);
		while (((unsigned char)*src & 0xC0) == 0x80)
			src++;
		dst[0] = dst[1] = dst[2] = '.';
		copy_str(dst + 3, n - 3, src);
	} else
		copy_str(dst, n, src);
}

/* Where the record came from: src.path[!member][:page], or "" when unknown. */
static int record_place(const json_t *rec, char *buf, size_t n)
{
	const json_t *src = jget(rec, "src");
	const char *path = jstr(src, "path"), *member = jstr(src, "member");
	char p[IDMAX - 16], full[512];
	double page;

	if (!path || !*path)
		return 0;
	if (member && *member)
		snprintf(full, sizeof full, "%s!%s", path, member);
	else
		snprintf(full, sizeof full, "%s", path);
	copy_tail(p, sizeof p, full);
	if (jnum(src, "page", &page) && page >= 1 && page < 1e9)
		snprintf(buf, n, "%s:%d", p, (int)page);
	else
		snprintf(buf, n, "%s", p);
	return 1;
}

/*
 * The names a person finds a record by: a declaration by decl.id (then id),
 * a page, image or document by its place (then id); "#N" (its sequence
 * number in the input) when there is nothing else.
 */
static void record_names(const json_t *rec, unsigned long seq, char *decl, char *place, size_t n)
{
	char id[IDMAX];
	int has_id = scalar_text(jget(rec, "id"), id, sizeof id);

	if (!has_id)
		snprintf(id, sizeof id, "#%lu", seq);
	if (!scalar_text(jget(jget(rec, "decl"), "id"), decl, n))
		snprintf(decl, n, "%s", id);
	if (!record_place(rec, place, n))
		snprintf(place, n, "%s", id);
}

/* ---- one namespace at a time --------------------------------------------------- */

static json_t *hit_reasons(const json_t *hits)
{
	json_t *a = json_array();
	size_t i;
	const json_t *h;

	json_array_foreach(hits, i, h) {
		const char *t = jstr(h, "title"), *id = jstr(h, "id"), *why = jstr(h, "why");
		char buf[LABELMAX];
		if (json_array_size(a) >= SC_REPORT_REASONS)
			break;
		if (json_is_string(h))
			t = json_string_value(h);
		if (!t)
			t = id;
		if (!t && !why)
			continue;
		if (t && why)
			snprintf(buf, sizeof buf, "%s: %s", t, why);
		else
			copy_str(buf, sizeof buf, t ? t : why);
		json_array_append_new(a, jstring_trunc(buf));
	}
	return a;
}

static void add_risk(struct sc_report *r, const json_t *rec, const json_t *risk, const char *id)
{
	const char *ch = jstr(risk, "channel");
	const json_t *hits = jget(risk, "hits"), *decl = jget(rec, "decl");
	const json_t *imp = jget(decl, "importer"), *items = jget(decl, "items");
	double score = 0;
	int has_score = jnum(risk, "score", &score), lane = -1;
	char key[KEYMAX], chap[100][3];
	int nchap = 0;
	uint64_t w;
	size_t i;
	const json_t *h;

	r->risk_records++;
	if (ch) {
		for (lane = 0; lane < L_OTHER; lane++)
			if (strcasecmp(ch, lane_names[lane]) == 0)
				break;
		r->lane[lane]++;
	}
	if (truthy(jget(risk, "random")))
		r->random++;
	if (has_score) {
		int u = (int)floor(score * 100), p = (int)floor(score);
		r->scored++;
		r->score_sum += score;
		if (r->scored == 1 || score > r->score_max)
			r->score_max = score;
		r->score_unit[u < 0 ? 0 : u > 99 ? 99 : u]++;
		r->score_pct[p < 0 ? 0 : p > 100 ? 100 : p]++;
	}
	json_array_foreach(hits, i, h) {
		const char *hid = jstr(h, "id");
		struct slot *s;
		double hs;
		if (json_is_string(h))
			hid = json_string_value(h);
		if (!hid || !*hid)
			continue;
		r->rule_hits++;
		s = ctab_hit(&r->rules, hid, 1);
		slot_label(s, jstr(h, "title"));
		slot_example(s, id);
		if (s && jnum(h, "score", &hs))
			s->v[0] += hs, s->v[1]++;
	}

	/* red and yellow lists: the highest scores, each with its reasons */
	if (lane == L_RED || lane == L_YELLOW) {
		struct topk *t = lane == L_RED ? &r->red : &r->yellow;
		double key2 = has_score ? score : -INFINITY;
		if (topk_wants(t, key2, r->seq)) {
			json_t *it = json_object();
			const char *iname = jstr(imp, "name");
			char ibuf[KEYMAX];
			json_object_set_new(it, "id", json_string(id));
			json_object_set_new(it, "score", has_score ? json_real(score) : json_null());
			if (scalar_text(jget(imp, "id"), ibuf, sizeof ibuf) || (iname && (copy_str(ibuf, sizeof ibuf, iname), 1)))
				json_object_set_new(it, "importer", json_string(ibuf));
			if (iname)
				json_object_set_new(it, "importer_name", jstring_trunc(iname));
			json_object_set_new(it, "reasons", hit_reasons(hits));
			json_t *ev = sc_report_join_evidence(rec);
			if (ev)
				json_object_set_new(it, "evidence", ev);
			topk_put(t, key2, r->seq, it);
		}
	}

	/* importers and chapters, kept by a risk weight so the risky ones stay */
	w = lane == L_RED ? 100 : lane == L_YELLOW ? 10 : 1;
	if (json_is_object(imp) && (scalar_text(jget(imp, "id"), key, sizeof key) ||
	                            scalar_text(jget(imp, "name"), key, sizeof key))) {
		struct slot *s = ctab_hit(&r->importers, key, w);
		slot_label(s, jstr(imp, "name"));
		if (s) {
			s->v[0]++;
			s->v[1] += lane == L_RED;
			s->v[2] += lane == L_YELLOW;
			if (has_score)
				s->v[3] += score;
		}
	}
	json_array_foreach(items, i, h) {
		const char *hs = jstr(h, "hs");
		char c[3];
		int seen = 0;
		if (i >= 1000 || nchap >= 100)
			break;
		if (!hs || !(hs[0] >= '0' && hs[0] <= '9' && hs[1] >= '0' && hs[1] <= '9'))
			continue;
		c[0] = hs[0]; c[1] = hs[1]; c[2] = 0;
		for (int j = 0; j < nchap; j++)
			seen |= strcmp(chap[j], c) == 0;
		if (!seen)
			memcpy(chap[nchap++], c, 3);
	}
	for (int j = 0; j < nchap; j++) {
		struct slot *s = ctab_hit(&r->chapters, chap[j], w);
		if (s) {
			s->v[0]++;
			s->v[1] += lane == L_RED;
			s->v[2] += lane == L_YELLOW;
			if (has_score)
				s->v[3] += score;
		}
	}
}

static void add_ocr(struct sc_report *r, const json_t *rec, const json_t *ocr, const char *id)
{
	double conf, rot;
	const char *source = jstr(ocr, "source");

	r->ocr_pages++;
	if (source && strcmp(source, "pdf-text") == 0)
		r->ocr_pdf_text++;
	if (jnum(ocr, "conf", &conf)) {
		int b;
		/* sc.7: mean word confidence, 0 to 100 */
		if (conf < 0)
			conf = 0;
		if (conf > 100)
			conf = 100;
		r->ocr_conf_n++;
		r->ocr_conf_sum += conf;
		b = (int)(conf / 100 * SC_REPORT_HIST_BINS);
		r->ocr_bins[b >= SC_REPORT_HIST_BINS ? SC_REPORT_HIST_BINS - 1 : b]++;
		if (conf < r->o.ocr_min) {
			r->ocr_low++;
			if (topk_wants(&r->ocr_lowest, -conf, r->seq)) {
				json_t *it = json_object();
				json_object_set_new(it, "id", json_string(id));
				json_object_set_new(it, "conf", json_real(conf));
				topk_put(&r->ocr_lowest, -conf, r->seq, it);
			}
		}
	}
	if (jnum(ocr, "rotate", &rot) && rot != 0) {
		r->ocr_rotated++;
		if (topk_wants(&r->ocr_rot, -(double)r->seq, r->seq)) {
			json_t *it = json_object();
			json_object_set_new(it, "id", json_string(id));
			json_object_set_new(it, "rotate", json_real(rot));
			topk_put(&r->ocr_rot, -(double)r->seq, r->seq, it);
		}
	}
	(void)rec;
}

/* A check failed unless it says it passed; a check without any verdict
 * is a finding by being listed. */
static int check_failed(const json_t *c)
{
	static const char *const okwords[] = { "ok", "pass", "passed", "agree", "match", "true", NULL };
	const json_t *v;
	const char *s;

	if (json_is_string(c))
		return 1;
	if ((v = jget(c, "ok")) && json_is_boolean(v))
		return !json_is_true(v);
	if ((v = jget(c, "pass")) && json_is_boolean(v))
		return !json_is_true(v);
	if ((s = jstr(c, "status")) || (s = jstr(c, "result"))) {
		for (int i = 0; okwords[i]; i++)
			if (strcasecmp(s, okwords[i]) == 0)
				return 0;
		return 1;
	}
	return 1;
}

/* One document: its type, and which key fields it lacks. */
static void add_document(struct sc_report *r, const char *type, const json_t *fields)
{
	char key[KEYMAX], t60[61];

	if (!type || !*type)
		type = "unknown";
	r->parse_docs++;
	ctab_hit(&r->ptypes, type, 1);
	copy_str(t60, sizeof t60, type);
	for (int k = 0; json_is_object(fields) && key_fields[k]; k++) {
		const json_t *f = jget(fields, key_fields[k]), *v = f;
		if (json_is_object(f))
			v = json_object_get(f, "value");
		if (v && !json_is_null(v) && !(json_is_string(v) && !*json_string_value(v)) &&
		    !(json_is_array(v) && json_array_size(v) == 0))
			continue;
		r->parse_missing++;
		snprintf(key, sizeof key, "%s\t%s", t60, key_fields[k]);
		ctab_hit(&r->pmissing, key, 1);
	}
}

static void add_parse(struct sc_report *r, const json_t *parse, const char *id)
{
	static const char *const idkeys[] = { "id", "name", "check", "code", "kind", "field", NULL };
	static const char *const msgkeys[] = { "msg", "message", "why", "detail", NULL };
	const json_t *docs = jget(parse, "documents"), *checks = jget(parse, "checks"), *c, *d;
	int failed = 0, ndocs = 0;
	size_t i;

	/* a consignment (sc-parse -g) lists its documents, each with its own
	 * type and fields; a document record is its own one document */
	json_array_foreach(docs, i, d) {
		if (i >= 1000)
			break;
		if (!json_is_object(d))
			continue;
		add_document(r, jstr(d, "type"), jget(d, "fields"));
		ndocs++;
	}
	if (ndocs == 0)
		add_document(r, jstr(parse, "type"), jget(parse, "fields"));
	json_array_foreach(checks, i, c) {
		const char *name = NULL, *msg = NULL;
		struct slot *s;
		if ((!json_is_string(c) && !json_is_object(c)) || !check_failed(c))
			continue;
		failed++;
		r->parse_checks_failed++;
		if (json_is_string(c))
			name = json_string_value(c);
		for (int k = 0; !name && idkeys[k]; k++)
			name = jstr(c, idkeys[k]);
		for (int k = 0; !msg && msgkeys[k]; k++)
			msg = jstr(c, msgkeys[k]);
		s = ctab_hit(&r->checks, name && *name ? name : "(unnamed)", 1);
		slot_label(s, msg);
		slot_example(s, id);
	}
	if (failed)
		r->parse_disagree++;
}

static void add_wood(struct sc_report *r, const json_t *wood, const char *id)
{
	const json_t *top = jget(wood, "top"), *t;
	int cites = 0, refer = truthy(jget(wood, "refer"));
	double best = 0;
	size_t i;

	r->wood_samples++;
	json_array_foreach(top, i, t) {
		const char *taxon = jstr(t, "taxon");
		const json_t *cv = jget(t, "cites");
		double sc = 0;
		int has = jnum(t, "score", &sc);
		if (!taxon || !*taxon)
			continue;
		if (i == 0) {
			struct slot *s = ctab_hit(&r->taxa, taxon, 1);
			best = has ? sc : 0;
			if (s) {
				s->v[0] += has ? sc : 0;
				s->v[1] += refer;
			}
		}
		if (truthy(cv)) {
			struct slot *s = ctab_hit(&r->cites, taxon, 1);
			char app[32];
			cites = 1;
			/* sc-wood writes {listing, appendix, annotation, effective} */
			if (json_is_string(cv))
				copy_str(app, sizeof app, json_string_value(cv));
			else if (jstr(cv, "appendix"))
				copy_str(app, sizeof app, jstr(cv, "appendix"));
			else if (jstr(cv, "listing"))
				copy_str(app, sizeof app, jstr(cv, "listing"));
			else
				snprintf(app, sizeof app, "listed");
			slot_label(s, app);
			slot_example(s, id);
			if (s && has && sc > s->v[0])
				s->v[0] = sc;
		}
	}
	r->wood_cites += cites;
	if (refer) {
		const json_t *rs = jget(wood, "reasons"), *x;
		r->wood_refer++;
		/* reasons are {code, msg} (sc-wood) or plain strings */
		json_array_foreach(rs, i, x) {
			const char *code = json_is_string(x) ? json_string_value(x) : jstr(x, "code");
			struct slot *s;
			if (!code || !*code)
				continue;
			s = ctab_hit(&r->wood_reasons, code, 1);
			slot_label(s, jstr(x, "msg"));
			slot_example(s, id);
		}
		if (topk_wants(&r->wood_ref, -(double)r->seq, r->seq)) {
			json_t *it = json_object(), *reasons = json_array();
			const char *taxon = jstr(json_array_get(top, 0), "taxon");
			json_object_set_new(it, "id", json_string(id));
			if (taxon)
				json_object_set_new(it, "taxon", jstring_trunc(taxon));
			json_object_set_new(it, "score", json_real(best));
			json_object_set_new(it, "cites", json_boolean(cites));
			json_array_foreach(rs, i, x) {
				if (json_array_size(reasons) >= SC_REPORT_REASONS)
					break;
				const char *txt = json_is_string(x) ? json_string_value(x) : jstr(x, "msg");
				if (!txt)
					txt = jstr(x, "code");
				if (txt)
					json_array_append_new(reasons, jstring_trunc(txt));
			}
			json_object_set_new(it, "reasons", reasons);
			topk_put(&r->wood_ref, -(double)r->seq, r->seq, it);
		}
	}
}

static void add_scan(struct sc_report *r, const json_t *scan, const char *id)
{
	const json_t *an = jget(scan, "anomalies"), *a, *cons = jget(scan, "consistent");
	double fill, maxs = 0;
	int refer = truthy(jget(scan, "refer"));
	size_t i, n = 0;

	r->scan_images++;
	if (truthy(jget(scan, "empty")))
		r->scan_empty++;
	if (jnum(scan, "fill", &fill))
		r->fill_n++, r->fill_sum += fill;
	if (json_is_false(cons))
		r->scan_inconsistent++;
	json_array_foreach(an, i, a) {
		const char *kind = jstr(a, "kind");
		double sc = 0;
		struct slot *s;
		if (!json_is_object(a))
			continue;
		n++;
		jnum(a, "score", &sc);
		if (sc > maxs)
			maxs = sc;
		s = ctab_hit(&r->akinds, kind && *kind ? kind : "(unknown)", 1);
		if (s && sc > s->v[0])
			s->v[0] = sc;
		slot_example(s, id);
	}
	r->scan_anomalies += n;
	if (refer) {
		r->scan_refer++;
		if (topk_wants(&r->scan_ref, maxs, r->seq)) {
			json_t *it = json_object();
			json_object_set_new(it, "id", json_string(id));
			json_object_set_new(it, "anomalies", json_integer((json_int_t)n));
			json_object_set_new(it, "max_score", json_real(maxs));
			json_object_set_new(it, "consistent", json_is_boolean(cons) ? json_boolean(json_is_true(cons)) : json_null());
			topk_put(&r->scan_ref, maxs, r->seq, it);
		}
	}
}

static void add_errors(struct sc_report *r, const json_t *errors, const char *id)
{
	const json_t *e;
	size_t i;

	if (!json_is_array(errors) || json_array_size(errors) == 0)
		return;
	r->rec_errors++;
	json_array_foreach(errors, i, e) {
		const char *tool = jstr(e, "tool"), *code = jstr(e, "code");
		char key[KEYMAX];
		struct slot *s;
		char t[61], c[61];
		copy_str(t, sizeof t, tool && *tool ? tool : "?");
		copy_str(c, sizeof c, code && *code ? code : "?");
		snprintf(key, sizeof key, "%s\t%s", t, c);
		const char *file = jstr(e, "file");
		double line;
		char where[IDMAX];
		r->errors++;
		s = ctab_hit(&r->errs, key, 1);
		slot_label(s, jstr(e, "msg"));
		if (file && *file) {
			char f[IDMAX - 16];
			copy_tail(f, sizeof f, file);
			if (jnum(e, "line", &line) && line >= 1 && line < 1e9)
				snprintf(where, sizeof where, "%s:%d", f, (int)line);
			else
				snprintf(where, sizeof where, "%s", f);
			slot_example(s, where);
		} else
			slot_example(s, id);
	}
}

void sc_report_add(struct sc_report *r, const json_t *rec)
{
	char decl[IDMAX], place[IDMAX];
	const json_t *ns;

	if (!r || !json_is_object(rec))
		return;
	r->seq++;
	r->records++;
	record_names(rec, r->seq, decl, place, sizeof decl);
	if (json_is_object(ns = jget(rec, "risk")))
		add_risk(r, rec, ns, decl);
	if (json_is_object(ns = jget(rec, "ocr")))
		add_ocr(r, rec, ns, place);
	if (json_is_object(ns = jget(rec, "parse")))
		add_parse(r, ns, json_is_object(jget(rec, "decl")) ? decl : place);
	if (json_is_object(ns = jget(rec, "wood")))
		add_wood(r, ns, place);
	if (json_is_object(ns = jget(rec, "scan")))
		add_scan(r, ns, place);
	add_errors(r, jget(rec, "errors"), json_is_object(jget(rec, "decl")) ? decl : place);
}

void sc_report_add_bad(struct sc_report *r, const struct sc_error *e)
{
	char key[KEYMAX], place[IDMAX], msg[LABELMAX];
	struct slot *s;

	if (!r)
		return;
	r->seq++;
	r->records++;
	r->bad_lines++;
	r->errors++;
	r->rec_errors++;
	char f60[61];
	snprintf(key, sizeof key, "sc-report\t%.30s", e && e->code[0] ? e->code : "bad-line");
	copy_str(f60, sizeof f60, e ? e->file : "");
	if (e && e->line)
		snprintf(place, sizeof place, "%s:%d", f60, e->line);
	else
		snprintf(place, sizeof place, "#%lu", r->seq);
	copy_str(msg, sizeof msg, e ? e->msg : "unreadable line");
	s = ctab_hit(&r->errs, key, 1);
	slot_label(s, msg);
	slot_example(s, place);
}

/* ---- the summary ------------------------------------------------------------------ */

const struct sc_report_figure sc_report_figures[] = {
	{ "records", "records read, bad lines included" },
	{ "bad_lines", "input lines that were not JSON objects" },
	{ "errors", "entries in errors[] over all records, plus bad lines" },
	{ "records_with_errors", "records with at least one error" },
	{ "error_rate", "records_with_errors / records" },
	{ "risk_records", "records with a risk namespace" },
	{ "laned", "records with a risk.channel" },
	{ "green", "records in the green lane" },
	{ "yellow", "records in the yellow lane" },
	{ "red", "records in the red lane" },
	{ "blue", "records in the blue lane" },
	{ "other_lane", "records with another risk.channel" },
	{ "green_rate", "green / laned" },
	{ "yellow_rate", "yellow / laned" },
	{ "red_rate", "red / laned" },
	{ "blue_rate", "blue / laned" },
	{ "random", "records selected at random (risk.random)" },
	{ "score_mean", "mean risk.score" },
	{ "score_max", "highest risk.score" },
	{ "rule_hits", "entries in risk.hits[] over all records" },
	{ "ocr_pages", "records with an ocr namespace" },
	{ "ocr_conf_mean", "mean OCR confidence (0..100)" },
	{ "ocr_low_conf", "pages below the --ocr-min confidence" },
	{ "ocr_low_conf_rate", "ocr_low_conf / ocr_pages" },
	{ "ocr_rotated", "pages that needed rotation" },
	{ "ocr_pdf_text", "pages read from a PDF text layer" },
	{ "parse_docs", "documents: parse records, or each of parse.documents[]" },
	{ "parse_missing_fields", "key fields missing, over all documents" },
	{ "parse_checks_failed", "failed cross-document checks" },
	{ "parse_docs_disagree", "parse records with a failed check" },
	{ "wood_samples", "records with a wood namespace" },
	{ "wood_refer", "wood samples referred to an expert" },
	{ "wood_refer_rate", "wood_refer / wood_samples" },
	{ "wood_cites", "wood samples with a CITES-listed candidate" },
	{ "scan_images", "records with a scan namespace" },
	{ "scan_empty", "scans found empty" },
	{ "scan_anomalies", "anomalies over all scans" },
	{ "scan_refer", "scans referred for inspection" },
	{ "scan_inconsistent", "scans inconsistent with the declaration" },
	{ "scan_fill_mean", "mean scan.fill" },
	{ NULL, NULL }
};

int sc_report_figure_known(const char *name)
{
	for (int i = 0; sc_report_figures[i].name; i++)
		if (strcmp(sc_report_figures[i].name, name) == 0)
			return 1;
	return 0;
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

/* Reals rounded to 6 decimals, so the JSON reads well and stays byte-stable. */
static json_t *num(double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		return json_integer((json_int_t)v);
	return json_real(round(v * 1e6) / 1e6);
}

static void setf(json_t *o, const char *k, double v)
{
	json_object_set_new(o, k, num(v));
}

static json_t *figures(const struct sc_report *r)
{
	json_t *f = json_object();
	uint64_t laned = 0;

	for (int i = 0; i < L_N; i++)
		laned += r->lane[i];
	setf(f, "records", (double)r->records);
	setf(f, "bad_lines", (double)r->bad_lines);
	setf(f, "errors", (double)r->errors);
	setf(f, "records_with_errors", (double)r->rec_errors);
	setf(f, "error_rate", ratio((double)r->rec_errors, (double)r->records));
	setf(f, "risk_records", (double)r->risk_records);
	setf(f, "laned", (double)laned);
	setf(f, "green", (double)r->lane[L_GREEN]);
	setf(f, "yellow", (double)r->lane[L_YELLOW]);
	setf(f, "red", (double)r->lane[L_RED]);
	setf(f, "blue", (double)r->lane[L_BLUE]);
	setf(f, "other_lane", (double)r->lane[L_OTHER]);
	setf(f, "green_rate", ratio((double)r->lane[L_GREEN], (double)laned));
	setf(f, "yellow_rate", ratio((double)r->lane[L_YELLOW], (double)laned));
	setf(f, "red_rate", ratio((double)r->lane[L_RED], (double)laned));
	setf(f, "blue_rate", ratio((double)r->lane[L_BLUE], (double)laned));
	setf(f, "random", (double)r->random);
	setf(f, "score_mean", ratio(r->score_sum, (double)r->scored));
	setf(f, "score_max", r->scored ? r->score_max : 0);
	setf(f, "rule_hits", (double)r->rule_hits);
	setf(f, "ocr_pages", (double)r->ocr_pages);
	setf(f, "ocr_conf_mean", ratio(r->ocr_conf_sum, (double)r->ocr_conf_n));
	setf(f, "ocr_low_conf", (double)r->ocr_low);
	setf(f, "ocr_low_conf_rate", ratio((double)r->ocr_low, (double)r->ocr_pages));
	setf(f, "ocr_rotated", (double)r->ocr_rotated);
	setf(f, "ocr_pdf_text", (double)r->ocr_pdf_text);
	setf(f, "parse_docs", (double)r->parse_docs);
	setf(f, "parse_missing_fields", (double)r->parse_missing);
	setf(f, "parse_checks_failed", (double)r->parse_checks_failed);
	setf(f, "parse_docs_disagree", (double)r->parse_disagree);
	setf(f, "wood_samples", (double)r->wood_samples);
	setf(f, "wood_refer", (double)r->wood_refer);
	setf(f, "wood_refer_rate", ratio((double)r->wood_refer, (double)r->wood_samples));
	setf(f, "wood_cites", (double)r->wood_cites);
	setf(f, "scan_images", (double)r->scan_images);
	setf(f, "scan_empty", (double)r->scan_empty);
	setf(f, "scan_anomalies", (double)r->scan_anomalies);
	setf(f, "scan_refer", (double)r->scan_refer);
	setf(f, "scan_inconsistent", (double)r->scan_inconsistent);
	setf(f, "scan_fill_mean", ratio(r->fill_sum, (double)r->fill_n));
	return f;
}

static json_t *examples(const struct slot *s)
{
	json_t *a = json_array();

	for (int i = 0; i < s->nex; i++)
		json_array_append_new(a, json_string(s->ex[i]));
	return a;
}

/* A keyed table as {"approx":bool,"rows":[...]}, at most `top` rows. */
static json_t *table(const struct ctab *t, int top, json_t *(*row)(const struct slot *, const void *),
                     const void *ctx)
{
	json_t *o = json_object(), *rows = json_array();
	struct slot **v = ctab_sorted(t);

	for (int i = 0; v && i < t->n && i < top; i++) {
		json_t *x = row(v[i], ctx);
		if (x)
			json_array_append_new(rows, x);
	}
	free(v);
	json_object_set_new(o, "approx", json_boolean(t->evicted));
	json_object_set_new(o, "distinct", json_integer(t->n));
	json_object_set_new(o, "rows", rows);
	return o;
}

static json_t *row_rule(const struct slot *s, const void *ctx)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(s->key));
	json_object_set_new(o, "title", json_string(s->label));
	json_object_set_new(o, "hits", json_integer((json_int_t)s->count));
	if (s->err)
		json_object_set_new(o, "over", json_integer((json_int_t)s->err));
	json_object_set_new(o, "score_mean", num(ratio(s->v[0], s->v[1])));
	json_object_set_new(o, "examples", examples(s));
	return o;
}

static json_t *row_risky(const struct slot *s, const void *ctx)
{
	json_t *o = json_object();

	json_object_set_new(o, "key", json_string(s->key));
	if (s->label[0])
		json_object_set_new(o, "name", json_string(s->label));
	json_object_set_new(o, "records", num(s->v[0]));
	json_object_set_new(o, "red", num(s->v[1]));
	json_object_set_new(o, "yellow", num(s->v[2]));
	json_object_set_new(o, "score_mean", num(ratio(s->v[3], s->v[0])));
	if (s->err)
		json_object_set_new(o, "partial", json_true());
	return o;
}

static json_t *row_count(const struct slot *s, const void *ctx)
{
	const char *field = ctx;
	json_t *o = json_object();

	json_object_set_new(o, field, json_string(s->key));
	json_object_set_new(o, "count", json_integer((json_int_t)s->count));
	if (s->label[0])
		json_object_set_new(o, "label", json_string(s->label));
	if (s->nex)
		json_object_set_new(o, "examples", examples(s));
	return o;
}

static json_t *row_missing(const struct slot *s, const void *ctx)
{
	const struct ctab *types = ctx;
	json_t *o = json_object();
	const char *tab = strchr(s->key, '\t');
	char type[KEYMAX];
	double docs = 0;

	if (!tab)
		return NULL;
	snprintf(type, sizeof type, "%.*s", (int)(tab - s->key), s->key);
	for (int i = 0; i < types->n; i++)
		if (strcmp(types->s[i].key, type) == 0)
			docs = (double)types->s[i].count;
	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "field", json_string(tab + 1));
	json_object_set_new(o, "missing", json_integer((json_int_t)s->count));
	json_object_set_new(o, "docs", num(docs));
	return o;
}

static json_t *row_error(const struct slot *s, const void *ctx)
{
	json_t *o = json_object();
	const char *tab = strchr(s->key, '\t');

	json_object_set_new(o, "tool", json_stringn(s->key, tab ? (size_t)(tab - s->key) : strlen(s->key)));
	json_object_set_new(o, "code", json_string(tab ? tab + 1 : ""));
	json_object_set_new(o, "count", json_integer((json_int_t)s->count));
	json_object_set_new(o, "msg", json_string(s->label));
	json_object_set_new(o, "examples", examples(s));
	return o;
}

static json_t *row_taxon(const struct slot *s, const void *ctx)
{
	json_t *o = json_object();

	json_object_set_new(o, "taxon", json_string(s->key));
	json_object_set_new(o, "count", json_integer((json_int_t)s->count));
	json_object_set_new(o, "score_mean", num(ratio(s->v[0], (double)s->count)));
	json_object_set_new(o, "refer", num(s->v[1]));
	return o;
}

static json_t *row_cites(const struct slot *s, const void *ctx)
{
	json_t *o = json_object();

	json_object_set_new(o, "taxon", json_string(s->key));
	json_object_set_new(o, "cites", json_string(s->label));
	json_object_set_new(o, "count", json_integer((json_int_t)s->count));
	json_object_set_new(o, "score_max", num(s->v[0]));
	json_object_set_new(o, "examples", examples(s));
	return o;
}

static json_t *row_kind(const struct slot *s, const void *ctx)
{
	json_t *o = json_object();

	json_object_set_new(o, "kind", json_string(s->key));
	json_object_set_new(o, "count", json_integer((json_int_t)s->count));
	json_object_set_new(o, "score_max", num(s->v[0]));
	json_object_set_new(o, "examples", examples(s));
	return o;
}

static json_t *hist(const uint64_t *bins, int n, int group, double lo, double hi)
{
	json_t *o = json_object(), *a = json_array();

	for (int i = 0; i < n; i += group) {
		uint64_t c = 0;
		for (int j = i; j < i + group && j < n; j++)
			c += bins[j];
		json_array_append_new(a, json_integer((json_int_t)c));
	}
	setf(o, "lo", lo);
	setf(o, "hi", hi);
	json_object_set_new(o, "bins", a);
	return o;
}

/* The trend: the baseline's own history plus the baseline's figures. */
static json_t *history(const json_t *baseline)
{
	static const char *const keep[] = { "records", "red_rate", "yellow_rate", "error_rate",
	                                    "ocr_low_conf_rate", "wood_refer_rate", NULL };
	json_t *h = json_array(), *e, *f;
	const json_t *old = jget(baseline, "history"), *bf = jget(baseline, "figures"), *x;
	const char *label = jstr(jget(baseline, "report"), "label");
	size_t i, n = json_array_size(old);

	if (!json_is_object(bf))
		return h;
	json_array_foreach(old, i, x) {
		if (n - i >= SC_REPORT_HISTORY)
			continue;
		if (json_is_object(jget(x, "figures")))
			json_array_append_new(h, json_deep_copy(x));
	}
	e = json_object();
	f = json_object();
	json_object_set_new(e, "label", json_string(label ? label : "baseline"));
	for (int k = 0; keep[k]; k++) {
		double v;
		if (jnum(bf, keep[k], &v))
			setf(f, keep[k], v);
	}
	json_object_set_new(e, "figures", f);
	json_array_append_new(h, e);
	return h;
}

json_t *sc_report_summary(const struct sc_report *r, const json_t *baseline)
{
	json_t *s = json_object(), *meta = json_object(), *lanes = json_object();
	int top = r->o.top;
	int pct = r->scored && r->score_max > 1;

	json_object_set_new(meta, "v", json_integer(1));
	json_object_set_new(meta, "tool", json_string("sc-report"));
	json_object_set_new(meta, "title", jstring_trunc(r->o.title ? r->o.title : "Smart Customs report"));
	json_object_set_new(meta, "label", jstring_trunc(r->o.label ? r->o.label : "now"));
	json_object_set_new(meta, "top", json_integer(top));
	json_object_set_new(meta, "ocr_min", num(r->o.ocr_min));
	json_object_set_new(s, "report", meta);
	json_object_set_new(s, "figures", figures(r));
	for (int i = 0; i < L_N; i++)
		json_object_set_new(lanes, lane_names[i], json_integer((json_int_t)r->lane[i]));
	json_object_set_new(s, "lanes", lanes);
	json_object_set_new(s, "score_hist", pct ? hist(r->score_pct, 100, 5, 0, 100)
	                                         : hist(r->score_unit, 100, 5, 0, 1));
	/* a rule pack's summed scores can pass 100: one more bin, "100+" */
	if (pct)
		json_object_set_new(json_object_get(s, "score_hist"), "over",
		                    json_integer((json_int_t)r->score_pct[100]));
	json_object_set_new(s, "rules", table(&r->rules, top, row_rule, NULL));
	json_object_set_new(s, "red_list", topk_json(&r->red));
	json_object_set_new(s, "yellow_list", topk_json(&r->yellow));
	json_object_set_new(s, "importers", table(&r->importers, top, row_risky, NULL));
	json_object_set_new(s, "hs_chapters", table(&r->chapters, top, row_risky, NULL));
	json_object_set_new(s, "ocr_conf_hist", hist(r->ocr_bins, SC_REPORT_HIST_BINS, 2, 0, 100));
	json_object_set_new(s, "ocr_lowest", topk_json(&r->ocr_lowest));
	json_object_set_new(s, "ocr_rotated_list", topk_json(&r->ocr_rot));
	json_object_set_new(s, "parse_types", table(&r->ptypes, top, row_count, "type"));
	json_object_set_new(s, "parse_missing", table(&r->pmissing, top, row_missing, &r->ptypes));
	json_object_set_new(s, "parse_checks", table(&r->checks, top, row_count, "check"));
	json_object_set_new(s, "wood_taxa", table(&r->taxa, top, row_taxon, NULL));
	json_object_set_new(s, "wood_cites", table(&r->cites, top, row_cites, NULL));
	json_object_set_new(s, "wood_reasons", table(&r->wood_reasons, top, row_count, "code"));
	json_object_set_new(s, "wood_referrals", topk_json(&r->wood_ref));
	json_object_set_new(s, "scan_kinds", table(&r->akinds, top, row_kind, NULL));
	json_object_set_new(s, "scan_referrals", topk_json(&r->scan_ref));
	json_object_set_new(s, "errors", table(&r->errs, top, row_error, NULL));
	if (baseline)
		json_object_set_new(s, "history", history(baseline));
	return s;
}

int sc_report_baseline_load(const char *path, json_t **out, struct sc_error *err)
{
	unsigned char *data = NULL;
	size_t len = 0;
	json_error_t je;
	json_t *v, *f;
	const char *k;
	json_t *x;

	*out = NULL;
	if (sc_read_file(path, 64u << 20, &data, &len, err) < 0)
		return -1;
	v = json_loadb((const char *)data, len, 0, &je);
	free(data);
	if (!v)
		return sc_error_set(err, path, je.line, je.column, "bad-baseline",
		                    "invalid JSON: %s", je.text);
	f = json_object_get(v, "figures");
	if (!json_is_object(v) || !json_is_object(f)) {
		json_decref(v);
		return sc_error_set(err, path, 1, 1, "bad-baseline",
		                    "not an sc-report -f json summary (no \"figures\" object)");
	}
	json_object_foreach(f, k, x)
		if (!json_is_number(x)) {
			/* the message first: k belongs to v */
			sc_error_set(err, path, 0, 0, "bad-baseline", "figure \"%.100s\" is not a number", k);
			json_decref(v);
			return -1;
		}
	*out = v;
	return 0;
}
