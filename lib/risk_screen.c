/*
 * risk_screen.c - denied-party screening. Names are normalized once at load into
 * sorted tokens; a token index finds the candidates that share a token with
 * the query, and only those are scored (Jaro-Winkler over the sorted names and
 * over tokens), so a list of tens of thousands of names stays cheap per record.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "errcode.h"
#include "hash.h"
#include "risk_screen.h"

#define MAX_TOKENS 32
#define COMMON_POSTING 4000   /* a token on more names than this only narrows, never finds */
#define MAX_FILE (256u << 20)

struct entry {
	char *name;      /* as listed */
	char *norm;      /* normalized: sorted tokens joined by ' ' */
	unsigned char ntok;
	unsigned short tok[MAX_TOKENS];  /* start of each token in norm */
};

struct posting {
	char *token;
	uint32_t *ids;
	size_t n, cap;
};

struct sc_risk_screen_list {
	struct entry *e;
	size_t n, cap;
	struct posting *slots;   /* open addressing, power-of-two size */
	size_t nslots, used;
};

/* ---- normalization -------------------------------------------------------- */

/* U+0100..U+017F to a base letter; '1' is "ij", '2' is "oe" */
static const char latin_ext_a[] =
	"aaaaaacccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii" "11" "jj" "kkk"
	"llllllllll" "nnnnnnnnn" "oooooo" "22" "rrrrrr" "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww"
	"yyy" "zzzzzz" "s";
/* U+00C0..U+00FF */
static const char *const latin1[] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "y"};
/* U+0430..U+044F (and U+0410..U+042F), Russian romanization without diacritics */
static const char *const cyrillic[] = {
	"a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
	"r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"};

static const char *const suffixes[] = {
	"ltd", "limited", "llc", "inc", "incorporated", "co", "company", "corp", "corporation",
	"gmbh", "ag", "sa", "sarl", "sas", "bv", "nv", "plc", "pte", "pvt", "oy", "ab", "spa",
	"srl", "jsc", "ojsc", "cjsc", "pjsc", "ooo", "zao", "oao", "kg", "kft", "sro", "doo",
	"llp", "lp", "the", "and", "fze", "fzco", "bhd", "sdn", "tbk", "pt", NULL};

static int utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	unsigned c = s[*i];
	if (c < 0x80) {
		(*i)++;
		return (int)c;
	}
	int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
	unsigned cp = c & (0x3F >> n);
	(*i)++;
	if (n == 0)
		return -1;
	for (int k = 0; k < n; k++) {
		if (*i >= len || (s[*i] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[(*i)++] & 0x3F);
	}
	return (int)cp;
}

static const char *translit(int cp, char *one)
{
	if (cp >= 0xC0 && cp <= 0xFF)
		return latin1[cp - 0xC0];
	if (cp >= 0x100 && cp <= 0x17F) {
		char c = latin_ext_a[cp - 0x100];
		if (c == '1')
			return "ij";
		if (c == '2')
			return "oe";
		one[0] = c;
		one[1] = '\0';
		return one;
	}
	if (cp >= 0x410 && cp <= 0x44F)
		return cyrillic[(cp - 0x410) % 32];
	if (cp == 0x401 || cp == 0x451 || cp == 0x454 || cp == 0x404)
		return "e";
	if (cp == 0x406 || cp == 0x456 || cp == 0x407 || cp == 0x457)
		return "i";
	return " ";
}

static int is_suffix(const char *t, size_t n)
{
	/* the first byte first: names are screened and compared by the million (sc-join) */
	for (int i = 0; suffixes[i]; i++)
		if (n && suffixes[i][0] == t[0] && strlen(suffixes[i]) == n && memcmp(suffixes[i], t, n) == 0)
			return 1;
	return 0;
}

struct tok {
	const char *s;
	size_t n;
};

static int tok_cmp(const void *a, const void *b)
{
	const struct tok *x = a, *y = b;
	size_t m = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->s, y->s, m);
	return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* normalize into out; fill starts of tokens; returns length */
