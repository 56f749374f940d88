//! The store contract: every case runs against SQLite and PostGIS. A behaviour that is not a case
//! here is not part of the contract.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

mod cases;

macro_rules! contract {
    ($($case:ident),+ $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $case() {
                   let db = crate::support::TestDb::new(crate::support::Kind::Sqlite).await.unwrap();
                   let store = db.store().await.unwrap();
                   crate::cases::$case(store.as_ref()).await;
               } )+
        }
        mod postgis {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $case() {
                   let Some(db) = crate::support::TestDb::new(crate::support::Kind::Postgis).await else { return };
                   let Some(store) = db.store().await else { return };
                   crate::cases::$case(store.as_ref()).await;
               } )+
        }
    };
}

contract! {
    a_created_project_reads_back_identical,
    getting_an_unknown_id_is_not_found,
    creating_an_existing_id_is_already_exists,
    replace_with_the_current_version_bumps_it_and_appends_one_revision,
    replace_with_a_stale_version_is_a_mismatch_and_changes_nothing,
    archive_hides_the_project_but_keeps_its_history,
    a_recreated_id_continues_its_history,
    bbox_returns_exactly_the_intersecting_projects,
    a_point_on_the_bbox_edge_is_included,
    filters_combine_with_and,
    q_matches_either_name_ignoring_ascii_case,
    pages_walk_every_project_exactly_once,
    stats_sum_investment_exactly,
    keyset_pages_walk_every_project_exactly_once_under_every_filter,
    candidate_ids_hold_every_selected_project_in_id_order,
    the_extent_covers_every_live_project_and_its_time_span,
    stats_group_by_responsible_unit_counting_a_project_in_each,
    a_failing_batch_writes_nothing,
    an_upsert_batch_reports_created_updated_and_unchanged,
    concurrent_replaces_on_one_version_accept_exactly_one,
    concurrent_creates_of_one_id_accept_exactly_one,
    archived_lists_each_archived_project_once_with_who_and_when,
    census_counts_real_and_synthetic_apart,
    a_revision_is_read_back_by_version,
    as_of_returns_the_state_at_that_instant,
    users_are_added_listed_disabled_and_unique,
    sessions_and_tokens_resolve_by_digest_until_expiry_or_disable,
    failed_sign_ins_are_counted_per_key_within_a_window,
    the_audit_log_reads_back_newest_first,
    user_changes_write_their_audit_line_in_their_transaction,
    sign_ins_tokens_and_failures_write_their_audit_line_with_them,
    every_accepted_write_is_audited_in_its_transaction,
    cql2_filters_select_the_same_projects_on_both_stores,
    datetime_selects_projects_whose_time_span_overlaps,
    units_are_registered_once_and_users_are_tied_only_to_known_units,
    the_reviewer_role_is_stored,
    a_report_is_created_once_per_project_and_month_and_reads_back,
    report_changes_are_compare_and_swap_and_kept_in_history,
    an_approval_writes_the_project_in_the_same_transaction_or_not_at_all,
    milestones_are_set_per_project_and_kind,
    photos_are_kept_with_their_report_and_read_back_byte_for_byte,
    target_values_keep_their_history_and_seed_once,
    statistics_users_are_designated_and_withdrawn,
    tokens_are_listed_revoked_and_expire,
    the_last_enabled_admin_cannot_be_disabled_or_demoted,
    concurrent_demotions_leave_an_admin,
    failures_tell_their_count_and_latest,
}

/// Not a contract case: fails in CI when PostGIS cannot be used, so the `postgis::*` cases can
/// never pass by skipping.
#[tokio::test]
async fn postgis_is_usable_when_ci_is_set() {
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        let db = support::TestDb::new(support::Kind::Postgis).await.expect("PostGIS database");
        let store = db.store().await.expect("PostGIS store");
        assert_eq!(store.backend(), planmap::store::Backend::Postgis);
    }
}
