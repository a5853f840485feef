//! Money and units: what a number counts.
//!
//! A number kept digit for digit can still be a wrong fact: the en→pt test
//! model writes `£120 million` as "120 milhões de euros". This module reads
//! the currency or unit written beside each number — symbols (`£`, `US$`,
//! `R$`, `¥`, `%`, `km`), ISO 4217 codes (`GBP`) and the words of the
//! service's languages (en, id, pt, fr, zh, ja, ar: `pounds`, `libras`,
//! `livres sterling`, `英镑`, `ポンド`, `جنيه إسترليني`) — and the numbers
//! check compares what the paired numbers of source and target count.
//!
//! A marker stands for a *set* of meanings, because many are ambiguous: `$`
//! is any dollar (`US$`, `A$` and `dólares` all agree with it), `¥` is yen
//! or yuan, `pound` / `libra` / `livre` / `ポンド` is sterling or the weight,
//! `キロ` is a kilometre or a kilogram, `degrees` any scale. Two amounts
//! disagree only when their sets share nothing, so ambiguity never makes a
//! flag; the price is that `$5` → "5 dólares australianos" passes. `R$` is
//! the Brazilian real, never a dollar.
//!
//! What is flagged, and how hard:
//! - a paired amount whose currency or unit changed (`£500` → "500 euros",
//!   `10 km` → "10 milhas"): error;
//! - a percentage whose `%` the target dropped: error;
//! - a currency of the source named nowhere in the target: error when the
//!   target names a currency the source does not (the amount changed money
//!   and number at once), else a warning;
//! - a currency in the target that the source names nowhere: warning.
//!
//! Ranges and lists share their marker (`5-10%`, `$5 to 10 million`,
//! `200 e 400 metros`), and amounts spelled in words count (`two million
//! pounds`). Other dropped units are not flagged: translations restructure
//! "a 10-mile race" freely. The word lists are the usual news spellings,
//! checked against the six NTREX-128 references (pt-BR, fr, id, zh-CN, ja,
//! ar) for every currency and unit their English source uses; no I/O, no
//! panic on any input.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use warta_core::Lang;

use crate::number::{self, Scanned};
use crate::text::is_cjk_char;

/// What a marker can mean: ISO 4217 codes for currencies, symbols for units.
type Facts = &'static [&'static str];

const DOLLAR: Facts = &["USD", "AUD", "CAD", "NZD", "SGD", "HKD", "TWD"];
/// `pound`, `libra`, `livre`, `ポンド`, `磅`: sterling or the weight.
const POUND: Facts = &["GBP", "lb"];
/// French `livre`: also the Egyptian and Lebanese pound.
const LIVRE: Facts = &["GBP", "lb", "EGP", "LBP"];
/// Arabic `جنيه`: the Egyptian and Sudanese pound as much as sterling.
const JUNAYH: Facts = &["GBP", "EGP", "SDG"];
const YEN_OR_YUAN: Facts = &["JPY", "CNY"];
const RUPEE: Facts = &["INR", "PKR", "LKR", "NPR"];
/// Portuguese `rupia`, French `roupie`, Arabic `روبية`, Chinese `卢比`:
/// the rupee and the rupiah.
const RUPEE_OR_RUPIAH: Facts = &["INR", "PKR", "LKR", "NPR", "IDR"];
const PESO: Facts = &["MXN", "ARS", "CLP", "COP", "PHP", "UYU"];
/// Arabic `ريال` is also how Arabic writes the Brazilian real.
const RIYAL: Facts = &["SAR", "QAR", "OMR", "YER", "IRR", "BRL"];
const DIRHAM: Facts = &["AED", "MAD"];
const DINAR: Facts = &["KWD", "IQD", "JOD", "BHD", "LYD", "TND", "DZD"];
const LIRA: Facts = &["TRY", "LBP", "SYP"];
const KRONA: Facts = &["SEK", "NOK", "DKK", "ISK"];
const FRANC: Facts = &["CHF", "XOF", "XAF"];
const DEGREES: Facts = &["°C", "°F", "°"];
/// `キロ`, `كيلو`: kilometre, kilogram, or kilometres per hour (`時速100キロ`).
const KIRO: Facts = &["km", "kg", "km/h"];

const USD: Facts = &["USD"];
const EUR: Facts = &["EUR"];
const GBP: Facts = &["GBP"];
const JPY: Facts = &["JPY"];
const CNY: Facts = &["CNY"];
const IDR: Facts = &["IDR"];
const BRL: Facts = &["BRL"];
const PCT: Facts = &["%"];
const PP: Facts = &["pp"];
const KM: Facts = &["km"];
const M: Facts = &["m"];
const CM: Facts = &["cm"];
const MM: Facts = &["mm"];
const MI: Facts = &["mi"];
const FT: Facts = &["ft"];
const INCH: Facts = &["in"];
const KG: Facts = &["kg"];
const G: Facts = &["g"];
const LB: Facts = &["lb"];
const T: Facts = &["t"];
const C: Facts = &["°C"];
const F: Facts = &["°F"];
const L: Facts = &["l"];
const HA: Facts = &["ha"];
const KM2: Facts = &["km²"];
const M2: Facts = &["m²"];
const KMH: Facts = &["km/h"];
const MPH: Facts = &["mph"];

/// Currency symbols and ISO codes: the same in every language, before or
/// after the number, compared exactly.
#[rustfmt::skip]
const SYMBOLS: &[(&str, Facts)] = &[
    ("US$", USD), ("U$S", USD), ("R$", BRL), ("A$", &["AUD"]), ("AU$", &["AUD"]),
    ("C$", &["CAD"]), ("CA$", &["CAD"]), ("NZ$", &["NZD"]), ("S$", &["SGD"]), ("SG$", &["SGD"]),
    ("HK$", &["HKD"]), ("NT$", &["TWD"]), ("MX$", &["MXN"]), ("$", DOLLAR), ("€", EUR),
    ("£", GBP), ("¥", YEN_OR_YUAN), ("￥", YEN_OR_YUAN), ("₹", &["INR"]), ("₩", &["KRW"]),
    ("₽", &["RUB"]), ("₺", &["TRY"]), ("₱", &["PHP"]), ("฿", &["THB"]), ("₫", &["VND"]),
    ("₪", &["ILS"]), ("Rp.", IDR), ("Rp", IDR), ("RM", &["MYR"]), ("Rs.", RUPEE), ("Rs", RUPEE),
    ("USD", USD), ("EUR", EUR), ("GBP", GBP), ("IDR", IDR), ("JPY", JPY), ("CNY", CNY),
    ("RMB", CNY), ("INR", &["INR"]), ("KRW", &["KRW"]), ("CHF", &["CHF"]), ("BRL", BRL),
    ("AUD", &["AUD"]), ("CAD", &["CAD"]), ("SGD", &["SGD"]), ("HKD", &["HKD"]),
    ("MYR", &["MYR"]), ("SAR", &["SAR"]), ("AED", &["AED"]), ("RUB", &["RUB"]),
    ("TRY", &["TRY"]), ("MXN", &["MXN"]), ("ZAR", &["ZAR"]), ("NZD", &["NZD"]),
    ("THB", &["THB"]), ("PHP", &["PHP"]), ("EGP", &["EGP"]), ("QAR", &["QAR"]),
    ("KWD", &["KWD"]),
    // French and Portuguese shorthand glued to a scale letter: `5 M€`, `3 Md$`.
    ("M€", EUR), ("Md€", EUR), ("Mds€", EUR), ("k€", EUR), ("M$", DOLLAR), ("Md$", DOLLAR),
    ("$ US", USD), ("$US", USD),
];