static size_t normalize(const char *name, size_t len, char *out, size_t outlen,
                        unsigned short *starts, int *ntok)
{
	char flat[SC_SCREEN_MAX_NAME * 2 + 8];
	size_t nf = 0, i = 0;
	struct tok toks[MAX_TOKENS];
	int nt = 0;
	size_t o = 0;

	if (len > SC_SCREEN_MAX_NAME)
		len = SC_SCREEN_MAX_NAME;
	while (i < len && nf + 8 < sizeof flat) {
		char one[2];
		int cp = utf8_next((const unsigned char *)name, len, &i);
		if (cp < 0)
			continue;
		if (cp < 0x80) {
			if (isalnum(cp))
				flat[nf++] = (char)tolower(cp);
			else if (cp == '.' || cp == '\'' || cp == '`')
				continue;   /* S.A. -> sa, O'Neil -> oneil */
			else
				flat[nf++] = ' ';
			continue;
		}
		const char *t = translit(cp, one);
		for (; *t && nf + 1 < sizeof flat; t++)
			flat[nf++] = *t;
	}
	/* split into tokens, drop company suffixes */
	for (i = 0; i < nf && nt < MAX_TOKENS;) {
		while (i < nf && flat[i] == ' ')
			i++;
		size_t st = i;
		while (i < nf && flat[i] != ' ')
			i++;
		if (i > st && !is_suffix(flat + st, i - st)) {
			toks[nt].s = flat + st;
			toks[nt].n = i - st;
			nt++;
		}
	}
	qsort(toks, (size_t)nt, sizeof toks[0], tok_cmp);
	int kept = 0;
	for (int k = 0; k < nt; k++) {
		if (k > 0 && tok_cmp(&toks[k], &toks[k - 1]) == 0)
			continue;
		if (o + toks[k].n + 2 > outlen)
			break;
		if (o)
			out[o++] = ' ';
		if (starts)
			starts[kept] = (unsigned short)o;
		memcpy(out + o, toks[k].s, toks[k].n);
		o += toks[k].n;
		kept++;
	}
	if (outlen)
		out[o] = '\0';
	if (ntok)
		*ntok = kept;
	return o;
}

size_t sc_risk_screen_normalize(const char *name, size_t len, char *out, size_t outlen)
{
	return normalize(name, len, out, outlen, NULL, NULL);
}

double sc_jaro_winkler(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char am[SC_SCREEN_MAX_NAME * 2], bm[SC_SCREEN_MAX_NAME * 2];
	size_t win, m = 0, t = 0, k = 0, pre = 0;
	double j;

	if (alen == 0 && blen == 0)
		return 1;
	if (alen == 0 || blen == 0)
		return 0;
	if (alen > sizeof am)
		alen = sizeof am;
	if (blen > sizeof bm)
		blen = sizeof bm;
	win = (alen > blen ? alen : blen) / 2;
	win = win ? win - 1 : 0;
	memset(am, 0, alen);
	memset(bm, 0, blen);
	for (size_t i = 0; i < alen; i++) {
		size_t lo = i > win ? i - win : 0, hi = i + win + 1 < blen ? i + win + 1 : blen;
		for (size_t x = lo; x < hi; x++)
			if (!bm[x] && a[i] == b[x]) {
				am[i] = bm[x] = 1;
				m++;
				break;
			}
	}
	if (m == 0)
		return 0;
	for (size_t i = 0; i < alen; i++) {
		if (!am[i])
			continue;
		while (!bm[k])
			k++;
		if (a[i] != b[k])
			t++;
		k++;
	}
	j = ((double)m / (double)alen + (double)m / (double)blen + ((double)m - (double)t / 2) / (double)m) / 3;
	while (pre < 4 && pre < alen && pre < blen && a[pre] == b[pre])
		pre++;
	return j + (double)pre * 0.1 * (1 - j);
}

/* ---- the index ------------------------------------------------------------ */

static uint64_t fnv(const char *s, size_t n)
{
	return sc_fnv64(SC_FNV64_OFFSET, s, n);
}

static struct posting *slot_for(const struct sc_risk_screen_list *l, const char *t, size_t n)
{
	if (!l->nslots)
		return NULL;
	size_t mask = l->nslots - 1, i = fnv(t, n) & mask;
	for (;;) {
		struct posting *p = &l->slots[i];
		if (!p->token || (strlen(p->token) == n && memcmp(p->token, t, n) == 0))
			return p;
		i = (i + 1) & mask;
	}
}

