//! Databases of their own on a PostgreSQL server, for the binary's tests and
//! the benches (which include this file).

#![allow(dead_code)] // each bench and test file uses its own part

/// A new, empty database `name` on the server at `admin` (one left by an
/// earlier run goes first); returns its URL.
pub fn create(admin: &str, name: &str) -> String {
    statement(
        admin,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    );
    statement(admin, &format!("CREATE DATABASE {name}"));
    let mut url = url::Url::parse(admin).expect("a PostgreSQL URL");
    url.set_path(name);
    url.into()
}

pub fn drop(admin: &str, name: &str) {
    statement(
        admin,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    );
}

/// One statement on the server's admin database, from a thread of its own
/// (callers may be inside a runtime).
fn statement(admin: &str, sql: &str) {
    let (admin, sql) = (admin.to_string(), sql.to_string());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .expect("connect to the PostgreSQL server");
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .expect("an admin statement");
        })
    })
    .join()
    .expect("the admin thread");
}
