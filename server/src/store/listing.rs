//! One page of a filtered list and how many rows match in all: what the
//! flow and run lists share, on either database. The SQL is fixed; only
//! filter values are bound.

use super::Result;
use sqlx::{Database, Encode, Executor, FromRow, IntoArguments, Pool, QueryBuilder, Type};

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
    /// Generic over the database: each implementation calls it with its pool.
    pub async fn page<DB, R>(
        &self,
        pool: &Pool<DB>,
        filters: &Filters<'_>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<R>, u64)>
    where
        DB: Database,
        for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
        DB::Arguments: IntoArguments<DB>,
        for<'q> &'q str: Encode<'q, DB> + Type<DB>,
        i64: for<'q> Encode<'q, DB> + Type<DB> + for<'r> sqlx::Decode<'r, DB>,
        (i64,): for<'r> FromRow<'r, DB::Row>,
        R: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
    {
        let mut page = QueryBuilder::<DB>::new(self.select);
        push_where(&mut page, filters);
        page.push(" ORDER BY ")
            .push(self.order_by)
            .push(" LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = page.build_query_as().fetch_all(pool).await?;

        let mut count = QueryBuilder::<DB>::new(self.count);
        push_where(&mut count, filters);
        let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
        Ok((rows, total as u64))
    }
}

fn push_where<DB>(q: &mut QueryBuilder<DB>, filters: &Filters<'_>)
where
    DB: Database,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
{
    let mut joiner = " WHERE ";
    for (column, value) in filters {
        if let Some(value) = value {
            q.push(joiner).push(column).push(" = ").push_bind(*value);
            joiner = " AND ";
        }
    }
}