/// Unit symbols: after the number only, compared exactly (`g` is a gram,
/// `G` a network generation). `m` is English only in words: `£5-10m` and
/// `100m people` are millions.
#[rustfmt::skip]
const UNIT_SYMBOLS: &[(&str, Facts)] = &[
    ("%", PCT), ("٪", PCT), ("％", PCT), ("p.p.", PP), ("pp", PP),
    ("km²", KM2), ("km2", KM2), ("m²", M2), ("m2", M2), ("km/h", KMH), ("km/j", KMH),
    ("km/jam", KMH), ("kph", KMH), ("mph", MPH),
    ("°C", C), ("ºC", C), ("℃", C), ("° C", C), ("°F", F), ("ºF", F), ("℉", F), ("° F", F), ("°", DEGREES),
    ("kWh", &["kWh"]), ("MWh", &["MWh"]), ("GWh", &["GWh"]), ("TWh", &["TWh"]),
    ("kW", &["kW"]), ("MW", &["MW"]), ("GW", &["GW"]), ("GB", &["GB"]), ("MB", &["MB"]),
    ("TB", &["TB"]), ("km", KM), ("cm", CM), ("mm", MM), ("kg", KG), ("mg", &["mg"]),
    ("ml", &["ml"]), ("mL", &["ml"]), ("ha", HA), ("ft", FT), ("lb", LB), ("lbs", LB),
    ("oz", &["oz"]), ("g", G), ("l", L), ("L", L),
];

