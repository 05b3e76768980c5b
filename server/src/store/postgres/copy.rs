//! The copy from SQLite (`store/copy.rs`). Rows go over as they are,
//! derived ones included (counters, item keys), with this database's
//! triggers off for the copy, so nothing is counted twice and no webhook is
//! queued again. Columns are matched by name; PostgreSQL's types say how each
//! value is read from SQLite and written here.

use super::Postgres;
use crate::store::copy::{COPIED, CopiedTable, NOT_COPIED};
use crate::store::sqlite::Sqlite;
use crate::store::{Result, StoreError};
use futures_util::TryStreamExt;
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Postgres as Pg, QueryBuilder, Row};

/// PostgreSQL allows 65,535 parameters a statement; a batch also stops at
/// this many bytes, so screenshots do not pile up in memory.
const MAX_PARAMS: usize = 60_000;
const MAX_ROWS: usize = 1_000;
const MAX_BYTES: usize = 8 << 20;

/// How a column's values are read and written, from its type here.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    Json,
    Int,
    Int4,
    Real,
    Bytes,
}

impl Kind {
    fn of(data_type: &str) -> Option<Kind> {
        Some(match data_type {
            "text" => Kind::Text,
            "json" | "jsonb" => Kind::Json,
            "bigint" => Kind::Int,
            "integer" | "smallint" => Kind::Int4,
            "double precision" | "real" => Kind::Real,
            "bytea" => Kind::Bytes,
            _ => return None,
        })
    }

    /// The expression that reads `column` from SQLite as this kind (SQLite
    /// keeps whatever type a value was written with).
    fn read(self, column: &str) -> String {
        match self {
            Kind::Text | Kind::Json => format!("CAST(\"{column}\" AS TEXT)"),
            Kind::Int | Kind::Int4 => format!("CAST(\"{column}\" AS INTEGER)"),
            Kind::Real => format!("CAST(\"{column}\" AS REAL)"),
            Kind::Bytes => format!("\"{column}\""),
        }
    }
}

enum Value {
    Text(Option<String>),
    Int(Option<i64>),
    Real(Option<f64>),
    Bytes(Option<Vec<u8>>),
}

impl Value {
    fn size(&self) -> usize {
        match self {
            Value::Text(v) => v.as_ref().map_or(0, String::len),
            Value::Bytes(v) => v.as_ref().map_or(0, Vec::len),
            Value::Int(_) | Value::Real(_) => 8,
        }
    }
}

struct Column {
    name: String,
    kind: Kind,
}

impl Postgres {
    pub(crate) async fn copy_from_sqlite(&self, from: &Sqlite) -> Result<Vec<CopiedTable>> {
        let refused = |why: String| Err(StoreError::Copy(why));
        let source = from.pool();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(source)
        .await?;
        if let Some(unknown) = tables
            .iter()
            .find(|t| !COPIED.contains(&t.as_str()) && !NOT_COPIED.contains(&t.as_str()))
        {
            return refused(format!(
                "the source has a table `{unknown}` this version does not know: \
                 migrate with the scraper-server that wrote it"
            ));
        }

        let mut tx = self.pool.begin().await?;
        for table in COPIED {
            let sql = format!("SELECT EXISTS (SELECT 1 FROM {table})");
            let taken: bool = sqlx::query_scalar(AssertSqlSafe(sql))
                .fetch_one(&mut *tx)
                .await?;
            if taken {
                return refused(format!(
                    "the destination already holds data (in `{table}`): \
                     migrate copies into an empty database only"
                ));
            }
        }
        for table in COPIED {
            let sql = format!("ALTER TABLE {table} DISABLE TRIGGER USER");
            sqlx::query(AssertSqlSafe(sql)).execute(&mut *tx).await?;
        }
        // One read transaction: every table as it was at one moment, even
        // with a server still writing to the file. On a read-only connection
        // of its own, whose streaming reads are not logged as slow statements.
        let mut reader = (*source.connect_options())
            .clone()
            .read_only(true)
            .disable_statement_logging()
            .connect()
            .await?;
        let mut read = reader.begin().await?;
        let mut copied = Vec::new();
        for &table in COPIED {
            let columns = self.columns(&mut tx, &mut read, table).await?;
            let written = copy_table(&mut read, &mut tx, table, &columns).await?;
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let here: i64 = sqlx::query_scalar(AssertSqlSafe(sql.clone()))
                .fetch_one(&mut *tx)
                .await?;
            let there: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
                .fetch_one(&mut *read)
                .await?;
            if here != there || written != there as u64 {
                return refused(format!(
                    "`{table}` has {there} rows in the source but {here} were copied; \
                     nothing was written"
                ));
            }
            copied.push(CopiedTable {
                table,
                rows: there as u64,
            });
        }
        for table in COPIED {
            let sql = format!("ALTER TABLE {table} ENABLE TRIGGER USER");
            sqlx::query(AssertSqlSafe(sql)).execute(&mut *tx).await?;
        }
        read.rollback().await?;
        tx.commit().await?;
        reader.close().await?;
        Ok(copied)
    }

