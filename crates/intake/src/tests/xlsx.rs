//! XLSX workbooks made here with rust_xlsxwriter.

use super::*;
use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook, Worksheet};

const HEAD: [&str; 6] = [
    "Sagsnr",
    "Rådgiver",
    "Paragraf",
    "Startdato",
    "Fødselsdato",
    "Bemærkning",
];

fn header(ws: &mut Worksheet) {
    for (c, h) in HEAD.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
}

fn row(ws: &mut Worksheet, r: u32, id: &str, start: &str) {
    ws.write_string(r, 0, id).unwrap();
    ws.write_string(r, 1, "AB").unwrap();
    ws.write_string(r, 2, "§ 32").unwrap();
    ws.write_string(r, 3, start).unwrap();
}

fn open_xlsx(bytes: Vec<u8>, sheet: Option<&str>) -> Result<Source, IntakeError> {
    let opts = Options {
        sheet: sheet.map(str::to_owned),
        ..Options::default()
    };
    Source::open_xlsx(Cursor::new(bytes), &opts)
}

#[test]
fn typed_cells_dates_serials_and_numeric_ids() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    header(ws);
    let date = XFormat::new().set_num_format("dd-mm-yyyy");
    // Row 2: numeric id, a real date cell, a date-time birth date.
    ws.write_number(1, 0, 12345.0).unwrap();
    ws.write_string(1, 1, "AB").unwrap();
    ws.write_number(1, 2, 32.0).unwrap();
    ws.write_datetime_with_format(1, 3, ExcelDateTime::from_ymd(2024, 2, 1).unwrap(), &date)
        .unwrap();
    let dt = ExcelDateTime::parse_from_str("2015-06-15 13:30:00").unwrap();
    ws.write_datetime_with_format(1, 4, dt, &XFormat::new().set_num_format("dd-mm-yyyy hh:mm"))
        .unwrap();
    ws.write_string(1, 5, "=HYPERLINK(\"http://x\",\"klik\")")
        .unwrap();
    // Row 3: a plain serial number in the date column, a text date, text id.
    ws.write_string(2, 0, "0042").unwrap();
    ws.write_string(2, 1, "CD").unwrap();
    ws.write_string(2, 2, "32").unwrap();
    ws.write_number(2, 3, 45292.0).unwrap();
    ws.write_string(2, 4, "01-02-2016").unwrap();
    ws.write_number(2, 5, 1.5).unwrap();
    let bytes = wb.save_to_buffer().unwrap();

    let source = open_xlsx(bytes.clone(), None).unwrap();
    assert_eq!(source.headers(), HEAD);
    assert_eq!(source.info().format, Format::Xlsx);
    assert_eq!(source.info().sheet.as_deref(), Some("Sheet1"));
    assert_eq!(source.info().encoding, None);
    use sha2::Digest;
    assert_eq!(
        source.info().file_sha256,
        hex::encode(sha2::Sha256::digest(&bytes))
    );
    let (report, recs) = read_source(source, |_| {}).unwrap();
    assert!(report.is_clean(), "{:#?}", report.errors);
    assert_eq!(recs[0].external_id, "12345", "integers without .0");
    assert_eq!(recs[0].case_type, "§ 32");
    assert_eq!(recs[0].measure_start, Some(d(2024, 2, 1)));
    assert_eq!(recs[0].birth_date, Some(d(2015, 6, 15)));
    assert_eq!(
        recs[0].attributes.get("Bemærkning").map(String::as_str),
        Some("=HYPERLINK(\"http://x\",\"klik\")"),
        "kept as text, never evaluated"
    );
    assert_eq!(recs[1].external_id, "0042", "text ids keep their zeros");
    assert_eq!(
        recs[1].measure_start,
        Some(d(2024, 1, 1)),
        "Excel serial 45292"
    );
    assert_eq!(recs[1].birth_date, Some(d(2016, 2, 1)));
    assert_eq!(
        recs[1].attributes.get("Bemærkning").map(String::as_str),
        Some("1.5")
    );
}

#[test]
fn line_errors_use_excel_row_numbers() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    // Two empty rows above the header: the header is row 3.
    for (c, h) in HEAD.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    row(ws, 3, "S-1", "01-02-2024");
    row(ws, 5, "S-2", "31-02-2024");
    let source = open_xlsx(wb.save_to_buffer().unwrap(), None).unwrap();
    assert_eq!(source.info().header_line, 3);
    let (report, recs) = read_source(source, |_| {}).unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(report.blank_rows, 1);
    let issue = only_issue(&report);
    assert_eq!((issue.line, issue.key), (6, "intake-date-impossible"));
    assert_eq!(issue.column.as_deref(), Some("Startdato"));
}