/// Words, per language, compared ignoring case. Longer entries win
/// (`dólares americanos` over `dólares`).
#[rustfmt::skip]
fn words(code: &str) -> &'static [(&'static str, Facts)] {
    match code {
        "en" => &[
            ("US dollars", USD), ("U.S. dollars", USD), ("American dollars", USD),
            ("Australian dollars", &["AUD"]), ("Canadian dollars", &["CAD"]),
            ("Hong Kong dollars", &["HKD"]), ("Singapore dollars", &["SGD"]),
            ("dollars", DOLLAR), ("dollar", DOLLAR), ("euros", EUR), ("euro", EUR),
            ("pounds sterling", GBP), ("pound sterling", GBP), ("pence", GBP),
            ("pounds", POUND), ("pound", POUND), ("yen", JPY), ("yuan", CNY), ("renminbi", CNY),
            ("rupiah", IDR), ("rupees", RUPEE), ("rupee", RUPEE), ("ringgit", &["MYR"]),
            ("won", &["KRW"]), ("reais", BRL), ("reals", BRL), ("pesos", PESO), ("peso", PESO),
            ("riyals", RIYAL), ("riyal", RIYAL), ("dirhams", DIRHAM), ("dirham", DIRHAM),
            ("dinars", DINAR), ("dinar", DINAR), ("lira", LIRA), ("liras", LIRA),
            ("rubles", &["RUB"]), ("ruble", &["RUB"]), ("roubles", &["RUB"]), ("rouble", &["RUB"]),
            ("Swiss francs", &["CHF"]), ("francs", FRANC), ("franc", FRANC), ("rand", &["ZAR"]),
            ("baht", &["THB"]), ("shekels", &["ILS"]), ("kronor", KRONA), ("kroner", KRONA),
            ("krona", KRONA), ("krone", KRONA),
            ("per cent", PCT), ("percent", PCT), ("pct", PCT),
            ("percentage points", PP), ("percentage point", PP),
            ("square kilometres", KM2), ("square kilometers", KM2), ("square metres", M2),
            ("square meters", M2), ("square miles", &["mi²"]), ("square feet", &["ft²"]),
            ("kilometres per hour", KMH), ("kilometers per hour", KMH), ("miles per hour", MPH),
            ("kilometres", KM), ("kilometers", KM), ("kilometre", KM), ("kilometer", KM),
            ("metres", M), ("meters", M), ("metre", M), ("meter", M),
            ("centimetres", CM), ("centimeters", CM), ("millimetres", MM), ("millimeters", MM),
            ("miles", MI), ("mile", MI), ("mi", MI), ("feet", FT), ("foot", FT),
            ("inches", INCH), ("inch", INCH), ("yards", &["yd"]),
            ("kilograms", KG), ("kilogrammes", KG), ("kilogram", KG), ("kilos", KG), ("kilo", KG),
            ("grams", G), ("grammes", G), ("gram", G), ("tonnes", T), ("tonne", T), ("tons", T),
            ("ton", T), ("ounces", &["oz"]),
            ("degrees Celsius", C), ("degrees centigrade", C), ("Celsius", C),
            ("degrees Fahrenheit", F), ("Fahrenheit", F), ("degrees", DEGREES), ("degree", DEGREES),
            ("litres", L), ("liters", L), ("litre", L), ("liter", L), ("gallons", &["gal"]),
            ("hectares", HA), ("hectare", HA), ("acres", &["acre"]), ("acre", &["acre"]),
            ("knots", &["kn"]), ("megawatts", &["MW"]), ("kilowatts", &["kW"]), ("gigawatts", &["GW"]),
        ],
        "pt" => &[
            ("dólares americanos", USD), ("dólar americano", USD), ("dólares norte-americanos", USD),
            ("dólares dos EUA", USD), ("dólares estadunidenses", USD),
            ("dólares australianos", &["AUD"]), ("dólares canadenses", &["CAD"]),
            ("dólares", DOLLAR), ("dólar", DOLLAR), ("euros", EUR), ("euro", EUR),
            ("libras esterlinas", GBP), ("libra esterlina", GBP), ("libras", POUND), ("libra", POUND),
            ("ienes", JPY), ("iene", JPY), ("yens", JPY), ("yuans", CNY), ("yuan", CNY),
            ("iuanes", CNY), ("iuane", CNY), ("renminbis", CNY), ("reais", BRL), ("real", BRL),
            ("rupias indianas", &["INR"]), ("rupias indonésias", IDR), ("rupias", RUPEE_OR_RUPIAH),
            ("rupia", RUPEE_OR_RUPIAH), ("pesos", PESO), ("peso", PESO), ("rublos", &["RUB"]),
            ("ringgits", &["MYR"]), ("wons", &["KRW"]), ("francos suíços", &["CHF"]),
            ("francos", FRANC), ("liras", LIRA), ("coroas", KRONA), ("rands", &["ZAR"]),
            ("por cento", PCT), ("porcento", PCT), ("pontos percentuais", PP), ("ponto percentual", PP),
            ("quilômetros quadrados", KM2), ("quilómetros quadrados", KM2), ("metros quadrados", M2),
            ("milhas quadradas", &["mi²"]), ("quilômetros por hora", KMH), ("quilómetros por hora", KMH),
            ("milhas por hora", MPH),
            ("quilômetros", KM), ("quilómetros", KM), ("quilômetro", KM), ("quilómetro", KM),
            ("metros", M), ("metro", M), ("centímetros", CM), ("milímetros", MM),
            ("milhas", MI), ("milha", MI), ("pés", FT), ("polegadas", INCH), ("jardas", &["yd"]),
            ("quilos", KG), ("quilo", KG), ("quilogramas", KG), ("quilograma", KG),
            ("gramas", G), ("grama", G), ("toneladas", T), ("tonelada", T), ("onças", &["oz"]),
            ("graus Celsius", C), ("graus centígrados", C), ("graus Fahrenheit", F),
            ("graus", DEGREES), ("grau", DEGREES), ("litros", L), ("litro", L), ("galões", &["gal"]),
            ("hectares", HA), ("hectare", HA), ("acres", &["acre"]), ("megawatts", &["MW"]),
            ("m", M),
        ],
        "fr" => &[
            ("dollars américains", USD), ("dollars US", USD), ("dollars canadiens", &["CAD"]),
            ("dollars australiens", &["AUD"]), ("dollars", DOLLAR), ("dollar", DOLLAR),
            ("euros", EUR), ("euro", EUR), ("livres sterling", GBP), ("livre sterling", GBP),
            ("livres turques", &["TRY"]), ("livres égyptiennes", &["EGP"]),
            ("livres libanaises", &["LBP"]), ("livres", LIVRE), ("livre", LIVRE),
            ("yens", JPY), ("yen", JPY), ("yuans", CNY), ("yuan", CNY), ("renminbis", CNY),
            ("roupies indonésiennes", IDR), ("roupies indiennes", &["INR"]),
            ("roupies", RUPEE_OR_RUPIAH), ("roupie", RUPEE_OR_RUPIAH), ("réaux", BRL), ("reais", BRL),
            ("réals", BRL), ("réal", BRL), ("pesos", PESO), ("roubles", &["RUB"]), ("rouble", &["RUB"]),
            ("francs suisses", &["CHF"]), ("francs CFA", &["XOF", "XAF"]), ("francs", FRANC),
            ("franc", FRANC), ("dirhams", DIRHAM), ("dinars", DINAR), ("couronnes", KRONA),
            ("wons", &["KRW"]), ("won", &["KRW"]), ("ringgits", &["MYR"]),
            ("pour cent", PCT), ("pourcent", PCT), ("points de pourcentage", PP),
            ("point de pourcentage", PP),
            ("kilomètres carrés", KM2), ("mètres carrés", M2), ("kilomètres par heure", KMH),
            ("kilomètres-heure", KMH), ("kilomètres", KM), ("kilomètre", KM), ("mètres", M),
            ("mètre", M), ("centimètres", CM), ("millimètres", MM), ("milles", MI), ("miles", MI),
            ("pieds", FT), ("pouces", INCH), ("kilos", KG), ("kilo", KG), ("kilogrammes", KG),
            ("kilogramme", KG), ("grammes", G), ("tonnes", T), ("tonne", T),
            ("degrés Celsius", C), ("degrés Fahrenheit", F), ("degrés", DEGREES), ("degré", DEGREES),
            ("litres", L), ("litre", L), ("hectares", HA), ("acres", &["acre"]), ("nœuds", &["kn"]),
            ("mégawatts", &["MW"]), ("m", M),
        ],
        "id" | "ms" => &[
            ("dolar Amerika Serikat", USD), ("dolar Amerika", USD), ("dolar AS", USD),
            ("dollar AS", USD), ("dolar Australia", &["AUD"]), ("dolar Singapura", &["SGD"]),
            ("dolar Hong Kong", &["HKD"]), ("dolar", DOLLAR), ("dollar", DOLLAR), ("euro", EUR),
            ("pound sterling", GBP), ("poundsterling", GBP), ("pound", POUND),
            ("yen", JPY), ("yuan", CNY), ("renminbi", CNY), ("rupiah", IDR), ("rupee", RUPEE),
            ("rupe", RUPEE), ("ringgit", &["MYR"]), ("won", &["KRW"]), ("baht", &["THB"]),
            ("peso", PESO), ("riyal", RIYAL), ("real", BRL), ("dirham", DIRHAM), ("dinar", DINAR),
            ("rubel", &["RUB"]), ("lira", LIRA), ("franc Swiss", &["CHF"]), ("franc", FRANC),
            ("persen", PCT), ("poin persentase", PP), ("persen poin", PP),
            ("kilometer persegi", KM2), ("meter persegi", M2), ("kilometer per jam", KMH),
            ("km per jam", KMH), ("mil per jam", MPH),
            ("kilometer", KM), ("meter", M), ("sentimeter", CM), ("milimeter", MM), ("mil", MI),
            ("kaki", FT), ("inci", INCH), ("kilogram", KG), ("kilo", KG), ("gram", G), ("ton", T),
            ("pon", LB), ("derajat Celsius", C), ("derajat Fahrenheit", F), ("derajat", DEGREES),
            ("liter", L), ("hektare", HA), ("hektar", HA), ("knot", &["kn"]),
            ("megawatt", &["MW"]), ("m", M),
        ],
        "zh" => &[
            ("美元", USD), ("美金", USD), ("澳元", &["AUD"]), ("加元", &["CAD"]), ("港元", &["HKD"]),
            ("港币", &["HKD"]), ("新加坡元", &["SGD"]), ("新元", &["SGD"]), ("新台币", &["TWD"]),
            ("欧元", EUR), ("英镑", GBP), ("镑", POUND), ("日元", JPY), ("日圆", JPY),
            ("元人民币", CNY), ("人民币", CNY), ("印尼盾", IDR), ("印尼卢比", IDR),
            ("卢比", RUPEE_OR_RUPIAH), ("韩元", &["KRW"]), ("林吉特", &["MYR"]), ("雷亚尔", BRL),
            ("卢布", &["RUB"]), ("瑞士法郎", &["CHF"]), ("法郎", FRANC), ("里拉", LIRA),
            ("比索", PESO), ("泰铢", &["THB"]), ("里亚尔", RIYAL), ("迪拉姆", DIRHAM),
            ("第纳尔", DINAR), ("元", CNY),
            ("个百分点", PP), ("百分点", PP),
            ("平方公里", KM2), ("平方千米", KM2), ("平方米", M2), ("平方英里", &["mi²"]),
            ("公里", KM), ("千米", KM), ("厘米", CM), ("毫米", MM), ("米", M), ("英里", MI),
            ("英尺", FT), ("英寸", INCH), ("公斤", KG), ("千克", KG), ("克", G), ("吨", T),
            ("磅", POUND), ("摄氏度", C), ("华氏度", F), ("度", DEGREES), ("升", L),
            ("公顷", HA), ("英亩", &["acre"]), ("兆瓦", &["MW"]), ("千瓦", &["kW"]),
        ],
        "ja" => &[
            ("米ドル", USD), ("豪ドル", &["AUD"]), ("カナダドル", &["CAD"]), ("香港ドル", &["HKD"]),
            ("シンガポールドル", &["SGD"]), ("ドル", DOLLAR), ("ユーロ", EUR), ("英ポンド", GBP),
            ("ポンド", POUND), ("円", JPY), ("人民元", CNY), ("元", CNY), ("ルピア", IDR),
            ("ルピー", RUPEE), ("ウォン", &["KRW"]), ("リンギット", &["MYR"]), ("レアル", BRL),
            ("ルーブル", &["RUB"]), ("スイスフラン", &["CHF"]), ("フラン", FRANC), ("リラ", LIRA),
            ("ペソ", PESO), ("バーツ", &["THB"]),
            ("パーセント", PCT), ("ポイント", PP),
            ("平方キロメートル", KM2), ("平方キロ", KM2), ("平方メートル", M2),
            ("キロメートル", KM), ("キログラム", KG), ("キロ", KIRO), ("メートル", M),
            ("センチメートル", CM), ("センチ", CM), ("ミリメートル", MM), ("マイル", MI),
            ("フィート", FT), ("インチ", INCH), ("グラム", G), ("トン", T), ("度", DEGREES),
            ("リットル", L), ("ヘクタール", HA), ("エーカー", &["acre"]),
        ],
        "ar" => &[
            ("دولار أمريكي", USD), ("دولارا أمريكيا", USD), ("دولار أميركي", USD),
            ("دولارا أميركيا", USD), ("دولارات أمريكية", USD), ("دولارات أميركية", USD),
            ("دولار", DOLLAR), ("دولارا", DOLLAR), ("دولارات", DOLLAR), ("يورو", EUR),
            ("جنيه إسترليني", GBP), ("جنيه استرليني", GBP), ("جنيها إسترلينيا", GBP),
            ("جنيها استرلينيا", GBP), ("جنيهات إسترلينية", GBP), ("جنيهات استرلينية", GBP),
            ("إسترليني", GBP), ("استرليني", GBP),
            ("جنيه", JUNAYH), ("جنيها", JUNAYH), ("جنيهات", JUNAYH), ("ين", JPY), ("يوان", CNY),
            ("روبية", RUPEE_OR_RUPIAH), ("روبيات", RUPEE_OR_RUPIAH), ("ريال", RIYAL),
            ("ريالا", RIYAL), ("ريالات", RIYAL), ("درهم", DIRHAM), ("دراهم", DIRHAM),
            ("دينار", DINAR), ("دينارا", DINAR), ("دنانير", DINAR), ("ليرة", LIRA),
            ("ليرات", LIRA), ("روبل", &["RUB"]), ("فرنك", FRANC), ("رينغيت", &["MYR"]),
            ("وون", &["KRW"]), ("بيزو", PESO),
            ("في المائة", PCT), ("في المئة", PCT), ("بالمائة", PCT), ("بالمئة", PCT),
            ("نقطة مئوية", PP), ("نقاط مئوية", PP),
            ("ميل في الساعة", MPH), ("ميلا في الساعة", MPH), ("أميال في الساعة", MPH),
            ("كيلومتر في الساعة", KMH), ("كيلومترا في الساعة", KMH), ("كيلو متر في الساعة", KMH),
            ("كيلو مترا في الساعة", KMH), ("كم في الساعة", KMH),
            ("كيلو متر", KM), ("كيلو مترا", KM), ("كيلو مترات", KM), ("كيلو", KIRO),
            ("كيلومتر مربع", KM2), ("كيلومترات مربعة", KM2), ("كيلومتر", KM), ("كيلومترا", KM),
            ("كيلومترات", KM), ("كم", KM), ("متر", M), ("مترا", M), ("أمتار", M),
            ("سنتيمتر", CM), ("ميل", MI), ("ميلا", MI), ("أميال", MI), ("قدم", FT), ("أقدام", FT),
            ("بوصة", INCH), ("كيلوغرام", KG), ("كيلوغرامات", KG), ("كيلوجرام", KG), ("كغ", KG),
            ("كلغ", KG), ("غرام", G), ("جرام", G), ("طن", T), ("أطنان", T),
            ("رطل", LB), ("أرطال", LB), ("درجة مئوية", C), ("درجات مئوية", C),
            ("درجة فهرنهايت", F), ("درجة", DEGREES), ("درجات", DEGREES), ("لتر", L),
            ("لترات", L), ("هكتار", HA),
        ],
        _ => &[],
    }
}

