//! Plain-text tables with aligned columns, and histogram bars.

use std::fmt::Write;

/// A table: the first column is left-aligned (more with [`Table::left`]),
/// the others right-aligned.
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    left: Vec<usize>,
}

impl Table {
    /// A table with these column headers.
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Table {
        Table {
            headers: headers.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
            left: vec![0],
        }
    }

    /// Left-aligns these columns (instead of only the first).
    pub fn left(mut self, columns: &[usize]) -> Table {
        self.left = columns.to_vec();
        self
    }

    /// Adds a row (missing cells are blank).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Renders the table, two spaces between columns, no trailing spaces.
    pub fn render(&self) -> String {
        let n = self.headers.len();
        let mut width: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                width[i] = width[i].max(c.chars().count());
            }
        }
        let mut out = String::new();
        let blank = String::new();
        for r in std::iter::once(&self.headers).chain(&self.rows) {
            let mut line = String::new();
            for (i, w) in width.iter().enumerate() {
                let c = r.get(i).unwrap_or(&blank);
                if i > 0 {
                    line.push_str("  ");
                }
                let pad = w - c.chars().count().min(*w);
                if self.left.contains(&i) {
                    line.push_str(c);
                    line.extend(std::iter::repeat_n(' ', pad));
                } else {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(c);
                }
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
        out
    }
}

/// A table printed as it goes, for very many rows: a first pass over the
/// rows measures the columns ([`TableWriter::fit`]), a second writes them.
pub struct TableWriter {
    headers: Vec<String>,
    width: Vec<usize>,
}

impl TableWriter {
    /// A table with these headers; the first column is left-aligned.
    pub fn new(headers: Vec<String>) -> TableWriter {
        let width = headers.iter().map(|h| h.chars().count()).collect();
        TableWriter { headers, width }
    }

    /// Widens the columns to fit a row.
    pub fn fit(&mut self, cells: &[String]) {
        for (w, c) in self.width.iter_mut().zip(cells) {
            *w = (*w).max(c.chars().count());
        }
    }

    /// Writes the header line.
    pub fn header(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        self.row(out, &self.headers)
    }

    /// Writes one row.
    pub fn row(&self, out: &mut impl std::io::Write, cells: &[String]) -> std::io::Result<()> {
        let mut line = String::new();
        for (i, (w, c)) in self.width.iter().zip(cells).enumerate() {
            let pad = w - c.chars().count().min(*w);
            if i == 0 {
                line.push_str(c);
                line.extend(std::iter::repeat_n(' ', pad));
            } else {
                line.push_str("  ");
                line.extend(std::iter::repeat_n(' ', pad));
                line.push_str(c);
            }
        }
        writeln!(out, "{}", line.trim_end())
    }
}

/// Renders histogram rows `(label, count)` with bars scaled to the largest
/// count (`go tool trace` draws them 400 px wide; here 40 characters).
pub fn histogram(rows: &[(String, u64)], indent: &str) -> String {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let lw = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let cw = rows
        .iter()
        .map(|r| r.1.to_string().len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (label, count) in rows {
        let bar = "█".repeat((count * 40 / max) as usize);
        let _ = writeln!(out, "{indent}{label:>lw$}  {count:>cw$}  {bar}",);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns() {
        let mut t = Table::new(["Name", "N"]);
        t.row(vec!["a".into(), "100".into()]);
        t.row(vec!["longer".into(), "2".into()]);
        assert_eq!(t.render(), "Name      N\na       100\nlonger    2\n");
    }

    #[test]
    fn bars() {
        let h = histogram(&[("1ms".into(), 2), ("10ms".into(), 1)], "");
        assert_eq!(
            h.lines().next(),
            Some(" 1ms  2  ████████████████████████████████████████")
        );
    }
}
