/*
 * norm.h - normalizers and validators for the values on trade documents:
 * dates, amounts, currencies, weights and units, countries, ports, Incoterms,
 * HS codes, ISO 6346 container numbers, China's USCC and IBAN. Each lives in
 * its own lib/norm_*.c and is tested and fuzzed on its own.
 *
 * Every finder takes text that is not NUL-terminated (s, n), looks for the
 * first value of its kind in it, writes the normalized form and, when sp is
 * not NULL, where in s the value stood. They return 0 when found (and valid),
 * -1 when not. None allocates; none keeps state; all are thread-safe.
 */
#ifndef SC_NORM_H
#define SC_NORM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sc_span {
	size_t off, len;
};

/* ---- dates (norm_date.c) ------------------------------------------------ */
/* Which order wins when a numeric date reads both ways (03/04/2026). */
enum { SC_DATE_DMY = 0, SC_DATE_MDY = 1 };
/* Any common format: 2026-03-12, 20260312, 12/03/2026, 12.03.26, 12 March 2026,
 * Mar. 12, 2026, 12-MAR-2026, 2026年3月12日. iso gets "YYYY-MM-DD". */
int sc_norm_date(const char *s, size_t n, int order, char iso[11], struct sc_span *sp);
int sc_date_valid(int y, int m, int d);
/* An ISO date "YYYY-MM-DD" (optionally followed by 'T' or ' ' and a time) as
 * days since 1970-01-01; -1 when it is not one. The one ISO reader of the
 * toolchain: rule conditions, learning features and normalizers use it. */
int sc_date_iso_days(const char *s, size_t len, long *days);

/* ---- amounts (norm_amount.c) -------------------------------------------- */
/* A number with either decimal separator and thousands marks (1,234.56
 * 1.234,56 1 234,56 1'234.56 -12.5); *decimals gets the digits after the
 * separator. Digits beyond 15 significant are refused (no silent rounding). */
int sc_norm_amount(const char *s, size_t n, double *v, int *decimals, struct sc_span *sp);

/* ---- currencies (norm_currency.c) ----------------------------------------- */
/* ISO 4217 codes, symbols and names (USD, US$, $, EUR, €, 美元, 人民币, RMB,
 * "US Dollars") to the alphabetic code. A bare "$" reads as USD. */
int sc_norm_currency(const char *s, size_t n, char code[4], struct sc_span *sp);
int sc_currency_known(const char *code3);

/* ---- weights and units (norm_unit.c) -------------------------------------- */
/* A weight: number and unit (kg, KGS, kilos, MT, t, tonnes, lbs, g, 千克, 公斤,
 * 吨) to kilograms; a number without a unit is taken as kg when bare_kg. */
int sc_norm_weight(const char *s, size_t n, int bare_kg, double *kg, struct sc_span *sp);
/* A unit of quantity (PCS, SETS, 个, 套, KGS, M3, pairs, ...) to a short
 * canonical name ("pcs", "set", "kg", "m3", ...); *unit is static. */
int sc_norm_unit(const char *s, size_t n, const char **unit, struct sc_span *sp);

/* ---- countries (norm_country.c) ------------------------------------------- */
/* Names (English, common variants, Chinese) and alpha-2/alpha-3 codes to
 * ISO 3166 alpha-2. Codes count only when the whole text is the code (a
 * two-letter word inside a sentence is too often something else). */
int sc_norm_country(const char *s, size_t n, char a2[3], struct sc_span *sp);
/* The English short name of an alpha-2 code, or NULL. */
const char *sc_country_name(const char *a2);

/* ---- Incoterms 2020 (norm_incoterm.c) -------------------------------------- */
/* EXW FCA CPT CIP DAP DPU DDP FAS FOB CFR CIF; C&F/CNF -> CFR, DAT -> DPU,
 * names ("Free on Board") too. */
int sc_norm_incoterm(const char *s, size_t n, char code[4], struct sc_span *sp);

