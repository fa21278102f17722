//! Answer scales as data: compliance (ja/nej/ikke relevant), ordinal degrees, the quality
//! model's 1–5, and the open kinds (free text, number, date).

use super::Text;
use serde::{Deserialize, Serialize};

/// The answer code every choice item gets when the template allows "kan ikke vurderes".
pub const CANNOT_ASSESS: &str = "kan_ikke_vurderes";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleKind {
    /// ja / nej / ikke relevant; share compliant = ja / (ja + nej).
    Compliance,
    /// Ordered degrees (lav / nogen / høj grad); reported as distributions, not means.
    Ordinal,
    /// Numbered points (the quality model's 1–5); reported as mean and distribution.
    Score,
    FreeText,
    Number,
    Date,
}

impl ScaleKind {
    pub const ALL: [ScaleKind; 6] = [
        ScaleKind::Compliance,
        ScaleKind::Ordinal,
        ScaleKind::Score,
        ScaleKind::FreeText,
        ScaleKind::Number,
        ScaleKind::Date,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ScaleKind::Compliance => "compliance",
            ScaleKind::Ordinal => "ordinal",
            ScaleKind::Score => "score",
            ScaleKind::FreeText => "free_text",
            ScaleKind::Number => "number",
            ScaleKind::Date => "date",
        }
    }

    pub fn parse(s: &str) -> Option<ScaleKind> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label_key(self) -> String {
        format!("scale-kind-{}", self.code().replace('_', "-"))
    }

    /// Whether answers are chosen from the scale's points.
    pub fn has_points(self) -> bool {
        matches!(
            self,
            ScaleKind::Compliance | ScaleKind::Ordinal | ScaleKind::Score
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScalePoint {
    pub code: String,
    pub label: Text,
    /// Outside the denominator ("ikke relevant").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_applicable: bool,
    /// The number a score point stands for (1–5 in the quality model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<i32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scale {
    pub key: String,
    pub kind: ScaleKind,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<ScalePoint>,
}

impl Scale {
    pub fn point(&self, code: &str) -> Option<&ScalePoint> {
        self.points.iter().find(|p| p.code == code)
    }

    /// The answer codes a reviewer may choose, "kan ikke vurderes" included when allowed.
    pub fn choices(&self, cannot_assess: bool) -> Vec<String> {
        let mut v: Vec<String> = self.points.iter().map(|p| p.code.clone()).collect();
        if cannot_assess && self.kind.has_points() {
            v.push(CANNOT_ASSESS.to_owned());
        }
        v
    }

    /// The scales every new template starts with. Labels are our own wording of the scales in
    /// domain.md §1.4 and §3.3.
    pub fn library() -> Vec<Scale> {
        fn p(code: &str, da: &str, en: &str) -> ScalePoint {
            ScalePoint {
                code: code.into(),
                label: Text::new(da, en),
                not_applicable: false,
                value: None,
            }
        }
        let mut na = p("ikke_relevant", "Ikke relevant", "Not relevant");
        na.not_applicable = true;
        let score = |v: i32, da: &str, en: &str| {
            let mut x = p(&v.to_string(), da, en);
            x.value = Some(v);
            x
        };
        vec![
            Scale {
                key: "ja_nej".into(),
                kind: ScaleKind::Compliance,
                label: Text::new("Ja / nej / ikke relevant", "Yes / no / not relevant"),
                points: vec![p("ja", "Ja", "Yes"), p("nej", "Nej", "No"), na],
            },
            Scale {
                key: "grad3".into(),
                kind: ScaleKind::Ordinal,
                label: Text::new("Lav / nogen / høj grad", "Low / some / high degree"),
                points: vec![
                    p("lav", "I lav grad", "To a low degree"),
                    p("nogen", "I nogen grad", "To some degree"),
                    p("hoej", "I høj grad", "To a high degree"),
                ],
            },
            Scale {
                key: "grad4".into(),
                kind: ScaleKind::Ordinal,
                label: Text::new("I hvilken grad (4 trin)", "To what degree (4 points)"),
                points: vec![
                    p("slet_ikke", "Slet ikke", "Not at all"),
                    p("lav", "I lav grad", "To a low degree"),
                    p("nogen", "I nogen grad", "To some degree"),
                    p("hoej", "I høj grad", "To a high degree"),
                ],
            },
            Scale {
                key: "km5".into(),
                kind: ScaleKind::Score,
                label: Text::new("Kvalitetsmodellens 1–5", "Quality model 1–5"),
                points: vec![
                    score(1, "I meget lav grad opfyldt", "Met to a very low degree"),
                    score(2, "I lav grad opfyldt", "Met to a low degree"),
                    score(3, "I middel grad opfyldt", "Met to a moderate degree"),
                    score(4, "I høj grad opfyldt", "Met to a high degree"),
                    score(5, "I meget høj grad opfyldt", "Met to a very high degree"),
                ],
            },
            Scale {
                key: "tekst".into(),
                kind: ScaleKind::FreeText,
                label: Text::new("Fritekst", "Free text"),
                points: vec![],
            },
            Scale {
                key: "tal".into(),
                kind: ScaleKind::Number,
                label: Text::new("Tal", "Number"),
                points: vec![],
            },
            Scale {
                key: "dato".into(),
                kind: ScaleKind::Date,
                label: Text::new("Dato", "Date"),
                points: vec![],
            },
        ]
    }
}