static int grow_slots(struct sc_risk_screen_list *l)
{
	size_t ncap = l->nslots ? l->nslots * 2 : 1024;
	struct posting *old = l->slots, *ns = calloc(ncap, sizeof *ns);
	size_t oldn = l->nslots;
	if (!ns)
		return -1;
	l->slots = ns;
	l->nslots = ncap;
	for (size_t i = 0; i < oldn; i++)
		if (old[i].token)
			*slot_for(l, old[i].token, strlen(old[i].token)) = old[i];
	free(old);
	return 0;
}

static int index_token(struct sc_risk_screen_list *l, const char *t, size_t n, uint32_t id)
{
	struct posting *p;
	if ((l->used + 1) * 2 > l->nslots && grow_slots(l) < 0)
		return -1;
	p = slot_for(l, t, n);
	if (!p->token) {
		if (!(p->token = strndup(t, n)))
			return -1;
		l->used++;
	}
	if (p->n && p->ids[p->n - 1] == id)
		return 0;
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 4;
		uint32_t *ni = realloc(p->ids, nc * sizeof *ni);
		if (!ni)
			return -1;
		p->ids = ni;
		p->cap = nc;
	}
	p->ids[p->n++] = id;
	return 0;
}

static int add_name(struct sc_risk_screen_list *l, const char *name, size_t len)
{
	char norm[SC_SCREEN_MAX_NAME * 2 + 8];
	struct entry *e;
	int nt;
	size_t nl = normalize(name, len, norm, sizeof norm, NULL, NULL);

	if (nl == 0)
		return 0;   /* nothing to match on (a name of suffixes only) */
	if (l->n >= SC_SCREEN_MAX_ENTRIES)
		return 0;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 256;
		struct entry *ne = realloc(l->e, nc * sizeof *ne);
		if (!ne)
			return -1;
		l->e = ne;
		l->cap = nc;
	}
	e = &l->e[l->n];
	memset(e, 0, sizeof *e);
	e->name = strndup(name, len);
	e->norm = malloc(nl + 1);
	if (!e->name || !e->norm) {
		free(e->name);
		free(e->norm);
		return -1;
	}
	normalize(name, len, e->norm, nl + 1, e->tok, &nt);
	e->ntok = (unsigned char)nt;
	for (int k = 0; k < nt; k++) {
		const char *t = e->norm + e->tok[k];
		size_t tl = strcspn(t, " ");
		if (index_token(l, t, tl, (uint32_t)l->n) < 0)
			return -1;
	}
	l->n++;
	return 0;
}

/* ---- CSV (lib/csv.c) ------------------------------------------------------- */

static const char *trimmed(char *s)
{
	size_t n;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	if (strcmp(s, "-0-") == 0)
		s[0] = '\0';
	return s;
}

/* A refused row as a list error at its file:line; -1. */
static int list_error(const char *path, const struct sc_error *row, struct sc_error *err)
{
	return sc_error_set(err, path, row->line, row->col, "bad-list", "%s", row->msg);
}

/* The names of a list file: OFAC's sdn.csv or alt.csv (no header; the name
 * in column 2 or 4), or a CSV whose header names a "name" and optionally an
 * "aliases" column (aliases separated by ";"). */
static int load_csv(struct sc_risk_screen_list *l, const char *path, int ofac, int alt,
                    struct sc_error *err)
{
	/* OFAC pads a field after its closing quote ("-0- " spacing): dropped */
	const struct sc_csv_opts copts = {.delim = ',', .after_quote_dropped = 1, .no_recovery = 1};
	unsigned char *data;
	size_t len, nf;
	struct sc_error row;
	struct sc_csv *csv;
	char **f;
	long name_col = ofac ? (alt ? 3 : 1) : -1, alias_col = -1;
	int st, rc = -1;

