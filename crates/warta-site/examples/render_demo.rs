//! Writes a small demo site to a folder, laid out like the real routes, so
//! the pages can be served statically and checked in a browser:
//!
//! ```text
//! cargo run -p warta-site --example render_demo -- OUTDIR [BASE_URL]
//! cd OUTDIR && python3 -c "import http.server as h; \
//!   h.SimpleHTTPRequestHandler.extensions_map['']='text/html; charset=utf-8'; \
//!   h.test(h.SimpleHTTPRequestHandler, port=8000, bind='127.0.0.1')"
//! node tests/browser/check-pages.mjs http://127.0.0.1:8000 banjir-jakarta \
//!   id:source en:machine zh:machine ja:machine ar:machine fr:human pt:human
//! ```
//!
//! Article pages are written without extension (`/{lang}/{slug}`, as the
//! server routes them); the one-liner above serves extensionless files as
//! HTML. The texts are hand-written stand-ins for translations; the origins
//! (machine, human, outdated human) are what the pages are checked for.

use std::path::Path;
use std::{env, fs, process};

use warta_core::{Lang, Slug};
use warta_site::*;

struct Version {
    lang: &'static str,
    origin: Origin,
    title: &'static str,
    summary: &'static str,
    body: &'static str,
}

struct Story {
    slug: &'static str,
    author: &'static str,
    published: i64,
    versions: Vec<Version>,
}

fn machine() -> Origin {
    Origin::Machine {
        model: "id-en + en-xx (Firefox Translations, tiny)".into(),
    }
}

