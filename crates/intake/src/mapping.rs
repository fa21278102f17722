//! Which column of an extract holds which case field: a saved profile, or a suggestion from
//! the header names.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tilsyn_domain::cases::CaseField;

/// Target field → source header. Serialises as a JSON object keyed by the field codes
/// (`{"external_id": "Sagsnr.", "case_type": "Paragraf", …}`), so it can be saved as a named
/// profile and handed to the CLI as a file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Mapping(BTreeMap<CaseField, String>);

impl Mapping {
    pub fn new() -> Self {
        Self::default()
    }

    /// Maps `field` to the column headed `header` (replacing an earlier choice).
    pub fn set(&mut self, field: CaseField, header: impl Into<String>) -> &mut Self {
        self.0.insert(field, header.into());
        self
    }

    pub fn with(mut self, field: CaseField, header: impl Into<String>) -> Self {
        self.set(field, header);
        self
    }

    pub fn remove(&mut self, field: CaseField) {
        self.0.remove(&field);
    }

    pub fn get(&self, field: CaseField) -> Option<&str> {
        self.0.get(&field).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (CaseField, &str)> {
        self.0.iter().map(|(f, h)| (*f, h.as_str()))
    }

    /// Mandatory fields this mapping leaves out.
    pub fn missing_mandatory(&self) -> Vec<CaseField> {
        CaseField::MANDATORY
            .into_iter()
            .filter(|f| !self.0.contains_key(f))
            .collect()
    }
}

/// A mapping guessed from header names, for a person to confirm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub mapping: Mapping,
    /// Headers no field took; their values are kept as the record's attributes.
    pub unmapped_headers: Vec<String>,
    /// Mandatory fields no header matched.
    pub missing_mandatory: Vec<CaseField>,
}

/// A header as compared: lowercase, trimmed, punctuation stripped, runs of whitespace
/// collapsed to one space ("  Sags-nr. " → "sagsnr", "Indsats  start" → "indsats start").
pub fn normalise_header(h: &str) -> String {
    let mut out = String::with_capacity(h.len());
    let mut pending_space = false;
    for c in h.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        } else if c.is_whitespace() || c == '_' {
            pending_space = true;
        }
        // Other punctuation is dropped without a trace: "Sags-nr." = "Sagsnr".
    }
    out
}

/// The header with spaces removed too: "sags id" and "sagsid" are one synonym.
fn compact(h: &str) -> String {
    normalise_header(h).replace(' ', "")
}

