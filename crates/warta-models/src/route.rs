//! Routing: which models a translation from one language to another goes
//! through. The one place that decides "through English" (DESIGN.md: "A
//! route is direct where a model for the pair exists, else through a pivot
//! (English)"); the model store, `models pull --for-config`, the pipeline's
//! missing-model answer and the workers' wake-up all ask it.

use warta_core::{Lang, Pair};

/// How a source language reaches a target language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Direct(Pair),
    /// Two legs through `pivot` (English): `src→pivot`, `pivot→trg`.
    Pivot {
        first: Pair,
        second: Pair,
    },
}

impl Route {
    /// The route from `src` to `trg`: direct when either side is English or
    /// `direct` says a model for the pair exists, otherwise through English.
    pub fn plan(src: Lang, trg: Lang, direct: impl Fn(Pair) -> bool) -> Route {
        let pair = Pair { src, trg };
        let en = Lang::english();
        if src == en || trg == en || direct(pair) {
            Route::Direct(pair)
        } else {
            Route::Pivot {
                first: Pair { src, trg: en },
                second: Pair { src: en, trg },
            }
        }
    }

    /// The pairs in the order a sentence goes through them.
    pub fn legs(&self) -> Vec<Pair> {
        match self {
            Route::Direct(p) => vec![*p],
            Route::Pivot { first, second } => vec![*first, *second],
        }
    }

    /// The reverse of each leg, in the order the legs run: the models that
    /// score a translation's adequacy by reading it back (DESIGN.md,
    /// "Trust").
    pub fn reverse_legs(&self) -> Vec<Pair> {
        self.legs()
            .into_iter()
            .map(|p| Pair {
                src: p.trg,
                trg: p.src,
            })
            .collect()
    }
}

/// The pairs a newsroom publishing `source` in `targets` needs, each
/// target's [`Route::plan`] in turn, without repeats; with `reverse`, the
/// reverse of every leg too (for the adequacy check).
pub fn pairs_for(
    source: Lang,
    targets: &[Lang],
    direct: impl Fn(Pair) -> bool,
    reverse: bool,
) -> Vec<Pair> {
    let mut out: Vec<Pair> = Vec::new();
    for &t in targets.iter().filter(|&&t| t != source) {
        let route = Route::plan(source, t, &direct);
        let mut pairs = route.legs();
        if reverse {
            pairs.extend(route.reverse_legs());
        }
        for p in pairs {
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(c: &str) -> Lang {
        Lang::parse(c).unwrap()
    }

    #[test]
    fn english_on_either_side_is_direct_and_others_pivot_unless_a_model_exists() {
        // DESIGN.md's table: id→en direct, id→zh through English.
        let none = |_: Pair| false;
        assert_eq!(
            Route::plan(l("id"), l("en"), none).legs(),
            vec![Pair::new(l("id"), l("en")).unwrap()]
        );
        assert_eq!(
            Route::plan(l("id"), l("zh"), none).legs(),
            vec![
                Pair::new(l("id"), l("en")).unwrap(),
                Pair::new(l("en"), l("zh")).unwrap()
            ]
        );
        let all = |_: Pair| true;
        assert_eq!(Route::plan(l("id"), l("zh"), all).legs().len(), 1);
        assert_eq!(
            Route::plan(l("id"), l("zh"), none).reverse_legs(),
            vec![
                Pair::new(l("en"), l("id")).unwrap(),
                Pair::new(l("zh"), l("en")).unwrap()
            ]
        );
    }

    #[test]
    fn a_newsroom_needs_each_pair_once() {
        // The design's newsroom: id-en once, then en-zh, en-ja, en-ar, en-fr.
        let targets: Vec<Lang> = ["en", "zh", "ja", "ar", "fr"].map(l).to_vec();
        let pairs: Vec<String> = pairs_for(l("id"), &targets, |_| false, false)
            .iter()
            .map(Pair::to_string)
            .collect();
        assert_eq!(pairs, ["id-en", "en-zh", "en-ja", "en-ar", "en-fr"]);
        // With a direct id-zh model, zh needs no pivot.
        let id_zh = |p: Pair| p.to_string() == "id-zh";
        let pairs: Vec<String> = pairs_for(l("id"), &targets[1..3], id_zh, false)
            .iter()
            .map(Pair::to_string)
            .collect();
        assert_eq!(pairs, ["id-zh", "id-en", "en-ja"]);
        // With the reverse models of each leg.
        let with_reverse = pairs_for(l("en"), &[l("pt")], |_| false, true);
        assert_eq!(
            with_reverse.iter().map(Pair::to_string).collect::<Vec<_>>(),
            ["en-pt", "pt-en"]
        );
    }
}