/// One way of writing a currency or unit.
#[derive(Debug, Clone, Copy)]
struct Marker {
    text: &'static str,
    facts: Facts,
    /// Compared case-sensitively.
    exact: bool,
    /// May stand before the number (`£5`, `US$ 5`, `Rp 5`).
    before: bool,
}

/// ISO 4217 codes are three capital letters; unit symbols never are.
fn is_currency(fact: &str) -> bool {
    fact.len() == 3 && fact.bytes().all(|b| b.is_ascii_uppercase())
}

/// Currency names of the Latin-script languages, recognised in every
/// language: text and machine output borrow them (the en→pt model writes
/// "10.000,5 rupiah"; Chinese copy may keep "rupiah"). Only names that are
/// nothing but a currency travel: `pound` may weigh, `real` is an English
/// adjective.
fn loaned() -> impl Iterator<Item = (&'static str, Facts)> {
    ["en", "pt", "fr", "id"]
        .into_iter()
        .flat_map(words)
        .copied()
        .filter(|(text, facts)| *text != "real" && facts.iter().all(|f| is_currency(f)))
}

/// The markers of one language, longest first, and indexed by their first
/// character (lower-cased) so a text is searched in one pass.
struct Lexicon {
    all: Vec<Marker>,
    by_first: HashMap<char, Vec<Marker>>,
}

impl Lexicon {
    /// Markers that may start with character `c` of a text.
    fn starting(&self, c: char) -> &[Marker] {
        self.by_first.get(&fold(c)).map_or(&[], Vec::as_slice)
    }
}

fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