#[test]
fn merged_cells_are_refused_naming_the_range() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    header(ws);
    row(ws, 1, "S-1", "01-02-2024");
    ws.merge_range(2, 0, 2, 2, "Team Nord", &XFormat::new())
        .unwrap();
    let e = open_xlsx(wb.save_to_buffer().unwrap(), None).unwrap_err();
    assert_eq!(
        e,
        IntakeError::MergedCells {
            range: "A3:C3".into()
        }
    );
    assert_eq!(e.key(), "intake-xlsx-merged-cells");
}

#[test]
fn formulas_are_refused_naming_the_first_cell() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    header(ws);
    for r in 1..9 {
        row(ws, r, &format!("S-{r}"), "01-02-2024");
    }
    ws.write_formula(6, 3, "=DATE(2024,2,1)").unwrap();
    ws.write_formula(8, 1, "=\"AB\"").unwrap();
    let e = open_xlsx(wb.save_to_buffer().unwrap(), None).unwrap_err();
    assert_eq!(e, IntakeError::Formula { cell: "D7".into() });
}

fn two_sheets() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Forside").unwrap();
    ws.write_string(0, 0, "Udtræk fra DUBU").unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("Sager").unwrap();
    header(ws);
    row(ws, 1, "S-1", "01-02-2024");
    wb.save_to_buffer().unwrap()
}

#[test]
fn several_sheets_need_a_name() {
    let e = open_xlsx(two_sheets(), None).unwrap_err();
    assert_eq!(
        e,
        IntakeError::SeveralSheets {
            sheets: vec!["Forside".into(), "Sager".into()]
        }
    );
    assert_eq!(e.args(), vec![("sheets", "Forside, Sager".to_owned())]);
    let source = open_xlsx(two_sheets(), Some("sager")).unwrap();
    assert_eq!(source.info().sheet.as_deref(), Some("Sager"));
    let (report, recs) = read_source(source, |_| {}).unwrap();
    assert!(report.is_clean());
    assert_eq!(recs.len(), 1);
    assert_eq!(
        open_xlsx(two_sheets(), Some("Ark3")).unwrap_err(),
        IntakeError::SheetNotFound {
            sheet: "Ark3".into(),
            sheets: vec!["Forside".into(), "Sager".into()]
        }
    );
    // The first sheet has a header but no rows.
    assert_eq!(
        open_xlsx(two_sheets(), Some("Forside")).unwrap_err(),
        IntakeError::HeaderOnly
    );
}

#[test]
fn empty_and_broken_workbooks() {
    let mut wb = Workbook::new();
    wb.add_worksheet();
    assert_eq!(
        open_xlsx(wb.save_to_buffer().unwrap(), None).unwrap_err(),
        IntakeError::Empty
    );
    assert_eq!(open_xlsx(Vec::new(), None).unwrap_err(), IntakeError::Empty);
    assert_eq!(
        open_xlsx(b"Sagsnr;x\n1;2\n".to_vec(), None).unwrap_err(),
        IntakeError::NotXlsx
    );
    let mut broken = two_sheets();
    broken.truncate(broken.len() / 2);
    assert_eq!(
        open_xlsx(broken, None).unwrap_err().key(),
        "intake-xlsx-unreadable"
    );
}

#[test]
fn cpr_in_a_workbook() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["Sagsnr", "CPR", "Rådgiver", "Paragraf", "Startdato"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    // A CPR number typed as a number lost its leading zero: 0106154321 → 106154321.
    for (r, cpr) in [(1, None), (2, Some(106154321.0))] {
        ws.write_string(r, 0, format!("S-{r}")).unwrap();
        if let Some(n) = cpr {
            ws.write_number(r, 1, n).unwrap();
        } else {
            ws.write_string(r, 1, "010615-4321").unwrap();
        }
        ws.write_string(r, 2, "AB").unwrap();
        ws.write_string(r, 3, "32").unwrap();
        ws.write_string(r, 4, "01-02-2024").unwrap();
    }
    let (report, recs) = read_source(
        open_xlsx(wb.save_to_buffer().unwrap(), None).unwrap(),
        |_| {},
    )
    .unwrap();
    assert!(report.is_clean(), "{:#?}", report.errors);
    assert_eq!(recs[0].person_key, recs[1].person_key);
    assert_eq!(recs[1].birth_date, Some(d(2015, 6, 1)));
}

/// Found by cargo-fuzz: a merge range written backwards makes calamine 0.38 subtract with
/// overflow. In builds with overflow checks (tests, dev) that is a panic inside calamine,
/// which the importer turns into a refusal; in release builds it wraps and the merge is
/// refused as merged cells. Either way: an error, no panic out of the crate.
#[test]
fn a_workbook_that_panics_calamine_is_refused() {
    let bytes = include_bytes!("fixtures/calamine-overflow.xlsx").to_vec();
    let e = open_xlsx(bytes, None).unwrap_err();
    assert!(
        matches!(
            e,
            IntakeError::Unreadable(_) | IntakeError::MergedCells { .. }
        ),
        "{e:?}"
    );
}
