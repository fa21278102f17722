//! The message catalogue: every text a person reads, in Danish (default) and English, in
//! `locales/{da,en}/main.ftl`. Pages, API problems and the CLI all look up here.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;
use unic_langid::LanguageIdentifier;

/// Every catalogue file of one language, concatenated (one list for the checks below).
macro_rules! catalogue {
    ($lang:literal) => {
        concat!(
            include_str!(concat!("../locales/", $lang, "/main.ftl")),
            include_str!(concat!("../locales/", $lang, "/templates.ftl")),
            include_str!(concat!("../locales/", $lang, "/intake.ftl")),
            include_str!(concat!("../locales/", $lang, "/cases.ftl")),
            include_str!(concat!("../locales/", $lang, "/rounds.ftl")),
            include_str!(concat!("../locales/", $lang, "/api_rounds.ftl")),
            include_str!(concat!("../locales/", $lang, "/cli_rounds.ftl")),
            include_str!(concat!("../locales/", $lang, "/reports.ftl")),
            include_str!(concat!("../locales/", $lang, "/actions.ftl")),
            include_str!(concat!("../locales/", $lang, "/feedback.ftl")),
            include_str!(concat!("../locales/", $lang, "/learning_audit.ftl")),
            include_str!(concat!("../locales/", $lang, "/la_report.ftl"))
        )
    };
}

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "da",
        // Isolation marks would end up in HTML attributes, CSV exports and test assertions.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static DA: LazyLock<LanguageIdentifier> = LazyLock::new(|| "da".parse().unwrap_or_default());
static EN: LazyLock<LanguageIdentifier> = LazyLock::new(|| "en".parse().unwrap_or_default());

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Da,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim() {
            "da" => Some(Lang::Da),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first of Danish or English in an Accept-Language header, by the client's order.
    pub fn from_accept_language(h: &str) -> Option<Lang> {
        let mut best: Option<(f32, usize, Lang)> = None;
        for (i, part) in h.split(',').enumerate() {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|v| v.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let lang = match tag.split('-').next() {
                Some("da") => Lang::Da,
                Some("en") => Lang::En,
                _ => continue,
            };
            if q > 0.0 && best.is_none_or(|(bq, bi, _)| q > bq || (q == bq && i < bi)) {
                best = Some((q, i, lang));
            }
        }
        best.map(|b| b.2)
    }

    /// The other language, for the language switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::Da => Lang::En,
            Lang::En => Lang::Da,
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Da => &DA,
            Lang::En => &EN,
        }
    }
}

/// Every `{ $variable }` the catalogue uses, so `has` can look up any message.
static VARIABLES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let all = catalogue!("da");
    let mut v: Vec<&'static str> = all
        .split("{ $")
        .skip(1)
        .filter_map(|rest| rest.split([' ', '}']).next())
        .collect();
    v.sort_unstable();
    v.dedup();
    v
});