fn lexicon(lang: Lang) -> &'static Lexicon {
    static BY_LANG: LazyLock<HashMap<&'static str, Lexicon>> = LazyLock::new(|| {
        let mut m = HashMap::new();
        for code in ["", "en", "pt", "fr", "id", "ms", "zh", "ja", "ar"] {
            let mut v: Vec<Marker> = SYMBOLS
                .iter()
                .map(|&(text, facts)| Marker {
                    text,
                    facts,
                    exact: true,
                    before: true,
                })
                .chain(UNIT_SYMBOLS.iter().map(|&(text, facts)| Marker {
                    text,
                    facts,
                    exact: true,
                    before: false,
                }))
                .chain(words(code).iter().map(|&(text, facts)| Marker {
                    text,
                    facts,
                    exact: false,
                    before: false,
                }))
                .chain(loaned().map(|(text, facts)| Marker {
                    text,
                    facts,
                    exact: false,
                    before: false,
                }))
                .collect();
            v.sort_by_key(|k| std::cmp::Reverse(k.text.chars().count()));
            let mut by_first: HashMap<char, Vec<Marker>> = HashMap::new();
            for k in &v {
                if let Some(c) = k.text.chars().next() {
                    by_first.entry(fold(c)).or_default().push(*k);
                }
            }
            m.insert(code, Lexicon { all: v, by_first });
        }
        m
    });
    BY_LANG
        .get(lang.code())
        .or_else(|| BY_LANG.get(""))
        .expect("the default lexicon is built")
}

/// Arabic short vowels, tanween and tatweel: written or not, same word.
fn is_harakah(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}')
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{00A0}' | '\u{202F}' | '\u{2009}')
}

fn same_char(a: char, b: char, exact: bool) -> bool {
    a == b || (!exact && a.to_lowercase().eq(b.to_lowercase()))
}

/// A word whose end must not run into more letters (`kmh`, `mais`); CJK
/// and symbols end anywhere.
fn needs_boundary(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk_char(c)
}

/// `m` matched at byte `at` of `text`: the byte where the match ends. A
/// space in the marker matches any run of spaces; Arabic vowel marks in the
/// text are skipped.
fn match_forward(text: &str, at: usize, m: &Marker) -> Option<usize> {
    let mut i = at;
    for (k, e) in m.text.chars().enumerate() {
        if e == ' ' {
            while let Some(c) = text.get(i..)?.chars().next().filter(|&c| is_harakah(c)) {
                i += c.len_utf8();
            }
            let start = i;
            while let Some(c) = text.get(i..)?.chars().next().filter(|&c| is_space(c)) {
                i += c.len_utf8();
            }
            if i == start {
                return None;
            }
            continue;
        }
        loop {
            let c = text.get(i..)?.chars().next()?;
            if k > 0 && is_harakah(c) {
                i += c.len_utf8();
                continue;
            }
            if !same_char(c, e, m.exact) {
                return None;
            }
            i += c.len_utf8();
            break;
        }
    }
    while let Some(c) = text.get(i..)?.chars().next().filter(|&c| is_harakah(c)) {
        i += c.len_utf8();
    }
    let last = m.text.chars().next_back()?;
    let next = text.get(i..)?.chars().next();
    if needs_boundary(last) && next.is_some_and(|c| c.is_alphanumeric()) {
        return None;
    }
    Some(i)
}

/// `m` (a symbol or code) ending at byte `at`: where it starts.
fn match_backward(text: &str, at: usize, m: &Marker) -> Option<usize> {
    let start = at.checked_sub(m.text.len())?;
    if !text.is_char_boundary(start) || text.get(start..at)? != m.text {
        return None;
    }
    let first = m.text.chars().next()?;
    if needs_boundary(first)
        && text[..start]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
    {
        return None;
    }
    Some(start)
}

/// Skip up to `max` space characters from byte `at`.
fn skip_spaces(text: &str, at: usize, max: usize) -> usize {
    let mut i = at;
    for c in text[at..].chars().take(max) {
        if !is_space(c) {
            break;
        }
        i += c.len_utf8();
    }
    i
}

/// A currency symbol or code right before byte `at` (one space allowed).
fn marker_before(text: &str, at: usize, lang: Lang) -> Option<(usize, Facts)> {
    let head = &text[..at];
    let trimmed = head.trim_end_matches(is_space);
    if head[trimmed.len()..].chars().count() > 1 {
        return None;
    }
    lexicon(lang)
        .all
        .iter()
        .filter(|m| m.before)
        .find_map(|m| Some((match_backward(text, trimmed.len(), m)?, m.facts)))
}

/// Words joining a scale word to its currency: `120 milhões de euros`,
/// `11 millions d'euros`.
const LINKS: &[&str] = &["de ", "d'", "d’", "of "];

/// A marker right after byte `at` (one space, or in English a hyphen:
/// `10-mile`), possibly after a link word to a currency when the number had
/// a scale word (`120 milhões de euros`).
fn marker_after(text: &str, at: usize, scaled: bool, lang: Lang) -> Option<(usize, Facts)> {
    let mut p = skip_spaces(text, at, 1);
    let hyphen = p == at && lang.code() == "en" && text[at..].starts_with('-');
    if hyphen {
        p = at + 1;
    }
    let lex = lexicon(lang);
    let try_at = |q: usize| {
        let c = text.get(q..)?.chars().next()?;
        lex.starting(c)
            .iter()
            // `10-mile`, never `£5m-£10m`: after a hyphen, only a word.
            .filter(|m| !hyphen || m.text.starts_with(char::is_alphabetic))
            .find_map(|m| {
                let end = match_forward(text, q, m)?;
                // `5 € 10`: a symbol that stands before the next number is its own.
                let next = text[skip_spaces(text, end, 1)..].chars().next();
                if m.before && next.is_some_and(|c| number::digit(c).is_some()) {
                    return None;
                }
                Some((end, m.facts))
            })
    };
    if scaled {
        for link in LINKS {
            if text
                .get(p..p + link.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(link))
            {
                let q = skip_spaces(text, p + link.len(), 1);
                if let Some(hit) = try_at(q).filter(|(_, f)| f.iter().any(|x| is_currency(x))) {
                    return Some(hit);
                }
            }
        }
    }
    try_at(p)
}

/// What one number of a text counts, when a marker says so.
#[derive(Debug, Clone)]
pub(crate) struct Counted {
    /// Byte range of the amount as shown in messages: marker(s) and number.
    pub range: Range<usize>,
    pub facts: Vec<&'static str>,
    /// The facts came from a neighbour in a range or list (`5-10%`).
    shared: bool,
    prefix: bool,
    suffix: bool,
}

impl Counted {
    fn money(&self) -> bool {
        !self.facts.is_empty() && self.facts.iter().all(|f| is_currency(f))
    }
    fn has_currency(&self) -> bool {
        self.facts.iter().any(|f| is_currency(f))
    }
    fn percent(&self) -> bool {
        self.facts == ["%"]
    }
}

fn intersects(a: &[&str], b: &[&str]) -> bool {
    a.iter().any(|x| b.contains(x))
}