    /// The columns of `table` both sides have, with this side's types. A
    /// column only the source has would be lost, so it is an error; one only
    /// this side has must have a default.
    async fn columns(
        &self,
        tx: &mut sqlx::PgConnection,
        read: &mut sqlx::SqliteConnection,
        table: &str,
    ) -> Result<Vec<Column>> {
        let here: Vec<(String, String, bool)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text, column_default IS NOT NULL \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 \
             ORDER BY ordinal_position",
        )
        .bind(table)
        .fetch_all(&mut *tx)
        .await?;
        let there: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
            .bind(table)
            .fetch_all(&mut *read)
            .await?;
        let copy_error = |why: String| StoreError::Copy(why);
        if let Some(lost) = there.iter().find(|c| !here.iter().any(|h| &h.0 == *c)) {
            return Err(copy_error(format!(
                "`{table}.{lost}` has no column to go to in the destination"
            )));
        }
        let mut columns = Vec::new();
        for (name, data_type, defaulted) in here {
            if !there.contains(&name) {
                if defaulted {
                    continue;
                }
                return Err(copy_error(format!(
                    "`{table}.{name}` is not in the source and has no default"
                )));
            }
            let kind = Kind::of(&data_type).ok_or_else(|| {
                copy_error(format!(
                    "`{table}.{name}` is of a type migrate cannot copy: {data_type}"
                ))
            })?;
            columns.push(Column { name, kind });
        }
        Ok(columns)
    }
}

/// Streams the table's rows from SQLite into batched inserts here; returns
/// how many rows were written.
async fn copy_table(
    read: &mut sqlx::SqliteConnection,
    tx: &mut sqlx::PgConnection,
    table: &str,
    columns: &[Column],
) -> Result<u64> {
    let list = columns
        .iter()
        .map(|c| format!("\"{}\"", c.name))
        .collect::<Vec<_>>()
        .join(", ");
    let reads = columns
        .iter()
        .map(|c| c.kind.read(&c.name))
        .collect::<Vec<_>>()
        .join(", ");
    // The outbox is numbered here in the order SQLite kept it.
    let order = if table == "webhook_deliveries" {
        " ORDER BY rowid"
    } else {
        ""
    };
    let select = format!("SELECT {reads} FROM {table}{order}");
    let insert = format!("INSERT INTO {table} ({list}) ");
    let per_batch = (MAX_PARAMS / columns.len()).clamp(1, MAX_ROWS);

    let mut rows = sqlx::query(AssertSqlSafe(select)).fetch(&mut *read);
    let mut batch: Vec<Vec<Value>> = Vec::new();
    let (mut bytes, mut written) = (0, 0);
    while let Some(row) = rows.try_next().await? {
        let mut values = Vec::with_capacity(columns.len());
        for (i, column) in columns.iter().enumerate() {
            let value = match column.kind {
                Kind::Text | Kind::Json => Value::Text(row.try_get(i)?),
                Kind::Int | Kind::Int4 => Value::Int(row.try_get(i)?),
                Kind::Real => Value::Real(row.try_get(i)?),
                Kind::Bytes => Value::Bytes(row.try_get(i)?),
            };
            bytes += value.size();
            values.push(value);
        }
        batch.push(values);
        if batch.len() >= per_batch || bytes >= MAX_BYTES {
            written += write(tx, &insert, columns, std::mem::take(&mut batch)).await?;
            bytes = 0;
        }
    }
    if !batch.is_empty() {
        written += write(tx, &insert, columns, batch).await?;
    }
    Ok(written)
}

async fn write(
    tx: &mut sqlx::PgConnection,
    insert: &str,
    columns: &[Column],
    batch: Vec<Vec<Value>>,
) -> Result<u64> {
    let mut query: QueryBuilder<Pg> = QueryBuilder::new(insert);
    query.push_values(batch, |mut row, values| {
        for (value, column) in values.into_iter().zip(columns) {
            // Values are bound as they were read; the cast makes them the
            // column's type (text to json, bigint to integer).
            let cast = match column.kind {
                Kind::Json => "::json",
                Kind::Int4 => "::integer",
                _ => "",
            };
            match value {
                Value::Text(v) => row.push_bind(v),
                Value::Int(v) => row.push_bind(v),
                Value::Real(v) => row.push_bind(v),
                Value::Bytes(v) => row.push_bind(v),
            };
            row.push_unseparated(cast);
        }
    });
    let done = query.build().execute(&mut *tx).await?;
    Ok(done.rows_affected())
}
