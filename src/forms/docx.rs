//! Reading a Word `.docx` case form into a plain [`Document`]: paragraphs and tables of text.
//!
//! A .docx is a zip; only `word/document.xml` is inflated (under the caller's limit, after the
//! whole archive's declared sizes are checked). Of the XML only text is kept: `w:t` runs, `w:tab`
//! as a tab, `w:br`/`w:cr` as a line break, `w:p` paragraphs and `w:tbl/w:tr/w:tc` tables (a
//! cell's text is its paragraphs joined by `\n`). A cell spanning columns (`w:gridSpan`) is
//! followed by empty cells, and a cell continuing a vertical merge (`w:vMerge`) is empty, so every
//! row lines up with the table's grid. A table nested in a cell becomes lines of that cell.
//! Deleted text of tracked changes (`w:delText`), field codes and everything else are ignored.
//! An old binary Word `.doc` is recognised and refused with a clear message.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use thiserror::Error;

use crate::archive::{self, ArchiveError};

/// A document: its blocks in order.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Document {
    pub blocks: Vec<Block>,
}

/// A paragraph or a table (rows of cell texts, aligned with the table's grid).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Block {
    Paragraph(String),
    Table(Vec<Vec<String>>),
}

/// Why an attachment could not be read as a Word document.
#[derive(Debug, Error, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DocxError {
    /// Not a Word document at all.
    #[error("not a .docx document")]
    NotADocx,
    /// An old binary Word `.doc` (or an RTF saved under that name).
    #[error("an old binary Word .doc, which is not read")]
    OldWordFormat,
    #[error("the document is damaged: {0}")]
    Damaged(String),
    #[error("the document inflates to more than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the document is password-protected")]
    Encrypted,
    /// More table cells or paragraphs than any case form has.
    #[error("the document has more than {limit} table cells and paragraphs")]
    TooManyCells { limit: usize },
}

impl DocxError {
    /// What the reporting unit is told, in Chinese.
    pub fn user_message(&self) -> String {
        match self {
            DocxError::NotADocx => "附件不是可以读取的Word文档（可能是改了扩展名的其他文件）。\
                请用Word或WPS打开典型案例报送表，另存为 .docx 格式后重新发送。"
                .to_string(),
            DocxError::OldWordFormat => "附件是旧版Word格式（.doc），无法读取。\
                请用Word或WPS打开后，另存为 .docx 格式再重新发送。"
                .to_string(),
            DocxError::Damaged(_) => "Word文档已损坏或不完整，无法打开。\
                请用Word或WPS重新保存为 .docx 后再发送。"
                .to_string(),
            DocxError::TooLarge { limit } => format!(
                "Word文档解压后超过{}，为安全起见没有读取。\
                请不要把大量图片插入文档，照片可直接作为邮件附件发送。",
                crate::domain::text::size_text(*limit)
            ),
            DocxError::Encrypted => "Word文档设置了打开密码，无法读取。\
                请取消密码后重新发送。"
                .to_string(),
            DocxError::TooManyCells { limit } => format!(
                "Word文档的表格单元格和段落超过{limit}个，远超典型案例报送表应有的大小，没有读取。\
                请按附件2的格式只填写一份报送表后重新发送。"
            ),
        }
    }
}

/// At most this many table cells (a cell spanning n grid columns counts n), rows and paragraphs
/// are built from one document; a case form has a few hundred. Counted before each is built, so
/// a small file of spanning cells cannot grow into gigabytes of empty strings.
pub const MAX_ITEMS: usize = 100_000;

const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const DOCUMENT_PART: &str = "word/document.xml";

/// Reads a .docx from an attachment's bytes; `max_uncompressed` bounds what it may inflate to.
pub fn read_docx(bytes: &[u8], max_uncompressed: u64) -> Result<Document, DocxError> {
    if bytes.starts_with(&CFB_MAGIC) {
        return Err(compound_kind(bytes));
    }
    if bytes.starts_with(b"{\\rtf") {
        return Err(DocxError::OldWordFormat);
    }
    if !bytes.starts_with(b"PK") {
        return Err(DocxError::NotADocx);
    }
    let xml = archive::extract_one(bytes, DOCUMENT_PART, max_uncompressed)
        .map_err(|e| match e {
            ArchiveError::Damaged(msg) => DocxError::Damaged(msg),
            ArchiveError::TooLarge { limit } => DocxError::TooLarge { limit },
            ArchiveError::Encrypted(_) | ArchiveError::WrongPassword(_) => DocxError::Encrypted,
        })?
        .ok_or(DocxError::NotADocx)?;
    let text = String::from_utf8_lossy(&xml);
    parse_document_xml(text.trim_start_matches('\u{feff}'))
}