/// Words and signs that join two numbers sharing one marker: ranges
/// (`5-10%`, `5 a 10%`, `5至10%`) and lists (`200 e 400 metros`).
fn connects(between: &str) -> bool {
    const JOINERS: &[&str] = &[
        "-", "–", "—", "~", "～", "〜", "/", "to", "and", "or", "a", "e", "ou", "até", "à", "et",
        "y", "dan", "atau", "hingga", "sampai", "ke", "至", "到", "和", "或", "、", "から", "إلى",
        "و", "أو",
    ];
    let t = between.trim_matches(|c: char| c.is_whitespace() || is_space(c));
    let t = t.strip_prefix(',').unwrap_or(t).trim();
    t.is_empty() || JOINERS.iter().any(|j| t.eq_ignore_ascii_case(j))
}

/// The marker of every number of `text` (`None` where none is written).
pub(crate) fn counted(text: &str, lang: Lang, found: &[Scanned]) -> Vec<Option<Counted>> {
    let cjk = matches!(lang.script(), "Hans" | "Hant" | "Jpan");
    let mut out: Vec<Option<Counted>> = found
        .iter()
        .map(|f| {
            if f.clock {
                return None;
            }
            let before = marker_before(text, f.range.start, lang);
            // `G20`, `COVID-19`: a name, unless the letters are a currency
            // (`Rp10.000`). CJK writes every number against its words.
            // Arabic glues its conjunctions and prepositions to the number (`و43`).
            let after_cjk_or_arabic = text[..f.range.start]
                .chars()
                .next_back()
                .is_some_and(|c| is_cjk_char(c) || ('\u{0600}'..='\u{06FF}').contains(&c));
            if f.glued_before && !after_cjk_or_arabic && before.is_none() {
                return None;
            }
            let scaled = f.scale_end > f.range.end;
            let after = marker_after(text, f.scale_end, scaled, lang);
            let mut facts: Vec<&'static str> = match (before, after) {
                (Some((_, b)), Some((_, a))) => {
                    let both: Vec<_> = b.iter().copied().filter(|x| a.contains(x)).collect();
                    if both.is_empty() {
                        b.to_vec()
                    } else {
                        both
                    }
                }
                (Some((_, b)), None) => b.to_vec(),
                (None, Some((_, a))) => a.to_vec(),
                (None, None) => return None,
            };
            // `時速100キロ`, `时速100公里`, `每小时 85 英里`: a speed.
            let head = text[..f.range.start].trim_end();
            if cjk
                && ["速", "每小时", "每小時", "毎時"]
                    .iter()
                    .any(|w| head.ends_with(w))
            {
                let mut speeds: Vec<&'static str> = Vec::new();
                for x in facts {
                    let x = match x {
                        "km" => "km/h",
                        "mi" => "mph",
                        other => other,
                    };
                    if !speeds.contains(&x) {
                        speeds.push(x);
                    }
                }
                facts = speeds;
            }
            let start = before.map_or(f.range.start, |(s, _)| s);
            let end = after.map_or(f.scale_end, |(e, _)| e);
            Some(Counted {
                range: start..end,
                facts,
                shared: false,
                prefix: before.is_some(),
                suffix: after.is_some(),
            })
        })
        .collect();
    // A marker after the last number of a range or list counts for those
    // before it; a currency before the first, for those after it.
    for k in (1..found.len()).rev() {
        let between = text
            .get(found[k - 1].scale_end..found[k].range.start)
            .unwrap_or("x");
        if out[k - 1].is_none() && !found[k - 1].clock && connects(between) {
            if let Some(c) = out[k].as_ref().filter(|c| c.suffix) {
                out[k - 1] = Some(Counted {
                    range: found[k - 1].range.start..found[k - 1].scale_end,
                    facts: c.facts.clone(),
                    shared: true,
                    prefix: false,
                    suffix: true,
                });
            }
        }
    }
    for k in 1..found.len() {
        let between = text
            .get(found[k - 1].scale_end..found[k].range.start)
            .unwrap_or("x");
        if out[k].is_none() && !found[k].clock && connects(between) {
            if let Some(c) = out[k - 1].as_ref().filter(|c| c.prefix) {
                out[k] = Some(Counted {
                    range: found[k].range.start..found[k].scale_end,
                    facts: c.facts.clone(),
                    shared: true,
                    prefix: true,
                    suffix: false,
                });
            }
        }
    }
    out
}

/// A currency or unit named anywhere in `text` (`the pound fell`, `two
/// million dollars`, `three per cent`): its byte range and meanings.
#[derive(Debug, Clone)]
pub(crate) struct Mention {
    pub range: Range<usize>,
    pub facts: Facts,
}

/// Every currency or unit marker in `text`, left to right, not overlapping.
pub(crate) fn mentions(text: &str, lang: Lang) -> Vec<Mention> {
    let lex = lexicon(lang);
    let mut out = Vec::new();
    let mut i = 0;
    let mut prev = None;
    while let Some(c) = text.get(i..).and_then(|r| r.chars().next()) {
        let hit = lex.starting(c).iter().find_map(|m| {
            let first = m.text.chars().next()?;
            if needs_boundary(first) && prev.is_some_and(char::is_alphanumeric) {
                return None;
            }
            let end = match_forward(text, i, m)?;
            Some((end, m.facts))
        });
        match hit {
            Some((end, facts)) if end > i => {
                out.push(Mention {
                    range: i..end,
                    facts,
                });
                prev = text[..end].chars().next_back();
                i = end;
            }
            _ => {
                prev = Some(c);
                i += c.len_utf8();
            }
        }
    }
    out
}

/// The word before a marker, lower-cased, past a link word: `two` of `two
/// million pounds`... `million`; `milhões` of `milhões de dólares`.
fn word_before_marker(text: &str, m: &Mention) -> String {
    let wordy = |c: &char| c.is_alphabetic() || matches!(*c, '-' | '\'' | '’');
    // Byte length of the word ending `h`, measured on `h` itself (lower
    // casing may change lengths).
    let tail = |h: &str| -> usize { h.chars().rev().take_while(wordy).map(char::len_utf8).sum() };
    let trim = |h: &str| -> usize {
        h.trim_end_matches(|c: char| c.is_whitespace() || is_space(c))
            .len()
    };
    let mut head = &text[..trim(&text[..m.range.start])];
    let n = tail(head);
    let last = head[head.len() - n..].to_lowercase();
    if ["de", "of", "d'", "d’"].contains(&last.as_str()) {
        head = &head[..trim(&head[..head.len() - n])];
    } else if let Some(w) = ["d'", "d’"].iter().find(|w| last.ends_with(**w)) {
        head = &head[..head.len() - w.len()];
    }
    let n = tail(head);
    head[head.len() - n..].to_lowercase()
}

/// `a sterling record`, `um real problema`: an article is not an amount.
const ARTICLES: &[&str] = &["a", "an", "one", "um", "uma", "un", "une", "se", "no"];

