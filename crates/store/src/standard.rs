//! The standard content shipped with tilsyn (`content/templates/`), compiled into the binary
//! and loaded as locked, published templates on every start.

use crate::error::StoreError;
use crate::templates::parse_file;
use tilsyn_domain::template::TemplateContent;

/// The standard template files, in the order they are listed to people.
pub const FILES: [(&str, &str); 7] = [
    (
        "bl-overordnet.json",
        include_str!("../../../content/templates/bl-overordnet.json"),
    ),
    (
        "bl-tema-inddragelse.json",
        include_str!("../../../content/templates/bl-tema-inddragelse.json"),
    ),
    (
        "bl-tema-plan.json",
        include_str!("../../../content/templates/bl-tema-plan.json"),
    ),
    (
        "bl-tema-anbringelse.json",
        include_str!("../../../content/templates/bl-tema-anbringelse.json"),
    ),
    (
        "bl-tema-handicap.json",
        include_str!("../../../content/templates/bl-tema-handicap.json"),
    ),
    (
        "bl-temanedslag.json",
        include_str!("../../../content/templates/bl-temanedslag.json"),
    ),
    (
        "km-organisation-ledelse.json",
        include_str!("../../../content/templates/km-organisation-ledelse.json"),
    ),
];

/// Every standard template, parsed and checked. A failure here is a defect in the shipped
/// files (the tests catch it before release), reported with the file name.
pub fn templates() -> Result<Vec<TemplateContent>, StoreError> {
    FILES
        .iter()
        .map(|(name, text)| {
            parse_file(text).map_err(|errs| {
                StoreError::Config(format!(
                    "standard template {name} is invalid: {}",
                    errs.iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                ))
            })
        })
        .collect()
}
