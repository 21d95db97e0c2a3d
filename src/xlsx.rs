//! A streaming writer of one-sheet XLSX workbooks: rows go out as they come, compressed,
//! and nothing but the current row is held. Enough of Office Open XML for an export: text,
//! numbers, dates, a bold frozen header row and an auto filter.
//!
//! The ZIP container is written without seeking: each part's sizes and checksum follow it in
//! a data descriptor, and the central directory comes at the end.

use std::io::Write;

use chrono::{NaiveDate, NaiveDateTime};
use flate2::Compression;
use flate2::write::DeflateEncoder;

/// A cell value.
pub enum Cell<'a> {
    Text(&'a str),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Empty,
}

// Cell styles, by their index in `STYLES`.
const STYLE_HEADER: u8 = 1;
const STYLE_DATE: u8 = 2;
const STYLE_DATE_TIME: u8 = 3;
/// Text that begins like a formula is shown as typed, never evaluated (Excel's own
/// "quote prefix", as when a person types an apostrophe first).
const STYLE_QUOTED: u8 = 4;

const SHEET: &str = "xl/worksheets/sheet1.xml";

/// Writes an XLSX workbook into an in-memory buffer that the caller drains with
/// [`XlsxWriter::take_output`] as it goes.
pub struct XlsxWriter {
    output: Vec<u8>,
    offset: u64,
    entries: Vec<Entry>,
    sheet: Option<Part>,
    columns: usize,
    rows: u32,
    sheet_name: String,
}

struct Entry {
    name: &'static str,
    crc: u32,
    compressed: u32,
    uncompressed: u32,
    offset: u32,
}

/// The part being written: compressed as it goes.
struct Part {
    name: &'static str,
    offset: u64,
    encoder: DeflateEncoder<Vec<u8>>,
    crc: crc32fast::Hasher,
    uncompressed: u64,
    compressed: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    #[error("the workbook is larger than a ZIP file without ZIP64 can hold")]
    TooLarge,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl XlsxWriter {
    /// Starts a workbook whose one sheet has `headers` in a frozen, filterable first row.
    pub fn new(sheet_name: &str, headers: &[&str]) -> Result<XlsxWriter, XlsxError> {
        let mut writer = XlsxWriter {
            output: Vec::with_capacity(64 * 1024),
            offset: 0,
            entries: Vec::new(),
            sheet: None,
            columns: headers.len(),
            rows: 0,
            sheet_name: sheet_name.to_owned(),
        };
        writer.whole_part("[Content_Types].xml", CONTENT_TYPES.as_bytes())?;
        writer.whole_part("_rels/.rels", ROOT_RELS.as_bytes())?;
        writer.whole_part("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes())?;
        writer.whole_part("xl/styles.xml", STYLES.as_bytes())?;
        writer.begin_part(SHEET)?;
        writer.part_bytes(
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
                 <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
                 <sheetViews><sheetView workbookViewId=\"0\">\
                 <pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>\
                 <selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/>\
                 </sheetView></sheetViews>\
                 <cols><col min=\"1\" max=\"{}\" width=\"22\" customWidth=\"1\"/></cols>\
                 <sheetData>",
                headers.len().max(1)
            )
            .as_bytes(),
        )?;
        let header: Vec<Cell> = headers.iter().map(|h| Cell::Text(h)).collect();
        writer.row_with_style(&header, Some(STYLE_HEADER))?;
        Ok(writer)
    }

    /// Appends a row.
    pub fn row(&mut self, cells: &[Cell]) -> Result<(), XlsxError> {
        self.row_with_style(cells, None)
    }

    fn row_with_style(&mut self, cells: &[Cell], style: Option<u8>) -> Result<(), XlsxError> {
        self.rows += 1;
        let r = self.rows;
        let mut xml = String::with_capacity(64 + cells.len() * 48);
        xml.push_str(&format!("<row r=\"{r}\">"));
        for (i, cell) in cells.iter().enumerate() {
            let reference = format!("{}{r}", column_name(i));
            match cell {
                Cell::Empty => {}
                Cell::Text(text) => {
                    let style = style.or_else(|| looks_like_formula(text).then_some(STYLE_QUOTED));
                    xml.push_str(&format!("<c r=\"{reference}\" t=\"inlineStr\""));
                    if let Some(s) = style {
                        xml.push_str(&format!(" s=\"{s}\""));
                    }
                    xml.push_str("><is><t xml:space=\"preserve\">");
                    escape_into(&mut xml, text);
                    xml.push_str("</t></is></c>");
                }
                Cell::Date(day) => xml.push_str(&format!(
                    "<c r=\"{reference}\" s=\"{STYLE_DATE}\"><v>{}</v></c>",
                    serial_day(*day)
                )),
                Cell::DateTime(at) => {
                    let seconds = at.and_utc().timestamp() - excel_epoch_seconds();
                    xml.push_str(&format!(
                        "<c r=\"{reference}\" s=\"{STYLE_DATE_TIME}\"><v>{}</v></c>",
                        seconds as f64 / 86_400.0
                    ));
                }
            }
        }
        xml.push_str("</row>");
        self.part_bytes(xml.as_bytes())
    }

    /// Bytes ready to send; the writer keeps going with an empty buffer.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.output)
    }