/// A marker spelled as an amount without digits: `two million pounds`,
/// `milhões de dólares`, `three per cent`.
fn worded_amount(text: &str, m: &Mention, lang: Lang) -> bool {
    let word = word_before_marker(text, m);
    !word.is_empty() && !ARTICLES.contains(&word.as_str()) && number::is_number_word(&word, lang)
}

/// The value of a small number spelled before a marker (`three per cent` → 3).
fn worded_value(text: &str, m: &Mention, lang: Lang) -> Option<u32> {
    let word = word_before_marker(text, m);
    if ARTICLES.contains(&word.as_str()) {
        return None;
    }
    number::spelled_numbers(lang)
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(_, v)| *v)
}

/// Where the word before byte `at` starts (`fifty-eight` of `fifty-eight
/// percent`).
fn word_before(text: &str, at: usize) -> usize {
    let head = text[..at].trim_end();
    let word: usize = head
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '-')
        .map(char::len_utf8)
        .sum();
    head.len() - word
}

fn show(text: &str, r: &Range<usize>) -> String {
    text.get(r.clone()).unwrap_or_default().trim().to_string()
}

/// One side of a segment: its text, language and numbers (as the numbers
/// check scanned them).
pub(crate) struct Side<'a> {
    pub text: &'a str,
    pub lang: Lang,
    pub found: &'a [Scanned],
}

