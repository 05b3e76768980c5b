//! A list the user moves through: rows from the server, the subset the
//! filter lets through, and a selection that follows a row by its id when
//! the rows are replaced.

use std::cell::Cell;

pub trait Row {
    fn id(&self) -> &str;
    /// The text the `/` filter searches, lowercase.
    fn haystack(&self) -> String;
}

#[derive(Debug, Clone)]
pub struct Table<T> {
    pub rows: Vec<T>,
    /// Each row's `haystack()`, made once per load: typing a filter over
    /// 10,000 rows then only searches, it does not format and lowercase.
    hay: Vec<String>,
    /// Every match on the server; may be more than `rows` (paged).
    pub total: u64,
    /// Indices into `rows` that pass the filter, in order.
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub selected: usize,
    pub filter: String,
    pub loaded: bool,
    /// First visible row on screen; the renderer moves it to keep the
    /// selection in view, so it lives in a Cell (drawing takes `&App`).
    pub offset: Cell<usize>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            rows: Vec::new(),
            hay: Vec::new(),
            total: 0,
            visible: Vec::new(),
            selected: 0,
            filter: String::new(),
            loaded: false,
            offset: Cell::new(0),
        }
    }
}

impl<T: Row> Table<T> {
    /// Replaces the rows, keeping the selected row (by id) selected.
    pub fn set_rows(&mut self, rows: Vec<T>, total: u64) {
        let keep = self.selected_row().map(|r| r.id().to_string());
        let old_index = self.selected;
        self.hay = rows.iter().map(Row::haystack).collect();
        self.rows = rows;
        self.total = total;
        self.loaded = true;
        self.refilter();
        self.selected = keep
            .and_then(|id| self.visible.iter().position(|&i| self.rows[i].id() == id))
            .unwrap_or(old_index.min(self.visible.len().saturating_sub(1)));
    }

    pub fn set_filter(&mut self, filter: &str) {
        let keep = self.selected_row().map(|r| r.id().to_string());
        self.filter = filter.to_string();
        self.refilter();
        self.selected = keep
            .and_then(|id| self.visible.iter().position(|&i| self.rows[i].id() == id))
            .unwrap_or(0);
    }

    fn refilter(&mut self) {
        let needle = self.filter.to_lowercase();
        self.visible = self
            .hay
            .iter()
            .enumerate()
            .filter(|(_, h)| needle.is_empty() || h.contains(&needle))
            .map(|(i, _)| i)
            .collect();
    }

    pub fn select_id(&mut self, id: &str) -> bool {
        match self.visible.iter().position(|&i| self.rows[i].id() == id) {
            Some(pos) => {
                self.selected = pos;
                true
            }
            None => false,
        }
    }

    pub fn selected_row(&self) -> Option<&T> {
        self.visible.get(self.selected).map(|&i| &self.rows[i])
    }

    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    pub fn visible_row(&self, n: usize) -> Option<&T> {
        self.visible.get(n).map(|&i| &self.rows[i])
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.visible.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
    }

    pub fn top(&mut self) {
        self.selected = 0;
    }

    pub fn bottom(&mut self) {
        self.selected = self.visible.len().saturating_sub(1);
    }

    /// The window of `height` rows to draw: moves `offset` just enough to
    /// show the selection, like a list in k9s.
    pub fn window(&self, height: usize) -> std::ops::Range<usize> {
        let len = self.visible.len();
        if height == 0 || len == 0 {
            return 0..0;
        }
        let mut offset = self.offset.get().min(len.saturating_sub(1));
        if self.selected < offset {
            offset = self.selected;
        } else if self.selected >= offset + height {
            offset = self.selected + 1 - height;
        }
        // No empty space under the last row when there is more above.
        offset = offset.min(len.saturating_sub(height));
        self.offset.set(offset);
        offset..(offset + height).min(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone)]
    struct R(&'static str);
    impl Row for R {
        fn id(&self) -> &str {
            self.0
        }
        fn haystack(&self) -> String {
            self.0.to_lowercase()
        }
    }

    #[test]
    fn selection_follows_the_id_when_rows_move() {
        let mut t = Table::default();
        t.set_rows(vec![R("a"), R("b"), R("c")], 3);
        t.move_by(1);
        assert_eq!(t.selected_row().unwrap().0, "b");
        t.set_rows(vec![R("new"), R("a"), R("b"), R("c")], 4);
        assert_eq!(t.selected_row().unwrap().0, "b");
        // Gone: the same position, clamped.
        t.set_rows(vec![R("x")], 1);
        assert_eq!(t.selected_row().unwrap().0, "x");
    }

    #[test]
    fn filter_keeps_the_selected_row_when_it_still_matches() {
        let mut t = Table::default();
        t.set_rows(vec![R("apple"), R("banana"), R("apricot")], 3);
        t.bottom();
        t.set_filter("AP");
        assert_eq!(t.visible_len(), 2);
        assert_eq!(t.selected_row().unwrap().0, "apricot");
        t.set_filter("ban");
        assert_eq!(t.selected_row().unwrap().0, "banana");
    }

    #[test]
    fn the_window_scrolls_to_keep_the_selection_visible() {
        let mut t = Table::default();
        t.set_rows((0..100).map(|_| R("r")).collect(), 100);
        assert_eq!(t.window(10), 0..10);
        t.move_by(15);
        assert_eq!(t.window(10), 6..16);
        t.move_by(-12);
        assert_eq!(t.window(10), 3..13);
        t.bottom();
        assert_eq!(t.window(10), 90..100);
    }
}