    /// Bytes waiting to be taken.
    pub fn pending(&self) -> usize {
        self.output.len()
    }

    /// Ends the sheet, writes the workbook and the ZIP directory; returns the last bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        let last = column_name(self.columns.max(1) - 1);
        let range = format!("A1:{last}{}", self.rows.max(1));
        self.part_bytes(
            format!("</sheetData><autoFilter ref=\"{range}\"/></worksheet>").as_bytes(),
        )?;
        self.end_part()?;
        let mut name = String::new();
        escape_into(&mut name, &self.sheet_name);
        let absolute = format!(
            "'{}'!$A$1:${last}${}",
            name.replace('\'', "''"),
            self.rows.max(1)
        );
        let workbook = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
             xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
             <sheets><sheet name=\"{name}\" sheetId=\"1\" r:id=\"rId1\"/></sheets>\
             <definedNames><definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"0\" \
             hidden=\"1\">{absolute}</definedName></definedNames></workbook>"
        );
        self.whole_part("xl/workbook.xml", workbook.as_bytes())?;
        self.central_directory()?;
        Ok(self.output)
    }

    fn whole_part(&mut self, name: &'static str, bytes: &[u8]) -> Result<(), XlsxError> {
        self.begin_part(name)?;
        self.part_bytes(bytes)?;
        self.end_part()
    }

    fn begin_part(&mut self, name: &'static str) -> Result<(), XlsxError> {
        let offset = self.offset;
        let mut header = Vec::with_capacity(30 + name.len());
        header.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        header.extend_from_slice(&20u16.to_le_bytes()); // version needed: 2.0
        header.extend_from_slice(&FLAGS.to_le_bytes());
        header.extend_from_slice(&8u16.to_le_bytes()); // deflate
        header.extend_from_slice(&DOS_TIME.to_le_bytes());
        header.extend_from_slice(&DOS_DATE.to_le_bytes());
        header.extend_from_slice(&[0; 12]); // crc and sizes follow in the data descriptor
        header.extend_from_slice(&(name.len() as u16).to_le_bytes());
        header.extend_from_slice(&0u16.to_le_bytes());
        header.extend_from_slice(name.as_bytes());
        self.emit(&header);
        self.sheet = Some(Part {
            name,
            offset,
            encoder: DeflateEncoder::new(Vec::new(), Compression::fast()),
            crc: crc32fast::Hasher::new(),
            uncompressed: 0,
            compressed: 0,
        });
        Ok(())
    }

    /// Writes into the part being written.
    fn part_bytes(&mut self, bytes: &[u8]) -> Result<(), XlsxError> {
        let part = self.sheet.as_mut().ok_or(XlsxError::TooLarge)?;
        part.crc.update(bytes);
        part.uncompressed += bytes.len() as u64;
        part.encoder.write_all(bytes)?;
        let compressed = std::mem::take(part.encoder.get_mut());
        part.compressed += compressed.len() as u64;
        self.emit(&compressed);
        Ok(())
    }

    fn end_part(&mut self) -> Result<(), XlsxError> {
        let Some(mut part) = self.sheet.take() else {
            return Ok(());
        };
        let rest = part.encoder.finish()?;
        part.compressed += rest.len() as u64;
        self.emit(&rest);
        let limit = u64::from(u32::MAX);
        if part.compressed > limit || part.uncompressed > limit || part.offset > limit {
            return Err(XlsxError::TooLarge);
        }
        let entry = Entry {
            name: part.name,
            crc: part.crc.finalize(),
            compressed: part.compressed as u32,
            uncompressed: part.uncompressed as u32,
            offset: part.offset as u32,
        };
        let mut descriptor = Vec::with_capacity(16);
        descriptor.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
        descriptor.extend_from_slice(&entry.crc.to_le_bytes());
        descriptor.extend_from_slice(&entry.compressed.to_le_bytes());
        descriptor.extend_from_slice(&entry.uncompressed.to_le_bytes());
        self.emit(&descriptor);
        self.entries.push(entry);
        Ok(())
    }

    fn central_directory(&mut self) -> Result<(), XlsxError> {
        let start = self.offset;
        let mut directory = Vec::new();
        for entry in &self.entries {
            directory.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            directory.extend_from_slice(&20u16.to_le_bytes()); // made by: 2.0
            directory.extend_from_slice(&20u16.to_le_bytes()); // needed: 2.0
            directory.extend_from_slice(&FLAGS.to_le_bytes());
            directory.extend_from_slice(&8u16.to_le_bytes());
            directory.extend_from_slice(&DOS_TIME.to_le_bytes());
            directory.extend_from_slice(&DOS_DATE.to_le_bytes());
            directory.extend_from_slice(&entry.crc.to_le_bytes());
            directory.extend_from_slice(&entry.compressed.to_le_bytes());
            directory.extend_from_slice(&entry.uncompressed.to_le_bytes());
            directory.extend_from_slice(&(entry.name.len() as u16).to_le_bytes());
            directory.extend_from_slice(&[0; 12]); // extra, comment, disk, attributes
            directory.extend_from_slice(&entry.offset.to_le_bytes());
            directory.extend_from_slice(entry.name.as_bytes());
        }
        let size = directory.len() as u32;
        let start = u32::try_from(start).map_err(|_| XlsxError::TooLarge)?;
        let count = self.entries.len() as u16;
        directory.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        directory.extend_from_slice(&[0; 4]); // disk numbers
        directory.extend_from_slice(&count.to_le_bytes());
        directory.extend_from_slice(&count.to_le_bytes());
        directory.extend_from_slice(&size.to_le_bytes());
        directory.extend_from_slice(&start.to_le_bytes());
        directory.extend_from_slice(&0u16.to_le_bytes());
        self.emit(&directory);
        Ok(())
    }

    fn emit(&mut self, bytes: &[u8]) {
        self.output.extend_from_slice(bytes);
        self.offset += bytes.len() as u64;
    }
}