/// Problems found by comparing the currencies and units of a segment,
/// `(is_error, detail)` in source order. `src_to_trg` is the numbers check's
/// pairing; `same` says whether two numbers have the same value.
pub(crate) fn compare(
    source_side: Side,
    target_side: Side,
    src_to_trg: &[Option<usize>],
    same: impl Fn(&Scanned, &Scanned) -> bool,
) -> Vec<(bool, String)> {
    let (source, src_lang, src) = (source_side.text, source_side.lang, source_side.found);
    let (target, trg_lang, trg) = (target_side.text, target_side.lang, target_side.found);
    let sc = counted(source, src_lang, src);
    let tc = counted(target, trg_lang, trg);
    let mut problems: Vec<(bool, String)> = Vec::new();
    // Amounts whose currency has been judged (so the document-level pass
    // below does not report them twice).
    let mut src_done = vec![false; src.len()];
    let mut trg_done = vec![false; trg.len()];
    for (i, s) in sc.iter().enumerate() {
        let (Some(s), Some(j)) = (s, src_to_trg.get(i).copied().flatten()) else {
            continue;
        };
        let fits = |c: &Option<Counted>| c.as_ref().is_some_and(|c| intersects(&s.facts, &c.facts));
        // The same value elsewhere with the same marker: reordered, not changed.
        if fits(&tc[j])
            || trg
                .iter()
                .zip(&tc)
                .any(|(x, c)| fits(c) && same(&src[i], x))
        {
            src_done[i] = true;
            trg_done[j] = true;
            continue;
        }
        match &tc[j] {
            Some(t) => {
                let what = if s.money() || t.money() {
                    "currency"
                } else {
                    "unit"
                };
                problems.push((
                    true,
                    format!(
                        "{what} changed: `{}` in source, `{}` in target",
                        show(source, &s.range),
                        show(target, &t.range)
                    ),
                ));
                src_done[i] = true;
                trg_done[j] = true;
            }
            None if s.percent() && !s.shared => {
                problems.push((
                    true,
                    format!(
                        "percent dropped: `{}` in source, `{}` in target",
                        show(source, &s.range),
                        show(target, &(trg[j].range.start..trg[j].scale_end))
                    ),
                ));
                src_done[i] = true;
            }
            None => {}
        }
    }
    // Currencies by name, amount or not: what each side mentions at all.
    let src_mentions = mentions(source, src_lang);
    let trg_mentions = mentions(target, trg_lang);
    let named_in = |facts: &[&str], ms: &[Mention]| ms.iter().any(|m| intersects(facts, m.facts));
    // A percentage in words (`three per cent`) whose number the target
    // writes in digits without a `%` (`3`, `3 pontos percentuais`). A
    // target without that number may say it otherwise (`五分之一`, `metade`).
    let target_percent = trg_mentions.iter().any(|m| m.facts.contains(&"%"));
    for m in src_mentions
        .iter()
        .filter(|m| m.facts == PCT && !target_percent)
    {
        let Some(v) = worded_value(source, m, src_lang) else {
            continue;
        };
        let hit = trg
            .iter()
            .zip(&tc)
            .find(|(t, _)| t.number.small_integer() == Some(v) && t.number.frac.is_empty());
        if let Some((t, c)) = hit {
            let written = show(source, &(word_before(source, m.range.start)..m.range.end));
            let (what, shown) = match c {
                Some(c) => ("unit changed", show(target, &c.range)),
                None => (
                    "percent dropped",
                    show(target, &(t.range.start..t.scale_end)),
                ),
            };
            problems.push((
                true,
                format!("{what}: `{written}` in source, `{shown}` in target"),
            ));
        }
    }
    // Amounts of money: numbers with a marker, and markers after a number
    // word (`two million pounds`); `sure` unless the marker may also be a
    // unit (`550 pounds` may weigh).
    struct Amount {
        range: Range<usize>,
        facts: Vec<&'static str>,
        sure: bool,
    }
    let amounts = |text: &str, lang: Lang, c: &[Option<Counted>], done: &[bool], ms: &[Mention]| {
        let mut v: Vec<Amount> = c
            .iter()
            .zip(done)
            .filter_map(|(c, d)| c.as_ref().filter(|c| !d && c.has_currency()))
            .map(|c| Amount {
                range: c.range.clone(),
                facts: c.facts.clone(),
                sure: c.money(),
            })
            .collect();
        for m in ms {
            let inside = c
                .iter()
                .flatten()
                .any(|a| a.range.start <= m.range.start && m.range.end <= a.range.end);
            if !inside && m.facts.iter().any(|f| is_currency(f)) && worded_amount(text, m, lang) {
                v.push(Amount {
                    range: m.range.clone(),
                    facts: m.facts.to_vec(),
                    sure: m.facts.iter().all(|f| is_currency(f)),
                });
            }
        }
        v.sort_by_key(|a| a.range.start);
        v
    };
    let src_amounts = amounts(source, src_lang, &sc, &src_done, &src_mentions);
    let trg_amounts = amounts(target, trg_lang, &tc, &trg_done, &trg_mentions);
    // Money in the target in a currency the source never names.
    let foreign: Vec<&Amount> = trg_amounts
        .iter()
        .filter(|a| a.sure && !named_in(&a.facts, &src_mentions))
        .collect();
    let mut foreign_reported = false;
    for a in src_amounts
        .iter()
        .filter(|a| !named_in(&a.facts, &trg_mentions))
    {
        if let Some(b) = foreign.first() {
            problems.push((
                true,
                format!(
                    "currency changed: `{}` in source, `{}` in target",
                    show(source, &a.range),
                    show(target, &b.range)
                ),
            ));
            foreign_reported = true;
        } else if a.sure {
            problems.push((
                false,
                format!("currency of `{}` not in target", show(source, &a.range)),
            ));
        }
    }
    if !foreign_reported {
        for b in &foreign {
            problems.push((
                false,
                format!("target currency `{}` not in source", show(target, &b.range)),
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    problems.retain(|p| seen.insert(p.1.clone()));
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(c: &str) -> Lang {
        Lang::parse(c).unwrap()
    }

    fn facts_of(text: &str, l: &str) -> Vec<Vec<&'static str>> {
        let found = number::scan(text, lang(l));
        counted(text, lang(l), &found)
            .into_iter()
            .map(|c| c.map(|c| c.facts).unwrap_or_default())
            .collect()
    }

    // Expected meanings below are hand-derived from ISO 4217 and the usual
    // news spellings of each language, not from running this code.

    #[test]
    fn symbols_codes_and_words_name_a_currency() {
        assert_eq!(facts_of("It cost £120 million.", "en"), [vec!["GBP"]]);
        assert_eq!(facts_of("£11million deal", "en"), [vec!["GBP"]]);
        assert_eq!(facts_of("custou 120 milhões de euros", "pt"), [vec!["EUR"]]);
        assert_eq!(facts_of("fiança de US$ 500", "pt"), [vec!["USD"]]);
        assert_eq!(facts_of("cerca de R$ 764 bilhões", "pt"), [vec!["BRL"]]);
        assert_eq!(facts_of("2,8 bilhões de libras", "pt"), [POUND.to_vec()]);
        assert_eq!(
            facts_of("125 millions de livres sterling", "fr"),
            [vec!["GBP"]]
        );
        assert_eq!(facts_of("11 millions £", "fr"), [vec!["GBP"]]);
        assert_eq!(facts_of("26 750 $", "fr"), [DOLLAR.to_vec()]);
        assert_eq!(
            facts_of("Rp 10.000 dan 5 juta dolar AS", "id"),
            [vec!["IDR"], vec!["USD"]]
        );
        assert_eq!(facts_of("1.25 亿英镑", "zh"), [vec!["GBP"]]);
        assert_eq!(facts_of("35 万美元", "zh"), [vec!["USD"]]);
        assert_eq!(facts_of("1億2,500万ポンドで", "ja"), [POUND.to_vec()]);
        assert_eq!(facts_of("500万円", "ja"), [vec!["JPY"]]);
        assert_eq!(facts_of("125 مليون جنيه إسترليني", "ar"), [vec!["GBP"]]);
        // Tanween written on both words.
        assert_eq!(facts_of("26,750 دولارًا أمريكيًا", "ar"), [vec!["USD"]]);
        assert_eq!(facts_of("$200 miliar dolar", "id"), [DOLLAR.to_vec()]);
    }

    #[test]
    fn units_and_percentages_are_read_after_the_number() {
        assert_eq!(facts_of("a 40 per cent stake", "en"), [vec!["%"]]);
        assert_eq!(facts_of("participação de 40%", "pt"), [vec!["%"]]);
        assert_eq!(facts_of("10 في المائة", "ar"), [vec!["%"]]);
        assert_eq!(facts_of("a 10-mile race", "en"), [vec!["mi"]]);
        assert_eq!(facts_of("30°C e 12 km", "pt"), [vec!["°C"], vec!["km"]]);
        assert_eq!(facts_of("40 pontos percentuais", "pt"), [vec!["pp"]]);
        assert_eq!(facts_of("時速100キロ", "ja"), [vec!["km/h", "kg"]]);
        // Not units: a name, a time, a word that only starts like one.
        assert_eq!(
            facts_of("the G20 at 3 p.m.", "en"),
            [Vec::<&str>::new(), vec![]]
        );
        assert_eq!(facts_of("5 mais", "pt"), [Vec::<&str>::new()]);
        assert_eq!(
            facts_of("scored 2 in the first half", "en"),
            [Vec::<&str>::new()]
        );
        // `100m people` is a hundred million in English, not a distance.
        assert_eq!(facts_of("100m people", "en"), [Vec::<&str>::new()]);
    }

    #[test]
    fn ranges_and_lists_share_their_marker() {
        assert_eq!(facts_of("rose 5-10%", "en"), [vec!["%"], vec!["%"]]);
        assert_eq!(
            facts_of("5 a 10 milhões de dólares", "pt"),
            [DOLLAR.to_vec(), DOLLAR.to_vec()]
        );
        assert_eq!(
            facts_of("$5 to 10 million", "en"),
            [DOLLAR.to_vec(), DOLLAR.to_vec()]
        );
        assert_eq!(facts_of("200 e 400 metros", "pt"), [vec!["m"], vec!["m"]]);
        // Each `£` is its own number's, not a suffix of the one before.
        let text = "£5m-£10m";
        let found = number::scan(text, lang("en"));
        let c = counted(text, lang("en"), &found);
        assert_eq!(c[0].as_ref().map(|c| &text[c.range.clone()]), Some("£5m"));
        assert_eq!(c[1].as_ref().map(|c| &text[c.range.clone()]), Some("£10m"));
        // A year before a sum is not part of it.
        assert_eq!(
            facts_of("in 2017, $140 million", "en")[0],
            Vec::<&str>::new()
        );
    }

    #[test]
    fn mentions_find_currencies_without_digits() {
        let m = mentions("two million pounds and the euro", lang("en"));
        assert_eq!(m.len(), 2);
        assert!(worded_amount("two million pounds", &m[0], lang("en")));
        assert!(!worded_amount(
            "two million pounds and the euro",
            &m[1],
            lang("en")
        ));
        let pt = "bilhões de dólares";
        assert!(worded_amount(pt, &mentions(pt, lang("pt"))[0], lang("pt")));
        // `Europa` is not a euro.
        assert!(mentions("a Europa", lang("pt")).is_empty());
        // `يناير` (January) is not `ين` (yen).
        assert!(mentions("5 يناير", lang("ar")).is_empty());
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for s in [
            "",
            "$",
            "£",
            "R$",
            "5 de",
            "1 d’",
            "US$ 5 de",
            "٥ دولارًا",
            "ـ٥ً",
            "5 ° C",
            "100km/jam",
            "¥1億",
            "5 M€",
            "Rp.",
            "£5-10m",
            "5 -",
            "- 5",
        ] {
            for l in ["en", "pt", "fr", "id", "zh", "ja", "ar", "de"] {
                let found = number::scan(s, lang(l));
                for c in counted(s, lang(l), &found).into_iter().flatten() {
                    let _ = &s[c.range];
                }
                for m in mentions(s, lang(l)) {
                    let _ = worded_amount(s, &m, lang(l));
                }
            }
        }
    }
}
