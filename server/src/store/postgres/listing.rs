//! One page of a filtered list and how many rows match in all: what the
//! flow and run lists share. The SQL is fixed; only filter values are bound.

use crate::store::Result;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgPool, Postgres, QueryBuilder};

pub(super) struct Listing {
    /// The page's `SELECT ... FROM table alias`, without a WHERE clause.
    pub select: &'static str,
    /// `SELECT COUNT(*) FROM table alias`, with the alias the filters use.
    pub count: &'static str,
    /// A total order, so that pages neither overlap nor skip rows.
    pub order_by: &'static str,
}

/// `column = value` conditions, all of which must hold; `None` filters nothing.
pub(super) type Filters<'a> = [(&'static str, Option<&'a str>)];

impl Listing {
    pub async fn page<R>(
        &self,
        pool: &PgPool,
        filters: &Filters<'_>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<R>, u64)>
    where
        R: for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        let mut page = QueryBuilder::<Postgres>::new(self.select);
        push_where(&mut page, filters);
        page.push(" ORDER BY ")
            .push(self.order_by)
            .push(" LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = page.build_query_as().fetch_all(pool).await?;

        let mut count = QueryBuilder::<Postgres>::new(self.count);
        push_where(&mut count, filters);
        let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
        Ok((rows, total as u64))
    }
}

fn push_where(q: &mut QueryBuilder<Postgres>, filters: &Filters<'_>) {
    let mut joiner = " WHERE ";
    for (column, value) in filters {
        if let Some(value) = value {
            q.push(joiner).push(column).push(" = ").push_bind(*value);
            joiner = " AND ";
        }
    }
}
