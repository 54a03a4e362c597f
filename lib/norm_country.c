/*
 * norm_country.c - country names (English with common variants, Chinese) and
 * ISO 3166 codes to alpha-2. A curated table of the trading countries our
 * documents name; codes alone count only when they are the whole text.
 */
#include <string.h>

#include "norm.h"

struct country {
	const char a2[3], a3[4];
	const char *name;     /* English short name */
	const char *zh;       /* Chinese short name */
	const char *alias;    /* '|'-separated variants, or NULL */
};

static const struct country C[] = {
	{"AE", "ARE", "United Arab Emirates", "阿联酋", "UAE|U.A.E.|阿拉伯联合酋长国"},
	{"AR", "ARG", "Argentina", "阿根廷", NULL},
	{"AT", "AUT", "Austria", "奥地利", NULL},
	{"AU", "AUS", "Australia", "澳大利亚", NULL},
	{"BD", "BGD", "Bangladesh", "孟加拉国", "孟加拉"},
	{"BE", "BEL", "Belgium", "比利时", NULL},
	{"BG", "BGR", "Bulgaria", "保加利亚", NULL},
	{"BR", "BRA", "Brazil", "巴西", "Brasil"},
	{"BY", "BLR", "Belarus", "白俄罗斯", NULL},
	{"CA", "CAN", "Canada", "加拿大", NULL},
	{"CH", "CHE", "Switzerland", "瑞士", NULL},
	{"CL", "CHL", "Chile", "智利", NULL},
	{"CN", "CHN", "China", "中国", "P.R. China|PR China|P.R.C.|PRC|People's Republic of China|Mainland China|中华人民共和国"},
	{"CO", "COL", "Colombia", "哥伦比亚", NULL},
	{"CZ", "CZE", "Czechia", "捷克", "Czech Republic"},
	{"DE", "DEU", "Germany", "德国", "Deutschland|Federal Republic of Germany"},
	{"DK", "DNK", "Denmark", "丹麦", NULL},
	{"DZ", "DZA", "Algeria", "阿尔及利亚", NULL},
	{"EC", "ECU", "Ecuador", "厄瓜多尔", NULL},
	{"EG", "EGY", "Egypt", "埃及", NULL},
	{"ES", "ESP", "Spain", "西班牙", "Espana"},
	{"ET", "ETH", "Ethiopia", "埃塞俄比亚", NULL},
	{"FI", "FIN", "Finland", "芬兰", NULL},
	{"FR", "FRA", "France", "法国", NULL},
	{"GB", "GBR", "United Kingdom", "英国", "UK|U.K.|Great Britain|England|Scotland|Wales"},
	{"GH", "GHA", "Ghana", "加纳", NULL},
	{"GR", "GRC", "Greece", "希腊", NULL},
	{"HK", "HKG", "Hong Kong", "中国香港", "Hong Kong SAR|Hongkong|香港"},
	{"HU", "HUN", "Hungary", "匈牙利", NULL},
	{"ID", "IDN", "Indonesia", "印度尼西亚", "印尼"},
	{"IE", "IRL", "Ireland", "爱尔兰", NULL},
	{"IL", "ISR", "Israel", "以色列", NULL},
	{"IN", "IND", "India", "印度", NULL},
	{"IQ", "IRQ", "Iraq", "伊拉克", NULL},
	{"IR", "IRN", "Iran", "伊朗", "Iran, Islamic Republic of"},
	{"IT", "ITA", "Italy", "意大利", "Italia"},
	{"JP", "JPN", "Japan", "日本", NULL},
	{"KE", "KEN", "Kenya", "肯尼亚", NULL},
	{"KH", "KHM", "Cambodia", "柬埔寨", NULL},
	{"KP", "PRK", "North Korea", "朝鲜", "Korea, Democratic People's Republic of|DPRK"},
	{"KR", "KOR", "Korea, Republic of", "韩国", "South Korea|Republic of Korea|Korea"},
	{"KW", "KWT", "Kuwait", "科威特", NULL},
	{"KZ", "KAZ", "Kazakhstan", "哈萨克斯坦", NULL},
	{"LA", "LAO", "Laos", "老挝", "Lao People's Democratic Republic"},
	{"LK", "LKA", "Sri Lanka", "斯里兰卡", NULL},
	{"MA", "MAR", "Morocco", "摩洛哥", NULL},
	{"MM", "MMR", "Myanmar", "缅甸", "Burma"},
	{"MN", "MNG", "Mongolia", "蒙古", "蒙古国"},
	{"MO", "MAC", "Macao", "中国澳门", "Macau|澳门"},
	{"MX", "MEX", "Mexico", "墨西哥", NULL},
	{"MY", "MYS", "Malaysia", "马来西亚", NULL},
	{"NG", "NGA", "Nigeria", "尼日利亚", NULL},
	{"NL", "NLD", "Netherlands", "荷兰", "The Netherlands|Holland"},
	{"NO", "NOR", "Norway", "挪威", NULL},
	{"NZ", "NZL", "New Zealand", "新西兰", NULL},
	{"OM", "OMN", "Oman", "阿曼", NULL},
	{"PE", "PER", "Peru", "秘鲁", NULL},
	{"PH", "PHL", "Philippines", "菲律宾", NULL},
	{"PK", "PAK", "Pakistan", "巴基斯坦", NULL},
	{"PL", "POL", "Poland", "波兰", NULL},
	{"PT", "PRT", "Portugal", "葡萄牙", NULL},
	{"QA", "QAT", "Qatar", "卡塔尔", NULL},
	{"RO", "ROU", "Romania", "罗马尼亚", NULL},
	{"RU", "RUS", "Russian Federation", "俄罗斯", "Russia|俄罗斯联邦"},
	{"SA", "SAU", "Saudi Arabia", "沙特阿拉伯", "沙特"},
	{"SE", "SWE", "Sweden", "瑞典", NULL},
	{"SG", "SGP", "Singapore", "新加坡", NULL},
	{"SK", "SVK", "Slovakia", "斯洛伐克", NULL},
	{"TH", "THA", "Thailand", "泰国", NULL},
	{"TR", "TUR", "Turkiye", "土耳其", "Turkey|Türkiye"},
	{"TW", "TWN", "Taiwan", "中国台湾", "Taiwan, Province of China|台湾"},
	{"TZ", "TZA", "Tanzania", "坦桑尼亚", NULL},
	{"UA", "UKR", "Ukraine", "乌克兰", NULL},
	{"US", "USA", "United States", "美国", "United States of America|U.S.A.|U.S.|America"},
	{"UY", "URY", "Uruguay", "乌拉圭", NULL},
	{"UZ", "UZB", "Uzbekistan", "乌兹别克斯坦", NULL},
	{"VE", "VEN", "Venezuela", "委内瑞拉", NULL},
	{"VN", "VNM", "Viet Nam", "越南", "Vietnam"},
	{"ZA", "ZAF", "South Africa", "南非", NULL},
};
#define NC (sizeof C / sizeof C[0])