/// Known header names per field, compacted (see [`compact`]). Checked in this order; a header
/// goes to the first field that names it.
const SYNONYMS: &[(CaseField, &[&str])] = &[
    (
        CaseField::ExternalId,
        &[
            "sagsnummer",
            "sagsnr",
            "sagsid",
            "sagid",
            "sagsnøgle",
            "sag",
            "caseid",
            "casenumber",
            "caseno",
            "journalnummer",
            "journalnr",
            "id",
            "externalid",
        ],
    ),
    (
        CaseField::PersonKey,
        &[
            "cpr",
            "cprnr",
            "cprnummer",
            "personnummer",
            "personnr",
            "barnetscpr",
            "cprbarn",
            "barncpr",
            "personnøgle",
            "personkey",
            "personid",
        ],
    ),
    (
        CaseField::Caseworker,
        &[
            "sagsbehandler",
            "rådgiver",
            "raadgiver",
            "initialer",
            "sagsbehandlerinitialer",
            "rådgiverinitialer",
            "ansvarligsagsbehandler",
            "ansvarligrådgiver",
            "medarbejder",
            "caseworker",
        ],
    ),
    (
        CaseField::Unit,
        &[
            "team",
            "enhed",
            "afdeling",
            "unit",
            "organisatoriskenhed",
            "teamnavn",
            "distrikt",
            "organisation",
        ],
    ),
    (
        CaseField::Area,
        &["område", "omraade", "sagsområde", "area", "målgruppe"],
    ),
    (
        CaseField::CaseType,
        &[
            "paragraf",
            "lovhjemmel",
            "sagstype",
            "foranstaltning",
            "foranstaltningsparagraf",
            "casetype",
            "paragraph",
            "legalbasis",
        ],
    ),
    (
        CaseField::MeasureStart,
        &[
            "startdato",
            "indsatsstart",
            "indsatsstartdato",
            "foranstaltningstartdato",
            "foranstaltningsstartdato",
            "foranstaltningstart",
            "startdate",
            "start",
            "fradato",
            "measurestart",
        ],
    ),
    (
        CaseField::MeasureEnd,
        &[
            "slutdato",
            "indsatsslut",
            "indsatsslutdato",
            "foranstaltningslutdato",
            "foranstaltningsslutdato",
            "foranstaltningslut",
            "enddate",
            "slut",
            "tildato",
            "ophørsdato",
            "measureend",
        ],
    ),
    (
        CaseField::DecisionDate,
        &[
            "afgørelsesdato",
            "afgørelse",
            "datoforafgørelse",
            "decisiondate",
        ],
    ),
    (
        CaseField::UnderretningReceived,
        &[
            "underretningmodtaget",
            "underretningmodtagetdato",
            "underretningsdato",
            "underretningdato",
            "datoforunderretning",
            "underretning",
            "notificationreceived",
        ],
    ),
    (
        CaseField::BfuStart,
        &["bfustart", "bfustartdato", "bfupåbegyndt", "bfuiværksat"],
    ),
    (
        CaseField::BfuEnd,
        &[
            "bfuafsluttet",
            "bfuslut",
            "bfuslutdato",
            "bfuafslutning",
            "bfuend",
        ],
    ),
    (
        CaseField::PlanDate,
        &[
            "barnetsplan",
            "barnetsplandato",
            "datoforbarnetsplan",
            "plandato",
            "handleplan",
        ],
    ),
    (
        CaseField::FollowUpDate,
        &[
            "opfølgning",
            "opfølgningsdato",
            "senesteopfølgning",
            "opfølgningdato",
            "followup",
        ],
    ),
    (
        CaseField::BirthDate,
        &[
            "fødselsdato",
            "fødselsdag",
            "født",
            "birthdate",
            "dateofbirth",
        ],
    ),
    (CaseField::Age, &["alder", "barnetsalder", "alderår", "age"]),
];