	if (sc_read_file(path, MAX_FILE, &data, &len, err) < 0)
		return -1;
	if (!(csv = sc_csv_open_buffer(path, (const char *)data, len, &copts, err))) {
		free(data);
		return -1;
	}
	if (!ofac) {
		if ((st = sc_csv_next(csv, &nf, &f, &row)) <= 0) {
			if (st < 0)
				list_error(path, &row, err);
			else
				sc_error_set(err, path, 1, 0, "bad-list", "empty list");
			goto out;
		}
		for (size_t i = 0; i < nf; i++) {
			const char *h = trimmed(f[i]);
			if (strcasecmp(h, "name") == 0)
				name_col = (long)i;
			else if (strcasecmp(h, "aliases") == 0)
				alias_col = (long)i;
		}
		if (name_col < 0) {
			sc_error_set(err, path, 1, 0, "bad-list", "no \"name\" column in the header");
			goto out;
		}
	}
	while ((st = sc_csv_next(csv, &nf, &f, &row)) != 0) {
		if (st < 0) {
			/* a list read in part would screen some names and miss others */
			list_error(path, &row, err);
			goto out;
		}
		if ((long)nf <= name_col)
			continue;   /* blank lines, OFAC's trailing EOF byte */
		const char *name = trimmed(f[name_col]);
		if (*name && add_name(l, name, strlen(name)) < 0)
			goto oom;
		if (alias_col >= 0 && (long)nf > alias_col) {
			char *a = f[alias_col], *save = NULL;
			for (char *t = strtok_r(a, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
				const char *tt = trimmed(t);
				if (*tt && add_name(l, tt, strlen(tt)) < 0)
					goto oom;
			}
		}
	}
	rc = 0;
	goto out;
oom:
	sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
out:
	sc_csv_free(csv);
	free(data);
	return rc;
}

struct sc_risk_screen_list *sc_risk_screen_load(const char *path, const char *format, struct sc_error *err)
{
	struct sc_risk_screen_list *l = calloc(1, sizeof *l);
	struct stat sb;
	char sdn[4096], alt[4096];
	int ofac;

	if (!l) {
		sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
		return NULL;
	}
	int isdir = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	ofac = format ? strcmp(format, "ofac") == 0 : (isdir || strcasecmp(base, "sdn.csv") == 0);
	if (format && strcmp(format, "ofac") != 0 && strcmp(format, "csv") != 0) {
		sc_error_set(err, path, 0, 0, "bad-list", "unknown list format \"%s\" (csv or ofac)", format);
		goto bad;
	}
	if (ofac) {
		if (isdir) {
			snprintf(sdn, sizeof sdn, "%s/sdn.csv", path);
			snprintf(alt, sizeof alt, "%s/alt.csv", path);
		} else {
			snprintf(sdn, sizeof sdn, "%s", path);
			snprintf(alt, sizeof alt, "%.*salt.csv", (int)(base - path), path);
		}
		if (load_csv(l, sdn, 1, 0, err) < 0)
			goto bad;
		if (access(alt, R_OK) == 0 && load_csv(l, alt, 1, 1, err) < 0)
			goto bad;
	} else if (load_csv(l, path, 0, 0, err) < 0) {
		goto bad;
	}
	return l;
bad:
	sc_risk_screen_free(l);
	return NULL;
}

void sc_risk_screen_free(struct sc_risk_screen_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->e[i].name);
		free(l->e[i].norm);
	}
	free(l->e);
	for (size_t i = 0; i < l->nslots; i++) {
		free(l->slots[i].token);
		free(l->slots[i].ids);
	}
	free(l->slots);
	free(l);
}

size_t sc_risk_screen_size(const struct sc_risk_screen_list *l)
{
	return l ? l->n : 0;
}

/* ---- matching ------------------------------------------------------------- */

/* how well tokens of x are covered by tokens of y, weighted by length */
static double coverage(const char *xs, const unsigned short *xt, int xn, const char *ys,
                       const unsigned short *yt, int yn)
{
	double num = 0, den = 0;
	for (int i = 0; i < xn; i++) {
		const char *a = xs + xt[i];
		size_t al = strcspn(a, " "), best_len = al;
		double best = 0;
		for (int k = 0; k < yn; k++) {
			const char *b = ys + yt[k];
			size_t bl = strcspn(b, " ");
			double s = sc_jaro_winkler(a, al, b, bl);
			if (s > best)
				best = s;
		}
		num += best * (double)best_len;
		den += (double)best_len;
	}
	return den > 0 ? num / den : 0;
}

struct cand {
	uint32_t id;     /* entry + 1; 0 is an empty slot */
	float w;         /* summed rarity of the tokens it shares with the query */
};

