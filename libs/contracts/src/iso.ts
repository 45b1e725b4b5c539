import { ValidateBy, type ValidationOptions } from 'class-validator';

// ISO 3166-1 alpha-2 (officially assigned) and ISO 4217 (active) codes: the one table every service
// validates against. User-assigned codes (XX, ZZ, XK, XYZ...) are deliberately absent.
const COUNTRIES = `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE
GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP
KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF
NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN
SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA
ZM ZW`;

const CURRENCIES = `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF
CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL
HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT
MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG
SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND
VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL`;

export const ISO_COUNTRIES: ReadonlySet<string> = new Set(COUNTRIES.split(/\s+/));
export const ISO_CURRENCIES: ReadonlySet<string> = new Set(CURRENCIES.split(/\s+/));

const ZERO = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'.split(' ');
const THREE = 'BHD IQD JOD KWD LYD OMR TND'.split(' ');
const FOUR = 'CLF UYW'.split(' ');

/** ISO 4217 minor unit digits of a currency (2 unless listed otherwise). */
export function currencyExponent(currency: string): number {
  if (ZERO.includes(currency)) return 0;
  if (THREE.includes(currency)) return 3;
  if (FOUR.includes(currency)) return 4;
  return 2;
}

/** A positive decimal written with digits and at most one dot (no sign, no exponent): `10`, `45.36`. */
export const POSITIVE_DECIMAL = /^(?=[0-9.]*[1-9])\d{1,12}(\.\d{1,8})?$/;

/** An officially assigned ISO 3166-1 alpha-2 code, exactly (upper case). */
export function isCountryCode(value: unknown): value is string {
  return typeof value === 'string' && ISO_COUNTRIES.has(value);
}

/** An active ISO 4217 code, exactly (upper case). */
export function isCurrencyCode(value: unknown): value is string {
  return typeof value === 'string' && ISO_CURRENCIES.has(value);
}

const anyCase = (value: unknown): unknown => (typeof value === 'string' ? value.toUpperCase() : value);

/** An ISO 3166-1 alpha-2 code in any case (the API accepts any case; callers keep it upper case). */
export function IsCountryCode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCountryCode',
      validator: {
        validate: (v: unknown) => isCountryCode(anyCase(v)),
        defaultMessage: () => '$property must be an ISO 3166-1 alpha-2 code (e.g. BR)',
      },
    },
    options,
  );
}

/** An ISO 4217 code in any case (callers keep it upper case). */
export function IsCurrencyCode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCurrencyCode',
      validator: {
        validate: (v: unknown) => isCurrencyCode(anyCase(v)),
        defaultMessage: () => '$property must be an ISO 4217 code (e.g. EUR)',
      },
    },
    options,
  );
}