/// Guesses a mapping from Danish and English header names ("Sagsnummer", "Sags-nr.",
/// "Paragraf", "Rådgiver", "Startdato", "BFU afsluttet", "CPR-nr" …). Each header is used for
/// at most one field; the first header in file order wins.
pub fn suggest_mapping<S: AsRef<str>>(headers: &[S]) -> Suggestion {
    let compacted: Vec<String> = headers.iter().map(|h| compact(h.as_ref())).collect();
    let mut used = vec![false; headers.len()];
    let mut mapping = Mapping::new();
    for (field, names) in SYNONYMS {
        let hit = compacted
            .iter()
            .enumerate()
            .find(|(i, c)| !used[*i] && names.contains(&c.as_str()));
        if let Some((i, _)) = hit {
            used[i] = true;
            mapping.set(*field, headers[i].as_ref().trim());
        }
    }
    let unmapped_headers = headers
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(h, _)| h.as_ref().to_owned())
        .collect();
    let missing_mandatory = mapping.missing_mandatory();
    Suggestion {
        mapping,
        unmapped_headers,
        missing_mandatory,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn normalises_headers() {
        assert_eq!(normalise_header("  Sags-nr. "), "sagsnr");
        assert_eq!(normalise_header("Indsats   start"), "indsats start");
        assert_eq!(normalise_header("BFU_afsluttet"), "bfu afsluttet");
        assert_eq!(normalise_header("Område"), "område");
        assert_eq!(normalise_header("CPR-nr."), "cprnr");
    }

    #[test]
    fn suggests_from_danish_headers() {
        let headers = [
            "Sags-nr.",
            "CPR-nr",
            "Rådgiver",
            "Team",
            "Område",
            "Lovhjemmel",
            "Foranstaltning startdato",
            "Slutdato",
            "Afgørelsesdato",
            "Underretning modtaget",
            "BFU start",
            "BFU afsluttet",
            "Barnets plan",
            "Opfølgning",
            "Fødselsdato",
            "Alder",
            "Anbringelsessted",
        ];
        let s = suggest_mapping(&headers);
        let m = &s.mapping;
        assert_eq!(m.get(CaseField::ExternalId), Some("Sags-nr."));
        assert_eq!(m.get(CaseField::PersonKey), Some("CPR-nr"));
        assert_eq!(m.get(CaseField::Caseworker), Some("Rådgiver"));
        assert_eq!(m.get(CaseField::Unit), Some("Team"));
        assert_eq!(m.get(CaseField::Area), Some("Område"));
        assert_eq!(m.get(CaseField::CaseType), Some("Lovhjemmel"));
        assert_eq!(
            m.get(CaseField::MeasureStart),
            Some("Foranstaltning startdato")
        );
        assert_eq!(m.get(CaseField::MeasureEnd), Some("Slutdato"));
        assert_eq!(m.get(CaseField::DecisionDate), Some("Afgørelsesdato"));
        assert_eq!(
            m.get(CaseField::UnderretningReceived),
            Some("Underretning modtaget")
        );
        assert_eq!(m.get(CaseField::BfuStart), Some("BFU start"));
        assert_eq!(m.get(CaseField::BfuEnd), Some("BFU afsluttet"));
        assert_eq!(m.get(CaseField::PlanDate), Some("Barnets plan"));
        assert_eq!(m.get(CaseField::FollowUpDate), Some("Opfølgning"));
        assert_eq!(m.get(CaseField::BirthDate), Some("Fødselsdato"));
        assert_eq!(m.get(CaseField::Age), Some("Alder"));
        assert_eq!(s.unmapped_headers, vec!["Anbringelsessted".to_owned()]);
        assert!(s.missing_mandatory.is_empty());
    }

    #[test]
    fn synonyms_for_each_mandatory_field() {
        for h in [
            "Sagsnummer",
            "Sags-nr.",
            "Sagsnr",
            "Sags ID",
            "Case id",
            "SAGSNR",
        ] {
            assert_eq!(
                suggest_mapping(&[h]).mapping.get(CaseField::ExternalId),
                Some(h),
                "{h}"
            );
        }
        for h in ["Paragraf", "Lovhjemmel", "Sagstype", "Foranstaltning"] {
            assert_eq!(
                suggest_mapping(&[h]).mapping.get(CaseField::CaseType),
                Some(h)
            );
        }
        for h in ["Sagsbehandler", "Rådgiver", "Initialer"] {
            assert_eq!(
                suggest_mapping(&[h]).mapping.get(CaseField::Caseworker),
                Some(h)
            );
        }
        for h in ["Startdato", "Indsats start", "Foranstaltning startdato"] {
            assert_eq!(
                suggest_mapping(&[h]).mapping.get(CaseField::MeasureStart),
                Some(h)
            );
        }
        for h in ["Team", "Enhed", "Afdeling"] {
            assert_eq!(suggest_mapping(&[h]).mapping.get(CaseField::Unit), Some(h));
        }
        for h in ["CPR", "CPR-nr", "Personnummer"] {
            assert_eq!(
                suggest_mapping(&[h]).mapping.get(CaseField::PersonKey),
                Some(h)
            );
        }
    }

    #[test]
    fn reports_missing_mandatory_and_uses_a_header_once() {
        let s = suggest_mapping(&["Sagsnr", "Sagsnummer", "Noget"]);
        assert_eq!(s.mapping.get(CaseField::ExternalId), Some("Sagsnr"));
        assert_eq!(s.unmapped_headers, vec!["Sagsnummer", "Noget"]);
        assert_eq!(
            s.missing_mandatory,
            vec![
                CaseField::CaseType,
                CaseField::MeasureStart,
                CaseField::Caseworker
            ]
        );
    }

    #[test]
    fn mapping_is_json_keyed_by_field_code() {
        let m = Mapping::new()
            .with(CaseField::ExternalId, "Sagsnr.")
            .with(CaseField::MeasureStart, "Startdato");
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(
            json,
            r#"{"external_id":"Sagsnr.","measure_start":"Startdato"}"#
        );
        let back: Mapping = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
        assert!(serde_json::from_str::<Mapping>(r#"{"nonsense":"x"}"#).is_err());
    }
}