fn stories() -> Vec<Story> {
    vec![
        Story {
            slug: "banjir-jakarta",
            author: "Siti Rahmawati",
            published: 1_740_960_309, // 2025-03-03T00:05:09Z
            versions: vec![
                Version {
                    lang: "id",
                    origin: Origin::Source,
                    title: "Hujan deras rendam sejumlah wilayah Jakarta",
                    summary: "Banjir setinggi hingga 1,5 meter menggenangi 120 RT di Jakarta Timur dan Jakarta Selatan pada Senin pagi.",
                    body: "<p>Hujan deras yang mengguyur Jakarta sejak Minggu malam menyebabkan banjir di sejumlah wilayah. Badan Penanggulangan Bencana Daerah (BPBD) DKI Jakarta mencatat 120 RT terendam pada Senin pukul 08.00 WIB.</p>\n<blockquote><p>“Kami sudah menyiagakan 40 pompa bergerak di titik-titik rawan,” kata Kepala BPBD DKI Jakarta.</p></blockquote>\n<p>Warga diimbau menghindari kawasan Kampung Melayu dan Bidara Cina hingga air surut.</p>\n<ul><li>Jakarta Timur: 78 RT</li><li>Jakarta Selatan: 42 RT</li></ul>",
                },
                Version {
                    lang: "en",
                    origin: machine(),
                    title: "Heavy rain floods parts of Jakarta",
                    summary: "Floodwater up to 1.5 metres deep inundated 120 neighbourhood units in East and South Jakarta on Monday morning.",
                    body: "<p>Heavy rain that has fallen on Jakarta since Sunday night caused flooding in several areas. The Jakarta Regional Disaster Management Agency (BPBD) recorded 120 neighbourhood units under water at 08:00 WIB on Monday.</p>\n<blockquote><p>“We have deployed 40 mobile pumps at vulnerable points,” said the head of the Jakarta BPBD.</p></blockquote>\n<p>Residents are advised to avoid the Kampung Melayu and Bidara Cina areas until the water recedes.</p>\n<ul><li>East Jakarta: 78 units</li><li>South Jakarta: 42 units</li></ul>",
                },
                Version {
                    lang: "zh",
                    origin: machine(),
                    title: "暴雨致雅加达多地被淹",
                    summary: "周一上午，雅加达东区和南区120个居民小组被最深达1.5米的洪水淹没。",
                    body: "<p>自周日晚起持续的暴雨导致雅加达多个地区发生洪灾。雅加达地方灾害管理局（BPBD）记录显示，截至周一西印尼时间8时，共有120个居民小组被淹。</p>\n<blockquote><p>“我们已在易涝点部署了40台移动水泵。”雅加达地方灾害管理局局长表示。</p></blockquote>\n<p>当局呼吁居民在洪水退去前避开甘榜马来由和比达拉支那一带。</p>\n<ul><li>东雅加达：78个</li><li>南雅加达：42个</li></ul>",
                },
                Version {
                    lang: "ja",
                    origin: machine(),
                    title: "豪雨でジャカルタ各地が浸水",
                    summary: "月曜日の朝、ジャカルタ東部と南部の120の町内会区域が最大1.5メートルの浸水に見舞われた。",
                    body: "<p>日曜日の夜から降り続いた豪雨により、ジャカルタの複数の地域で洪水が発生した。ジャカルタ地方防災局（BPBD）によると、月曜日午前8時（西部インドネシア時間）の時点で120の町内会区域が浸水した。</p>\n<blockquote><p>「危険な地点に移動式ポンプ40台を配置した」とジャカルタ地方防災局長は述べた。</p></blockquote>\n<p>住民には、水が引くまでカンプン・ムラユとビダラ・チナ周辺に近づかないよう呼びかけている。</p>\n<ul><li>東ジャカルタ：78区域</li><li>南ジャカルタ：42区域</li></ul>",
                },
                Version {
                    lang: "ar",
                    origin: machine(),
                    title: "أمطار غزيرة تُغرق أجزاء من جاكرتا",
                    summary: "غمرت مياه الفيضانات التي بلغ عمقها 1.5 متر 120 حيًا سكنيًا في شرق جاكرتا وجنوبها صباح الاثنين.",
                    body: "<p>تسببت الأمطار الغزيرة التي تهطل على جاكرتا منذ مساء الأحد في فيضانات بعدة مناطق. وسجّلت الوكالة الإقليمية لإدارة الكوارث في جاكرتا (BPBD) غمر 120 حيًا سكنيًا حتى الساعة الثامنة صباح الاثنين بالتوقيت المحلي.</p>\n<blockquote><p>«نشرنا 40 مضخة متنقلة في النقاط المعرّضة للخطر»، بحسب رئيس الوكالة.</p></blockquote>\n<p>ودعت السلطات السكان إلى تجنّب منطقتي كامبونغ ملايو وبيدارا تشينا حتى تنحسر المياه.</p>\n<ul><li>شرق جاكرتا: 78 حيًا</li><li>جنوب جاكرتا: 42 حيًا</li></ul>",
                },
                Version {
                    lang: "fr",
                    origin: Origin::Human { reviewed: true },
                    title: "De fortes pluies inondent plusieurs quartiers de Jakarta",
                    summary: "Jusqu’à 1,5 mètre d’eau a envahi 120 pâtés de maisons dans l’est et le sud de Jakarta lundi matin.",
                    body: "<p>Les fortes pluies qui s’abattent sur Jakarta depuis dimanche soir ont provoqué des inondations dans plusieurs secteurs. L’agence régionale de gestion des catastrophes (BPBD) recensait lundi à 8 heures, heure locale, 120 pâtés de maisons sous les eaux.</p>\n<blockquote><p>« Nous avons déployé 40 pompes mobiles aux points sensibles », a déclaré le directeur de l’agence.</p></blockquote>\n<p>Les habitants sont invités à éviter les quartiers de Kampung Melayu et de Bidara Cina jusqu’à la décrue.</p>\n<ul><li>Jakarta-Est : 78 pâtés de maisons</li><li>Jakarta-Sud : 42 pâtés de maisons</li></ul>",
                },
                Version {
                    lang: "pt",
                    origin: Origin::HumanOutdated,
                    title: "Chuvas fortes inundam partes de Jacarta",
                    summary: "A água chegou a 1,5 metro de altura em 120 quarteirões do leste e do sul de Jacarta na manhã de segunda-feira.",
                    body: "<p>As chuvas fortes que caem sobre Jacarta desde a noite de domingo provocaram inundações em várias áreas. A agência regional de gestão de desastres (BPBD) registrou 120 quarteirões alagados às 8h de segunda-feira, no horário local.</p>\n<blockquote><p>“Instalamos 40 bombas móveis nos pontos mais vulneráveis”, disse o diretor da agência.</p></blockquote>\n<p>Os moradores devem evitar as regiões de Kampung Melayu e Bidara Cina até que a água baixe.</p>",
                },
            ],
        },
        Story {
            slug: "harga-cabai-naik",
            author: "Budi Santoso",
            published: 1_740_870_000, // 2025-03-01T23:00:00Z
            versions: vec![
                Version {
                    lang: "id",
                    origin: Origin::Source,
                    title: "Harga cabai rawit naik dua kali lipat menjelang Ramadan",
                    summary: "Di Pasar Induk Kramat Jati, cabai rawit merah dijual Rp120.000 per kilogram.",
                    body: "<p>Harga cabai rawit merah di Pasar Induk Kramat Jati mencapai Rp120.000 per kilogram, naik dari Rp60.000 sepekan lalu.</p>",
                },
                Version {
                    lang: "en",
                    origin: machine(),
                    title: "Bird's eye chilli prices double ahead of Ramadan",
                    summary: "At Kramat Jati main market, red bird's eye chillies sell for Rp120,000 per kilogram.",
                    body: "<p>The price of red bird's eye chillies at Kramat Jati main market reached Rp120,000 per kilogram, up from Rp60,000 a week ago.</p>",
                },
                Version {
                    lang: "ar",
                    origin: machine(),
                    title: "أسعار الفلفل الحار تتضاعف قبل رمضان",
                    summary: "يُباع الفلفل الحار الأحمر في سوق كرامات جاتي المركزي بسعر 120 ألف روبية للكيلوغرام.",
                    body: "<p>بلغ سعر الفلفل الحار الأحمر في سوق كرامات جاتي المركزي 120 ألف روبية للكيلوغرام، ارتفاعًا من 60 ألف روبية قبل أسبوع.</p>",
                },
            ],
        },
    ]
}