const char *sc_country_name(const char *a2)
{
	for (size_t k = 0; k < NC; k++)
		if (strcmp(C[k].a2, a2) == 0)
			return C[k].name;
	return NULL;
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == ',' || c == '.' || c == ':' || c == ';';
}

int sc_norm_country(const char *s, size_t n, char a2[3], struct sc_span *sp)
{
	struct sc_word_pick pk = SC_WORD_PICK_INIT;

	/* the whole text a code? */
	size_t b = 0, e = n;
	while (b < e && is_space((unsigned char)s[b]))
		b++;
	while (e > b && is_space((unsigned char)s[e - 1]))
		e--;
	if (e - b == 2 || e - b == 3) {
		for (size_t k = 0; k < NC; k++)
			if ((e - b == 2 && memcmp(s + b, C[k].a2, 2) == 0) ||
			    (e - b == 3 && memcmp(s + b, C[k].a3, 3) == 0)) {
				memcpy(a2, C[k].a2, 3);
				if (sp)
					sp->off = b, sp->len = e - b;
				return 0;
			}
	}
	for (size_t k = 0; k < NC; k++) {
		sc_word_pick_try(&pk, s, n, C[k].name, strlen(C[k].name), 0, (long)k);
		sc_word_pick_try(&pk, s, n, C[k].zh, strlen(C[k].zh), 0, (long)k);
		for (const char *p = C[k].alias; p && *p;) {
			const char *q = strchr(p, '|');
			size_t L = q ? (size_t)(q - p) : strlen(p);
			/* short upper-case aliases (UK, US, PRC) must match in upper case */
			sc_word_pick_try(&pk, s, n, p, L, L <= 4, (long)k);
			p = q ? q + 1 : p + L;
		}
	}
	if (pk.k < 0)
		return -1;
	/* "Korea" inside "North Korea" / "Korea, Democratic ...": the longest match
	 * starting earliest already wins; Hong Kong inside "中国香港" too. */
	memcpy(a2, C[pk.k].a2, 3);
	if (sp)
		sp->off = pk.at, sp->len = pk.len;
	return 0;
}