/* ---- HS codes (norm_hs.c) -------------------------------------------------- */
struct sc_hs;   /* a nomenclature: the known 4- and 6-digit codes */
enum {
	SC_HS_OK = 0,          /* chapter valid (and, with a nomenclature, heading and subheading known) */
	SC_HS_BAD_CHAPTER = 1, /* 00, 77 or above 97 */
	SC_HS_UNKNOWN_HEADING = 2,
	SC_HS_UNKNOWN_SUBHEADING = 3,
};
/* 4 to 10 digits, dots or spaces between groups optional (8482.10.0000,
 * 8482 10 00 00). digits gets the digits only; *status one of SC_HS_*.
 * Returns 0 when a code-shaped token was found (whatever its status). */
int sc_norm_hs(const char *s, size_t n, const struct sc_hs *nom, char digits[11], int *status,
               struct sc_span *sp);
/* Load a nomenclature: CSV with a column named hscode (UN Comtrade layout) or
 * one code per line. NULL on error with err filled. */
struct sc_error;
struct sc_hs *sc_hs_load(const char *path, struct sc_error *err);
void sc_hs_free(struct sc_hs *h);

/* ---- ISO 6346 container numbers (norm_container.c) -------------------------- */
/* 1 when c (11 chars: owner 3 letters, category U/J/Z, 6 digits, check digit) holds. */
int sc_container_valid(const char *c);
/* Find a container number; OCR confusions (O/0, I/1, S/5, B/8, Z/2, ...) are
 * repaired only when the repaired number's check digit then holds; *repaired
 * tells whether that happened. A well-shaped number whose check digit fails
 * is returned with status -2 (so callers can report it), out filled. */
int sc_norm_container(const char *s, size_t n, char out[12], int *repaired, struct sc_span *sp);

/* ---- China Unified Social Credit Code (norm_uscc.c) ------------------------- */
int sc_uscc_valid(const char *c18);
/* Find an 18-character USCC; -2 when shaped like one but its check fails. */
int sc_norm_uscc(const char *s, size_t n, char out[19], struct sc_span *sp);

/* ---- IBAN (norm_iban.c) ----------------------------------------------------- */
/* Compact form (no spaces, upper case), country length and mod-97 check. */
int sc_iban_valid(const char *iban, size_t n);
/* Find an IBAN (spaces in groups of four allowed); -2 when shaped but invalid. */
int sc_norm_iban(const char *s, size_t n, char out[35], struct sc_span *sp);

/* ---- ports (norm_port.c) ---------------------------------------------------- */
struct sc_ports;
struct json_t;
/* Build from a table {ports: {LOCODE: [name, alias, ...]}}; the jansson
 * value is borrowed only during the call. */
struct sc_ports *sc_ports_new(void);
int sc_ports_add(struct sc_ports *p, const char *locode, const char *name);
void sc_ports_free(struct sc_ports *p);
/* A UN/LOCODE given as such (CNSHA, "CN SHA") or a known port name. */
int sc_norm_port(const struct sc_ports *p, const char *s, size_t n, char locode[6], struct sc_span *sp);

/* ---- shared text helpers (norm_text.c) -------------------------------------- */
/* ASCII lower-case compare of n bytes. */
int sc_ci_eq(const char *a, const char *b, size_t n);
/* Find needle (ASCII case-insensitive, bytes otherwise) in s, at a word
 * boundary on both sides where the needle starts/ends with an ASCII
 * letter or digit. Returns the offset or -1. */
long sc_ci_find_word(const char *s, size_t n, const char *needle, size_t nlen);
/* The earliest of several word matches, and of those that start there the
 * longest: how the name tables (countries, currencies, Incoterms, ports)
 * pick one. k is the caller's index of the best so far, -1 for none. */
struct sc_word_pick { size_t at, len; long k; };
#define SC_WORD_PICK_INIT { (size_t)-1, 0, -1 }
/* Try needle (as sc_ci_find_word; with exact, its case must match too, so a
 * short upper-case code is not read in running text) as candidate k. */
void sc_word_pick_try(struct sc_word_pick *p, const char *s, size_t n, const char *needle,
                      size_t nlen, int exact, long k);

#ifdef __cplusplus
}
#endif

#endif