/// Data descriptor follows (bit 3); names are UTF-8 (bit 11).
const FLAGS: u16 = 0x0808;
/// 2026-01-01 00:00 in MS-DOS format; the parts carry no meaningful time.
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = ((2026 - 1980) << 9) | (1 << 5) | 1;

/// Whether a spreadsheet would take this text for a formula (or a DDE command).
pub fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// "A", "B", … "Z", "AA", …
fn column_name(mut index: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// Days since 1899-12-30, the spreadsheet date serial.
fn serial_day(day: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    (day - epoch).num_days()
}

fn excel_epoch_seconds() -> i64 {
    NaiveDate::from_ymd_opt(1899, 12, 30)
        .unwrap_or_default()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp()
}

/// XML text escaping; characters XML 1.0 cannot hold are dropped.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>\
<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>\
</Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>\
</Relationships>";

const WORKBOOK_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
</Relationships>";

/// Cell formats: 0 default, 1 bold header, 2 date, 3 date and time, 4 quoted text.
const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd\"/><numFmt numFmtId=\"165\" formatCode=\"yyyy-mm-dd hh:mm\"/></numFmts>\
<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font><font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>\
<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>\
<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
<cellXfs count=\"5\">\
<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>\
<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>\
<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>\
<xf numFmtId=\"165\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>\
<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" quotePrefix=\"1\"/>\
</cellXfs>\
<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
</styleSheet>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_like_a_spreadsheet() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(11), "L");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
    }

    #[test]
    fn dates_count_days_from_the_spreadsheet_epoch() {
        assert_eq!(serial_day(NaiveDate::from_ymd_opt(1900, 1, 1).unwrap()), 2);
        assert_eq!(
            serial_day(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()),
            46_352
        );
    }
}
