/*
 * parse_value.c - the value readers of the templates: the text next to a
 * label read as the field's kind (a reference, a date, an amount, a party,
 * a weight, ...), with the span it came from and a quality.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse_doc.h"

/* ---- value extraction ------------------------------------------------------- */

void sc_pd_trim(const char *s, size_t *b, size_t *e)
{
	while (*b < *e && strchr(" :.,;#|-/_()[]", s[*b]))
		(*b)++;
	while (*e > *b && strchr(" :,;|-_(", s[*e - 1]))
		(*e)--;
}

int sc_pd_meaningful(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (sc_pd_isdig(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0xe0)
			return 1;
	}
	return 0;
}

json_t *sc_pd_num(double v)
{
	/* values as printed: round away binary noise */
	return json_real(round(v * 10000) / 10000);
}


/* A reference: the first token with a digit, 3 to 40 characters of letters,
 * digits and - / . */
int sc_pd_get_ref(const char *s, size_t n, struct val *o)
{
	for (size_t i = 0; i < n;) {
		while (i < n && s[i] == ' ')
			i++;
		size_t j = i;
		int dig = 0, bad = 0;
		while (j < n && s[j] != ' ') {
			unsigned char c = (unsigned char)s[j];
			if (sc_pd_isdig(c))
				dig++;
			else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || strchr("-/.", c)))
				bad = 1;
			j++;
		}
		size_t b = i, e = j;
		/* "INV- 2026-09564": OCR split a reference at its hyphen */
		if (!bad && j < n && j > i && (s[j - 1] == '-' || s[j - 1] == '/') && j + 1 < n &&
		    sc_pd_isdig((unsigned char)s[j + 1])) {
			size_t k = j + 1;
			while (k < n && s[k] != ' ')
				k++;
			e = j = k;
			dig = 1;
		}
		/* "HDMU5 14432082": OCR split a carrier's reference after its code */
		if (!bad && j - i >= 4 && j - i <= 8 && j < n) {
			int lead = 0;
			while (i + lead < j && s[i + lead] >= 'A' && s[i + lead] <= 'Z')
				lead++;
			int alld = lead == 4;
			for (size_t k = i + 4; alld && k < j; k++)
				alld = sc_pd_isdig((unsigned char)s[k]);
			size_t k = j + 1, nd = 0;
			while (k < n && sc_pd_isdig((unsigned char)s[k]))
				k++, nd++;
			if (alld && nd >= 4 && (k == n || s[k] == ' ') && (j - i - 4) + nd >= 8 && (j - i - 4) + nd <= 12)
				e = j = k;
		}
		while (e > b && strchr(".,;:/-", s[e - 1]))
			e--;
		while (b < e && strchr("/-.", s[b]))
			b++;
		if (!bad && dig && e - b >= 3 && e - b <= 40) {
			char buf[48];
			size_t o2 = 0;
			for (size_t k = b; k < e && o2 < sizeof buf - 1; k++)
				if (s[k] != ' ')
					buf[o2++] = s[k];
			/* a lower-case l among capitals and digits is a capital I (Cl-2026 is CI-2026) */
			for (size_t k = 0; k < o2; k++)
				if (buf[k] == 'l' && (k == 0 || !(buf[k - 1] >= 'a' && buf[k - 1] <= 'z')) &&
				    (k + 1 >= o2 || !(buf[k + 1] >= 'a' && buf[k + 1] <= 'z')))
					buf[k] = 'I';
			o->v = sc_parse_jstrn(buf, o2);
			o->off = b, o->len = e - b, o->q = 0.95;
			return 0;
		}
		i = j;
	}
	return -1;
}

int sc_pd_get_value(const struct ctx *c, enum kind k, const char *s, size_t n, struct val *o)
{
	struct sc_span sp = {0, 0};
	char buf[40];
	o->extra = NULL;
	o->q = 0.9;
	switch (k) {
	case K_TEXT: {
		size_t b = 0, e = n;
		sc_pd_trim(s, &b, &e);
		if (!sc_pd_meaningful(s + b, e - b) || e - b > 300)
			return -1;
		o->v = sc_parse_jstrn(s + b, e - b);
		o->off = b, o->len = e - b;
		return 0;
	}
	case K_REF:
		return sc_pd_get_ref(s, n, o);
	case K_DATE:
		if (sc_norm_date(s, n, c->mdy, buf, &sp) < 0)
			return -1;
		o->v = json_string(buf);
		break;
	case K_AMOUNT:
	case K_MONEY: {
		double v;
		int dec;
		/* skip numbers that are part of a date or a reference before the amount */
		if (sc_norm_amount(s, n, &v, &dec, &sp) < 0)
			return -1;
		o->v = sc_pd_num(v);
		if (k == K_MONEY && sc_norm_currency(s, n, buf, NULL) == 0)
			o->extra = json_string(buf);
		break;
	}
	case K_WEIGHT: {
		double kg;
		if (sc_norm_weight(s, n, 1, &kg, &sp) < 0)
			return -1;
		o->v = sc_pd_num(kg);
		break;
	}
	case K_INT: {
		double v;
		int dec;
		if (sc_norm_amount(s, n, &v, &dec, &sp) < 0 || dec != 0 || v < 0 || v > 1e9)
			return -1;
		o->v = json_integer((json_int_t)v);
		break;
	}
	case K_COUNTRY:
		if (sc_norm_country(s, n, buf, &sp) < 0)
			return -1;
		o->v = json_string(buf);
		break;
	case K_PORT:
		if (sc_norm_port(c->p->ports, s, n, buf, &sp) < 0)
			return -1;
		o->v = json_string(buf);
		break;
	case K_INCOTERM:
		if (sc_norm_incoterm(s, n, buf, &sp) < 0)
			return -1;
		o->v = json_string(buf);
		break;
	case K_CURRENCY:
		if (sc_norm_currency(s, n, buf, &sp) < 0)
			return -1;
		o->v = json_string(buf);
		break;
	case K_HS: {
		int st;
		if (sc_norm_hs(s, n, c->p->hs, buf, &st, &sp) < 0 || st == SC_HS_BAD_CHAPTER)
			return -1;
		o->v = json_string(buf);
		o->q = st == SC_HS_OK ? 0.95 : 0.6;
		break;
	}
	case K_UNIT: {
		const char *u;
		if (sc_norm_unit(s, n, &u, &sp) < 0)
			return -1;
		o->v = json_string(u);
		break;
	}
	case K_SEALS: {
		json_t *a = json_array();
		struct val r;
		size_t i = 0, first = 0, last = 0;
		while (i < n && json_array_size(a) < 20 && sc_pd_get_ref(s + i, n - i, &r) == 0) {
			char cn[12];
			int rep;
			const char *rs = json_string_value(r.v);
			if (strlen(rs) < 5 || sc_norm_container(rs, strlen(rs), cn, &rep, NULL) != -1) {
				/* a container (or a piece of one), not a seal */
				json_decref(r.v);
				i += r.off + r.len;
				continue;
			}
			if (!json_array_size(a))
				first = i + r.off;
			json_array_append(a, r.v);
			json_decref(r.v);
			last = i + r.off + r.len;
			i += r.off + r.len;
		}
		if (!json_array_size(a)) {
			json_decref(a);
			return -1;
		}
		o->v = a;
		o->off = first, o->len = last - first;
		return 0;
	}
	default:
		return -1;
	}
	o->off = sp.off, o->len = sp.len;
	return 0;
}