fn lang(code: &str) -> Lang {
    Lang::parse(code).expect("demo uses known codes")
}

fn write(out: &Path, rel: &str, bytes: &str) {
    let path = out.join(rel);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).unwrap_or_else(|e| fail(&format!("create {}: {e}", dir.display())));
    }
    fs::write(&path, bytes).unwrap_or_else(|e| fail(&format!("write {}: {e}", path.display())));
}

fn fail(msg: &str) -> ! {
    eprintln!("render_demo: {msg}");
    process::exit(1)
}

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let Some(out) = args.first() else {
        fail("usage: render_demo OUTDIR [BASE_URL]  (default BASE_URL http://127.0.0.1:8000)")
    };
    let out = Path::new(out);
    let base = args.get(1).map_or("http://127.0.0.1:8000", String::as_str);
    let languages: Vec<Lang> = ["id", "en", "zh", "ja", "ar", "fr", "pt"]
        .map(lang)
        .to_vec();
    let site = Site::new("Warta", base, lang("id"), &languages, Messages::builtin())
        .unwrap_or_else(|e| fail(&e.to_string()));
    let stories = stories();

    write(out, STYLESHEET_PATH.trim_start_matches('/'), STYLESHEET);
    let mut sitemap = vec![SitemapEntry {
        alternates: site.front_alternates(),
        lastmod: Timestamp::from_unix_secs(stories[0].published),
    }];
    for story in &stories {
        let slug = Slug::parse(story.slug).unwrap_or_else(|e| fail(&e.to_string()));
        let published: Vec<Lang> = story.versions.iter().map(|v| lang(v.lang)).collect();
        let alternates = site.article_alternates(&slug, site.source(), &published);
        for v in &story.versions {
            let l = lang(v.lang);
            let page = ArticlePage {
                site: &site,
                lang: l,
                alternates: alternates.clone(),
                canonical_url: site.article_url(l, &slug),
                title: v.title.into(),
                summary: v.summary.into(),
                body_html: v.body.into(),
                author: Some(story.author.into()),
                published_at: Timestamp::from_unix_secs(story.published),
                translated_at: (v.origin != Origin::Source)
                    .then(|| Timestamp::from_unix_secs(story.published + 74)),
                corrected_at: None,
                origin: v.origin.clone(),
            };
            write(
                out,
                &format!("{}/{}", l.code(), slug.as_str()),
                &render_article(&page),
            );
        }
        sitemap.push(SitemapEntry {
            alternates,
            lastmod: Timestamp::from_unix_secs(story.published + 74),
        });
    }
    for &l in site.languages() {
        let articles: Vec<ArticleSummary> = stories
            .iter()
            .filter_map(|s| {
                let v = s.versions.iter().find(|v| v.lang == l.code())?;
                Some(ArticleSummary {
                    title: v.title.into(),
                    summary: v.summary.into(),
                    url: site.article_url(l, &Slug::parse(s.slug).ok()?),
                    published_at: Timestamp::from_unix_secs(s.published),
                    origin: v.origin.clone(),
                })
            })
            .collect();
        write(
            out,
            &format!("{}/feed.xml", l.code()),
            &render_feed(&Feed {
                site: &site,
                lang: l,
                items: articles.clone(),
            }),
        );
        write(
            out,
            &format!("{}/index.html", l.code()),
            &render_front_page(&FrontPage {
                site: &site,
                lang: l,
                articles,
            }),
        );
    }
    write(out, "sitemap.xml", &render_sitemap(&sitemap));
    write(out, "404.html", &render_not_found(&site, lang("en")));
    println!("wrote demo site for {base} to {}", out.display());
}
