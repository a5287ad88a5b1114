//! Tables written for spreadsheets: CSV the way French spreadsheets open it
//! (UTF-8 with a byte-order mark, `;` between cells, CRLF; the `csv` crate
//! quotes), and XLSX workbooks (`rust_xlsxwriter`) with real dates, links,
//! a bold frozen header and filters. The statistics' tables and the exports
//! of requests are written here, nowhere else.

use jiff::civil::{Date, DateTime};

/// A cell of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Date(Date),
    /// A time of day on a day, in the town's time zone.
    DateTime(DateTime),
    /// An address (a spreadsheet makes it a link).
    Link(String),
}

impl Cell {
    /// The cell as CSV text: dates in ISO 8601, which every spreadsheet reads.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(t) | Cell::Link(t) => t.clone(),
            Cell::Date(d) => d.to_string(),
            Cell::DateTime(t) => t.strftime("%Y-%m-%d %H:%M").to_string(),
        }
    }
}

/// A CSV file of `header` then `rows`.
pub fn csv<R: AsRef<[String]>>(header: &[String], rows: &[R]) -> Result<Vec<u8>, csv::Error> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(header)?;
        for row in rows {
            w.write_record(row.as_ref())?;
        }
        w.flush()?;
    }
    Ok(out)
}

/// A CSV file of cells.
pub fn csv_of_cells(header: &[String], rows: &[Vec<Cell>]) -> Result<Vec<u8>, csv::Error> {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(Cell::text).collect())
        .collect();
    csv(header, &rows)
}

/// Excel keeps at most this many links in a sheet; cells past them are text.
const MAX_LINKS: usize = 65_000;
/// Nor more characters in a cell.
const MAX_CELL: usize = 32_767;

/// An XLSX workbook of one sheet named `title`.
pub fn xlsx(
    title: &str,
    header: &[String],
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    // A sheet's name: 31 characters at most, none of []:*?/\.
    let name: String = title
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    if !name.trim().is_empty() {
        sheet.set_name(name.trim())?;
    }
    let bold = Format::new().set_bold();
    let day = Format::new().set_num_format("dd/mm/yyyy");
    let time = Format::new().set_num_format("dd/mm/yyyy hh:mm");
    for (c, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, h, &bold)?;
    }
    let mut links = 0;
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(t) => {
                    if t.len() > MAX_CELL {
                        let cut: String = t.chars().take(MAX_CELL / 4).collect();
                        sheet.write_string(r, c, cut)?;
                    } else {
                        sheet.write_string(r, c, t)?;
                    }
                }
                Cell::Date(d) => {
                    let d =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    sheet.write_datetime_with_format(r, c, d, &day)?;
                }
                Cell::DateTime(t) => {
                    let d =
                        ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)?
                            .and_hms(t.hour() as u16, t.minute() as u8, t.second() as u8)?;
                    sheet.write_datetime_with_format(r, c, d, &time)?;
                }
                Cell::Link(url) if links < MAX_LINKS => {
                    links += 1;
                    sheet.write_url(r, c, url.as_str())?;
                }
                Cell::Link(url) => {
                    sheet.write_string(r, c, url)?;
                }
            }
        }
    }
    if !header.is_empty() {
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofilter(0, 0, rows.len() as u32, header.len() as u16 - 1)?;
    }
    sheet.set_autofit_max_width(400);
    sheet.autofit();
    book.save_to_buffer()
}
