/// The ledger's migrations, in order. Every file in `Migrations/` appears here exactly once
/// (a test checks it); a shipped file is never edited: a change is a new file.
public enum Schema {
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "0001_initial.sql", bytes: PackageResources._001_initial_sql),
        Migration(version: 2, name: "0002_market_data.sql", bytes: PackageResources._002_market_data_sql),
        Migration(version: 3, name: "0003_voids.sql", bytes: PackageResources._003_voids_sql),
        Migration(version: 4, name: "0004_position_checkpoints.sql", bytes: PackageResources._004_position_checkpoints_sql),
        Migration(version: 5, name: "0005_position_segments.sql", bytes: PackageResources._005_position_segments_sql),
        Migration(version: 6, name: "0006_book_settings.sql", bytes: PackageResources._006_book_settings_sql),
        Migration(version: 7, name: "0007_exposure_history.sql", bytes: PackageResources._007_exposure_history_sql),
        Migration(version: 8, name: "0008_settlements.sql", bytes: PackageResources._008_settlements_sql),
        Migration(version: 9, name: "0009_hedge_policies.sql", bytes: PackageResources._009_hedge_policies_sql),
        Migration(version: 10, name: "0010_gross_options_delta.sql", bytes: PackageResources._010_gross_options_delta_sql),
        Migration(version: 11, name: "0011_hedge_decisions.sql", bytes: PackageResources._011_hedge_decisions_sql),
        Migration(version: 12, name: "0012_journal_chain.sql", bytes: PackageResources._012_journal_chain_sql),
        Migration(version: 13, name: "0013_corrections.sql", bytes: PackageResources._013_corrections_sql),
        Migration(version: 14, name: "0014_quotes.sql", bytes: PackageResources._014_quotes_sql),
        Migration(version: 15, name: "0015_market_blocks.sql", bytes: PackageResources._015_market_blocks_sql),
        Migration(version: 16, name: "0016_pnl_explain.sql", bytes: PackageResources._016_pnl_explain_sql),
        Migration(version: 17, name: "0017_venue_logs.sql", bytes: PackageResources._017_venue_logs_sql),
        Migration(version: 18, name: "0018_assertion_withdrawals.sql", bytes: PackageResources._018_assertion_withdrawals_sql),
        Migration(version: 19, name: "0019_premium_check.sql", bytes: PackageResources._019_premium_check_sql),
    ]

    public static let migrator = Migrator(migrations: migrations)
}
