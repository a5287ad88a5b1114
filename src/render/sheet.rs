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

/// Excel keeps at most this many links in a sheet; cells past them are text.
const MAX_LINKS: usize = 65_000;
/// Nor more characters in a cell.
const MAX_CELL: usize = 32_767;
/// Nor more rows in a sheet (the header's included).
pub const MAX_ROWS: u32 = 1_048_576;
/// Column widths are measured on the header and this many rows.
const MEASURED_ROWS: u32 = 200;

/// A sheet being written row by row — CSV or XLSX — so that a large export
/// never holds its rows as cells: it writes each slice as it reads it.
pub struct Writer {
    kind: Kind,
    rows: u32,
    columns: u16,
}

enum Kind {
    Csv(Box<csv::Writer<Vec<u8>>>),
    Xlsx(Box<Xlsx>),
}

struct Xlsx {
    book: rust_xlsxwriter::Workbook,
    day: rust_xlsxwriter::Format,
    time: rust_xlsxwriter::Format,
    links: usize,
    /// The widest text of each column seen so far, in characters.
    widths: Vec<usize>,
}

/// What went wrong writing a sheet.
#[derive(Debug)]
pub struct SheetError(String);

impl std::fmt::Display for SheetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SheetError {}

impl From<csv::Error> for SheetError {
    fn from(e: csv::Error) -> Self {
        SheetError(format!("CSV: {e}"))
    }
}

impl From<rust_xlsxwriter::XlsxError> for SheetError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        SheetError(format!("XLSX: {e}"))
    }
}

impl Writer {
    /// A CSV file, its header written.
    pub fn csv(header: &[String]) -> Result<Writer, SheetError> {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(b"\xEF\xBB\xBF".to_vec());
        w.write_record(header)?;
        Ok(Writer {
            kind: Kind::Csv(Box::new(w)),
            rows: 0,
            columns: header.len() as u16,
        })
    }

    /// An XLSX workbook of one sheet named `title`, its bold header written
    /// and frozen.
    pub fn xlsx(title: &str, header: &[String]) -> Result<Writer, SheetError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet_with_constant_memory();
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
        for (c, h) in header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold)?;
        }
        if !header.is_empty() {
            sheet.set_freeze_panes(1, 0)?;
        }
        Ok(Writer {
            kind: Kind::Xlsx(Box::new(Xlsx {
                book,
                day: Format::new().set_num_format("dd/mm/yyyy"),
                time: Format::new().set_num_format("dd/mm/yyyy hh:mm"),
                links: 0,
                widths: header.iter().map(|h| h.chars().count()).collect(),
            })),
            rows: 0,
            columns: header.len() as u16,
        })
    }

    /// How many rows are written, the header's left out.
    pub fn rows(&self) -> u32 {
        self.rows
    }

    /// Writes one row under the others.
    pub fn push(&mut self, row: &[Cell]) -> Result<(), SheetError> {
        if self.rows + 1 >= MAX_ROWS {
            return Err(SheetError(format!(
                "a sheet holds at most {} rows",
                MAX_ROWS - 1
            )));
        }
        self.rows += 1;
        let r = self.rows;
        match &mut self.kind {
            Kind::Csv(w) => w.write_record(row.iter().map(Cell::text))?,
            Kind::Xlsx(x) => x.push(r, row)?,
        }
        Ok(())
    }

    /// The file.
    pub fn finish(self) -> Result<Vec<u8>, SheetError> {
        match self.kind {
            Kind::Csv(w) => w
                .into_inner()
                .map_err(|e| SheetError(format!("CSV: {}", e.error()))),
            Kind::Xlsx(mut x) => {
                let rows = self.rows;
                let columns = self.columns;
                let sheet = x.book.worksheet_from_index(0)?;
                if columns > 0 {
                    sheet.autofilter(0, 0, rows, columns - 1)?;
                }
                for (c, chars) in x.widths.iter().enumerate() {
                    sheet.set_column_width(c as u16, (*chars).clamp(8, 60) as f64 + 2.0)?;
                }
                Ok(x.book.save_to_buffer()?)
            }
        }
    }
}

impl Xlsx {
    fn push(&mut self, r: u32, row: &[Cell]) -> Result<(), rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::ExcelDateTime;
        if r <= MEASURED_ROWS {
            for (c, cell) in row.iter().enumerate() {
                let chars = match cell {
                    Cell::Text(t) | Cell::Link(t) => t.chars().count(),
                    Cell::Date(_) => 10,
                    Cell::DateTime(_) => 16,
                };
                if let Some(w) = self.widths.get_mut(c) {
                    *w = (*w).max(chars);
                }
            }
        }
        let sheet = self.book.worksheet_from_index(0)?;
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
                    sheet.write_datetime_with_format(r, c, d, &self.day)?;
                }
                Cell::DateTime(t) => {
                    let d =
                        ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)?
                            .and_hms(t.hour() as u16, t.minute() as u8, t.second() as u8)?;
                    sheet.write_datetime_with_format(r, c, d, &self.time)?;
                }
                Cell::Link(url) if self.links < MAX_LINKS => {
                    self.links += 1;
                    sheet.write_url(r, c, url.as_str())?;
                }
                Cell::Link(url) => {
                    sheet.write_string(r, c, url)?;
                }
            }
        }
        Ok(())
    }
}
