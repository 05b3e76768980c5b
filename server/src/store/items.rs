use super::{Result, Store};
use serde_json::{Map, Value};

/// Items a read of a whole data set asks the database for at a time.
pub const ITEM_PAGE: u64 = 1000;

/// Where a page of a run's items starts.
#[derive(Debug, Clone, Copy)]
pub(super) enum PageStart {
    /// After the first this many items, in `seq` order.
    Skip(u64),
    /// After the item with this `seq`.
    After(i64),
}

impl Store {
    /// Stores a batch of a run's items, numbered from `first_seq`, in one transaction.
    pub async fn insert_items(
        &self,
        run_id: &str,
        first_seq: u64,
        items: &[Map<String, Value>],
    ) -> Result<()> {
        db!(self, insert_items(run_id, first_seq, items))
    }

    /// The run's items after the first `skip`, at most `take` of them (all
    /// without), as their stored JSON texts in order, a page at a time.
    pub fn item_pages(&self, run_id: &str, skip: u64, take: Option<u64>) -> ItemPages {
        ItemPages {
            store: self.clone(),
            run_id: run_id.to_string(),
            skip,
            after: None,
            left: take,
            done: false,
        }
    }

    /// At most `take` of the run's items from `start`, as (`seq`, stored
    /// JSON text) in order.
    pub(super) async fn item_page(
        &self,
        run_id: &str,
        start: PageStart,
        take: u64,
    ) -> Result<Vec<(i64, String)>> {
        db!(self, item_page(run_id, start, take))
    }

    pub async fn item_count(&self, run_id: &str) -> Result<u64> {
        db!(self, item_count(run_id))
    }

    /// The keys of the items `item_pages(run_id, skip, take)` reads, each
    /// once, in the order they first appear (by item, then within it). The
    /// database walks the texts itself, so no item is read out for it; a
    /// text that is not a JSON object adds nothing, as it makes no CSV row.
    pub async fn item_keys(
        &self,
        run_id: &str,
        skip: u64,
        take: Option<u64>,
    ) -> Result<Vec<String>> {
        db!(self, item_keys(run_id, skip, take))
    }
}

/// A read of a run's items page by page. Each page after the first is
/// found from the `seq` the previous one ended at, an index seek, so the
/// last page of a million items costs what the first does; OFFSET would
/// walk every item before it. Only the first page skips with OFFSET.
#[derive(Debug)]
pub struct ItemPages {
    store: Store,
    run_id: String,
    skip: u64,
    /// The `seq` of the last item given, once a page has been read.
    after: Option<i64>,
    /// How many items may still be given, when there is a limit.
    left: Option<u64>,
    done: bool,
}

impl ItemPages {
    /// The next page (at most `ITEM_PAGE` texts), or `None` at the end.
    /// Items a running run adds meanwhile come in later pages, in order.
    pub async fn next(&mut self) -> Result<Option<Vec<String>>> {
        let want = self.left.map_or(ITEM_PAGE, |left| left.min(ITEM_PAGE));
        if self.done || want == 0 {
            return Ok(None);
        }
        let start = match self.after {
            None => PageStart::Skip(self.skip),
            Some(after) => PageStart::After(after),
        };
        let rows = self.store.item_page(&self.run_id, start, want).await?;
        let got = rows.len() as u64;
        self.done = got < want;
        if let Some(left) = &mut self.left {
            *left -= got;
        }
        let Some(&(last, _)) = rows.last() else {
            return Ok(None);
        };
        self.after = Some(last);
        Ok(Some(rows.into_iter().map(|(_, text)| text).collect()))
    }
}