/* heap order: the weakest candidate on top; ties keep the lower id */
static int weaker(const struct cand *a, const struct cand *b)
{
	return a->w < b->w || (a->w == b->w && a->id > b->id);
}

static void sift_down(struct cand *h, int n, int i)
{
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && weaker(&h[l], &h[m]))
			m = l;
		if (r < n && weaker(&h[r], &h[m]))
			m = r;
		if (m == i)
			return;
		struct cand t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static int by_id(const void *a, const void *b)
{
	uint32_t x = ((const struct cand *)a)->id, y = ((const struct cand *)b)->id;
	return (x > y) - (x < y);
}

struct qtok {
	const struct posting *p;
};

static int by_posting(const void *a, const void *b)
{
	size_t x = ((const struct qtok *)a)->p->n, y = ((const struct qtok *)b)->p->n;
	return (x > y) - (x < y);
}

/*
 * Candidates share a token with the query, weighted by how rare the token is
 * in the list; only the TOP_K heaviest are scored with Jaro-Winkler, so a
 * name made of common words ("general trading") stays cheap on a long list.
 */
#define TOP_K 24
#define CAND_SLOTS 4096

double sc_risk_screen_match(const struct sc_risk_screen_list *l, const char *name, size_t len,
                       const char **matched)
{
	char q[SC_SCREEN_MAX_NAME * 2 + 8];
	unsigned short qt[MAX_TOKENS];
	struct qtok toks[MAX_TOKENS];
	struct cand slots[CAND_SLOTS], heap[TOP_K];
	int qn, nt = 0, nh = 0;
	size_t ql, taken = 0;
	double best = 0;

	if (matched)
		*matched = NULL;
	if (!l || !l->n)
		return 0;
	ql = normalize(name, len, q, sizeof q, qt, &qn);
	if (ql == 0)
		return 0;
	for (int k = 0; k < qn; k++) {
		const char *t = q + qt[k];
		struct posting *p = slot_for(l, t, strcspn(t, " "));
		if (p && p->token)
			toks[nt++].p = p;
	}
	if (nt == 0)
		return 0;
	qsort(toks, (size_t)nt, sizeof toks[0], by_posting);
	memset(slots, 0, sizeof slots);
	for (int k = 0; k < nt; k++) {
		const struct posting *p = toks[k].p;
		/* a common token only adds weight to candidates that rarer ones found */
		int add = taken == 0 || p->n <= COMMON_POSTING / 2;
		float w = (float)log((double)(l->n + 1) / (double)(p->n + 1)) + 0.1f;
		for (size_t i = 0; i < p->n; i++) {
			uint32_t id = p->ids[i] + 1;
			size_t h = (id * 2654435761u) % CAND_SLOTS;
			while (slots[h].id && slots[h].id != id)
				h = (h + 1) % CAND_SLOTS;
			if (slots[h].id == id)
				slots[h].w += w;
			else if (add && taken < CAND_SLOTS / 2) {
				slots[h].id = id;
				slots[h].w = w;
				taken++;
			}
		}
	}
	for (size_t i = 0; i < CAND_SLOTS; i++) {
		if (!slots[i].id)
			continue;
		if (nh < TOP_K) {
			heap[nh++] = slots[i];
			if (nh == TOP_K)
				for (int k = TOP_K / 2 - 1; k >= 0; k--)
					sift_down(heap, nh, k);
		} else if (weaker(&heap[0], &slots[i])) {
			heap[0] = slots[i];
			sift_down(heap, nh, 0);
		}
	}
	/* score in id order, so that ties go to the same entry every time */
	qsort(heap, (size_t)nh, sizeof heap[0], by_id);
	for (int i = 0; i < nh; i++) {
		const struct entry *e = &l->e[heap[i].id - 1];
		double s, tok;
		s = sc_jaro_winkler(q, ql, e->norm, strlen(e->norm));
		tok = (2 * coverage(q, qt, qn, e->norm, e->tok, e->ntok) +
		       coverage(e->norm, e->tok, e->ntok, q, qt, qn)) / 3;
		if (tok > s)
			s = tok;
		if (s > best + 1e-12) {
			best = s;
			if (matched)
				*matched = e->name;
		}
	}
	return best;
}
