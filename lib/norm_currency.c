/*
 * norm_currency.c - currency codes, symbols and names to ISO 4217. The code
 * list holds the currencies in use (ISO 4217, list one); names and symbols
 * cover what invoices print, in English and Chinese.
 */
#include <string.h>

#include "norm.h"

static const char CODES[] =
	"AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN "
	"BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD "
	"FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY "
	"KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP "
	"MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR "
	"RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT "
	"TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL ";

int sc_currency_known(const char *c)
{
	if (strlen(c) != 3)
		return 0;
	for (const char *p = CODES; *p; p += 4)
		if (memcmp(p, c, 3) == 0)
			return 1;
	return 0;
}

/* Names and symbols, longest first where one contains another. */
static const struct {
	const char *text;
	const char *code;
} NAMES[] = {
	{"US dollars", "USD"}, {"US dollar", "USD"}, {"U.S. dollars", "USD"}, {"U.S.$", "USD"},
	{"US$", "USD"}, {"USD$", "USD"}, {"U$S", "USD"}, {"dollars", "USD"},
	{"euros", "EUR"}, {"euro", "EUR"}, {"\xe2\x82\xac", "EUR"},
	{"pounds sterling", "GBP"}, {"pound sterling", "GBP"}, {"\xc2\xa3", "GBP"},
	{"japanese yen", "JPY"}, {"yen", "JPY"}, {"\xc2\xa5", "CNY"}, {"\xef\xbf\xa5", "CNY"},
	{"renminbi", "CNY"}, {"RMB", "CNY"}, {"yuan", "CNY"},
	{"swiss francs", "CHF"}, {"swiss franc", "CHF"}, {"A$", "AUD"}, {"AU$", "AUD"},
	{"australian dollars", "AUD"}, {"australian dollar", "AUD"}, {"C$", "CAD"},
	{"canadian dollars", "CAD"}, {"HK$", "HKD"}, {"hong kong dollars", "HKD"}, {"S$", "SGD"},
	{"NZ$", "NZD"}, {"won", "KRW"}, {"\xe2\x82\xa9", "KRW"}, {"\xe2\x82\xb9", "INR"},
	{"rupees", "INR"}, {"R$", "BRL"}, {"reais", "BRL"}, {"\xe2\x82\xbd", "RUB"},
	{"\xe7\xbe\x8e\xe5\x85\x83", "USD"},                         /* 美元 */
	{"\xe6\xac\xa7\xe5\x85\x83", "EUR"},                         /* 欧元 */
	{"\xe6\x97\xa5\xe5\x85\x83", "JPY"},                         /* 日元 */
	{"\xe4\xba\xba\xe6\xb0\x91\xe5\xb8\x81", "CNY"},             /* 人民币 */
	{"\xe8\x8b\xb1\xe9\x95\x91", "GBP"},                         /* 英镑 */
	{"\xe6\xb8\xaf\xe5\xb8\x81", "HKD"},                         /* 港币 */
	{"\xe6\xbe\xb3\xe5\xa4\xa7\xe5\x88\xa9\xe4\xba\x9a\xe5\x85\x83", "AUD"}, /* 澳大利亚元 */
	{"\xe6\xbe\xb3\xe5\x85\x83", "AUD"},                         /* 澳元 */
	{"\xe5\x8a\xa0\xe6\x8b\xbf\xe5\xa4\xa7\xe5\x85\x83", "CAD"}, /* 加拿大元 */
	{"\xe7\x91\x9e\xe5\xa3\xab\xe6\xb3\x95\xe9\x83\x8e", "CHF"}, /* 瑞士法郎 */
	{"\xe9\x9f\xa9\xe5\x85\x83", "KRW"},                         /* 韩元 */
	{"\xe6\x96\xb0\xe5\x8a\xa0\xe5\x9d\xa1\xe5\x85\x83", "SGD"}, /* 新加坡元 */
};

static int upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int letter(int c)
{
	return (c >= 'a' && c <= 'z') || upper(c);
}

int sc_norm_currency(const char *s, size_t n, char code[4], struct sc_span *sp)
{
	struct sc_word_pick pk = SC_WORD_PICK_INIT;

	/* named forms and symbols: the earliest, longest wins; a short
	   upper-case form (RMB, A$) must match in upper case */
	for (size_t k = 0; k < sizeof NAMES / sizeof NAMES[0]; k++) {
		size_t L = strlen(NAMES[k].text);
		sc_word_pick_try(&pk, s, n, NAMES[k].text, L,
		                 L <= 4 && upper((unsigned char)NAMES[k].text[0]), (long)k);
	}
	size_t best = pk.at, blen = pk.len;
	const char *bcode = pk.k >= 0 ? NAMES[pk.k].code : NULL;
	/* three upper-case letters standing alone that are a code */
	for (size_t i = 0; i + 3 <= n && i < best; i++) {
		if (!upper((unsigned char)s[i]) || !upper((unsigned char)s[i + 1]) || !upper((unsigned char)s[i + 2]))
			continue;
		if ((i > 0 && letter((unsigned char)s[i - 1])) || (i + 3 < n && letter((unsigned char)s[i + 3])))
			continue;
		char c[4] = {s[i], s[i + 1], s[i + 2], 0};
		if (sc_currency_known(c)) {
			best = i, blen = 3, bcode = NULL;
			memcpy(code, c, 4);
			break;
		}
	}
	if (best == (size_t)-1) {
		/* a bare dollar sign: USD, the usual reading on trade documents */
		const char *d = memchr(s, '$', n);
		if (!d)
			return -1;
		best = (size_t)(d - s), blen = 1, bcode = "USD";
	}
	if (bcode)
		memcpy(code, bcode, 4);
	if (sp)
		sp->off = best, sp->len = blen;
	return 0;
}
