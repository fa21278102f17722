# Importing case extracts (crates/intake). Same keys as da/intake.ftl; every key the intake
# crate uses must be here (a test in crates/intake checks).
# Variables: $line is the line number as a text editor shows it (in Excel: the row number),
# $column the column's header, $value the value (CPR numbers masked as xxxxxx-xxxx).

## The whole file is refused

intake-io = The file could not be read. Try importing it again. If it happens again, contact your administrator.
intake-too-large = The file is too large. It may be at most { $max_mb } MB. Split the extract into several files, or include only the columns that are needed.
intake-empty = The file is empty. Choose the right file, or make the extract again.
intake-header-only = The file has a header line but no cases. Make the extract again and check that the cases are included.
intake-not-csv-html = The file is a web page (HTML), not a CSV file. Save the extract from the case system as CSV or Excel (xlsx) and import that file.
intake-not-csv-zip = The file is an Excel file (xlsx) or a zip file, not a CSV file. Choose Excel (xlsx) as the file type, or save the file as CSV in Excel.
intake-not-csv-xls = The file is in the old Excel format (xls). Open it in Excel, save it as "Excel Workbook (xlsx)" or "CSV UTF-8", and import again.
intake-utf16 = The file is saved as "Unicode text" (UTF-16), which cannot be imported. Open it in Excel, save it as "CSV UTF-8 (comma delimited)", and import again.
intake-nul-byte = Line { $line } contains characters that do not occur in a text file, so the file is not a CSV file. Check that you chose the right file.
intake-mixed-encoding = The file mixes two character encodings: line { $utf8_line } is saved as UTF-8, but line { $other_line } is not. The first line that stands out is line { $line }. Save the whole file again as "CSV UTF-8", or choose the encoding yourself, and import again.
intake-not-utf8 = You chose the UTF-8 encoding, but line { $line } is not saved as UTF-8. Choose "Detect" or "Windows-1252" and import again.
intake-looks-utf8 = You chose a character set other than UTF-8, but the file is saved as UTF-8 (see e.g. line { $line }). Read with the chosen set, æ, ø and å would come out wrong. Choose «Detect» (on the command line: leave out --encoding) and import again.
intake-no-delimiter = The header line has no separator (semicolon, comma or tab) between the columns. Check that the file is a CSV file with headers in the first line.
intake-record-too-long = Line { $line } is unusually long (over 4 MB). A closing quotation mark (") may be missing, so the rest of the file was read as one field. Correct the line in the file and import again.
intake-duplicate-header = The column "{ $column }" appears more than once. Give the columns different names in the file and import again.
intake-missing-columns = No column is chosen for these required fields: { $fields }. Choose a column for each field, or make the extract again with those columns.
intake-mapped-column-absent = The column "{ $column }" is chosen for the field { $field }, but the file has no such column. Choose another column, or correct the column's name in the file.
intake-column-mapped-twice = The column "{ $column }" is chosen for more than one field ({ $fields }). Choose one column per field.
intake-secret-missing = A CPR column is chosen, but the system lacks the secret key that hides CPR numbers. Contact your administrator.
intake-cpr-outside-person-key = Line { $line }, column "{ $column }": it contains a CPR number. CPR numbers may only be in the column chosen as the CPR column. The import has stopped. Remove the CPR numbers from the column, or choose it as the CPR column, and import again.
intake-xlsx-several-sheets = The Excel file has several sheets: { $sheets }. Choose the sheet to import and import again.
intake-xlsx-sheet-not-found = The Excel file has no sheet named "{ $sheet }". The sheets are: { $sheets }. Choose one of them and import again.
intake-xlsx-merged-cells = The sheet has merged cells ({ $range }). Unmerge them in Excel so that each case is on its own row with one value per cell, and import again.
intake-xlsx-formula = The sheet contains formulas (the first in cell { $cell }). Copy the sheet, paste it as "Values", save, and import again.
intake-not-xlsx = The file is not an Excel file (xlsx). If it is a CSV file, choose CSV as the file type and import again.
intake-xlsx-unreadable = The Excel file could not be read. Open it in Excel, save it again as "Excel Workbook (xlsx)", and import again.

## A line with errors

intake-field-count = Line { $line } has { $found } columns, but the header has { $expected }. Correct the line in the file and import again.
intake-field-count-quote = Line { $line } has { $found } columns, but the header has { $expected }. A quotation mark (") may be missing, so several lines were read as one. Correct the line in the file and import again.
intake-value-missing = Line { $line }, column "{ $column }": the field is empty but is required. Fill it in in the file and import again.
intake-duplicate-id = Line { $line }, column "{ $column }": the case number "{ $value }" is also on line { $first_line }. Each case may appear only once. Remove the extra line and import again.
intake-unit-outside-scope = Line { $line }: the unit «{ $value }» is not one of your units ({ $units }). You can only import cases of your own units. Take the other cases out of the file, or ask someone who covers the whole municipality to import the extract.
intake-area-unknown = Line { $line }, column "{ $column }": "{ $value }" is not a known area. Write "Udsatte børn" or "Handicap" and import again.
intake-case-type-unknown = Line { $line }, column "{ $column }": "{ $value }" is not a known section of barnets lov. Write the section as, for example, "§ 32" and import again. Sections of serviceloven cannot be used.
intake-age-invalid = Line { $line }, column "{ $column }": "{ $value }" is not an age. Write the age in whole years (e.g. 12) and import again.
intake-date-impossible = Line { $line }, column "{ $column }": "{ $value }" is not a valid date. Correct the date in the file (dd-mm-yyyy) and import again.
intake-date-invalid = Line { $line }, column "{ $column }": "{ $value }" cannot be read as a date. Write the date as dd-mm-yyyy (e.g. 31-12-2024) and import again.
intake-date-mixed-formats = The column "{ $column }" has dates written in two ways: on line { $first_line } as { $first_format }, but on line { $other_line } as { $other_format }. Write all dates in the column the same way and import again.

## Dates that do not fit together (the domain's rules, CaseRecord::date_problems)

case-date-end-before-start = Line { $line }, column "{ $column }": the end date { $value } is before the start date. Correct the date in the file and import again.
case-date-decision-before-underretning = Line { $line }, column "{ $column }": the decision ({ $value }) is before the day the notification (underretning) was received. Correct the date in the file and import again.
case-date-bfu-end-before-start = Line { $line }, column "{ $column }": the child protection investigation (BFU) ended ({ $value }) before it started. Correct the date in the file and import again.
case-date-in-future = Line { $line }, column "{ $column }": the date { $value } is after today. Correct the date in the file and import again.
case-date-birth-after-start = Line { $line }, column "{ $column }": the birth date { $value } is after the measure started. Correct the date in the file and import again.

## Names of fields and areas

area-udsatte = Vulnerable children and young people
area-handicap = Children and young people with disabilities
case-field-external-id = Case number
case-field-person-key = CPR number (hidden)
case-field-caseworker = Caseworker
case-field-unit = Team or unit
case-field-area = Area
case-field-case-type = Section (paragraf)
case-field-measure-start = Start date of the measure
case-field-measure-end = End date of the measure
case-field-decision-date = Decision date
case-field-underretning-received = Notification (underretning) received
case-field-bfu-start = Child protection investigation (BFU) started
case-field-bfu-end = Child protection investigation (BFU) completed
case-field-plan-date = Child's plan (barnets plan)
case-field-follow-up-date = Follow-up
case-field-birth-date = Birth date
case-field-age = Age
