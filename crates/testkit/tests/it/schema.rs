//! The two backends' migrations must give the same tables and columns.

use klade_store::Backend;
use klade_testkit::TestApp;

#[tokio::test]
async fn sqlite_and_postgres_schemas_have_the_same_tables_and_columns() {
    let sqlite = TestApp::new(Backend::Sqlite).await;
    let lite = sqlite.db().schema_columns().await.expect("sqlite schema");
    assert!(lite.iter().any(|(t, c)| t == "accounts" && c == "password_hash"));
    if !klade_testkit::backends().contains(&Backend::Postgres) {
        eprintln!("KLADE_TEST_PG_URL is not set: the PostgreSQL side of this comparison did not run");
        return;
    }
    let pg = TestApp::new(Backend::Postgres).await;
    let postgres = pg.db().schema_columns().await.expect("postgres schema");
    let only_lite: Vec<_> = lite.iter().filter(|c| !postgres.contains(c)).collect();
    let only_pg: Vec<_> = postgres.iter().filter(|c| !lite.contains(c)).collect();
    assert!(
        only_lite.is_empty() && only_pg.is_empty(),
        "only in SQLite: {only_lite:?}; only in PostgreSQL: {only_pg:?}"
    );
}