/// An OLE compound file is an old `.doc`, or a password-protected .docx (which Office stores as
/// a compound file holding `EncryptionInfo`); the stream names are UTF-16 in the directory.
fn compound_kind(bytes: &[u8]) -> DocxError {
    let utf16 =
        |name: &str| -> Vec<u8> { name.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let holds = |name: &str| {
        let needle = utf16(name);
        bytes.windows(needle.len()).any(|w| w == needle.as_slice())
    };
    if holds("EncryptionInfo") {
        DocxError::Encrypted
    } else if holds("WordDocument") {
        DocxError::OldWordFormat
    } else {
        DocxError::NotADocx
    }
}

/// Parses `word/document.xml` into blocks.
pub fn parse_document_xml(xml: &str) -> Result<Document, DocxError> {
    let mut reader = Reader::from_str(xml);
    let mut builder = Builder {
        budget: MAX_ITEMS,
        ..Builder::default()
    };
    loop {
        if builder.overflowed {
            return Err(DocxError::TooManyCells { limit: MAX_ITEMS });
        }
        let event = reader
            .read_event()
            .map_err(|e| DocxError::Damaged(e.to_string()))?;
        match event {
            Event::Start(e) => builder.start(&e),
            Event::Empty(e) => {
                builder.start(&e);
                builder.end(local_name(&e).as_str());
            }
            Event::End(e) => builder.end(e.local_name().into_inner()),
            Event::Text(t) if builder.in_text => builder.push_text(&t.xml10_content()),
            Event::GeneralRef(r) if builder.in_text => {
                let resolved = quick_xml::escape::resolve_xml_entity(&r)
                    .map(str::to_string)
                    .or_else(|| r.resolve_char_ref().ok().flatten().map(String::from));
                builder.push_text(&resolved.unwrap_or_default());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(Document {
        blocks: builder.blocks,
    })
}

fn local_name(e: &BytesStart<'_>) -> String {
    e.local_name().into_inner().to_string()
}

/// The `w:val` attribute, whatever the namespace prefix.
fn val_attribute(e: &BytesStart<'_>) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().into_inner() == "val")
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

#[derive(Debug, Default)]
struct Cell {
    paragraphs: Vec<String>,
    span: usize,
    continues_merge: bool,
}

#[derive(Debug, Default)]
struct Table {
    rows: Vec<Vec<String>>,
    row: Vec<String>,
    cell: Option<Cell>,
}

/// The parse state: blocks done so far, the open tables (innermost last), the open paragraph.
#[derive(Debug, Default)]
struct Builder {
    blocks: Vec<Block>,
    tables: Vec<Table>,
    paragraph: Option<String>,
    /// Paragraphs inside a paragraph (text boxes) add their text to the outer one.
    paragraph_depth: usize,
    in_text: bool,
    /// Cells, rows and paragraphs still allowed (see [`MAX_ITEMS`]).
    budget: usize,
    overflowed: bool,
}

impl Builder {
    fn start(&mut self, e: &BytesStart<'_>) {
        match local_name(e).as_str() {
            "p" => {
                if self.paragraph_depth == 0 {
                    self.paragraph = Some(String::new());
                }
                self.paragraph_depth += 1;
            }
            "t" => self.in_text = true,
            "tab" if self.paragraph_depth > 0 => self.push_text("\t"),
            "br" | "cr" => self.push_text("\n"),
            "tbl" => self.tables.push(Table::default()),
            "tr" => {
                if let Some(table) = self.tables.last_mut() {
                    table.row = Vec::new();
                }
            }
            "tc" => {
                if let Some(table) = self.tables.last_mut() {
                    table.cell = Some(Cell {
                        span: 1,
                        ..Cell::default()
                    });
                }
            }
            "gridSpan" => {
                let span = val_attribute(e).and_then(|v| v.parse::<usize>().ok());
                if let Some(cell) = self.open_cell() {
                    cell.span = span.unwrap_or(1).clamp(1, 64);
                }
            }
            "vMerge" => {
                let continues = val_attribute(e).is_none_or(|v| v == "continue");
                if let Some(cell) = self.open_cell() {
                    cell.continues_merge = continues;
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "p" => {
                self.paragraph_depth = self.paragraph_depth.saturating_sub(1);
                if self.paragraph_depth == 0
                    && let Some(text) = self.paragraph.take()
                {
                    self.finish_paragraph(text);
                }
            }
            "t" => self.in_text = false,
            "tc" => self.finish_cell(),
            "tr" => {
                if self.spend(1)
                    && let Some(table) = self.tables.last_mut()
                {
                    let row = std::mem::take(&mut table.row);
                    table.rows.push(row);
                }
            }
            "tbl" => self.finish_table(),
            _ => {}
        }
    }

    /// Takes `n` items from the budget; false (and marked) when that would go past it.
    fn spend(&mut self, n: usize) -> bool {
        match self.budget.checked_sub(n) {
            Some(left) => {
                self.budget = left;
                true
            }
            None => {
                self.overflowed = true;
                false
            }
        }
    }

    fn open_cell(&mut self) -> Option<&mut Cell> {
        self.tables.last_mut()?.cell.as_mut()
    }

    fn push_text(&mut self, text: &str) {
        if let Some(paragraph) = self.paragraph.as_mut() {
            paragraph.push_str(text);
        }
    }

    fn finish_paragraph(&mut self, text: String) {
        if !self.spend(1) {
            return;
        }
        match self.open_cell() {
            Some(cell) => cell.paragraphs.push(text),
            None => self.blocks.push(Block::Paragraph(text)),
        }
    }

    fn finish_cell(&mut self) {
        let span = match self.tables.last().and_then(|t| t.cell.as_ref()) {
            Some(cell) => cell.span,
            None => return,
        };
        if !self.spend(span) {
            return;
        }
        let Some(table) = self.tables.last_mut() else {
            return;
        };
        let Some(cell) = table.cell.take() else {
            return;
        };
        let text = if cell.continues_merge {
            String::new()
        } else {
            cell.paragraphs.join("\n").trim_end().to_string()
        };
        table.row.push(text);
        table
            .row
            .extend(std::iter::repeat_n(String::new(), cell.span - 1));
    }

    fn finish_table(&mut self) {
        let Some(table) = self.tables.pop() else {
            return;
        };
        if self.tables.is_empty() {
            self.blocks.push(Block::Table(table.rows));
            return;
        }
        for row in table.rows {
            let line: Vec<&str> = row
                .iter()
                .map(String::as_str)
                .filter(|c| !c.is_empty())
                .collect();
            self.finish_paragraph(line.join("\t"));
        }
    }
}

#[cfg(test)]
#[path = "docx_tests.rs"]
mod tests;