/// A translator bound to one language; templates call `tr.t("key")`.
#[derive(Clone, Copy, Debug)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn t(&self, key: &str) -> String {
        LOCALES
            .try_lookup(self.0.id(), key)
            .unwrap_or_else(|| key.to_owned())
    }

    pub fn t1(&self, key: &str, name: &'static str, value: impl ToString) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        let text = value.to_string();
        // Whole numbers go in as numbers, so plural variants ([one]/[other]) can choose.
        let v = match text.parse::<i64>() {
            Ok(n) => FluentValue::from(n),
            Err(_) => FluentValue::from(text),
        };
        args.insert(Cow::Borrowed(name), v);
        LOCALES
            .try_lookup_with_args(self.0.id(), key, &args)
            .unwrap_or_else(|| key.to_owned())
    }

    pub fn targs(&self, key: &str, args: &[(&'static str, String)]) -> String {
        let mut map: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        for (k, v) in args {
            map.insert(Cow::Borrowed(k), FluentValue::from(v.clone()));
        }
        LOCALES
            .try_lookup_with_args(self.0.id(), key, &map)
            .unwrap_or_else(|| key.to_owned())
    }

    /// A template content error as a sentence naming where and what.
    pub fn content_error(&self, e: &tilsyn_domain::template::ContentError) -> String {
        let msg = self.targs(e.key, &[("detail", e.detail.clone())]);
        if e.at.is_empty() {
            msg
        } else {
            self.targs(
                "err-tpl-at",
                &[
                    ("at", e.at.clone()),
                    (
                        "field",
                        self.t(&format!("tpl-field-{}", e.field.replace('_', "-"))),
                    ),
                    ("message", msg),
                ],
            )
        }
    }

    /// Whether the catalogue has `key` (messages with variables included).
    pub fn has(&self, key: &str) -> bool {
        let mut args: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        for name in VARIABLES.iter() {
            args.insert(Cow::Borrowed(name), FluentValue::from("x"));
        }
        LOCALES
            .try_lookup_with_args(self.0.id(), key, &args)
            .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use tilsyn_domain::Role;
    use tilsyn_domain::audit::AuditAction;
    use tilsyn_domain::org::UnitKind;

    #[test]
    fn whole_numbers_choose_plural_variants() {
        let da = Tr(Lang::Da);
        assert_eq!(
            da.t1("dashboard-overdue", "count", 1),
            "Én gennemgang har overskredet fristen."
        );
        assert_eq!(
            da.t1("dashboard-overdue", "count", 3),
            "3 gennemgange har overskredet fristen."
        );
        assert_eq!(
            Tr(Lang::En).t1("dashboard-overdue", "count", 1),
            "One review is past its due date."
        );
    }

    #[test]
    fn no_key_is_defined_twice_across_files() {
        // Fluent refuses to load a bundle with a repeated message, so this would be fatal at start.
        for src in [catalogue!("da"), catalogue!("en")] {
            let mut seen = BTreeSet::new();
            for l in src
                .lines()
                .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && l.contains(" ="))
            {
                let k = l.split(" =").next().unwrap_or("").trim();
                assert!(seen.insert(k), "{k} is defined twice");
            }
        }
    }

    fn keys(src: &str) -> BTreeSet<String> {
        src.lines()
            .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && l.contains(" ="))
            .filter_map(|l| l.split(" =").next().map(|k| k.trim().to_owned()))
            .collect()
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let da = keys(catalogue!("da"));
        let en = keys(catalogue!("en"));
        let only_da: Vec<_> = da.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&da).collect();
        assert!(
            only_da.is_empty() && only_en.is_empty(),
            "only da: {only_da:?}; only en: {only_en:?}"
        );
        assert!(da.len() > 50);
    }

    #[test]
    fn every_domain_label_is_in_the_catalogue() {
        for lang in [Lang::Da, Lang::En] {
            let tr = Tr(lang);
            for r in Role::ALL {
                assert!(tr.has(r.label_key()), "{lang:?} {}", r.label_key());
            }
            for k in UnitKind::ALL {
                assert!(tr.has(k.label_key()), "{lang:?} {}", k.label_key());
            }
            for a in AuditAction::ALL {
                assert!(tr.has(&a.label_key()), "{lang:?} {}", a.label_key());
            }
            for k in tilsyn_domain::round::PlanWarning::KEYS {
                assert!(tr.has(k), "{lang:?} {k}");
            }
            use tilsyn_domain::sampling::{ExclusionReason, StratumNote, UncoveredReason};
            for r in ExclusionReason::ALL {
                assert!(tr.has(r.key()), "{lang:?} {}", r.key());
            }
            for k in [
                StratumNote::TookAll.key(),
                StratumNote::Capped { requested: 1 }.key(),
                StratumNote::NoCases { requested: 1 }.key(),
                UncoveredReason::SampleFull.key(),
                UncoveredReason::StrataFull.key(),
            ] {
                assert!(tr.has(k), "{lang:?} {k}");
            }
            use tilsyn_domain::template::*;
            let mut keys: Vec<String> = TemplateKind::ALL.iter().map(|k| k.label_key()).collect();
            keys.extend(SectionKind::ALL.iter().map(|k| k.label_key()));
            keys.extend(Bearing::ALL.iter().map(|k| k.label_key()));
            keys.extend(ScaleKind::ALL.iter().map(|k| k.label_key()));
            keys.extend(
                [
                    VersionStatus::Draft,
                    VersionStatus::Published,
                    VersionStatus::Retired,
                ]
                .iter()
                .map(|k| k.label_key()),
            );
            for k in keys {
                assert!(tr.has(&k), "{lang:?} {k}");
            }
        }
        assert_eq!(Tr(Lang::Da).t("role-lawyer"), "Jurist");
        assert_eq!(Tr(Lang::En).t("role-lawyer"), "Lawyer");
    }

    #[test]
    fn every_error_key_in_the_code_is_in_the_catalogue() {
        // Error keys are string literals starting with "err-" anywhere in the Rust sources.
        let sources = [
            include_str!("../../domain/src/org.rs"),
            include_str!("../../domain/src/role.rs"),
            include_str!("../../store/src/units.rs"),
            include_str!("../../store/src/users.rs"),
            include_str!("usecases.rs"),
            include_str!("error.rs"),
            include_str!("api/mod.rs"),
            include_str!("pages/audit.rs"),
            include_str!("pages/templates.rs"),
            include_str!("templates.rs"),
            include_str!("../../domain/src/template/mod.rs"),
            include_str!("../../domain/src/template/edit.rs"),
            include_str!("../../store/src/templates.rs"),
        ];
        let mut missing = vec![];
        for src in sources {
            for piece in src.split('"').skip(1).step_by(2) {
                if piece.starts_with("err-") && !piece.contains(' ') {
                    for lang in [Lang::Da, Lang::En] {
                        if !Tr(lang).has(piece) {
                            missing.push(format!("{lang:?}:{piece}"));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing catalogue keys: {missing:?}");
    }

    #[test]
    fn accept_language_picks_by_quality_then_order() {
        assert_eq!(
            Lang::from_accept_language("en-GB,en;q=0.9,da;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("de-DE, da;q=0.5, en;q=0.4"),
            Some(Lang::Da)
        );
        assert_eq!(Lang::from_accept_language("de, fr"), None);
        assert_eq!(Lang::from_accept_language("da, en"), Some(Lang::Da));
        assert_eq!(
            Lang::from_accept_language("en;q=0, da;q=0.1"),
            Some(Lang::Da)
        );
    }

    #[test]
    fn arguments_are_filled_in_without_isolation_marks() {
        let s = Tr(Lang::Da).t1("signed-in-as", "name", "Lise Holm");
        assert!(s.contains("Lise Holm"));
        assert!(!s.contains('\u{2068}'));
    }
}
