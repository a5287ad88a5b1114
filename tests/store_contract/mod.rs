//! The store contract: what every [`Store`] backend must do, written against
//! the trait alone, so that SQLite today and PostgreSQL tomorrow run the very
//! same cases.
//!
//! A backend's test file includes this module under the name `store_contract`
//! and hands [`store_contract!`] an expression making a fresh, empty store
//! (evaluated once per test), as `(Arc<dyn Store>, guard)`: the guard (a
//! temporary folder, a throw-away database…) is dropped after the store.
//!
//! ```ignore
//! #[path = "store_contract/mod.rs"]
//! mod store_contract;
//! store_contract!(fresh_store());
//! ```
//!
//! Each case is a plain function taking the store; a case added here must
//! also be named in the list of [`store_contract!`]. Only the trait and the
//! public types of `guichet::store` and `guichet::core` are used: no SQL, no
//! files. The trait's synchronous methods are called outside the runtime in
//! synchronous cases, and from the blocking pool in asynchronous ones (see
//! [`blocking`]), as the server calls them at start-up, never on a runtime
//! thread.

use guichet::core::builtin;
use guichet::core::catalogue::Service;
use guichet::core::forms::RawValue;
use guichet::core::intake::{self, Channel, NewRequest, Submission};
use guichet::core::tracking::{Reference, TRACKING_BYTES, TrackingCode};
use guichet::core::workflow::{self, Agent, Command, Outcome, Role};
use guichet::store::*;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Expands into one `#[test]` per case of the contract, each on a fresh
/// store made by `$make` (an expression giving `(Arc<dyn Store>, guard)`).
#[macro_export]
macro_rules! store_contract {
    ($make:expr) => {
        $crate::store_contract_cases! {
            $make;
            sync: [
                a_tenant_is_created_once_with_its_services_online,
                a_town_is_created_with_its_departments_and_administrator_at_once,
                each_tenant_is_listed_with_its_own_catalogue_in_order,
                a_tenant_is_disabled_and_enabled_and_every_change_moves_the_generation,
                a_towns_services_are_set_withdrawn_and_versioned,
                a_draft_is_kept_then_published_as_the_next_version_once,
            ],
            async: [
                references_start_at_000001_and_follow_without_gaps,
                each_tenant_counts_its_own_references,
                each_year_of_the_tenants_calendar_starts_again_at_000001,
                a_failed_submit_takes_no_number,
                concurrent_submits_get_distinct_consecutive_references,
                concurrent_submits_of_which_some_fail_store_the_others_without_gaps,
                a_request_is_found_by_its_tracking_digest_in_its_own_tenant_only,
                a_request_is_found_by_reference_in_its_own_tenant_only,
                test_requests_are_marked_counted_and_purged_alone_with_a_journal_entry,
                an_agendas_slots_hold_as_many_overlapping_requests_as_it_has_desks,
                a_citizens_account_is_made_once_its_links_work_once_and_its_requests_are_its_own,
                an_openid_flow_is_taken_once_and_an_identity_belongs_to_one_account,
                values_state_and_first_history_event_are_stored_with_the_request,
                apply_on_the_current_revision_moves_the_request_and_records_history_and_audit,
                apply_on_a_stale_revision_is_a_conflict_and_changes_nothing,
                concurrent_applies_on_one_revision_let_exactly_one_through,
                apply_to_a_request_unknown_in_the_tenant_is_refused,
                answers_and_holds_are_the_citizens_messages_and_holding_waits,
                agents_are_added_once_per_login_and_tenant,
                an_agent_of_one_tenant_is_unknown_to_another,
                changing_an_agent_replaces_its_account_and_keeps_the_password_unless_given,
                the_last_active_administrator_cannot_be_removed,
                two_administrators_removed_at_once_leave_one,
                deactivating_an_agent_ends_its_sessions_for_good,
                a_new_password_ends_the_other_sessions_but_the_kept_one,
                a_session_lasts_until_it_expires_or_ends,
                departments_are_added_and_renamed_never_removed_by_sync,
                department_heads_are_set_counted_and_cleared,
                an_unknown_department_or_agent_refuses_the_whole_head_change,
                standard_answers_are_saved_changed_listed_and_removed,
                standard_answers_belong_to_their_tenant_and_seeding_fills_only_empty_lists,
                the_audit_journal_counts_every_change_and_stays_intact,
                the_journal_reads_newest_first_by_action_within_its_tenant,
                a_journal_holds_the_heads_it_published_and_not_a_forged_one,
                the_audit_journal_verified_while_it_is_written_is_intact,
                export_marks_are_listed_oldest_first_and_cleared_once_done,
                a_hold_is_remembered_and_a_postponed_due_date_moves,
                submit_and_apply_write_their_messages_to_the_outbox,
                expanded_messages_become_deliveries_due_at_once_except_on_idle_channels,
                a_failed_delivery_is_retried_at_its_time_given_up_then_sent_again_on_demand,
                deadline_marks_are_recorded_once_each_in_order,
                open_requests_and_waiting_ones_are_listed_apart,
                anonymising_removes_the_person_by_rule_and_in_batches_and_keeps_the_rest,
                a_town_document_is_kept_with_its_request_and_its_email_carries_it_until_deleted,
                console_filters_by_state_service_department_and_channel,
                console_shows_agents_their_departments_and_the_validations_asked_of_them,
                console_finds_text_in_references_names_and_values,
                console_text_search_ignores_the_case_of_accented_letters,
                console_sorts_pages_counts_and_finds_late_requests,
                an_exchange_account_is_added_once_changed_whole_and_journaled,
                a_nonce_is_used_once_per_tenant_until_forgotten,
                new_requests_are_the_accounts_unacknowledged_ones_in_its_departments,
                a_call_is_queued_with_its_event_retried_at_its_time_and_answered_once,
                due_deliveries_and_calls_are_claimed_once_until_the_claim_runs_out,
                a_person_is_found_by_the_words_of_their_name_whatever_the_case_in_every_alphabet,
                public_requests_are_listed_by_service_reference_state_and_date_newest_first,
                failed_logins_are_counted_per_key_forgotten_on_success_and_when_old,
                statistics_read_a_towns_real_requests_open_or_touched_since_a_day,
                saved_queries_are_a_towns_own_and_each_report_is_queued_once_per_subscriber_and_month,
                a_closed_requests_questionnaire_is_answered_once_and_read_by_department_and_time,
                a_background_export_is_queued_claimed_once_finished_once_and_expires,
                a_request_keeps_its_district_and_point_and_is_placed_again_by_slices,
                a_list_is_joined_once_confirmed_sent_to_its_active_subscribers_and_receipts_counted,
            ],
        }
    };
}

/// The expansion of [`store_contract!`]: one test per case, each attribute
/// (`#[ignore = "…"]`) kept.
#[macro_export]
macro_rules! store_contract_cases {
    (
        $make:expr;
        sync: [$($sync:ident),* $(,)?],
        async: [$($(#[$meta:meta])* $case:ident),* $(,)?] $(,)?
    ) => {
        $(
            #[test]
            fn $sync() {
                $crate::store_contract::run_sync($make, $crate::store_contract::$sync);
            }
        )*
        $(
            $(#[$meta])*
            #[test]
            fn $case() {
                $crate::store_contract::run($make, $crate::store_contract::$case);
            }
        )*
    };
}

/// Runs an asynchronous case on a multi-threaded runtime, then drops the
/// store, then its guard.
pub fn run<G, F, Fut>(made: (Arc<dyn Store>, G), case: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    let (store, guard) = made;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(case(store));
    drop(runtime);
    drop(guard);
}

/// Runs a synchronous case (no runtime), then drops the store, then its guard.
pub fn run_sync<G>(made: (Arc<dyn Store>, G), case: fn(Arc<dyn Store>)) {
    let (store, guard) = made;
    case(store);
    drop(guard);
}

/// Calls the store's synchronous methods from the blocking pool.
async fn blocking<T: Send + 'static>(
    store: &Arc<dyn Store>,
    f: impl FnOnce(&dyn Store) -> T + Send + 'static,
) -> T {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || f(&*store))
        .await
        .expect("the blocking call panicked")
}

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

/// 2026-11-22 11:00 in Paris.
const NOW: &str = "2026-11-22T10:00:00Z";
const ZONE: &str = "Europe/Paris";

fn now() -> Timestamp {
    NOW.parse().unwrap()
}

/// `minutes` after [`NOW`].
fn t(minutes: i64) -> Timestamp {
    now()
        .checked_add(SignedDuration::from_mins(minutes))
        .unwrap()
}

fn day(days: i64) -> Timestamp {
    t(days * 24 * 60)
}

fn reference(number: u32) -> Reference {
    Reference { year: 2026, number }
}

/// `(code, definition, version)` of the built-in catalogue, in its order.
fn builtin_definitions() -> Vec<(String, String, u32)> {
    builtin::DEFINITIONS
        .iter()
        .map(|(name, text)| {
            let service = Service::from_xml(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (service.code, (*text).to_owned(), service.version)
        })
        .collect()
}

/// A tenant created with the built-in catalogue and its departments.
struct Town {
    id: i64,
    slug: String,
    services: Vec<Service>,
    /// Codes of its departments.
    departments: Vec<String>,
}

impl Town {
    fn service(&self, code: &str) -> &Service {
        self.services
            .iter()
            .find(|s| s.code == code)
            .unwrap_or_else(|| panic!("no service {code}"))
    }

    /// What `command` by `agent` does to the request as it stands.
    fn outcome(&self, item: &WorkItem, agent: &Agent, command: Command, at: Timestamp) -> Outcome {
        let service = self.service(&item.record.service_code);
        workflow::apply(service, &item.state, agent, command, &self.departments, at)
            .unwrap_or_else(|e| panic!("refused: {e}"))
    }
}

async fn town(store: &Arc<dyn Store>, slug: &str) -> Town {
    let services: Vec<Service> = builtin::services();
    let definitions = builtin_definitions();
    let owned = slug.to_owned();
    let id = blocking(store, move |s| {
        let name = format!("Ville de {owned}");
        assert!(s.create_tenant(&owned, &name, &definitions).unwrap());
        s.tenants()
            .unwrap()
            .into_iter()
            .find(|t| t.slug == owned)
            .expect("the tenant just created")
            .id
    })
    .await;
    let mut departments: Vec<Department> = Vec::new();
    for s in &services {
        if !departments.iter().any(|d| d.code == s.department.code) {
            departments.push(Department {
                code: s.department.code.clone(),
                name: s.department.name.clone(),
                head: None,
            });
        }
    }
    let codes = departments.iter().map(|d| d.code.clone()).collect();
    let service_departments: Vec<(String, String)> = services
        .iter()
        .map(|s| (s.code.clone(), s.department.code.clone()))
        .collect();
    blocking(store, move |s| {
        s.sync_departments(id, &departments, &service_departments)
            .unwrap();
    })
    .await;
    Town {
        id,
        slug: slug.to_owned(),
        services,
        departments: codes,
    }
}

static NEXT_CODE: AtomicU64 = AtomicU64::new(1);

/// A tracking code never drawn before in this process.
fn tracking_code() -> TrackingCode {
    let mut bytes = [0x5a; TRACKING_BYTES];
    bytes[..8].copy_from_slice(&NEXT_CODE.fetch_add(1, Ordering::Relaxed).to_be_bytes());
    TrackingCode::from_random(bytes)
}

fn text(name: &str, value: &str) -> (String, RawValue) {
    (name.to_owned(), RawValue::Text(value.to_owned()))
}

fn group(name: &str, items: Vec<(String, RawValue)>) -> (String, RawValue) {
    (name.to_owned(), RawValue::Group(items))
}

/// A valid request to `code` (road-incident or birth-certificate) by Zoé
/// `last_name`, received at `at` in Paris.
fn new_request(
    town: &Town,
    code: &str,
    last_name: &str,
    at: Timestamp,
    channel: Channel,
    lang: &str,
) -> NewRequest {
    let requester = group(
        "requester",
        vec![
            text("firstName", "Zoé"),
            text("lastName", last_name),
            text("email", "zoe@example.fr"),
            text("phone", "06 12 34 56 78"),
            text("smsUpdates", "true"),
        ],
    );
    let entries = match code {
        "road-incident" => vec![
            requester,
            text("category", "pothole"),
            group(
                "location",
                vec![
                    text("street", "12 rue de la République"),
                    text("postalCode", "75002"),
                    text("town", "Démoville"),
                ],
            ),
            text("description", "Trou profond au milieu de la chaussée"),
            text("observedOn", "2026-11-21"),
            text("immediateDanger", "true"),
        ],
        "birth-certificate" => vec![
            requester,
            text("actType", "extract-without-filiation"),
            text("requesterRelation", "self"),
            text("personLastName", last_name),
            text("personFirstNames", "Zoé Anne"),
            text("birthDate", "1980-02-29"),
            text("birthPlace", "Quimperlé"),
            text("copies", "1"),
            text("deliveryMode", "counter"),
        ],
        other => panic!("no fixture for {other}"),
    };
    let submission = Submission {
        channel,
        lang: lang.to_owned(),
        entries,
        citizen_id: None,
        recorded_by: None,
        inbound: None,
    };
    let zoned = at.in_tz(ZONE).unwrap();
    intake::receive(
        town.service(code),
        &submission,
        &zoned,
        &tracking_code(),
        None,
        &Default::default(),
    )
    .unwrap_or_else(|errors| panic!("invalid fixture: {errors:?}"))
}

fn road(town: &Town, last_name: &str, at: Timestamp) -> NewRequest {
    new_request(town, "road-incident", last_name, at, Channel::Web, "fr")
}

fn birth(town: &Town, last_name: &str, at: Timestamp) -> NewRequest {
    new_request(town, "birth-certificate", last_name, at, Channel::Web, "fr")
}

async fn submit(store: &Arc<dyn Store>, town: &Town, request: NewRequest) -> Reference {
    store.submit(town.id, request).await.expect("submitted")
}

async fn item(store: &Arc<dyn Store>, town: &Town, reference: Reference) -> WorkItem {
    store
        .work_item(town.id, reference)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no request {reference}"))
}

/// Applies `command` by `agent` to the request as it stands; the new revision.
async fn act(
    store: &Arc<dyn Store>,
    town: &Town,
    reference: Reference,
    agent: &Agent,
    command: Command,
    at: Timestamp,
) -> i64 {
    let item = item(store, town, reference).await;
    let outcome = town.outcome(&item, agent, command, at);
    store
        .apply(town.id, reference, item.revision, outcome, at)
        .await
        .expect("applied")
}

fn press(action: &str) -> Command {
    Command::Act {
        action: action.to_owned(),
        comment: None,
    }
}

fn press_with(action: &str, comment: &str) -> Command {
    Command::Act {
        action: action.to_owned(),
        comment: Some(comment.to_owned()),
    }
}

/// An administrator acting on requests (not stored as an agent).
fn clerk() -> Agent {
    Agent {
        login: "clerk".into(),
        name: "Claire Clerc".into(),
        admin: true,
        roles: Vec::new(),
        software: false,
    }
}

fn new_agent(login: &str, name: &str, admin: bool, roles: &[(&str, Role)]) -> NewAgent {
    NewAgent {
        login: login.to_owned(),
        name: name.to_owned(),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$salt${login}"),
        admin,
        roles: roles.iter().map(|(d, r)| ((*d).to_owned(), *r)).collect(),
        email: Some(format!("{login}@example.fr")),
    }
}

/// Adds an agent and returns it as stored.
async fn hire(
    store: &Arc<dyn Store>,
    town: &Town,
    login: &str,
    name: &str,
    admin: bool,
    roles: &[(&str, Role)],
) -> AgentRecord {
    let added = store
        .add_agent(
            town.id,
            new_agent(login, name, admin, roles),
            "system:test".into(),
            now(),
        )
        .await
        .unwrap();
    assert!(added, "{login} is new");
    agent(store, town, login).await.expect("just added")
}

async fn agent(store: &Arc<dyn Store>, town: &Town, login: &str) -> Option<AgentRecord> {
    store.agent(town.id, login.to_owned()).await.unwrap()
}

/// The change that leaves an agent's account as it is.
fn unchanged(record: &AgentRecord) -> AgentChange {
    AgentChange {
        login: record.agent.login.clone(),
        name: record.agent.name.clone(),
        email: record.email.clone(),
        admin: record.agent.admin,
        active: record.active,
        roles: record.agent.roles.clone(),
        password_hash: None,
    }
}

async fn change(
    store: &Arc<dyn Store>,
    town: &Town,
    change: AgentChange,
    keep_session: Option<&str>,
) -> AgentChanged {
    store
        .change_agent(
            town.id,
            change,
            "agent:admin".into(),
            keep_session.map(str::to_owned),
            now(),
        )
        .await
        .unwrap()
}

async fn session(
    store: &Arc<dyn Store>,
    town: &Town,
    digest: &str,
    at: Timestamp,
) -> Option<String> {
    store
        .session_agent(town.id, digest.to_owned(), at)
        .await
        .unwrap()
        .map(|a| a.agent.login)
}

async fn open_session(store: &Arc<dyn Store>, agent: &AgentRecord, digest: &str) {
    store
        .create_session(agent.id, digest.to_owned(), now(), t(8 * 60))
        .await
        .unwrap();
}

/// Entries of a tenant's audit journal, which must be intact.
async fn audit_entries(store: &Arc<dyn Store>, slug: &str) -> u64 {
    let slug = slug.to_owned();
    blocking(store, move |s| {
        let report = s
            .verify_audit()
            .unwrap()
            .into_iter()
            .find(|r| r.tenant == slug)
            .unwrap_or_else(|| panic!("no audit report for {slug}"));
        assert_eq!(report.problem, None, "{slug}'s journal is intact");
        report.entries
    })
    .await
}

async fn departments(store: &Arc<dyn Store>, tenant_id: i64) -> Vec<Department> {
    store.departments(tenant_id).await.unwrap()
}

fn head_of(departments: &[Department], code: &str) -> Option<String> {
    departments
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("no department {code}"))
        .head
        .clone()
}

async fn pending(store: &Arc<dyn Store>) -> Vec<PendingMessage> {
    store.pending_messages(1000).await.unwrap()
}

async fn due(store: &Arc<dyn Store>, at: i64) -> Vec<Delivery> {
    store.due_deliveries(at, 1000, Vec::new()).await.unwrap()
}

fn email_to(address: &str, secret: bool) -> NewDelivery {
    NewDelivery {
        channel: "email",
        address: address.to_owned(),
        subject: Some("Votre demande".into()),
        body: format!("Bonjour {address}"),
        html: Some("<p>Bonjour</p>".into()),
        has_secret: secret,
        parts: None,
    }
}

fn sms_to(number: &str) -> NewDelivery {
    NewDelivery {
        channel: "sms",
        address: number.to_owned(),
        subject: None,
        body: "Demande enregistrée".into(),
        html: None,
        has_secret: true,
        parts: Some(1),
    }
}

fn query() -> ConsoleQuery {
    ConsoleQuery {
        departments: None,
        state: StateFilter::All,
        service: None,
        department: None,
        channel: None,
        districts: None,
        located: false,
        due_before: None,
        text: None,
        sort: SortKey::Reference,
        descending: false,
        offset: 0,
        limit: 100,
    }
}

/// The references of one console page.
async fn listed(store: &Arc<dyn Store>, town: &Town, q: ConsoleQuery) -> (u64, Vec<Reference>) {
    let (total, rows) = store.console(town.id, q).await.unwrap();
    (total, rows.iter().map(|r| r.reference).collect())
}

/// Five requests in various states for the console:
/// 1. road incident by web, open;
/// 2. road incident by SOAP, open;
/// 3. birth certificate by web, open;
/// 4. road incident by web, waiting for the citizen;
/// 5. birth certificate by phone, refused (finished).
struct Seeded {
    town: Town,
    refs: Vec<Reference>,
    due: Vec<Date>,
}

async fn seeded(store: &Arc<dyn Store>) -> Seeded {
    let town = town(store, "brest").await;
    let requests = [
        road(&town, "Durand", day(0)),
        new_request(
            &town,
            "road-incident",
            "Martin",
            day(1),
            Channel::Soap,
            "fr",
        ),
        birth(&town, "Dupont", day(2)),
        road(&town, "Bernard", day(3)),
        new_request(
            &town,
            "birth-certificate",
            "Petit",
            day(4),
            Channel::Phone,
            "fr",
        ),
    ];
    let due: Vec<Date> = requests.iter().map(|r| r.due_date).collect();
    let mut refs = Vec::new();
    for r in requests {
        refs.push(submit(store, &town, r).await);
    }
    act(
        store,
        &town,
        refs[3],
        &clerk(),
        Command::Hold {
            comment: "Une photo, s'il vous plaît".into(),
        },
        day(4),
    )
    .await;
    act(
        store,
        &town,
        refs[4],
        &clerk(),
        press_with("refuse", "Demandeur non habilité"),
        day(4),
    )
    .await;
    Seeded { town, refs, due }
}

// ---------------------------------------------------------------------------
// Tenants
// ---------------------------------------------------------------------------

pub fn a_tenant_is_created_once_with_its_services_online(store: Arc<dyn Store>) {
    let definitions = builtin_definitions();
    assert!(
        store
            .create_tenant("brest", "Ville de Brest", &definitions)
            .unwrap()
    );
    assert!(
        !store
            .create_tenant("brest", "Autre nom", &definitions[..1])
            .unwrap(),
        "the second creation of a slug creates nothing"
    );
    let tenants = store.tenants().unwrap();
    assert_eq!(tenants.len(), 1);
    let tenant = &tenants[0];
    assert_eq!(tenant.slug, "brest");
    assert_eq!(tenant.name, "Ville de Brest", "the first creation's name");
    assert_eq!(tenant.time_zone, ZONE);
    let expected: Vec<(String, ServiceStatus)> = definitions
        .iter()
        .map(|(_, text, _)| (text.clone(), ServiceStatus::Online))
        .collect();
    assert_eq!(
        tenant.services, expected,
        "every definition, online, in order"
    );
    assert!(
        tenant.older_versions.is_empty(),
        "a new tenant has no older versions"
    );
}

/// Towns on one install: disabling keeps a tenant and its data, every
/// change of tenants moves the generation servers watch, departments are
/// listed with the tenant, the operator's summary counts what matters.
pub fn a_town_is_created_with_its_departments_and_administrator_at_once(store: Arc<dyn Store>) {
    let before = store.tenants_generation().unwrap();
    let departments = [
        Department {
            code: "voirie".into(),
            name: "Voirie".into(),
            head: None,
        },
        Department {
            code: "etat-civil".into(),
            name: "État civil".into(),
            head: None,
        },
    ];
    let maire = new_agent("maire", "Jeanne Maire", true, &[]);
    let id = store
        .create_town(
            "brest",
            "Ville de Brest",
            &departments,
            &maire,
            "system:test",
            now(),
        )
        .unwrap()
        .expect("created");
    assert!(
        store.tenants_generation().unwrap() > before,
        "servers reload"
    );
    let tenants = store.tenants().unwrap();
    assert_eq!(tenants.len(), 1);
    assert_eq!(tenants[0].id, id);
    assert!(tenants[0].services.is_empty(), "no service yet");
    let mut codes: Vec<String> = tenants[0]
        .departments
        .iter()
        .map(|d| d.code.clone())
        .collect();
    codes.sort();
    assert_eq!(codes, ["etat-civil", "voirie"]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let agents = rt.block_on(store.agents(id)).unwrap();
    assert_eq!(agents.len(), 1);
    assert!(agents[0].agent.admin && agents[0].active);
    assert_eq!(agents[0].agent.login, "maire");
    let journal = rt.block_on(store.journal(id, None, 10)).unwrap();
    assert!(
        journal.iter().any(|e| e.subject == "agent:maire"),
        "{journal:?}"
    );
    // A taken slug: nothing written at all.
    let generation = store.tenants_generation().unwrap();
    let other = new_agent("autre", "Autre", true, &[]);
    assert_eq!(
        store
            .create_town(
                "brest",
                "Ville de Brest 2",
                &departments,
                &other,
                "system:test",
                now()
            )
            .unwrap(),
        None
    );
    assert_eq!(store.tenants_generation().unwrap(), generation);
    assert_eq!(store.tenants().unwrap()[0].name, "Ville de Brest");
    assert_eq!(rt.block_on(store.agents(id)).unwrap().len(), 1);
}

pub fn a_tenant_is_disabled_and_enabled_and_every_change_moves_the_generation(
    store: Arc<dyn Store>,
) {
    let g0 = store.tenants_generation().unwrap();
    assert!(
        store
            .create_tenant("brest", "Ville de Brest", &builtin_definitions())
            .unwrap()
    );
    let g1 = store.tenants_generation().unwrap();
    assert!(g1 > g0, "a new tenant moves the generation");
    assert!(
        !store.create_tenant("brest", "Brest", &[]).unwrap(),
        "a taken slug"
    );
    assert_eq!(
        store.tenants_generation().unwrap(),
        g1,
        "nothing created, nothing moved"
    );
    assert!(store.create_tenant("quimper", "Quimper", &[]).unwrap());
    let quimper = store
        .tenants()
        .unwrap()
        .into_iter()
        .find(|t| t.slug == "quimper")
        .unwrap();
    assert!(quimper.enabled && quimper.services.is_empty());
    store
        .sync_departments(
            quimper.id,
            &[Department {
                code: "voirie".into(),
                name: "Voirie".into(),
                head: None,
            }],
            &[],
        )
        .unwrap();
    let g2 = store.tenants_generation().unwrap();
    assert!(
        store
            .set_tenant_enabled("quimper", false, "system:test", t(1))
            .unwrap()
    );
    let g3 = store.tenants_generation().unwrap();
    assert!(g3 > g2, "disabling moves the generation");
    assert!(
        store
            .set_tenant_enabled("quimper", false, "system:test", t(2))
            .unwrap()
    );
    assert_eq!(
        store.tenants_generation().unwrap(),
        g3,
        "no change, no move"
    );
    assert!(
        !store
            .set_tenant_enabled("nowhere", false, "system:test", t(2))
            .unwrap()
    );
    let listed = store.tenants().unwrap();
    let q = listed.iter().find(|t| t.slug == "quimper").unwrap();
    assert!(!q.enabled, "kept, disabled");
    assert_eq!(q.departments.len(), 1);
    assert_eq!(q.departments[0].code, "voirie");
    assert!(listed.iter().find(|t| t.slug == "brest").unwrap().enabled);
    let summaries = store.tenant_summaries().unwrap();
    let slugs: Vec<&str> = summaries.iter().map(|t| t.slug.as_str()).collect();
    assert_eq!(slugs, ["brest", "quimper"]);
    assert_eq!(
        summaries[0].services_online as usize,
        builtin_definitions().len()
    );
    assert_eq!(
        (summaries[1].services_online, summaries[1].requests),
        (0, 0)
    );
    assert!(summaries[0].enabled && !summaries[1].enabled);
    assert!(
        store
            .set_tenant_enabled("quimper", true, "system:test", t(3))
            .unwrap()
    );
    assert!(store.tenants_generation().unwrap() > g3);
    assert!(store.tenants().unwrap().iter().all(|t| t.enabled));
}

/// A town's catalogue: a service set with a version and status, withdrawn,
/// given a new version (the older kept for its requests); a version is never
/// given another definition.
pub fn a_towns_services_are_set_withdrawn_and_versioned(store: Arc<dyn Store>) {
    assert!(store.create_tenant("brest", "Brest", &[]).unwrap());
    let id = store.tenants().unwrap()[0].id;
    let defs = builtin_definitions();
    let (code, text, version) = &defs[0];
    let g0 = store.tenants_generation().unwrap();
    store
        .set_service(
            id,
            code,
            text,
            *version,
            ServiceStatus::Online,
            "system:test",
            t(1),
        )
        .unwrap();
    assert!(store.tenants_generation().unwrap() > g0);
    let (code2, text2, version2) = &defs[1];
    store
        .set_service(
            id,
            code2,
            text2,
            *version2,
            ServiceStatus::Draft,
            "system:test",
            t(1),
        )
        .unwrap();
    let states = store.services(id).unwrap();
    assert_eq!(
        states,
        [
            ServiceState {
                code: code.clone(),
                version: *version,
                status: ServiceStatus::Online
            },
            ServiceState {
                code: code2.clone(),
                version: *version2,
                status: ServiceStatus::Draft
            },
        ],
        "in the order they were added"
    );
    let record = &store.tenants().unwrap()[0];
    assert_eq!(
        record.services,
        [
            (text.clone(), ServiceStatus::Online),
            (text2.clone(), ServiceStatus::Draft)
        ],
        "each with its status"
    );
    assert!(
        store
            .set_service_status(id, code, ServiceStatus::Offline, "system:test", t(2))
            .unwrap()
    );
    assert!(
        !store
            .set_service_status(id, "nothing", ServiceStatus::Offline, "system:test", t(2))
            .unwrap()
    );
    assert_eq!(
        store.services(id).unwrap()[0].status,
        ServiceStatus::Offline
    );
    assert_eq!(store.tenant_summaries().unwrap()[0].services_online, 0);
    // Another definition under the same version is refused; a new version
    // takes its place and keeps the older one.
    let changed = text.replace("</service>", "<!-- changed --></service>");
    assert!(
        store
            .set_service(
                id,
                code,
                &changed,
                *version,
                ServiceStatus::Online,
                "system:test",
                t(3)
            )
            .is_err()
    );
    store
        .set_service(
            id,
            code,
            &changed,
            version + 1,
            ServiceStatus::Online,
            "system:test",
            t(3),
        )
        .unwrap();
    let record = &store.tenants().unwrap()[0];
    assert_eq!(record.services[0], (changed.clone(), ServiceStatus::Online));
    assert_eq!(
        record.older_versions,
        std::slice::from_ref(text),
        "version 1 kept"
    );
    assert_eq!(store.services(id).unwrap()[0].version, version + 1);
    assert_eq!(
        store.definition(id, code, *version).unwrap().as_ref(),
        Some(text)
    );
    assert_eq!(
        store.definition(id, code, version + 1).unwrap(),
        Some(changed)
    );
    assert_eq!(store.definition(id, code, version + 2).unwrap(), None);
    assert_eq!(store.definition(id, "nothing", 1).unwrap(), None);
}

/// A draft replaces the previous one, is published once as the given
/// version (the draft then gone), and the last version counts every
/// version the town had.
pub fn a_draft_is_kept_then_published_as_the_next_version_once(store: Arc<dyn Store>) {
    let defs = builtin_definitions();
    assert!(store.create_tenant("brest", "Brest", &defs[..1]).unwrap());
    let id = store.tenants().unwrap()[0].id;
    let (code, text, version) = &defs[0];
    assert_eq!(store.last_version(id, code).unwrap(), *version);
    assert_eq!(store.last_version(id, "nothing").unwrap(), 0);
    store
        .save_draft(id, code, "first draft", "agent:admin", t(1))
        .unwrap();
    store
        .save_draft(id, code, text, "agent:admin", t(2))
        .unwrap();
    assert_eq!(
        store.drafts(id).unwrap(),
        [(code.clone(), text.clone())],
        "the second draft replaces the first"
    );
    let next = version + 1;
    let published = text.replace("</service>", "<!-- v2 --></service>");
    let g = store.tenants_generation().unwrap();
    assert!(
        store
            .publish_draft(
                id,
                code,
                &published,
                next,
                ServiceStatus::Online,
                "agent:admin",
                t(3)
            )
            .unwrap()
    );
    assert!(store.tenants_generation().unwrap() > g);
    assert!(
        store.drafts(id).unwrap().is_empty(),
        "published, the draft is gone"
    );
    assert!(
        !store
            .publish_draft(
                id,
                code,
                &published,
                next + 1,
                ServiceStatus::Online,
                "agent:admin",
                t(4)
            )
            .unwrap(),
        "no draft, nothing published"
    );
    assert_eq!(store.last_version(id, code).unwrap(), next);
    let record = &store.tenants().unwrap()[0];
    assert_eq!(
        record.services,
        [(published.clone(), ServiceStatus::Online)]
    );
    assert_eq!(record.older_versions, std::slice::from_ref(text));
}

pub fn each_tenant_is_listed_with_its_own_catalogue_in_order(store: Arc<dyn Store>) {
    let definitions = builtin_definitions();
    let brest = definitions[..2].to_vec();
    let mut quimper = definitions[2..].to_vec();
    quimper.reverse();
    assert!(store.create_tenant("brest", "Brest", &brest).unwrap());
    assert!(store.create_tenant("quimper", "Quimper", &quimper).unwrap());
    let tenants = store.tenants().unwrap();
    assert_eq!(tenants.len(), 2);
    let find = |slug: &str| tenants.iter().find(|t| t.slug == slug).unwrap();
    assert_ne!(find("brest").id, find("quimper").id);
    for (slug, given) in [("brest", &brest), ("quimper", &quimper)] {
        let texts: Vec<&str> = find(slug)
            .services
            .iter()
            .map(|(t, _)| t.as_str())
            .collect();
        let expected: Vec<&str> = given.iter().map(|(_, t, _)| t.as_str()).collect();
        assert_eq!(texts, expected, "{slug}: its services in the order given");
    }
}

// ---------------------------------------------------------------------------
// Submissions and references
// ---------------------------------------------------------------------------

pub async fn references_start_at_000001_and_follow_without_gaps(store: Arc<dyn Store>) {
    let town = town(&store, "brest").await;
    let mut refs = Vec::new();
    for (i, name) in ["Durand", "Martin", "Petit"].into_iter().enumerate() {
        refs.push(submit(&store, &town, road(&town, name, t(i as i64))).await);
    }
    assert_eq!(refs, [reference(1), reference(2), reference(3)]);
    assert_eq!(refs[0].to_string(), "2026-000001");
}

pub async fn each_tenant_counts_its_own_references(store: Arc<dyn Store>) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    assert_eq!(
        submit(&store, &brest, road(&brest, "A", t(0))).await,
        reference(1)
    );
    assert_eq!(
        submit(&store, &brest, road(&brest, "B", t(1))).await,
        reference(2)
    );
    assert_eq!(
        submit(&store, &quimper, road(&quimper, "C", t(2))).await,
        reference(1),
        "another tenant starts at 000001"
    );
    assert_eq!(
        submit(&store, &brest, road(&brest, "D", t(3))).await,
        reference(3)
    );
    assert_eq!(
        submit(&store, &quimper, road(&quimper, "E", t(4))).await,
        reference(2)
    );
}

pub async fn each_year_of_the_tenants_calendar_starts_again_at_000001(store: Arc<dyn Store>) {
    let town = town(&store, "brest").await;
    // 23:59 on 31 December in Paris, then midnight: the next year there.
    let last_minute: Timestamp = "2026-12-31T22:59:00Z".parse().unwrap();
    let new_year: Timestamp = "2026-12-31T23:00:00Z".parse().unwrap();
    let a = submit(&store, &town, road(&town, "A", last_minute)).await;
    let b = submit(&store, &town, road(&town, "B", new_year)).await;
    let c = submit(&store, &town, road(&town, "C", new_year)).await;
    assert_eq!(a, reference(1));
    assert_eq!(
        b,
        Reference {
            year: 2027,
            number: 1
        }
    );
    assert_eq!(
        c,
        Reference {
            year: 2027,
            number: 2
        }
    );
    // A request dated in the old year still takes the old year's next number.
    let late = submit(&store, &town, road(&town, "D", last_minute)).await;
    assert_eq!(late, reference(2));
}

pub async fn a_failed_submit_takes_no_number(store: Arc<dyn Store>) {
    let town = town(&store, "brest").await;
    let first = road(&town, "Durand", t(0));
    assert_eq!(submit(&store, &town, first.clone()).await, reference(1));
    // The same tracking code twice cannot be stored.
    let again = store.submit(town.id, first).await;
    assert!(
        again.is_err(),
        "a second request with the same tracking code"
    );
    let next = submit(&store, &town, road(&town, "Martin", t(1))).await;
    assert_eq!(next, reference(2), "no gap after the failed submit");
    let (total, _) = listed(&store, &town, query()).await;
    assert_eq!(total, 2, "nothing of the failed submit stays");
    assert_eq!(item(&store, &town, next).await.requester_name, "Zoé Martin");
}

pub async fn concurrent_submits_get_distinct_consecutive_references(store: Arc<dyn Store>) {
    let town = town(&store, "brest").await;
    let mut tasks = Vec::new();
    for i in 0..100 {
        let store = Arc::clone(&store);
        let request = road(&town, &format!("Durand{i}"), t(0));
        let tenant = town.id;
        tasks.push(tokio::spawn(async move {
            (i, store.submit(tenant, request).await.expect("submitted"))
        }));
    }
    let mut got = Vec::new();
    for task in tasks {
        got.push(task.await.unwrap());
    }
    let mut numbers: Vec<u32> = got.iter().map(|(_, r)| r.number).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=100).collect::<Vec<u32>>());
    assert!(got.iter().all(|(_, r)| r.year == 2026));
    // Each number names the request it was given to.
    for (i, r) in got {
        assert_eq!(
            item(&store, &town, r).await.requester_name,
            format!("Zoé Durand{i}")
        );
    }
}

/// Submits of two towns at once, one in four refused (a tracking code
/// already used): each refused one is told and leaves nothing, every other
/// is stored, and each town's numbers still follow without a gap — a
/// backend that stores submits together must undo a failing one alone.
pub async fn concurrent_submits_of_which_some_fail_store_the_others_without_gaps(
    store: Arc<dyn Store>,
) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let taken = [
        road(&brest, "Premier", t(0)),
        road(&quimper, "Premier", t(0)),
    ];
    submit(&store, &brest, taken[0].clone()).await;
    submit(&store, &quimper, taken[1].clone()).await;
    let mut tasks = Vec::new();
    for i in 0..80 {
        let store = Arc::clone(&store);
        let town = if i % 2 == 0 { &brest } else { &quimper };
        let refused = i % 4 < 2;
        let request = if refused {
            taken[i % 2].clone()
        } else {
            road(town, &format!("Durand{i}"), t(1))
        };
        let tenant = town.id;
        tasks.push(tokio::spawn(async move {
            (i, refused, store.submit(tenant, request).await)
        }));
    }
    let mut numbers = [Vec::new(), Vec::new()];
    for task in tasks {
        let (i, refused, outcome) = task.await.unwrap();
        match outcome {
            Ok(r) => {
                assert!(!refused, "submit {i} reuses a tracking code: {r:?}");
                numbers[i % 2].push(r.number);
            }
            Err(e) => assert!(refused, "submit {i} refused: {e:?}"),
        }
    }
    for (town, mut numbers) in [&brest, &quimper].into_iter().zip(numbers) {
        numbers.sort_unstable();
        assert_eq!(numbers, (2..=21).collect::<Vec<u32>>(), "{}", town.slug);
        let (total, _) = listed(&store, town, query()).await;
        assert_eq!(total, 21, "nothing of a refused submit stays");
    }
}

pub async fn a_request_is_found_by_its_tracking_digest_in_its_own_tenant_only(
    store: Arc<dyn Store>,
) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let request = road(&brest, "Durand", t(0));
    let digest = request.tracking_digest.clone();
    let r = submit(&store, &brest, request).await;
    submit(&store, &quimper, road(&quimper, "Martin", t(0))).await;
    let found = store
        .request_by_tracking(brest.id, digest.clone())
        .await
        .unwrap()
        .expect("found by its digest");
    assert_eq!(found.reference, r);
    assert_eq!(found.service_code, "road-incident");
    assert!(
        store
            .request_by_tracking(quimper.id, digest)
            .await
            .unwrap()
            .is_none(),
        "another tenant does not find it"
    );
    assert!(
        store
            .request_by_tracking(brest.id, tracking_code().digest())
            .await
            .unwrap()
            .is_none(),
        "an unknown digest finds nothing"
    );
}

/// An account per address and tenant; a link works once, before it
/// expires; a session ends with a reset; requests belong to the account
/// they were submitted or attached to, and to no other.
pub async fn a_citizens_account_is_made_once_its_links_work_once_and_its_requests_are_its_own(
    store: Arc<dyn Store>,
) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let link = |digest: &str, purpose: LinkPurpose, minutes: i64| NewLink {
        digest: digest.into(),
        purpose,
        email: None,
        expires: t(minutes),
    };
    let mail = |template: &str| AccountMail {
        template: template.into(),
        to: "zoe@example.fr".into(),
        link: "https://guichet.example/brest/account/x".into(),
        lang: "fr".into(),
    };
    let up = |tenant: i64, digest: &str| {
        store.sign_up(
            tenant,
            "zoe@example.fr".into(),
            "$argon2id$hash".into(),
            link(digest, LinkPurpose::Confirm, 60),
            mail("account-confirm"),
            mail("account-exists"),
            t(0),
        )
    };
    assert!(up(brest.id, "d1").await.unwrap());
    assert!(
        !up(brest.id, "d2").await.unwrap(),
        "one account per address"
    );
    assert!(up(quimper.id, "d3").await.unwrap(), "per tenant");
    let zoe = store
        .citizen_by_email(brest.id, "zoe@example.fr".into())
        .await
        .unwrap()
        .unwrap();
    assert!(!zoe.confirmed);
    assert!(
        store
            .confirm(quimper.id, "d1".into(), t(1))
            .await
            .unwrap()
            .is_none(),
        "another tenant's link"
    );
    assert!(
        store
            .confirm(brest.id, "d2".into(), t(1))
            .await
            .unwrap()
            .is_none(),
        "no link was written for a known address"
    );
    let confirmed = store
        .confirm(brest.id, "d1".into(), t(1))
        .await
        .unwrap()
        .unwrap();
    assert!(confirmed.confirmed);
    assert!(
        store
            .confirm(brest.id, "d1".into(), t(2))
            .await
            .unwrap()
            .is_none(),
        "once"
    );

    store
        .create_citizen_session(zoe.id, "s1".into(), t(2), t(600), None)
        .await
        .unwrap();
    // A session opened by the identity provider gives back its ID token
    // when it ends (the hint of the logout there); others give nothing.
    store
        .create_citizen_session(
            zoe.id,
            "by-idp".into(),
            t(2),
            t(600),
            Some("eyJ.id.token".into()),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .end_citizen_session("by-idp".into())
            .await
            .unwrap()
            .as_deref(),
        Some("eyJ.id.token")
    );
    assert_eq!(
        store.end_citizen_session("by-idp".into()).await.unwrap(),
        None,
        "once"
    );
    assert_eq!(
        store
            .session_citizen(brest.id, "s1".into(), t(3))
            .await
            .unwrap()
            .map(|c| c.id),
        Some(zoe.id)
    );
    assert!(
        store
            .session_citizen(quimper.id, "s1".into(), t(3))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .session_citizen(brest.id, "s1".into(), t(601))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(
        store
            .send_link(
                brest.id,
                "zoe@example.fr".into(),
                link("r1", LinkPurpose::Reset, 30),
                mail("account-reset"),
                t(3)
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .send_link(
                brest.id,
                "nobody@example.fr".into(),
                link("r2", LinkPurpose::Reset, 30),
                mail("account-reset"),
                t(3)
            )
            .await
            .unwrap()
    );
    assert!(
        store
            .reset_password(
                brest.id,
                "r1".into(),
                "$new".into(),
                mail("account-password-changed"),
                t(40)
            )
            .await
            .unwrap()
            .is_none(),
        "expired link"
    );
    assert!(
        store
            .send_link(
                brest.id,
                "zoe@example.fr".into(),
                link("r3", LinkPurpose::Reset, 60),
                mail("account-reset"),
                t(41)
            )
            .await
            .unwrap()
    );
    let reset = store
        .reset_password(
            brest.id,
            "r3".into(),
            "$new".into(),
            mail("account-password-changed"),
            t(42),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reset.password_hash.as_deref(), Some("$new"));
    assert!(
        store
            .session_citizen(brest.id, "s1".into(), t(43))
            .await
            .unwrap()
            .is_none(),
        "sessions end with a reset"
    );

    // Requests: submitted with the account, or attached by their code once.
    let mut mine = road(&brest, "Lefèvre", t(50));
    mine.citizen_id = Some(zoe.id);
    let r1 = submit(&store, &brest, mine).await;
    let loose = road(&brest, "Lefèvre", t(51));
    let digest = loose.tracking_digest.clone();
    let r2 = submit(&store, &brest, loose).await;
    assert_eq!(
        store
            .citizen_requests(brest.id, zoe.id)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .attach_request(brest.id, zoe.id, digest.clone(), t(52))
            .await
            .unwrap(),
        Attached::Attached(r2)
    );
    assert_eq!(
        store
            .attach_request(brest.id, zoe.id, digest.clone(), t(53))
            .await
            .unwrap(),
        Attached::Already(r2)
    );
    store
        .sign_up(
            brest.id,
            "paul@example.fr".into(),
            "$h".into(),
            link("p1", LinkPurpose::Confirm, 60),
            mail("account-confirm"),
            mail("account-exists"),
            t(54),
        )
        .await
        .unwrap();
    let paul = store
        .citizen_by_email(brest.id, "paul@example.fr".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store
            .attach_request(brest.id, paul.id, digest, t(55))
            .await
            .unwrap(),
        Attached::Unknown,
        "another's request"
    );
    let listed: Vec<Reference> = store
        .citizen_requests(brest.id, zoe.id)
        .await
        .unwrap()
        .iter()
        .map(|r| r.reference)
        .collect();
    assert_eq!(listed, vec![r2, r1], "newest first");
    // The account of a request, attached or made with it; none without.
    for r in [r1, r2] {
        let owner = store.requester_account(brest.id, r).await.unwrap();
        assert_eq!(owner.map(|c| c.id), Some(zoe.id));
    }
    let alone = submit(&store, &brest, road(&brest, "Seul", t(56))).await;
    assert!(
        store
            .requester_account(brest.id, alone)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .citizen_request(brest.id, paul.id, r1)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .citizen_request(brest.id, zoe.id, r1)
            .await
            .unwrap()
            .is_some()
    );
}

/// Requests on one agenda compete for its slots: as many overlapping ones
/// as it has desks, then [`StoreError::SlotTaken`] naming the first holder
/// and nothing stored; touching times, another agenda, the test side and a
/// request at a step that releases its slot do not count.
pub async fn an_agendas_slots_hold_as_many_overlapping_requests_as_it_has_desks(
    store: Arc<dyn Store>,
) {
    use jiff::civil::time;
    let brest = town(&store, "brest").await;
    let day: Date = "2026-12-08".parse().unwrap();
    let at = |agenda: &str, (h, m): (i8, i8), minutes: i8, test: bool, r: NewRequest| {
        let mut r = r;
        r.test = test;
        r.slot = Some(intake::Slot {
            agenda: agenda.into(),
            day,
            start: time(h, m, 0, 0),
            end: time(h + (m + minutes) / 60, (m + minutes) % 60, 0, 0),
            desks: 2,
            released_at: vec!["not-ours".into()],
        });
        r
    };
    let desk = "agenda/titres-identite";
    let first = submit(
        &store,
        &brest,
        at(desk, (9, 0), 20, false, road(&brest, "Un", t(0))),
    )
    .await;
    submit(
        &store,
        &brest,
        at(desk, (9, 10), 20, false, road(&brest, "Deux", t(1))),
    )
    .await;
    let third = store
        .submit(
            brest.id,
            at(desk, (9, 0), 20, false, road(&brest, "Trois", t(2))),
        )
        .await;
    assert!(
        matches!(third, Err(StoreError::SlotTaken(holder)) if holder == first),
        "two desks, both taken: {third:?}"
    );
    assert_eq!(
        store
            .held_slots(brest.id, desk.into(), false, day)
            .await
            .unwrap(),
        vec![
            (time(9, 0, 0, 0), time(9, 20, 0, 0)),
            (time(9, 10, 0, 0), time(9, 30, 0, 0))
        ]
    );
    // Touching the first (09:20) still overlaps the second: one desk left.
    submit(
        &store,
        &brest,
        at(desk, (9, 20), 20, false, road(&brest, "Quatre", t(3))),
    )
    .await;
    // Another agenda, the test side: free.
    submit(
        &store,
        &brest,
        at(
            "agenda/cabinet",
            (9, 0),
            20,
            false,
            road(&brest, "Cinq", t(4)),
        ),
    )
    .await;
    submit(
        &store,
        &brest,
        at(desk, (9, 0), 20, true, road(&brest, "Essai", t(5))),
    )
    .await;
    assert!(
        store
            .held_slots(brest.id, desk.into(), false, "2026-12-09".parse().unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    // The first holder closed: its slot is free again.
    act(
        &store,
        &brest,
        first,
        &clerk(),
        press_with("not-ours", "Voie départementale"),
        t(6),
    )
    .await;
    submit(
        &store,
        &brest,
        at(desk, (9, 0), 20, false, road(&brest, "Six", t(7))),
    )
    .await;
}

pub async fn test_requests_are_marked_counted_and_purged_alone_with_a_journal_entry(
    store: Arc<dyn Store>,
) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let tested = |mut r: NewRequest| {
        r.test = true;
        r
    };
    let real = submit(&store, &brest, road(&brest, "Durand", t(0))).await;
    let road_test = tested(road(&brest, "Essai", t(1)));
    let digest = road_test.tracking_digest.clone();
    let t1 = submit(&store, &brest, road_test).await;
    let t2 = submit(&store, &brest, tested(road(&brest, "Essai", t(2)))).await;
    let t3 = submit(&store, &brest, tested(birth(&brest, "Essai", t(3)))).await;
    let other = submit(&store, &quimper, tested(road(&quimper, "Essai", t(4)))).await;
    assert_eq!(
        (real, t1, t2, t3),
        (reference(1), reference(2), reference(3), reference(4)),
        "test requests take their numbers in the town's sequence"
    );
    let found = store
        .request_by_tracking(brest.id, digest)
        .await
        .unwrap()
        .unwrap();
    assert!(found.test, "the mark is stored and read back");
    assert!(!item(&store, &brest, real).await.record.test);
    assert_eq!(
        store.test_counts(brest.id).await.unwrap(),
        [
            ("birth-certificate".to_owned(), 1),
            ("road-incident".to_owned(), 2)
        ]
    );
    let purged = store
        .purge_tests(
            brest.id,
            Some("road-incident".into()),
            "agent:admin".into(),
            t(5),
        )
        .await
        .unwrap();
    assert_eq!(purged, 2, "the two road incident tests");
    for gone in [t1, t2] {
        assert!(store.work_item(brest.id, gone).await.unwrap().is_none());
    }
    assert!(
        store.work_item(brest.id, t3).await.unwrap().is_some(),
        "another service's test stays"
    );
    assert!(
        store.work_item(brest.id, real).await.unwrap().is_some(),
        "a real request stays"
    );
    assert!(
        store.work_item(quimper.id, other).await.unwrap().is_some(),
        "another town's test stays"
    );
    let journal = store
        .journal(brest.id, Some("purge-tests".into()), 10)
        .await
        .unwrap();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0].subject, "service:road-incident");
    assert_eq!(
        journal[0].detail,
        "road-incident 2026-000002, road-incident 2026-000003"
    );
    assert_eq!(
        store
            .purge_tests(brest.id, None, "agent:admin".into(), t(6))
            .await
            .unwrap(),
        1,
        "then every service's"
    );
    assert!(store.test_counts(brest.id).await.unwrap().is_empty());
    assert_eq!(
        store
            .purge_tests(brest.id, None, "agent:admin".into(), t(7))
            .await
            .unwrap(),
        0,
        "nothing left: nothing written"
    );
    assert_eq!(
        store
            .journal(brest.id, Some("purge-tests".into()), 10)
            .await
            .unwrap()
            .len(),
        2
    );
    let next = submit(&store, &brest, road(&brest, "Martin", t(8))).await;
    assert_eq!(next, reference(5), "numbers are never given twice");
}

pub async fn a_request_is_found_by_reference_in_its_own_tenant_only(store: Arc<dyn Store>) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let r1 = submit(&store, &brest, road(&brest, "Durand", t(0))).await;
    let r2 = submit(&store, &brest, road(&brest, "Martin", t(1))).await;
    let q1 = submit(&store, &quimper, road(&quimper, "Petit", t(2))).await;
    assert_eq!((r1, r2, q1), (reference(1), reference(2), reference(1)));
    let last_name = |s: &StoredRequest| {
        s.rows
            .iter()
            .find(|(p, _)| p == "requester/lastName")
            .map(|(_, v)| v.clone())
    };
    let get = |tenant: i64, r: Reference| {
        let store = Arc::clone(&store);
        async move { store.request_by_reference(tenant, r).await.unwrap() }
    };
    let found = get(brest.id, r1).await.expect("found");
    assert_eq!(found.record.reference, r1);
    assert_eq!(last_name(&found).as_deref(), Some("Durand"));
    let same_number = get(quimper.id, r1).await.expect("quimper's own 000001");
    assert_eq!(last_name(&same_number).as_deref(), Some("Petit"));
    assert!(
        get(quimper.id, r2).await.is_none(),
        "brest's 000002 is unknown to quimper"
    );
    assert!(get(brest.id, reference(3)).await.is_none());
    assert!(
        store.work_item(quimper.id, r2).await.unwrap().is_none(),
        "nor is it a work item there"
    );
}

pub async fn values_state_and_first_history_event_are_stored_with_the_request(
    store: Arc<dyn Store>,
) {
    let town = town(&store, "brest").await;
    let request = road(&town, "Durand", t(0));
    let rows = request.form.rows();
    let due_date = request.due_date;
    let digest = request.tracking_digest.clone();
    let r = submit(&store, &town, request).await;

    let stored = store
        .request_by_reference(town.id, r)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.rows, rows, "every value, in submission order");
    let record = &stored.record;
    assert_eq!(record.reference, r);
    assert_eq!(record.service_code, "road-incident");
    assert_eq!(record.service_version, 1);
    assert_eq!(record.channel, "web");
    assert_eq!(record.step, "received");
    assert_eq!(record.submitted_at, t(0));
    assert_eq!(record.due_date, due_date);
    let history: Vec<(&str, Timestamp)> = record
        .history
        .iter()
        .map(|h| (h.step.as_str(), h.at))
        .collect();
    assert_eq!(history, [("received", t(0))]);
    assert!(record.messages.is_empty());
    let by_digest = store
        .request_by_tracking(town.id, digest)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (by_digest.step.as_str(), by_digest.history.len()),
        ("received", 1)
    );

    let item = item(&store, &town, r).await;
    assert_eq!(item.requester_name, "Zoé Durand");
    assert_eq!(item.rows, rows);
    assert_eq!(item.state.step, "received");
    assert_eq!(item.state.department, "voirie");
    assert_eq!(item.state.created_at, t(0));
    assert_eq!(item.state.entered_at, t(0));
    assert!(!item.state.waiting_for_citizen && !item.state.finished);
    assert_eq!(item.state.validation, None);
    assert_eq!(item.events.len(), 1, "the first history event");
    let e = &item.events[0];
    assert_eq!(e.at, t(0));
    assert_eq!(e.actor, "citizen:web");
    assert_eq!(e.actor_name, None);
    assert_eq!(e.action, "submitted");
    assert_eq!(e.from_step, None);
    assert_eq!(e.to_step.as_deref(), Some("received"));
    assert_eq!(e.comment, None);
    assert!(e.citizen_visible);
    assert_eq!(e.department, None);
}

// ---------------------------------------------------------------------------
// Workflow
// ---------------------------------------------------------------------------

pub async fn apply_on_the_current_revision_moves_the_request_and_records_history_and_audit(
    store: Arc<dyn Store>,
) {
    let town = town(&store, "brest").await;
    let paul = hire(
        &store,
        &town,
        "paul",
        "Paul Martin",
        false,
        &[("voirie", Role::Handler)],
    )
    .await;
    let r = submit(&store, &town, road(&town, "Durand", t(0))).await;
    let before = item(&store, &town, r).await;
    let journal = audit_entries(&store, &town.slug).await;

    let outcome = town.outcome(&before, &paul.agent, press("qualify"), t(60));
    let events = outcome.events.len() as u64;
    let revision = store
        .apply(town.id, r, before.revision, outcome, t(60))
        .await
        .unwrap();
    assert!(revision > before.revision, "the revision grows");

    let after = item(&store, &town, r).await;
    assert_eq!(after.revision, revision);
    assert_eq!(after.state.step, "qualified");
    assert_eq!(after.state.entered_at, t(60));
    assert_eq!(after.state.created_at, t(0));
    assert_eq!(after.events.len(), 2);
    let e = &after.events[1];
    assert_eq!(e.at, t(60));
    assert_eq!(e.actor, "agent:paul");
    assert_eq!(
        e.actor_name.as_deref(),
        Some("Paul Martin"),
        "the agent's name"
    );
    assert_eq!(e.action, "qualify");
    assert_eq!(e.from_step.as_deref(), Some("received"));
    assert_eq!(e.to_step.as_deref(), Some("qualified"));
    assert!(e.citizen_visible);
    let record = store
        .request_by_reference(town.id, r)
        .await
        .unwrap()
        .unwrap()
        .record;
    assert_eq!(record.step, "qualified");
    let steps: Vec<&str> = record.history.iter().map(|h| h.step.as_str()).collect();
    assert_eq!(steps, ["received", "qualified"]);
    assert_eq!(
        audit_entries(&store, &town.slug).await,
        journal + events,
        "each history event is journalled"
    );

    // And again from the new revision.
    let next = act(&store, &town, r, &paul.agent, press("schedule"), t(120)).await;
    assert!(next > revision);
    assert_eq!(item(&store, &town, r).await.state.step, "scheduled");
}

pub async fn apply_on_a_stale_revision_is_a_conflict_and_changes_nothing(store: Arc<dyn Store>) {
    let town = town(&store, "brest").await;
    let r = submit(&store, &town, road(&town, "Durand", t(0))).await;
    let seen = item(&store, &town, r).await;
    // Somebody else qualifies the request first.
    let theirs = town.outcome(&seen, &clerk(), press("qualify"), t(10));
    let revision = store
        .apply(town.id, r, seen.revision, theirs, t(10))
        .await
        .unwrap();
    let journal = audit_entries(&store, &town.slug).await;
    let messages = pending(&store).await.len();

    // Then this agent, on what they saw before, says it is not the town's.
    let mine = town.outcome(
        &seen,
        &clerk(),
        press_with("not-ours", "Route départementale"),
        t(20),
    );
    let refused = store.apply(town.id, r, seen.revision, mine, t(20)).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict)),
        "stale revision: {refused:?}"
    );
    let now = item(&store, &town, r).await;
    assert_eq!(now.revision, revision);
    assert_eq!(now.state.step, "qualified");
    assert!(!now.state.finished);
    assert_eq!(now.events.len(), 2, "no event of the refused outcome");
    assert_eq!(audit_entries(&store, &town.slug).await, journal);
    assert_eq!(pending(&store).await.len(), messages, "no message queued");
}

pub async fn concurrent_applies_on_one_revision_let_exactly_one_through(store: Arc<dyn Store>) {
    let town = town(&store, "brest").await;
    let r = submit(&store, &town, road(&town, "Durand", t(0))).await;
    let seen = item(&store, &town, r).await;
    let outcome = town.outcome(&seen, &clerk(), press("qualify"), t(10));
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let store = Arc::clone(&store);
        let outcome = outcome.clone();
        let (tenant, revision) = (town.id, seen.revision);
        tasks.push(tokio::spawn(async move {
            store.apply(tenant, r, revision, outcome, t(10)).await
        }));
    }
    let mut applied = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => applied += 1,
            Err(StoreError::Conflict) => {}
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!(applied, 1, "one through, the others in conflict");
    assert_eq!(item(&store, &town, r).await.events.len(), 2);
}

pub async fn apply_to_a_request_unknown_in_the_tenant_is_refused(store: Arc<dyn Store>) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let r = submit(&store, &brest, road(&brest, "Durand", t(0))).await;
    let seen = item(&store, &brest, r).await;
    let outcome = brest.outcome(&seen, &clerk(), press("qualify"), t(10));
    for (tenant, reference) in [(brest.id, reference(2)), (quimper.id, r)] {
        let result = store
            .apply(tenant, reference, seen.revision, outcome.clone(), t(10))
            .await;
        assert!(
            matches!(result, Err(StoreError::Invalid(_))),
            "no such request is not a conflict: {result:?}"
        );
    }
    let after = item(&store, &brest, r).await;
    assert_eq!(
        (after.state.step.as_str(), after.revision),
        ("received", seen.revision)
    );
}

pub async fn answers_and_holds_are_the_citizens_messages_and_holding_waits(store: Arc<dyn Store>) {
    let town = town(&store, "brest").await;
    let r = submit(&store, &town, road(&town, "Durand", t(0))).await;
    act(
        &store,
        &town,
        r,
        &clerk(),
        Command::Note {
            text: "Vu sur place".into(),
        },
        t(5),
    )
    .await;
    act(
        &store,
        &town,
        r,
        &clerk(),
        Command::Answer {
            text: "Merci, nous passons demain.".into(),
        },
        t(10),
    )
    .await;
    act(
        &store,
        &town,
        r,
        &clerk(),
        Command::Hold {
            comment: "Une photo, s'il vous plaît.".into(),
        },
        t(20),
    )
    .await;
    let held = item(&store, &town, r).await;
    assert!(held.state.waiting_for_citizen);
    let note = held.events.iter().find(|e| e.action == "note").unwrap();
    assert!(!note.citizen_visible, "a note is for agents only");
    let record = store
        .request_by_reference(town.id, r)
        .await
        .unwrap()
        .unwrap()
        .record;
    let messages: Vec<(Timestamp, String, bool)> = record
        .messages
        .iter()
        .map(|m| (m.at, m.text.clone(), m.from_citizen))
        .collect();
    assert_eq!(
        messages,
        [
            (t(10), "Merci, nous passons demain.".to_owned(), false),
            (t(20), "Une photo, s'il vous plaît.".to_owned(), false)
        ],
        "the answer and the hold, not the note"
    );
    assert_eq!(record.history.len(), 1, "no step entered");
    act(
        &store,
        &town,
        r,
        &clerk(),
        Command::Resume { comment: None },
        t(30),
    )
    .await;
    assert!(!item(&store, &town, r).await.state.waiting_for_citizen);
}

// ---------------------------------------------------------------------------
// Agents and sessions
// ---------------------------------------------------------------------------

fn sorted_roles(mut roles: Vec<(String, Role)>) -> Vec<(String, Role)> {
    roles.sort();
    roles
}

pub async fn agents_are_added_once_per_login_and_tenant(store: Arc<dyn Store>) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    assert!(store.agents(brest.id).await.unwrap().is_empty());
    let journal = audit_entries(&store, &brest.slug).await;
    let roles = [("voirie", Role::Handler), ("etat-civil", Role::Reader)];
    let paul = hire(&store, &brest, "paul", "Paul Martin", false, &roles).await;
    hire(&store, &brest, "alice", "Alice Admin", true, &[]).await;
    assert_eq!(paul.agent.login, "paul");
    assert_eq!(paul.agent.name, "Paul Martin");
    assert!(!paul.agent.admin);
    assert!(paul.active, "a new agent is active");
    assert_eq!(paul.email.as_deref(), Some("paul@example.fr"));
    assert_eq!(
        paul.password_hash,
        new_agent("paul", "", false, &[]).password_hash
    );
    assert_eq!(
        sorted_roles(paul.agent.roles.clone()),
        sorted_roles(roles.iter().map(|(d, r)| ((*d).to_owned(), *r)).collect())
    );
    let taken = store
        .add_agent(
            brest.id,
            new_agent("paul", "Paul Autre", true, &[]),
            "system:test".into(),
            now(),
        )
        .await
        .unwrap();
    assert!(!taken, "the login is taken");
    let still = agent(&store, &brest, "paul").await.unwrap();
    assert_eq!(
        (still.id, still.agent.name.as_str(), still.agent.admin),
        (paul.id, "Paul Martin", false)
    );
    let logins: Vec<String> = store
        .agents(brest.id)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.agent.login)
        .collect();
    assert_eq!(logins, ["alice", "paul"], "by login");
    assert_eq!(
        audit_entries(&store, &brest.slug).await,
        journal + 2,
        "each creation journalled, not the refused one"
    );
    // The same login in another tenant is another agent.
    let other = hire(&store, &quimper, "paul", "Paul Quimpérois", false, &[]).await;
    assert_ne!(other.id, paul.id);
    assert_eq!(
        agent(&store, &brest, "paul").await.unwrap().agent.name,
        "Paul Martin"
    );
}

pub async fn an_agent_of_one_tenant_is_unknown_to_another(store: Arc<dyn Store>) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let paul = hire(&store, &brest, "paul", "Paul Martin", false, &[]).await;
    hire(&store, &quimper, "admin", "Admin Quimper", true, &[]).await;
    assert!(agent(&store, &quimper, "paul").await.is_none());
    let logins: Vec<String> = store
        .agents(quimper.id)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.agent.login)
        .collect();
    assert_eq!(logins, ["admin"]);
    let mut rename = unchanged(&paul);
    rename.name = "Renommé".into();
    assert_eq!(
        change(&store, &quimper, rename.clone(), None).await,
        AgentChanged::NotFound
    );
    assert_eq!(
        agent(&store, &brest, "paul").await.unwrap().agent.name,
        "Paul Martin"
    );
    rename.login = "nobody".into();
    assert_eq!(
        change(&store, &brest, rename, None).await,
        AgentChanged::NotFound
    );
    open_session(&store, &paul, "paul-session").await;
    assert_eq!(
        session(&store, &brest, "paul-session", t(1))
            .await
            .as_deref(),
        Some("paul")
    );
    assert_eq!(
        session(&store, &quimper, "paul-session", t(1)).await,
        None,
        "a session does not open another tenant"
    );
}

pub async fn changing_an_agent_replaces_its_account_and_keeps_the_password_unless_given(
    store: Arc<dyn Store>,
) {
    let town = town(&store, "brest").await;
    hire(&store, &town, "alice", "Alice Admin", true, &[]).await;
    let paul = hire(
        &store,
        &town,
        "paul",
        "Paul Martin",
        false,
        &[("voirie", Role::Handler)],
    )
    .await;
    let journal = audit_entries(&store, &town.slug).await;
    let moved = AgentChange {
        login: "paul".into(),
        name: "Paul Martin-Durand".into(),
        email: None,
        admin: true,
        active: true,
        roles: vec![
            ("etat-civil".into(), Role::Validator),
            ("etat-civil".into(), Role::Handler),
        ],
        password_hash: None,
    };
    assert_eq!(
        change(&store, &town, moved, None).await,
        AgentChanged::Changed
    );
    let after = agent(&store, &town, "paul").await.unwrap();
    assert_eq!(after.id, paul.id);
    assert_eq!(after.agent.name, "Paul Martin-Durand");
    assert_eq!(after.email, None);
    assert!(after.agent.admin && after.active);
    assert_eq!(
        sorted_roles(after.agent.roles.clone()),
        vec![
            ("etat-civil".to_owned(), Role::Handler),
            ("etat-civil".to_owned(), Role::Validator)
        ],
        "the roles are replaced"
    );
    assert_eq!(
        after.password_hash, paul.password_hash,
        "the password is kept"
    );
    let mut password = unchanged(&after);
    password.password_hash = Some("$argon2id$new".into());
    assert_eq!(
        change(&store, &town, password, None).await,
        AgentChanged::Changed
    );
    assert_eq!(
        agent(&store, &town, "paul").await.unwrap().password_hash,
        "$argon2id$new"
    );
    assert_eq!(audit_entries(&store, &town.slug).await, journal + 2);
    // A change that changes nothing is not journalled.
    let same = unchanged(&agent(&store, &town, "paul").await.unwrap());
    assert_eq!(
        change(&store, &town, same, None).await,
        AgentChanged::Changed
    );
    assert_eq!(audit_entries(&store, &town.slug).await, journal + 2);
}

pub async fn the_last_active_administrator_cannot_be_removed(store: Arc<dyn Store>) {
    let town = town(&store, "brest").await;
    let alice = hire(&store, &town, "alice", "Alice Admin", true, &[]).await;
    let mut demoted = unchanged(&alice);
    demoted.admin = false;
    demoted.name = "Alice Rétrogradée".into();
    let mut deactivated = unchanged(&alice);
    deactivated.active = false;
    for refused in [demoted.clone(), deactivated.clone()] {
        assert_eq!(
            change(&store, &town, refused, None).await,
            AgentChanged::LastAdministrator
        );
    }
    let still = agent(&store, &town, "alice").await.unwrap();
    assert!(still.agent.admin && still.active, "nothing changed");
    assert_eq!(still.agent.name, "Alice Admin", "not even the name");
    // The last administrator may change anything else.
    let mut renamed = unchanged(&alice);
    renamed.name = "Alice Dupont".into();
    assert_eq!(
        change(&store, &town, renamed, None).await,
        AgentChanged::Changed
    );

    // An inactive administrator does not count.
    let bob = hire(&store, &town, "bob", "Bob Admin", true, &[]).await;
    let mut bob_off = unchanged(&bob);
    bob_off.active = false;
    assert_eq!(
        change(&store, &town, bob_off, None).await,
        AgentChanged::Changed
    );
    assert_eq!(
        change(&store, &town, demoted.clone(), None).await,
        AgentChanged::LastAdministrator
    );
    // Once another is active again, alice may go.
    assert_eq!(
        change(&store, &town, unchanged(&bob), None).await,
        AgentChanged::Changed
    );
    assert_eq!(
        change(&store, &town, demoted, None).await,
        AgentChanged::Changed
    );
    assert!(!agent(&store, &town, "alice").await.unwrap().agent.admin);
    let mut bob_off = unchanged(&bob);
    bob_off.active = false;
    assert_eq!(
        change(&store, &town, bob_off, None).await,
        AgentChanged::LastAdministrator,
        "now bob is the last one"
    );
}

pub async fn two_administrators_removed_at_once_leave_one(store: Arc<dyn Store>) {
    let town = town(&store, "brest").await;
    let alice = hire(&store, &town, "alice", "Alice Admin", true, &[]).await;
    let bob = hire(&store, &town, "bob", "Bob Admin", true, &[]).await;
    let mut tasks = Vec::new();
    for record in [alice, bob] {
        let store = Arc::clone(&store);
        let mut off = unchanged(&record);
        off.active = false;
        let tenant = town.id;
        tasks.push(tokio::spawn(async move {
            store
                .change_agent(tenant, off, "agent:other".into(), None, now())
                .await
                .unwrap()
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results.sort_by_key(|r| *r == AgentChanged::Changed);
    assert_eq!(
        results,
        [AgentChanged::LastAdministrator, AgentChanged::Changed]
    );
    let active_admins = store
        .agents(town.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.agent.admin && a.active)
        .count();
    assert_eq!(active_admins, 1);
}

pub async fn deactivating_an_agent_ends_its_sessions_for_good(store: Arc<dyn Store>) {
    let town = town(&store, "brest").await;
    hire(&store, &town, "alice", "Alice Admin", true, &[]).await;
    let paul = hire(&store, &town, "paul", "Paul Martin", false, &[]).await;
    let marie = hire(&store, &town, "marie", "Marie Durand", false, &[]).await;
    open_session(&store, &paul, "paul-1").await;
    open_session(&store, &marie, "marie-1").await;
    assert_eq!(
        session(&store, &town, "paul-1", t(1)).await.as_deref(),
        Some("paul")
    );
    let mut off = unchanged(&paul);
    off.active = false;
    assert_eq!(
        change(&store, &town, off, None).await,
        AgentChanged::Changed
    );
    assert!(!agent(&store, &town, "paul").await.unwrap().active);
    assert_eq!(session(&store, &town, "paul-1", t(1)).await, None);
    assert_eq!(
        session(&store, &town, "marie-1", t(1)).await.as_deref(),
        Some("marie"),
        "other agents keep theirs"
    );
    assert_eq!(
        change(&store, &town, unchanged(&paul), None).await,
        AgentChanged::Changed
    );
    assert!(agent(&store, &town, "paul").await.unwrap().active);
    assert_eq!(
        session(&store, &town, "paul-1", t(1)).await,
        None,
        "reactivated, the old session stays ended"
    );
}

pub async fn a_new_password_ends_the_other_sessions_but_the_kept_one(store: Arc<dyn Store>) {
    let town = town(&store, "brest").await;
    let paul = hire(&store, &town, "paul", "Paul Martin", false, &[]).await;
    open_session(&store, &paul, "here").await;
    open_session(&store, &paul, "elsewhere").await;
    let mut password = unchanged(&paul);
    password.password_hash = Some("$argon2id$new".into());
    assert_eq!(
        change(&store, &town, password.clone(), Some("here")).await,
        AgentChanged::Changed
    );
    assert_eq!(
        session(&store, &town, "here", t(1)).await.as_deref(),
        Some("paul")
    );
    assert_eq!(session(&store, &town, "elsewhere", t(1)).await, None);
    // A change of name alone ends nothing.
    let mut renamed = unchanged(&paul);
    renamed.name = "Paul Dupont".into();
    assert_eq!(
        change(&store, &town, renamed, None).await,
        AgentChanged::Changed
    );
    assert_eq!(
        session(&store, &town, "here", t(1)).await.as_deref(),
        Some("paul")
    );
    // Without a kept session, a new password ends them all.
    assert_eq!(
        change(&store, &town, password, None).await,
        AgentChanged::Changed
    );
    assert_eq!(session(&store, &town, "here", t(1)).await, None);
}

pub async fn a_session_lasts_until_it_expires_or_ends(store: Arc<dyn Store>) {
    let town = town(&store, "brest").await;
    let paul = hire(
        &store,
        &town,
        "paul",
        "Paul Martin",
        false,
        &[("voirie", Role::Handler)],
    )
    .await;
    store
        .create_session(paul.id, "s1".into(), t(0), t(60))
        .await
        .unwrap();
    let found = store
        .session_agent(town.id, "s1".into(), t(0))
        .await
        .unwrap()
        .expect("a fresh session");
    assert_eq!(found.id, paul.id);
    assert_eq!(found.agent, paul.agent, "the whole agent, roles included");
    let last_second = t(60).checked_sub(SignedDuration::from_secs(1)).unwrap();
    assert_eq!(
        session(&store, &town, "s1", last_second).await.as_deref(),
        Some("paul")
    );
    assert_eq!(
        session(&store, &town, "s1", t(60)).await,
        None,
        "expired at its time"
    );
    assert_eq!(session(&store, &town, "s1", t(600)).await, None);
    assert_eq!(session(&store, &town, "unknown", t(0)).await, None);

    store
        .create_session(paul.id, "s2".into(), t(0), t(600))
        .await
        .unwrap();
    store
        .create_session(paul.id, "s3".into(), t(0), t(600))
        .await
        .unwrap();
    store.end_session("s2".into()).await.unwrap();
    assert_eq!(session(&store, &town, "s2", t(1)).await, None, "ended");
    assert_eq!(
        session(&store, &town, "s3", t(1)).await.as_deref(),
        Some("paul"),
        "only that one"
    );
    store.end_session("never-was".into()).await.unwrap();
}

// ---------------------------------------------------------------------------
// Departments
// ---------------------------------------------------------------------------

pub async fn departments_are_added_and_renamed_never_removed_by_sync(store: Arc<dyn Store>) {
    let definitions = builtin_definitions();
    let (id, other) = blocking(&store, move |s| {
        assert!(s.create_tenant("brest", "Brest", &definitions).unwrap());
        assert!(s.create_tenant("quimper", "Quimper", &definitions).unwrap());
        let tenants = s.tenants().unwrap();
        let id = |slug: &str| tenants.iter().find(|t| t.slug == slug).unwrap().id;
        (id("brest"), id("quimper"))
    })
    .await;
    let department = |code: &str, name: &str, head: Option<&str>| Department {
        code: code.to_owned(),
        name: name.to_owned(),
        head: head.map(str::to_owned),
    };
    let first = vec![
        department("culture", "Culture", None),
        department("archives", "Archives", None),
    ];
    blocking(&store, move |s| {
        s.sync_departments(id, &first, &[]).unwrap()
    })
    .await;
    assert_eq!(
        departments(&store, id).await,
        [
            department("archives", "Archives", None),
            department("culture", "Culture", None)
        ],
        "by name"
    );
    let town = Town {
        id,
        slug: "brest".into(),
        services: Vec::new(),
        departments: Vec::new(),
    };
    hire(&store, &town, "paul", "Paul Martin", false, &[]).await;
    let heads = vec![("archives".to_owned(), Some("paul".to_owned()))];
    let changed = store
        .set_department_heads(id, heads, "agent:admin".into(), now())
        .await
        .unwrap();
    assert_eq!(changed, 1);
    let second = vec![
        department("archives", "Archives municipales", None),
        department("voirie", "Voirie", None),
    ];
    blocking(&store, move |s| {
        s.sync_departments(id, &second, &[]).unwrap()
    })
    .await;
    assert_eq!(
        departments(&store, id).await,
        [
            department("archives", "Archives municipales", Some("paul")),
            department("culture", "Culture", None),
            department("voirie", "Voirie", None)
        ],
        "renamed with its head kept, the unlisted one kept, the new one added"
    );
    assert!(
        departments(&store, other).await.is_empty(),
        "another tenant's"
    );
}

pub async fn department_heads_are_set_counted_and_cleared(store: Arc<dyn Store>) {
    let town = town(&store, "brest").await;
    hire(
        &store,
        &town,
        "paul",
        "Paul Martin",
        false,
        &[("voirie", Role::Handler)],
    )
    .await;
    hire(&store, &town, "marie", "Marie Durand", false, &[]).await;
    assert!(
        departments(&store, town.id)
            .await
            .iter()
            .all(|d| d.head.is_none())
    );
    let journal = audit_entries(&store, &town.slug).await;
    let set = |heads: Vec<(&str, Option<&str>)>| {
        let store = Arc::clone(&store);
        let heads: Vec<(String, Option<String>)> = heads
            .into_iter()
            .map(|(d, h)| (d.to_owned(), h.map(str::to_owned)))
            .collect();
        let tenant = town.id;
        async move {
            store
                .set_department_heads(tenant, heads, "agent:admin".into(), now())
                .await
                .unwrap()
        }
    };
    assert_eq!(set(vec![("voirie", Some("paul"))]).await, 1);
    assert_eq!(
        head_of(&departments(&store, town.id).await, "voirie").as_deref(),
        Some("paul")
    );
    assert_eq!(set(vec![("voirie", Some("paul"))]).await, 0, "already so");
    assert_eq!(
        set(vec![
            ("voirie", Some("paul")),
            ("etat-civil", Some("marie"))
        ])
        .await,
        1,
        "only the changed one counts"
    );
    let now_heads = departments(&store, town.id).await;
    assert_eq!(head_of(&now_heads, "etat-civil").as_deref(), Some("marie"));
    assert_eq!(head_of(&now_heads, "population"), None);
    assert_eq!(set(vec![("voirie", None)]).await, 1);
    assert_eq!(head_of(&departments(&store, town.id).await, "voirie"), None);
    assert_eq!(
        audit_entries(&store, &town.slug).await,
        journal + 3,
        "one journal entry per change"
    );
}

pub async fn an_unknown_department_or_agent_refuses_the_whole_head_change(store: Arc<dyn Store>) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    hire(&store, &brest, "paul", "Paul Martin", false, &[]).await;
    hire(&store, &quimper, "yann", "Yann Le Gall", false, &[]).await;
    let journal = audit_entries(&store, &brest.slug).await;
    for heads in [
        vec![("voirie", Some("paul")), ("nowhere", Some("paul"))],
        vec![("voirie", Some("paul")), ("etat-civil", Some("ghost"))],
        vec![("voirie", Some("yann"))],
    ] {
        let heads: Vec<(String, Option<String>)> = heads
            .into_iter()
            .map(|(d, h)| (d.to_owned(), h.map(str::to_owned)))
            .collect();
        let result = store
            .set_department_heads(brest.id, heads.clone(), "agent:admin".into(), now())
            .await;
        assert!(result.is_err(), "{heads:?} is refused");
    }
    assert!(
        departments(&store, brest.id)
            .await
            .iter()
            .all(|d| d.head.is_none()),
        "no part of a refused change stays"
    );
    assert_eq!(audit_entries(&store, &brest.slug).await, journal);
}

// ---------------------------------------------------------------------------
// Standard answers
// ---------------------------------------------------------------------------

fn answer(department: &str, title: &str, text: &str) -> NewStandardAnswer {
    NewStandardAnswer {
        department: department.to_owned(),
        title: title.to_owned(),
        text: text.to_owned(),
    }
}

fn answer_texts(answers: &[StandardAnswer]) -> Vec<(String, String, String)> {
    answers
        .iter()
        .map(|a| (a.department.clone(), a.title.clone(), a.text.clone()))
        .collect()
}

fn triple(d: &str, t: &str, x: &str) -> (String, String, String) {
    (d.to_owned(), t.to_owned(), x.to_owned())
}

pub async fn standard_answers_are_saved_changed_listed_and_removed(store: Arc<dyn Store>) {
    let town = town(&store, "brest").await;
    let journal = audit_entries(&store, &town.slug).await;
    let save = |id: Option<i64>, a: NewStandardAnswer| {
        let store = Arc::clone(&store);
        let tenant = town.id;
        async move {
            store
                .save_standard_answer(tenant, id, a, "agent:admin".into(), now())
                .await
                .unwrap()
        }
    };
    let roads = save(None, answer("voirie", "Delai", "Sous quinze jours."))
        .await
        .unwrap();
    let civil = save(
        None,
        answer("etat-civil", "Pieces", "Une piece d'identite."),
    )
    .await
    .unwrap();
    let later = save(None, answer("voirie", "Accuse", "Bien recu."))
        .await
        .unwrap();
    assert!(roads != civil && civil != later && roads != later);
    let listed = store.standard_answers(town.id).await.unwrap();
    assert_eq!(
        answer_texts(&listed),
        [
            triple("etat-civil", "Pieces", "Une piece d'identite."),
            triple("voirie", "Accuse", "Bien recu."),
            triple("voirie", "Delai", "Sous quinze jours.")
        ],
        "by department, then title"
    );
    assert_eq!(listed[2].id, roads);
    assert_eq!(
        save(Some(roads), answer("voirie", "Delai", "Sous dix jours.")).await,
        Some(roads)
    );
    assert_eq!(
        save(
            Some(roads + civil + later + 1000),
            answer("voirie", "X", "Y")
        )
        .await,
        None
    );
    let changed = store.standard_answers(town.id).await.unwrap();
    assert_eq!(changed.len(), 3, "a change creates nothing");
    assert_eq!(changed[2].text, "Sous dix jours.");
    let remove = |id: i64| {
        let store = Arc::clone(&store);
        let tenant = town.id;
        async move {
            store
                .remove_standard_answer(tenant, id, "agent:admin".into(), now())
                .await
                .unwrap()
        }
    };
    assert!(remove(roads).await);
    assert!(!remove(roads).await, "already removed");
    let ids: Vec<i64> = store
        .standard_answers(town.id)
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(ids, [civil, later]);
    assert_eq!(
        audit_entries(&store, &town.slug).await,
        journal + 5,
        "3 created, 1 changed, 1 removed; nothing for what did not happen"
    );
}

pub async fn standard_answers_belong_to_their_tenant_and_seeding_fills_only_empty_lists(
    store: Arc<dyn Store>,
) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let id = store
        .save_standard_answer(
            brest.id,
            None,
            answer("voirie", "Delai", "Sous quinze jours."),
            "agent:admin".into(),
            now(),
        )
        .await
        .unwrap()
        .unwrap();
    assert!(store.standard_answers(quimper.id).await.unwrap().is_empty());
    let theirs = store
        .save_standard_answer(
            quimper.id,
            Some(id),
            answer("voirie", "Vole", "x"),
            "agent:q".into(),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(theirs, None, "another tenant's answer cannot be changed");
    assert!(
        !store
            .remove_standard_answer(quimper.id, id, "agent:q".into(), now())
            .await
            .unwrap(),
        "nor removed"
    );
    assert_eq!(
        answer_texts(&store.standard_answers(brest.id).await.unwrap()),
        [triple("voirie", "Delai", "Sous quinze jours.")]
    );

    let (b, q) = (brest.id, quimper.id);
    blocking(&store, move |s| {
        s.seed_standard_answers(b, &[("voirie", "Seed", "Ignored")])
            .unwrap();
        s.seed_standard_answers(q, &[("voirie", "A", "Un"), ("etat-civil", "B", "Deux")])
            .unwrap();
        s.seed_standard_answers(q, &[("voirie", "C", "Trois")])
            .unwrap();
    })
    .await;
    assert_eq!(
        store.standard_answers(brest.id).await.unwrap().len(),
        1,
        "a tenant with answers is not seeded"
    );
    assert_eq!(
        answer_texts(&store.standard_answers(quimper.id).await.unwrap()),
        [
            triple("etat-civil", "B", "Deux"),
            triple("voirie", "A", "Un")
        ],
        "seeded once"
    );
}

// ---------------------------------------------------------------------------
// Audit journal
// ---------------------------------------------------------------------------

pub async fn the_audit_journal_counts_every_change_and_stays_intact(store: Arc<dyn Store>) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    assert_eq!(
        audit_entries(&store, "brest").await,
        0,
        "a new tenant's is empty"
    );
    assert_eq!(audit_entries(&store, "quimper").await, 0);
    store
        .record_audit(
            brest.id,
            "agent:admin".into(),
            "templates".into(),
            "templates-changed".into(),
            "acknowledgement".into(),
            t(0),
        )
        .await
        .unwrap();
    assert_eq!(audit_entries(&store, "brest").await, 1);
    let paul = hire(
        &store,
        &brest,
        "paul",
        "Paul Martin",
        false,
        &[("voirie", Role::Handler)],
    )
    .await;
    let r = submit(&store, &brest, road(&brest, "Durand", t(1))).await;
    act(&store, &brest, r, &paul.agent, press("qualify"), t(2)).await;
    store
        .set_department_heads(
            brest.id,
            vec![("voirie".into(), Some("paul".into()))],
            "agent:admin".into(),
            t(3),
        )
        .await
        .unwrap();
    store
        .save_standard_answer(
            brest.id,
            None,
            answer("voirie", "A", "B"),
            "agent:admin".into(),
            t(4),
        )
        .await
        .unwrap();
    // Concurrent writes keep the chain whole.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = Arc::clone(&store);
        let tenant = if i % 2 == 0 { brest.id } else { quimper.id };
        tasks.push(tokio::spawn(async move {
            store
                .record_audit(
                    tenant,
                    "agent:admin".into(),
                    "settings".into(),
                    "settings-changed".into(),
                    format!("change {i}"),
                    t(5),
                )
                .await
                .unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    // record, agent created, submitted, qualify, head, answer; then 10 records.
    assert_eq!(audit_entries(&store, "brest").await, 6 + 10);
    assert_eq!(
        audit_entries(&store, "quimper").await,
        10,
        "each tenant its own chain"
    );
    let reports = blocking(&store, |s| s.verify_audit().unwrap()).await;
    assert_eq!(reports.len(), 2, "one report per tenant");
}

/// Checkpoints: each tenant's head as published; a chain verified against
/// them holds the ones it wrote, and not a head it never had, an entry it
/// does not reach yet, or a tenant it does not know.
pub async fn a_journal_holds_the_heads_it_published_and_not_a_forged_one(store: Arc<dyn Store>) {
    use guichet::store::Anchor;
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let record = |tenant: i64, i: u32| {
        let store = Arc::clone(&store);
        async move {
            store
                .record_audit(
                    tenant,
                    "agent:admin".into(),
                    "settings".into(),
                    "settings-changed".into(),
                    format!("change {i}"),
                    t(i as i64),
                )
                .await
                .unwrap()
        }
    };
    record(brest.id, 1).await;
    record(brest.id, 2).await;
    let heads = store.audit_heads().await.unwrap();
    assert_eq!(heads.len(), 2);
    assert_eq!((heads[0].tenant.as_str(), heads[0].seq), ("brest", 2));
    assert_eq!(
        (heads[1].tenant.as_str(), heads[1].seq),
        ("quimper", 0),
        "empty journal"
    );
    assert_eq!(heads[0].hash.len(), 64);
    record(brest.id, 3).await;
    record(quimper.id, 4).await;
    let published = heads[0].clone();
    let reports = blocking(&store, move |s| {
        s.verify_audit_against(&[published]).unwrap()
    })
    .await;
    assert!(reports.iter().all(|r| r.problem.is_none()), "{reports:?}");
    let forged = Anchor {
        hash: "f".repeat(64),
        ..heads[0].clone()
    };
    let ahead = Anchor {
        seq: 9,
        ..heads[0].clone()
    };
    let gone = Anchor {
        tenant: "lorient".into(),
        ..heads[0].clone()
    };
    let reports = blocking(&store, move |s| {
        s.verify_audit_against(&[forged, ahead, gone]).unwrap()
    })
    .await;
    let problem = |slug: &str| {
        reports
            .iter()
            .find(|r| r.tenant == slug)
            .and_then(|r| r.problem.clone())
            .unwrap_or_default()
    };
    assert!(
        problem("brest").contains("entry 2 is not the one the checkpoint published"),
        "{reports:?}"
    );
    assert_eq!(
        problem("quimper"),
        "",
        "its own chain is not held to another's anchors"
    );
    assert!(
        problem("lorient").contains("no longer holds"),
        "{reports:?}"
    );
    let ahead = Anchor {
        seq: 9,
        ..heads[0].clone()
    };
    let reports = blocking(&store, move |s| s.verify_audit_against(&[ahead]).unwrap()).await;
    assert!(
        reports[0]
            .problem
            .as_deref()
            .unwrap_or("")
            .contains("ends at entry 3 but a checkpoint vouches for entry 9"),
        "{reports:?}"
    );
}

/// The journal as administrators read it: newest first, by action, at most
/// `limit` entries, each tenant its own.
pub async fn the_journal_reads_newest_first_by_action_within_its_tenant(store: Arc<dyn Store>) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    for (i, (tenant, action)) in [
        (brest.id, "templates-changed"),
        (brest.id, "settings-changed"),
        (quimper.id, "templates-changed"),
        (brest.id, "templates-changed"),
    ]
    .into_iter()
    .enumerate()
    {
        store
            .record_audit(
                tenant,
                "agent:admin".into(),
                format!("subject-{i}"),
                action.into(),
                format!("detail {i}"),
                t(i as i64),
            )
            .await
            .unwrap();
    }
    let all = store.journal(brest.id, None, 100).await.unwrap();
    let seqs: Vec<i64> = all.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [3, 2, 1], "newest first, gapless per tenant");
    assert_eq!(all[0].subject, "subject-3");
    assert_eq!(all[0].detail, "detail 3");
    assert_eq!(all[0].actor, "agent:admin");
    assert_eq!(all[0].action, "templates-changed");
    let templates = store
        .journal(brest.id, Some("templates-changed".into()), 100)
        .await
        .unwrap();
    let subjects: Vec<&str> = templates.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(subjects, ["subject-3", "subject-0"]);
    assert_eq!(store.journal(brest.id, None, 1).await.unwrap().len(), 1);
    let other = store.journal(quimper.id, None, 100).await.unwrap();
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].subject, "subject-2");
}

pub async fn the_audit_journal_verified_while_it_is_written_is_intact(store: Arc<dyn Store>) {
    let town = town(&store, "brest").await;
    let writer = {
        let store = Arc::clone(&store);
        let tenant = town.id;
        tokio::spawn(async move {
            for i in 0..1000 {
                store
                    .record_audit(
                        tenant,
                        "agent:admin".into(),
                        "settings".into(),
                        "settings-changed".into(),
                        format!("change {i}"),
                        t(0),
                    )
                    .await
                    .unwrap();
            }
        })
    };
    // `audit verify` may run beside a busy server: what it reads is one
    // state of the journal, which was intact.
    let mut runs = 0;
    while !writer.is_finished() || runs < 3 {
        let report = blocking(&store, |s| s.verify_audit().unwrap())
            .await
            .remove(0);
        assert_eq!(report.problem, None, "after {} entries", report.entries);
        runs += 1;
    }
    writer.await.unwrap();
    assert_eq!(audit_entries(&store, &town.slug).await, 1000);
}

// ---------------------------------------------------------------------------
// Export marks
// ---------------------------------------------------------------------------

pub async fn a_hold_is_remembered_and_a_postponed_due_date_moves(store: Arc<dyn Store>) {
    let brest = town(&store, "brest").await;
    let r = submit(&store, &brest, road(&brest, "Durand", t(0))).await;
    let before = item(&store, &brest, r).await;
    assert_eq!(before.state.waiting_since, None);
    let due = before.record.due_date;
    let mut outcome = Outcome {
        state: before.state.clone(),
        events: Vec::new(),
        effects: vec![workflow::Effect::PostponeDue { days: 5 }],
    };
    outcome.state.waiting_for_citizen = true;
    outcome.state.waiting_since = Some(t(30));
    store
        .apply(brest.id, r, before.revision, outcome, t(30))
        .await
        .unwrap();
    let after = item(&store, &brest, r).await;
    assert_eq!(
        after.state.waiting_since,
        Some(t(30)),
        "when the hold began"
    );
    assert_eq!(
        after.record.due_date,
        due.checked_add(SignedDuration::from_hours(24 * 5)).unwrap(),
        "five days later"
    );
}

pub async fn export_marks_are_listed_oldest_first_and_cleared_once_done(store: Arc<dyn Store>) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let r1 = submit(&store, &brest, road(&brest, "Durand", t(0))).await;
    let r2 = submit(&store, &brest, road(&brest, "Martin", t(1))).await;
    let r3 = submit(&store, &brest, road(&brest, "Petit", t(2))).await;
    let exported = |tenant: i64| {
        let store = Arc::clone(&store);
        async move { store.export_pending(tenant).await.unwrap() }
    };
    assert!(exported(brest.id).await.is_empty());
    // Entering "scheduled" marks a road incident for export: r2 first.
    act(&store, &brest, r2, &clerk(), press("qualify"), t(10)).await;
    assert!(exported(brest.id).await.is_empty(), "not on qualifying");
    act(&store, &brest, r2, &clerk(), press("schedule"), t(11)).await;
    assert_eq!(exported(brest.id).await, [r2]);
    act(&store, &brest, r1, &clerk(), press("qualify"), t(12)).await;
    act(&store, &brest, r1, &clerk(), press("schedule"), t(13)).await;
    act(&store, &brest, r3, &clerk(), press("qualify"), t(14)).await;
    assert_eq!(exported(brest.id).await, [r1, r2], "oldest request first");
    assert!(exported(quimper.id).await.is_empty());
    store.export_done(quimper.id, r1).await.unwrap();
    assert_eq!(
        exported(brest.id).await,
        [r1, r2],
        "another tenant clears nothing"
    );
    store.export_done(brest.id, r1).await.unwrap();
    assert_eq!(exported(brest.id).await, [r2]);
    store.export_done(brest.id, r2).await.unwrap();
    store.export_done(brest.id, r2).await.unwrap();
    assert!(exported(brest.id).await.is_empty());
}

// ---------------------------------------------------------------------------
// Outbox and deliveries
// ---------------------------------------------------------------------------

pub async fn submit_and_apply_write_their_messages_to_the_outbox(store: Arc<dyn Store>) {
    let town = town(&store, "brest").await;
    assert!(pending(&store).await.is_empty());
    let request = road(&town, "Durand", t(0));
    let code = request.tracking_code.clone();
    let due_date = request.due_date;
    let r = submit(&store, &town, request).await;
    let messages = pending(&store).await;
    assert_eq!(messages.len(), 2, "{messages:?}");
    let (ack, notice) = (&messages[0], &messages[1]);
    assert!(ack.id < notice.id, "oldest first");
    assert_eq!(ack.tenant_id, town.id);
    assert_eq!(ack.recipient_kind, "citizen");
    assert_eq!(ack.recipient, None);
    assert_eq!(ack.template.as_deref(), Some("acknowledgement"));
    assert_eq!(
        ack.text.as_deref(),
        Some("received"),
        "the step it announces"
    );
    assert_eq!(
        ack.secret.as_deref(),
        Some(code.as_str()),
        "the tracking code, to send"
    );
    let about = ack.request.as_ref().expect("about the request");
    assert_eq!(about.reference, r);
    assert_eq!(about.service_code, "road-incident");
    assert_eq!(about.service_version, 1);
    assert_eq!(about.step, "received");
    assert_eq!(about.department, "voirie");
    assert_eq!(about.due_date, due_date);
    assert_eq!(about.requester_name, "Zoé Durand");
    assert_eq!(about.email.as_deref(), Some("zoe@example.fr"));
    assert!(about.phone.is_some());
    assert!(about.sms, "the requester asked for SMS");
    assert_eq!(about.lang, "fr");
    assert_eq!(notice.recipient_kind, "department");
    assert_eq!(notice.recipient.as_deref(), Some("voirie"));
    assert_eq!(notice.template.as_deref(), Some("new-request"));
    assert_eq!(notice.secret, None);
    assert_eq!(notice.request.as_ref().unwrap().reference, r);
    let first = store.pending_messages(1).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].id, ack.id, "the limit keeps the oldest");

    act(
        &store,
        &town,
        r,
        &clerk(),
        Command::Transfer {
            to: "etat-civil".into(),
            comment: None,
        },
        t(10),
    )
    .await;
    act(
        &store,
        &town,
        r,
        &clerk(),
        Command::Answer {
            text: "Nous regardons.".into(),
        },
        t(20),
    )
    .await;
    let messages = pending(&store).await;
    assert_eq!(messages.len(), 4);
    let transferred = &messages[2];
    assert_eq!(transferred.recipient_kind, "department");
    assert_eq!(transferred.recipient.as_deref(), Some("etat-civil"));
    assert_eq!(transferred.template.as_deref(), Some("transferred"));
    assert_eq!(
        transferred.request.as_ref().unwrap().department,
        "etat-civil",
        "the request as it is now"
    );
    let answered = &messages[3];
    assert_eq!(answered.recipient_kind, "citizen");
    assert_eq!(answered.template, None);
    assert_eq!(answered.text.as_deref(), Some("Nous regardons."));
    assert_eq!(
        answered.secret, None,
        "only the acknowledgement carries the code"
    );

    // The language the citizen used follows the request.
    let english = new_request(
        &town,
        "birth-certificate",
        "Smith",
        t(30),
        Channel::Web,
        "en",
    );
    submit(&store, &town, english).await;
    let messages = pending(&store).await;
    assert_eq!(messages.len(), 6);
    assert_eq!(messages[4].request.as_ref().unwrap().lang, "en");
    assert_eq!(messages[5].recipient.as_deref(), Some("etat-civil"));
}

pub async fn expanded_messages_become_deliveries_due_at_once_except_on_idle_channels(
    store: Arc<dyn Store>,
) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let r = submit(&store, &brest, road(&brest, "Durand", t(0))).await;
    let messages = pending(&store).await;
    let (ack, notice) = (messages[0].id, messages[1].id);
    store
        .expand_message(
            ack,
            vec![email_to("zoe@example.fr", true), sms_to("+33612345678")],
        )
        .await
        .unwrap();
    store.expand_message(notice, Vec::new()).await.unwrap();
    assert!(
        pending(&store).await.is_empty(),
        "expanded messages are not pending"
    );
    let at = t(1).as_second();
    let mut due_now = due(&store, at).await;
    due_now.sort_by(|a, b| a.channel.cmp(&b.channel));
    assert_eq!(due_now.len(), 2, "{due_now:?}");
    let (email, sms) = (&due_now[0], &due_now[1]);
    assert_eq!(email.tenant_id, brest.id);
    assert_eq!(email.channel, "email");
    assert_eq!(email.address, "zoe@example.fr");
    assert_eq!(email.subject.as_deref(), Some("Votre demande"));
    assert_eq!(email.body, "Bonjour zoe@example.fr");
    assert_eq!(email.html.as_deref(), Some("<p>Bonjour</p>"));
    assert_eq!(email.attempts, 0);
    assert_eq!(
        (sms.channel.as_str(), sms.address.as_str()),
        ("sms", "+33612345678")
    );
    assert_eq!(sms.body, "Demande enregistrée");
    assert_eq!(
        store.pending_deliveries(Some(brest.id)).await.unwrap(),
        [("email".to_owned(), 1), ("sms".to_owned(), 1)]
    );
    assert!(
        store
            .pending_deliveries(Some(quimper.id))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.pending_deliveries(None).await.unwrap(),
        [("email".to_owned(), 1), ("sms".to_owned(), 1)],
        "every town together"
    );
    assert_eq!(
        store.due_deliveries(at, 1, Vec::new()).await.unwrap().len(),
        1,
        "limit"
    );
    let idle = store
        .due_deliveries(at, 100, vec![(brest.id, "email")])
        .await
        .unwrap();
    assert_eq!(idle.len(), 1, "an idle channel waits");
    assert_eq!(idle[0].channel, "sms");
    let elsewhere = store
        .due_deliveries(at, 100, vec![(quimper.id, "email")])
        .await
        .unwrap();
    assert_eq!(
        elsewhere.len(),
        2,
        "another tenant's idle channel stops nothing here"
    );
    let listed = store.deliveries(brest.id, Some(r)).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].channel, "sms", "newest first");
    assert!(listed.iter().all(|d| d.state == "pending"
        && d.attempts == 0
        && d.reference == Some(r)
        && d.last_error.is_none()
        && d.sent_at.is_none()));
    assert!(
        store
            .deliveries(quimper.id, Some(r))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store.deliveries(brest.id, None).await.unwrap().is_empty(),
        "none failed"
    );
}

pub async fn a_failed_delivery_is_retried_at_its_time_given_up_then_sent_again_on_demand(
    store: Arc<dyn Store>,
) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let r = submit(&store, &brest, road(&brest, "Durand", t(0))).await;
    let ack = pending(&store).await[0].id;
    store
        .expand_message(ack, vec![email_to("zoe@example.fr", true)])
        .await
        .unwrap();
    let start = t(1).as_second();
    let id = due(&store, start).await[0].id;
    let journal = audit_entries(&store, &brest.slug).await;

    store
        .delivery_result(id, Err(("SMTP down".into(), Some(start + 30))), t(1))
        .await
        .unwrap();
    assert!(due(&store, start).await.is_empty(), "not before its time");
    assert!(due(&store, start + 29).await.is_empty());
    let again = due(&store, start + 30).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
    let record = &store.deliveries(brest.id, Some(r)).await.unwrap()[0];
    assert_eq!((record.state.as_str(), record.attempts), ("pending", 1));
    assert_eq!(record.last_error.as_deref(), Some("SMTP down"));
    assert_eq!(
        record.next_attempt_at,
        start + 30,
        "the next attempt is shown"
    );
    assert!(store.deliveries(brest.id, None).await.unwrap().is_empty());
    assert_eq!(
        store.pending_deliveries(Some(brest.id)).await.unwrap(),
        [("email".to_owned(), 1)]
    );

    store
        .delivery_result(id, Err(("mailbox unknown".into(), None)), t(2))
        .await
        .unwrap();
    assert!(due(&store, start + 1_000_000).await.is_empty(), "given up");
    let failed = store.deliveries(brest.id, None).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].id, id);
    assert_eq!(failed[0].state, "failed");
    assert_eq!(failed[0].attempts, 2);
    assert_eq!(failed[0].reference, Some(r));
    assert_eq!(failed[0].last_error.as_deref(), Some("mailbox unknown"));
    assert!(
        store
            .pending_deliveries(Some(brest.id))
            .await
            .unwrap()
            .is_empty()
    );

    let retry = |tenant: i64| {
        let store = Arc::clone(&store);
        async move {
            store
                .retry_failed_deliveries(tenant, "agent:admin".into(), t(120))
                .await
                .unwrap()
        }
    };
    assert_eq!(
        retry(quimper.id).await,
        0,
        "another tenant's are not touched"
    );
    assert_eq!(retry(brest.id).await, 1);
    assert_eq!(
        audit_entries(&store, &brest.slug).await,
        journal + 1,
        "journalled"
    );
    assert!(
        due(&store, t(119).as_second()).await.is_empty(),
        "due from the retry's time"
    );
    let retried = due(&store, t(120).as_second()).await;
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].attempts, 0, "a new round of attempts");
    assert!(store.deliveries(brest.id, None).await.unwrap().is_empty());
    assert_eq!(retry(brest.id).await, 0, "nothing failed any more");
    assert_eq!(
        audit_entries(&store, &brest.slug).await,
        journal + 1,
        "nothing journalled"
    );

    store.delivery_result(id, Ok(()), t(121)).await.unwrap();
    assert!(
        due(&store, t(10_000).as_second()).await.is_empty(),
        "sent once"
    );
    let sent = &store.deliveries(brest.id, Some(r)).await.unwrap()[0];
    assert_eq!(sent.state, "sent");
    assert!(sent.sent_at.is_some());
    assert_eq!(sent.last_error, None);
    assert!(
        store
            .pending_deliveries(Some(brest.id))
            .await
            .unwrap()
            .is_empty()
    );
}

// ---------------------------------------------------------------------------
// Deadlines and the scheduler
// ---------------------------------------------------------------------------

pub async fn deadline_marks_are_recorded_once_each_in_order(store: Arc<dyn Store>) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let r = submit(&store, &brest, road(&brest, "Durand", t(0))).await;
    for m in pending(&store).await {
        store.expand_message(m.id, Vec::new()).await.unwrap();
    }
    let journal = audit_entries(&store, &brest.slug).await;
    let mark = |tenant: i64, r: Reference, mark: DeadlineMark| {
        let store = Arc::clone(&store);
        async move {
            store
                .deadline_mark(tenant, r, mark, "voirie".into(), day(12))
                .await
                .unwrap()
        }
    };
    let open = store.open_requests(brest.id).await.unwrap();
    assert_eq!((open[0].reminded, open[0].escalation), (false, 0));
    assert!(mark(brest.id, r, DeadlineMark::Reminder).await);
    assert!(!mark(brest.id, r, DeadlineMark::Reminder).await, "once");
    assert!(
        !mark(brest.id, r, DeadlineMark::Escalation(2)).await,
        "the administrators after the head"
    );
    assert!(mark(brest.id, r, DeadlineMark::Escalation(1)).await);
    assert!(!mark(brest.id, r, DeadlineMark::Escalation(1)).await);
    assert!(mark(brest.id, r, DeadlineMark::Escalation(2)).await);
    assert!(!mark(brest.id, r, DeadlineMark::Escalation(2)).await);
    assert!(
        !mark(quimper.id, r, DeadlineMark::Reminder).await,
        "not in another tenant"
    );
    let open = store.open_requests(brest.id).await.unwrap();
    assert_eq!((open[0].reminded, open[0].escalation), (true, 2));

    let item = item(&store, &brest, r).await;
    assert_eq!(item.events.len(), 4, "submitted and three marks");
    for e in &item.events[1..] {
        assert_eq!(e.actor, "system");
        assert!(!e.citizen_visible, "the citizen does not see it");
        assert_eq!(e.department.as_deref(), Some("voirie"));
        assert_eq!(e.at, day(12));
    }
    let actions: Vec<&str> = item.events[1..].iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["reminder", "escalation", "escalation"]);
    assert_eq!(item.state.step, "received", "the request does not move");
    let record = store
        .request_by_reference(brest.id, r)
        .await
        .unwrap()
        .unwrap()
        .record;
    assert_eq!(record.history.len(), 1);
    let notices: Vec<(String, Option<String>, Option<String>)> = pending(&store)
        .await
        .into_iter()
        .map(|m| (m.recipient_kind, m.recipient, m.template))
        .collect();
    let department = |template: &str| {
        (
            "department".to_owned(),
            Some("voirie".to_owned()),
            Some(template.to_owned()),
        )
    };
    assert_eq!(
        notices,
        [
            department("reminder"),
            department("escalation-head"),
            department("escalation-admin")
        ]
    );
    assert_eq!(audit_entries(&store, &brest.slug).await, journal + 3);

    // Marked once even when asked many times at once.
    let r2 = submit(&store, &brest, road(&brest, "Martin", t(1))).await;
    let mut tasks = Vec::new();
    for _ in 0..10 {
        tasks.push(tokio::spawn(mark(brest.id, r2, DeadlineMark::Reminder)));
    }
    let mut marked = 0;
    for task in tasks {
        marked += usize::from(task.await.unwrap());
    }
    assert_eq!(marked, 1);
    // A finished request is not marked.
    let r3 = submit(&store, &brest, road(&brest, "Petit", t(2))).await;
    act(
        &store,
        &brest,
        r3,
        &clerk(),
        press_with("not-ours", "Route nationale"),
        t(3),
    )
    .await;
    assert!(!mark(brest.id, r3, DeadlineMark::Reminder).await);
    assert!(!mark(brest.id, r3, DeadlineMark::Escalation(1)).await);
}

pub async fn open_requests_and_waiting_ones_are_listed_apart(store: Arc<dyn Store>) {
    let seeded = seeded(&store).await;
    let (town, refs) = (&seeded.town, &seeded.refs);
    let open = store.open_requests(town.id).await.unwrap();
    let listed: Vec<Reference> = open.iter().map(|o| o.reference).collect();
    assert_eq!(
        listed,
        [refs[0], refs[1], refs[2]],
        "neither waiting nor finished"
    );
    for (o, due) in open.iter().zip(&seeded.due) {
        let item = item(&store, town, o.reference).await;
        assert_eq!(o.revision, item.revision);
        assert_eq!(o.state, item.state);
        assert_eq!(o.service_code, item.record.service_code);
        assert_eq!(o.service_version, 1);
        assert_eq!(o.due_date, *due);
        assert_eq!((o.reminded, o.escalation), (false, 0));
    }
    let waiting = store.waiting_requests(town.id).await.unwrap();
    let listed: Vec<Reference> = waiting.iter().map(|o| o.reference).collect();
    assert_eq!(listed, [refs[3]], "waiting, not finished");
    assert!(waiting[0].state.waiting_for_citizen);
    assert_eq!(
        waiting[0].revision,
        item(&store, town, refs[3]).await.revision
    );
    act(
        &store,
        town,
        refs[3],
        &clerk(),
        Command::Resume { comment: None },
        day(5),
    )
    .await;
    assert!(
        store.waiting_requests(town.id).await.unwrap().is_empty(),
        "resumed, it no longer waits"
    );
    let listed: Vec<Reference> = store
        .open_requests(town.id)
        .await
        .unwrap()
        .iter()
        .map(|o| o.reference)
        .collect();
    assert_eq!(listed, refs[..4], "resumed, it is open again");
    let other = self::town(&store, "quimper").await;
    assert!(store.open_requests(other.id).await.unwrap().is_empty());
}

// ---------------------------------------------------------------------------
// Console
// ---------------------------------------------------------------------------

pub async fn console_filters_by_state_service_department_and_channel(store: Arc<dyn Store>) {
    let Seeded { town, refs, due } = seeded(&store).await;
    let pick = |i: &[usize]| i.iter().map(|&i| refs[i]).collect::<Vec<_>>();
    let q = |f: &dyn Fn(&mut ConsoleQuery)| {
        let mut q = query();
        f(&mut q);
        q
    };
    let cases: Vec<(ConsoleQuery, Vec<Reference>)> = vec![
        (query(), pick(&[0, 1, 2, 3, 4])),
        (q(&|q| q.state = StateFilter::Open), pick(&[0, 1, 2, 3])),
        (q(&|q| q.state = StateFilter::Waiting), pick(&[3])),
        (q(&|q| q.state = StateFilter::Finished), pick(&[4])),
        (
            q(&|q| q.service = Some("road-incident".into())),
            pick(&[0, 1, 3]),
        ),
        (
            q(&|q| q.department = Some("etat-civil".into())),
            pick(&[2, 4]),
        ),
        (q(&|q| q.channel = Some("soap".into())), pick(&[1])),
        (
            q(&|q| {
                q.state = StateFilter::Open;
                q.service = Some("birth-certificate".into());
            }),
            pick(&[2]),
        ),
        (q(&|q| q.service = Some("room-booking".into())), Vec::new()),
    ];
    for (query, expected) in cases {
        let what = format!("{query:?}");
        let (total, got) = listed(&store, &town, query).await;
        assert_eq!(got, expected, "{what}");
        assert_eq!(total, expected.len() as u64, "{what}");
    }
    let (_, rows) = store.console(town.id, query()).await.unwrap();
    let soap = &rows[1];
    assert_eq!(soap.reference, refs[1]);
    assert_eq!(soap.service_code, "road-incident");
    assert_eq!(soap.service_version, 1);
    assert_eq!(soap.channel, "soap");
    assert_eq!(soap.step, "received");
    assert_eq!(soap.department, "voirie");
    assert_eq!(soap.requester_name, "Zoé Martin");
    assert_eq!(soap.submitted_at, day(1));
    assert_eq!(soap.due_date, due[1]);
    assert!(!soap.waiting && !soap.finished);
    assert!(rows[3].waiting && !rows[3].finished);
    assert!(rows[4].finished);
    assert_eq!(rows[4].step, "refused");
    let other = self::town(&store, "quimper").await;
    assert_eq!(listed(&store, &other, query()).await, (0, Vec::new()));
}

pub async fn console_shows_agents_their_departments_and_the_validations_asked_of_them(
    store: Arc<dyn Store>,
) {
    let Seeded { town, refs, .. } = seeded(&store).await;
    let pick = |i: &[usize]| i.iter().map(|&i| refs[i]).collect::<Vec<_>>();
    let seen_by = |departments: &[&str]| {
        let mut q = query();
        q.departments = Some(departments.iter().map(|d| (*d).to_owned()).collect());
        q
    };
    assert_eq!(
        listed(&store, &town, seen_by(&[])).await,
        (0, Vec::new()),
        "no department, nothing"
    );
    assert_eq!(
        listed(&store, &town, seen_by(&["voirie"])).await.1,
        pick(&[0, 1, 3])
    );
    assert_eq!(
        listed(&store, &town, seen_by(&["etat-civil"])).await.1,
        pick(&[2, 4])
    );
    // The roads ask the civil status department to validate an answer.
    act(
        &store,
        &town,
        refs[0],
        &clerk(),
        Command::AskValidation {
            to: "etat-civil".into(),
            answer: "Ce n'est pas une route communale.".into(),
        },
        day(5),
    )
    .await;
    assert_eq!(
        listed(&store, &town, seen_by(&["etat-civil"])).await,
        (3, pick(&[0, 2, 4])),
        "asked to validate, they see it"
    );
    assert_eq!(
        listed(&store, &town, seen_by(&["voirie"])).await.1,
        pick(&[0, 1, 3])
    );
    assert_eq!(
        listed(&store, &town, seen_by(&["voirie", "etat-civil"]))
            .await
            .1,
        pick(&[0, 1, 2, 3, 4]),
        "once each"
    );
    let mut q = seen_by(&["voirie"]);
    q.department = Some("etat-civil".into());
    assert_eq!(
        listed(&store, &town, q).await.1,
        Vec::new(),
        "both restrictions hold"
    );
}

pub async fn console_finds_text_in_references_names_and_values(store: Arc<dyn Store>) {
    let Seeded { town, refs, .. } = seeded(&store).await;
    let pick = |i: &[usize]| i.iter().map(|&i| refs[i]).collect::<Vec<_>>();
    let search = |text: &str| {
        let mut q = query();
        q.text = Some(text.to_owned());
        q
    };
    for (text, expected) in [
        ("2026-000002", pick(&[1])),
        ("000003", pick(&[2])),
        ("Durand", pick(&[0])),
        ("durand", pick(&[0])),
        ("Zoé Petit", pick(&[4])),
        ("Trou profond", pick(&[0, 1, 3])),
        ("quimperlé", pick(&[2, 4])),
        ("%", Vec::new()),
        ("_", Vec::new()),
        ("  ", pick(&[0, 1, 2, 3, 4])),
        ("Personne", Vec::new()),
    ] {
        let (total, got) = listed(&store, &town, search(text)).await;
        assert_eq!(got, expected, "search {text:?}");
        assert_eq!(total, expected.len() as u64, "search {text:?}");
    }
    let mut q = search("Zoé");
    q.state = StateFilter::Open;
    q.service = Some("road-incident".into());
    assert_eq!(listed(&store, &town, q).await.1, pick(&[0, 1, 3]));
}

pub async fn console_text_search_ignores_the_case_of_accented_letters(store: Arc<dyn Store>) {
    let town = town(&store, "brest").await;
    let r = submit(&store, &town, road(&town, "Éluard", t(0))).await;
    for text in ["Éluard", "éluard", "ÉLUARD", "zoé", "ZOÉ"] {
        let mut q = query();
        q.text = Some(text.to_owned());
        assert_eq!(
            listed(&store, &town, q).await,
            (1, vec![r]),
            "search {text:?}"
        );
    }
}

pub async fn console_sorts_pages_counts_and_finds_late_requests(store: Arc<dyn Store>) {
    let Seeded { town, refs, due } = seeded(&store).await;
    let sorted = |sort: SortKey, descending: bool| {
        let mut q = query();
        q.sort = sort;
        q.descending = descending;
        q
    };
    let mut reversed = refs.clone();
    reversed.reverse();
    assert_eq!(
        listed(&store, &town, sorted(SortKey::Reference, false))
            .await
            .1,
        refs
    );
    assert_eq!(
        listed(&store, &town, sorted(SortKey::Reference, true))
            .await
            .1,
        reversed
    );
    assert_eq!(
        listed(&store, &town, sorted(SortKey::Received, false))
            .await
            .1,
        refs
    );
    assert_eq!(
        listed(&store, &town, sorted(SortKey::Received, true))
            .await
            .1,
        reversed
    );
    assert_eq!(
        listed(&store, &town, sorted(SortKey::Service, false))
            .await
            .1,
        [refs[2], refs[4], refs[0], refs[1], refs[3]],
        "by service code, then arrival"
    );
    let mut by_due: Vec<usize> = (0..refs.len()).collect();
    by_due.sort_by_key(|&i| (due[i], i));
    let by_due: Vec<Reference> = by_due.into_iter().map(|i| refs[i]).collect();
    assert_eq!(
        listed(&store, &town, sorted(SortKey::Due, false)).await.1,
        by_due
    );
    let mut by_due_desc = by_due.clone();
    by_due_desc.reverse();
    assert_eq!(
        listed(&store, &town, sorted(SortKey::Due, true)).await.1,
        by_due_desc
    );

    let page = |offset: u32, limit: u32| {
        let mut q = query();
        q.offset = offset;
        q.limit = limit;
        q
    };
    assert_eq!(
        listed(&store, &town, page(0, 2)).await,
        (5, refs[0..2].to_vec())
    );
    assert_eq!(
        listed(&store, &town, page(2, 2)).await,
        (5, refs[2..4].to_vec())
    );
    assert_eq!(
        listed(&store, &town, page(4, 2)).await,
        (5, refs[4..].to_vec())
    );
    assert_eq!(
        listed(&store, &town, page(5, 2)).await,
        (5, Vec::new()),
        "past the end"
    );

    // Late: due before a day, and not finished (the refused request is not late).
    let late_before = |day: Date| {
        let mut q = query();
        q.due_before = Some(day);
        q
    };
    let after_all = due.iter().max().unwrap().tomorrow().unwrap();
    assert_eq!(
        listed(&store, &town, late_before(after_all)).await.1,
        refs[..4]
    );
    let cut = due[1];
    let expected: Vec<Reference> = (0..4).filter(|&i| due[i] < cut).map(|i| refs[i]).collect();
    assert!(
        !expected.is_empty() && expected.len() < 4,
        "a meaningful cut: {due:?}"
    );
    assert_eq!(
        listed(&store, &town, late_before(cut)).await,
        (expected.len() as u64, expected)
    );
}

pub async fn an_openid_flow_is_taken_once_and_an_identity_belongs_to_one_account(
    store: Arc<dyn Store>,
) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let mail = |template: &str, to: &str| AccountMail {
        template: template.into(),
        to: to.into(),
        link: "https://guichet.example/brest/account/security".into(),
        lang: "fr".into(),
    };
    let identity = |subject: &str| Identity {
        issuer: "https://idp.example".into(),
        subject: subject.into(),
        linked_at: t(5),
    };
    let audit_before = audit_entries(&store, "brest").await;
    let made = store
        .sign_up_with_identity(
            brest.id,
            "camille@example.fr".into(),
            Profile {
                first_name: Some("Camille".into()),
                last_name: Some("Durand".into()),
                ..Profile::default()
            },
            identity("sub-camille"),
            mail("account-identity-welcome", "camille@example.fr"),
        )
        .await
        .unwrap()
        .expect("a new account");
    assert!(made.confirmed && made.password_hash.is_none());
    assert_eq!(made.profile.last_name.as_deref(), Some("Durand"));
    let found = |tenant: i64, subject: &str| {
        store.citizen_by_identity(tenant, "https://idp.example".into(), subject.into())
    };
    assert_eq!(
        found(brest.id, "sub-camille").await.unwrap().map(|c| c.id),
        Some(made.id)
    );
    assert_eq!(
        found(quimper.id, "sub-camille").await.unwrap(),
        None,
        "per tenant"
    );
    assert_eq!(
        store
            .sign_up_with_identity(
                brest.id,
                "camille@example.fr".into(),
                Profile::default(),
                identity("sub-other"),
                mail("account-identity-welcome", "camille@example.fr"),
            )
            .await
            .unwrap(),
        None,
        "an address with an account is never taken by another identity"
    );
    assert_eq!(found(brest.id, "sub-other").await.unwrap(), None);

    // A second account links its own identity, not Camille's.
    store
        .sign_up(
            brest.id,
            "zoe@example.fr".into(),
            "$argon2id$hash".into(),
            NewLink {
                digest: "z1".into(),
                purpose: LinkPurpose::Confirm,
                email: None,
                expires: t(60),
            },
            mail("account-confirm", "zoe@example.fr"),
            mail("account-exists", "zoe@example.fr"),
            t(0),
        )
        .await
        .unwrap();
    let zoe = store
        .citizen_by_email(brest.id, "zoe@example.fr".into())
        .await
        .unwrap()
        .unwrap();
    let flow = |digest: &str, purpose: FlowPurpose, minutes: i64| OpenIdFlow {
        digest: digest.into(),
        state: format!("state-{digest}"),
        nonce: format!("nonce-{digest}"),
        verifier: format!("verifier-{digest}"),
        purpose,
        next: Some("/brest/account/".into()),
        expires: t(minutes),
    };
    store
        .begin_openid(brest.id, flow("f1", FlowPurpose::Login, 10))
        .await
        .unwrap();
    store
        .begin_openid(brest.id, flow("f2", FlowPurpose::Link(zoe.id), 10))
        .await
        .unwrap();
    store
        .begin_openid(brest.id, flow("old", FlowPurpose::Login, 1))
        .await
        .unwrap();
    let take = |tenant: i64, digest: &str, minutes: i64| {
        store.take_openid(tenant, digest.into(), t(minutes))
    };
    assert_eq!(
        take(quimper.id, "f1", 2).await.unwrap(),
        None,
        "another tenant's"
    );
    assert_eq!(
        take(brest.id, "f1", 2).await.unwrap(),
        Some(flow("f1", FlowPurpose::Login, 10))
    );
    assert_eq!(take(brest.id, "f1", 2).await.unwrap(), None, "once");
    assert_eq!(
        take(brest.id, "f2", 3).await.unwrap().map(|f| f.purpose),
        Some(FlowPurpose::Link(zoe.id))
    );
    assert_eq!(take(brest.id, "old", 2).await.unwrap(), None, "expired");

    let link = |citizen: i64, subject: &str| {
        store.link_identity(
            brest.id,
            citizen,
            identity(subject),
            mail("account-identity-linked", "zoe@example.fr"),
        )
    };
    assert_eq!(
        link(zoe.id, "sub-camille").await.unwrap(),
        Linked::Elsewhere
    );
    assert_eq!(link(zoe.id, "sub-zoe").await.unwrap(), Linked::Linked);
    assert_eq!(link(zoe.id, "sub-zoe").await.unwrap(), Linked::Already);
    assert_eq!(link(zoe.id, "sub-zoe-2").await.unwrap(), Linked::Other);
    let linked = store.identities(brest.id, zoe.id).await.unwrap();
    assert_eq!(linked, vec![identity("sub-zoe")]);
    assert!(
        store
            .unlink_identity(
                brest.id,
                zoe.id,
                "https://idp.example".into(),
                mail("account-identity-unlinked", "zoe@example.fr"),
                t(6),
            )
            .await
            .unwrap()
    );
    assert!(store.identities(brest.id, zoe.id).await.unwrap().is_empty());
    assert_eq!(found(brest.id, "sub-zoe").await.unwrap(), None);
    // sign-up + link, sign-up (Zoé's), link, unlink: each audited.
    assert_eq!(audit_entries(&store, "brest").await, audit_before + 5);
    let told: Vec<String> = pending(&store)
        .await
        .into_iter()
        .filter_map(|m| m.template)
        .filter(|t| t.starts_with("account-identity"))
        .collect();
    assert_eq!(
        told,
        [
            "account-identity-welcome",
            "account-identity-linked",
            "account-identity-unlinked"
        ],
        "each change told by e-mail, nothing for a refusal"
    );
}

pub async fn anonymising_removes_the_person_by_rule_and_in_batches_and_keeps_the_rest(
    store: Arc<dyn Store>,
) {
    let town = town(&store, "quimper").await;
    let agent = clerk();
    let mut closed = Vec::new();
    for name in ["Premier", "Second"] {
        let r = submit(&store, &town, road(&town, name, t(0))).await;
        act(
            &store,
            &town,
            r,
            &agent,
            press_with("qualify", &format!("Appeler {name}")),
            t(10),
        )
        .await;
        act(&store, &town, r, &agent, press("schedule"), t(20)).await;
        act(&store, &town, r, &agent, press("fixed"), t(30)).await;
        closed.push(r);
    }
    let open = submit(&store, &town, road(&town, "Ouvert", t(0))).await;
    let birth = submit(&store, &town, birth(&town, "Civil", t(0))).await;
    let rule = |before| {
        vec![RetentionRule {
            service_code: "road-incident".into(),
            closed_before: before,
        }]
    };
    let sweep = |before, batch| {
        let store = Arc::clone(&store);
        async move {
            store
                .anonymise_due(town.id, rule(before), batch, day(400))
                .await
                .unwrap()
        }
    };
    assert!(
        sweep(t(30), 10).await.is_empty(),
        "closed at t(30), not before"
    );
    assert_eq!(
        sweep(day(1), 1).await,
        [closed[0]],
        "one batch of one, oldest first"
    );
    assert_eq!(sweep(day(1), 1).await, [closed[1]]);
    assert!(sweep(day(1), 1).await.is_empty(), "none left");

    for r in &closed {
        let it = item(&store, &town, *r).await;
        assert_eq!(it.requester_name, "");
        assert!(it.rows.is_empty(), "{:?}", it.rows);
        assert!(it.events.iter().all(|e| e.comment.is_none()));
        assert_eq!(it.events.len(), 4, "the history stays");
        assert_eq!(it.state.step, "fixed");
        assert_eq!(it.record.service_code, "road-incident");
        assert!(it.record.anonymised_at.is_some());
    }
    for kept in [open, birth] {
        let it = item(&store, &town, kept).await;
        assert!(it.record.anonymised_at.is_none());
        assert!(!it.rows.is_empty());
    }
    let journal = store
        .journal(town.id, Some("anonymised".into()), 10)
        .await
        .unwrap();
    assert_eq!(journal.len(), 2, "one entry per batch");
    let qualified = store
        .journal(town.id, Some("qualify".into()), 10)
        .await
        .unwrap();
    assert!(
        qualified
            .iter()
            .all(|e| e.detail.is_empty() && e.redacted_at.is_some()),
        "the comments are blanked in the journal: {qualified:?}"
    );
    let reports = blocking(&store, |s| s.verify_audit().unwrap()).await;
    assert!(reports.iter().all(|r| r.problem.is_none()), "{reports:?}");
}

/// `AddFile`: the town's file is recorded with the request (no field, by
/// its agent), the e-mail message names it and its e-mail delivery (not its
/// SMS) carries it; deleting a request's files by rule, then anonymising
/// it, leaves no message pointing at a file.
pub async fn a_town_document_is_kept_with_its_request_and_its_email_carries_it_until_deleted(
    store: Arc<dyn Store>,
) {
    let town = town(&store, "quimper").await;
    let agent = clerk();
    let r = submit(&store, &town, road(&town, "Courrier", t(0))).await;
    for m in pending(&store).await {
        store.expand_message(m.id, Vec::new()).await.unwrap();
    }
    let bytes = bytes::Bytes::from_static(guichet::core::files::SAMPLE_PDF);
    let file = guichet::core::files::FileValue {
        name: "courrier.pdf".into(),
        kind: guichet::core::files::FileKind::Pdf,
        sha256: guichet::core::files::sha256(&bytes),
        bytes,
    };
    let add = Command::AddFile {
        file: file.clone(),
        letter: Some("Votre signalement".into()),
        comment: None,
        send: true,
    };
    act(&store, &town, r, &agent, add, t(10)).await;
    let kept = item(&store, &town, r).await;
    let attached = &kept.record.attachments;
    assert_eq!(attached.len(), 1);
    assert_eq!(attached[0].field, None);
    assert_eq!(attached[0].added_by, "agent:clerk");
    assert_eq!(attached[0].sha256, file.sha256);
    assert!(kept.events.iter().any(|e| e.action == "letter"));
    let messages = pending(&store).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].template.as_deref(), Some("document-sent"));
    store
        .expand_message(
            messages[0].id,
            vec![email_to("zoe@example.fr", false), sms_to("+33612345678")],
        )
        .await
        .unwrap();
    let mut sent = due(&store, t(11).as_second()).await;
    sent.sort_by(|a, b| a.channel.cmp(&b.channel));
    assert_eq!(
        sent[0].enclosure,
        Some(Enclosure {
            name: "courrier.pdf".into(),
            media_type: "application/pdf".into(),
            sha256: file.sha256.clone(),
        })
    );
    assert_eq!(sent[1].channel, "sms");
    assert_eq!(sent[1].enclosure, None, "an SMS carries no file");

    act(&store, &town, r, &agent, press("qualify"), t(20)).await;
    act(&store, &town, r, &agent, press("schedule"), t(30)).await;
    act(&store, &town, r, &agent, press("fixed"), t(40)).await;
    let rule = vec![RetentionRule {
        service_code: "road-incident".into(),
        closed_before: t(50),
    }];
    let gone = store
        .delete_files_due(town.id, rule.clone(), 10, t(60))
        .await
        .unwrap();
    assert_eq!(gone, vec![r]);
    let after = item(&store, &town, r).await;
    assert!(after.record.attachments.is_empty());
    assert!(after.events.iter().any(|e| e.action == "files-deleted"));
    assert!(
        !after.rows.is_empty(),
        "the rest of the request stays until it is anonymised"
    );
    assert!(
        store
            .delete_files_due(town.id, rule.clone(), 10, t(61))
            .await
            .unwrap()
            .is_empty(),
        "once"
    );
    let left = due(&store, t(62).as_second()).await;
    assert!(left.iter().all(|d| d.enclosure.is_none()), "{left:?}");
    let anonymised = store.anonymise_due(town.id, rule, 10, t(70)).await.unwrap();
    assert_eq!(anonymised, vec![r]);
}

// The exchange API: accounts of business software, nonces, acknowledgements.

fn new_api_account(login: &str, roles: &[(&str, Role)]) -> NewApiAccount {
    NewApiAccount {
        login: login.into(),
        name: format!("Logiciel {login}"),
        roles: roles.iter().map(|(d, r)| (d.to_string(), *r)).collect(),
        sealed_secret: format!("sealed-{login}"),
    }
}

pub async fn an_exchange_account_is_added_once_changed_whole_and_journaled(store: Arc<dyn Store>) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let account = new_api_account("sig", &[("voirie", Role::Handler)]);
    assert!(
        store
            .add_api_account(brest.id, account.clone(), "agent:admin".into(), now())
            .await
            .unwrap()
    );
    assert!(
        !store
            .add_api_account(brest.id, account.clone(), "agent:admin".into(), now())
            .await
            .unwrap(),
        "a login is taken once per tenant"
    );
    assert!(
        store
            .add_api_account(quimper.id, account, "agent:admin".into(), now())
            .await
            .unwrap()
    );
    let stored = store
        .api_account(brest.id, "sig".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.name, "Logiciel sig");
    assert!(stored.active);
    assert_eq!(stored.sealed_secret, "sealed-sig");
    assert_eq!(stored.roles, [("voirie".to_owned(), Role::Handler)]);
    assert!(stored.agent().software);
    assert_eq!(stored.agent().actor(), "api:sig");
    // Changed whole; the secret stays unless given.
    let change = ApiAccountChange {
        login: "sig".into(),
        name: "SIG".into(),
        active: false,
        roles: vec![("etat-civil".into(), Role::Reader)],
        sealed_secret: None,
    };
    assert!(
        store
            .change_api_account(brest.id, change.clone(), "agent:admin".into(), now())
            .await
            .unwrap()
    );
    let changed = store
        .api_account(brest.id, "sig".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            changed.name.as_str(),
            changed.active,
            changed.sealed_secret.as_str()
        ),
        ("SIG", false, "sealed-sig")
    );
    assert_eq!(changed.roles, [("etat-civil".to_owned(), Role::Reader)]);
    assert!(
        !store
            .change_api_account(
                brest.id,
                ApiAccountChange {
                    login: "nobody".into(),
                    ..change
                },
                "agent:admin".into(),
                now()
            )
            .await
            .unwrap()
    );
    assert_eq!(store.api_accounts(brest.id).await.unwrap().len(), 1);
    let journal = store.journal(brest.id, None, 10).await.unwrap();
    let actions: Vec<&str> = journal.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"api-account-created"), "{actions:?}");
    assert!(actions.contains(&"api-account-changed"), "{actions:?}");
    assert!(journal.iter().all(|e| !e.detail.contains("sealed")));
}

pub async fn a_nonce_is_used_once_per_tenant_until_forgotten(store: Arc<dyn Store>) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let long_ago = t(-60);
    assert!(
        store
            .use_nonce(brest.id, "n1".into(), t(0), long_ago)
            .await
            .unwrap()
    );
    assert!(
        !store
            .use_nonce(brest.id, "n1".into(), t(1), long_ago)
            .await
            .unwrap()
    );
    assert!(
        store
            .use_nonce(quimper.id, "n1".into(), t(1), long_ago)
            .await
            .unwrap()
    );
    // Past its window the nonce is forgotten (its token is refused anyway).
    assert!(
        store
            .use_nonce(brest.id, "n1".into(), t(20), t(10))
            .await
            .unwrap()
    );
    // Concurrent uses of one nonce: exactly one passes.
    let tries = (0..8).map(|_| {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            store
                .use_nonce(brest.id, "n2".into(), t(30), t(0))
                .await
                .unwrap()
        })
    });
    let mut passed = 0;
    for t in tries {
        passed += u32::from(t.await.unwrap());
    }
    assert_eq!(passed, 1);
}

pub async fn new_requests_are_the_accounts_unacknowledged_ones_in_its_departments(
    store: Arc<dyn Store>,
) {
    let town = town(&store, "brest").await;
    for login in ["sig", "other"] {
        store
            .add_api_account(
                town.id,
                new_api_account(login, &[("voirie", Role::Handler)]),
                "agent:admin".into(),
                now(),
            )
            .await
            .unwrap();
    }
    let sig = store
        .api_account(town.id, "sig".into())
        .await
        .unwrap()
        .unwrap();
    let other = store
        .api_account(town.id, "other".into())
        .await
        .unwrap()
        .unwrap();
    let r1 = submit(&store, &town, road(&town, "Durand", t(0))).await;
    let _births = submit(&store, &town, birth(&town, "Martin", t(1))).await;
    let r3 = submit(&store, &town, road(&town, "Petit", t(2))).await;
    let mut test = road(&town, "Essai", t(3));
    test.test = true;
    submit(&store, &town, test).await;
    let query = |account: &ApiAccount, after: Option<i64>, limit: u32| NewRequestsQuery {
        account_id: account.id,
        departments: vec!["voirie".into()],
        service: None,
        department: None,
        after,
        limit,
    };
    let listed = store
        .new_requests(town.id, query(&sig, None, 10))
        .await
        .unwrap();
    let refs: Vec<Reference> = listed.iter().map(|l| l.reference).collect();
    assert_eq!(
        refs,
        [r1, r3],
        "oldest first, in its departments, no test request"
    );
    assert_eq!(listed[0].service_code, "road-incident");
    assert_eq!(listed[0].department, "voirie");
    // Pages follow the cursor.
    let first = store
        .new_requests(town.id, query(&sig, None, 1))
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    let next = store
        .new_requests(town.id, query(&sig, Some(first[0].cursor), 10))
        .await
        .unwrap();
    assert_eq!(next.iter().map(|l| l.reference).collect::<Vec<_>>(), [r3]);
    // Filters.
    let mut by_service = query(&sig, None, 10);
    by_service.service = Some("birth-certificate".into());
    assert!(
        store
            .new_requests(town.id, by_service)
            .await
            .unwrap()
            .is_empty()
    );
    // Acknowledged by one account, still new for the other; twice is no error.
    assert_eq!(
        store
            .acknowledge(town.id, sig.id, vec![r1], "api:sig".into(), now())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .acknowledge(town.id, sig.id, vec![r1, r3], "api:sig".into(), now())
            .await
            .unwrap(),
        1
    );
    assert!(
        store
            .new_requests(town.id, query(&sig, None, 10))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .new_requests(town.id, query(&other, None, 10))
            .await
            .unwrap()
            .len(),
        2
    );
    let journal = store
        .journal(town.id, Some("requests-acknowledged".into()), 10)
        .await
        .unwrap();
    assert_eq!(journal.len(), 2);
    assert_eq!(journal[0].actor, "api:sig");
    assert_eq!(journal[0].detail, r3.to_string());
    // No department, nothing.
    let mut none = query(&sig, None, 10);
    none.departments.clear();
    assert!(store.new_requests(town.id, none).await.unwrap().is_empty());
}

/// The personal-data search finds a person by the words of their name,
/// whatever the case, accented capitals included, in its own tenant only.
pub async fn a_person_is_found_by_the_words_of_their_name_whatever_the_case_in_every_alphabet(
    store: Arc<dyn Store>,
) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let r = submit(&store, &brest, road(&brest, "LEFÈVRE", t(0))).await;
    submit(&store, &brest, road(&brest, "Martin", t(1))).await;
    submit(&store, &quimper, road(&quimper, "Lefèvre", t(2))).await;
    for words in ["lefèvre", "LEFÈVRE", "Lefèvre", "èvre"] {
        let found = store
            .find_person(brest.id, PersonQuery::Name(words.into()))
            .await
            .unwrap();
        let references: Vec<Reference> = found.requests.iter().map(|f| f.reference).collect();
        assert_eq!(references, vec![r], "{words}");
    }
    let none = store
        .find_person(brest.id, PersonQuery::Name("lefevre".into()))
        .await
        .unwrap();
    assert!(none.requests.is_empty(), "accents are letters of their own");
}

/// Several nodes read the same due deliveries and calls at once: each is
/// taken by one claim, is not due while claimed, and is due again (its
/// attempts unchanged) once the claim runs out, as when the node that took
/// it died; a recorded result ends the claim.
pub async fn due_deliveries_and_calls_are_claimed_once_until_the_claim_runs_out(
    store: Arc<dyn Store>,
) {
    let brest = town(&store, "brest").await;
    let r = submit(&store, &brest, road(&brest, "Durand", t(0))).await;
    let messages = pending(&store).await;
    store
        .expand_message(
            messages[0].id,
            vec![email_to("zoe@example.fr", true), sms_to("+33612345678")],
        )
        .await
        .unwrap();
    let at = t(1).as_second();
    let mut ids: Vec<i64> = due(&store, at).await.iter().map(|d| d.id).collect();
    ids.sort_unstable();
    assert_eq!(ids.len(), 2);
    let claims: Vec<_> = (0..8)
        .map(|_| {
            let (store, ids) = (Arc::clone(&store), ids.clone());
            tokio::spawn(async move { store.claim_deliveries(ids, at, at + 60).await.unwrap() })
        })
        .collect();
    let mut taken = Vec::new();
    for claim in claims {
        taken.extend(claim.await.unwrap());
    }
    taken.sort_unstable();
    assert_eq!(
        taken, ids,
        "each delivery taken by exactly one of eight claims"
    );
    assert!(
        due(&store, at + 59).await.is_empty(),
        "not due while claimed"
    );
    let again = due(&store, at + 60).await;
    assert_eq!(again.len(), 2, "due again once the claim ran out");
    assert!(
        again.iter().all(|d| d.attempts == 0),
        "not counted as tried"
    );
    assert_eq!(
        store
            .claim_deliveries(ids.clone(), at + 60, at + 120)
            .await
            .unwrap()
            .len(),
        2
    );
    store.delivery_result(ids[0], Ok(()), t(2)).await.unwrap();
    assert_eq!(
        store
            .claim_deliveries(ids.clone(), at + 1000, at + 2000)
            .await
            .unwrap(),
        vec![ids[1]],
        "a sent delivery is never claimed again"
    );

    // Calls, the same way.
    let before = item(&store, &brest, r).await;
    let outcome = Outcome {
        state: before.state.clone(),
        events: Vec::new(),
        effects: vec![workflow::Effect::Call {
            target: "sig".into(),
            body: workflow::CallBody::Json,
        }],
    };
    store
        .apply(brest.id, r, before.revision, outcome, t(1))
        .await
        .unwrap();
    let call = store.due_calls(at, 10).await.unwrap()[0].id;
    let claims: Vec<_> = (0..8)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.claim_calls(vec![call], at, at + 60).await.unwrap() })
        })
        .collect();
    let mut taken = Vec::new();
    for claim in claims {
        taken.extend(claim.await.unwrap());
    }
    assert_eq!(taken, vec![call], "the call taken by one claim");
    assert!(store.due_calls(at + 59, 10).await.unwrap().is_empty());
    assert_eq!(store.due_calls(at + 60, 10).await.unwrap()[0].attempts, 0);
    store
        .call_result(call, CallResult::Answered { status: 204 }, t(2))
        .await
        .unwrap();
    assert!(
        store
            .claim_calls(vec![call], at + 1000, at + 2000)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn a_call_is_queued_with_its_event_retried_at_its_time_and_answered_once(
    store: Arc<dyn Store>,
) {
    let town = town(&store, "brest").await;
    let r = submit(&store, &town, road(&town, "Durand", t(0))).await;
    let before = item(&store, &town, r).await;
    // What the engine decides on entering a step that calls the town's software.
    let outcome = Outcome {
        state: before.state.clone(),
        events: vec![workflow::Event {
            actor: "system".into(),
            action: "call".into(),
            from_step: None,
            to_step: None,
            comment: Some("sig".into()),
            citizen_visible: false,
            department: None,
        }],
        effects: vec![workflow::Effect::Call {
            target: "sig".into(),
            body: workflow::CallBody::File,
        }],
    };
    store
        .apply(town.id, r, before.revision, outcome, t(1))
        .await
        .unwrap();
    let due = store.due_calls(t(1).as_second(), 10).await.unwrap();
    assert_eq!(due.len(), 1, "written with its event");
    let call = &due[0];
    assert_eq!(
        (
            call.reference,
            call.target.as_str(),
            call.step.as_str(),
            call.body,
            call.attempts
        ),
        (r, "sig", "received", workflow::CallBody::File, 0)
    );
    assert_eq!(call.tenant_id, town.id);
    // A failed try waits for its time, counted.
    store
        .call_result(
            call.id,
            CallResult::Failed {
                error: "HTTP 503".into(),
                next_attempt_at: Some(t(10).as_second()),
            },
            t(2),
        )
        .await
        .unwrap();
    assert!(
        store
            .due_calls(t(5).as_second(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let again = store.due_calls(t(10).as_second(), 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(
        (again[0].id, again[0].attempts),
        (call.id, 1),
        "the same call"
    );
    // Answered: never sent again.
    store
        .call_result(call.id, CallResult::Answered { status: 200 }, t(11))
        .await
        .unwrap();
    assert!(
        store
            .due_calls(t(100).as_second(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Given up: not due either.
    let later = item(&store, &town, r).await;
    let outcome = Outcome {
        state: later.state.clone(),
        events: Vec::new(),
        effects: vec![workflow::Effect::Call {
            target: "sig".into(),
            body: workflow::CallBody::Json,
        }],
    };
    store
        .apply(town.id, r, later.revision, outcome, t(20))
        .await
        .unwrap();
    let second = store.due_calls(t(20).as_second(), 10).await.unwrap();
    assert_eq!(second.len(), 1);
    store
        .call_result(
            second[0].id,
            CallResult::Failed {
                error: "gone".into(),
                next_attempt_at: None,
            },
            t(21),
        )
        .await
        .unwrap();
    assert!(
        store
            .due_calls(t(10_000).as_second(), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn public_requests_are_listed_by_service_reference_state_and_date_newest_first(
    store: Arc<dyn Store>,
) {
    let town = town(&store, "brest").await;
    let r1 = submit(&store, &town, road(&town, "Durand", t(0))).await;
    let _birth = submit(&store, &town, birth(&town, "Martin", t(10))).await;
    let r3 = submit(&store, &town, road(&town, "Petit", t(20))).await;
    let mut test = road(&town, "Essai", t(30));
    test.test = true;
    submit(&store, &town, test).await;
    let query = |q: PublicQuery| {
        let store = Arc::clone(&store);
        async move { store.public_requests(town.id, q).await.unwrap() }
    };
    let roads = PublicQuery {
        services: vec!["road-incident".into()],
        limit: 50,
        ..PublicQuery::default()
    };
    assert_eq!(
        query(roads.clone()).await,
        [r3, r1],
        "newest first, no test request"
    );
    assert!(
        query(PublicQuery {
            services: Vec::new(),
            ..roads.clone()
        })
        .await
        .is_empty(),
        "no service, nothing"
    );
    assert_eq!(
        query(PublicQuery {
            references: vec![r1],
            ..roads.clone()
        })
        .await,
        [r1]
    );
    assert_eq!(
        query(PublicQuery {
            from: Some(t(5)),
            ..roads.clone()
        })
        .await,
        [r3]
    );
    assert_eq!(
        query(PublicQuery {
            until: Some(t(5)),
            ..roads.clone()
        })
        .await,
        [r1]
    );
    assert_eq!(
        query(PublicQuery {
            finished: Some(false),
            ..roads.clone()
        })
        .await
        .len(),
        2
    );
    assert!(
        query(PublicQuery {
            finished: Some(true),
            ..roads.clone()
        })
        .await
        .is_empty()
    );
    assert_eq!(query(PublicQuery { limit: 1, ..roads }).await, [r3]);
}

pub async fn failed_logins_are_counted_per_key_forgotten_on_success_and_when_old(
    store: Arc<dyn Store>,
) {
    let key = "brest/paul/127.0.0.1".to_owned();
    assert_eq!(store.login_failures(key.clone()).await.unwrap(), None);
    for now in [100, 110, 120] {
        store.login_failed(key.clone(), now, 0).await.unwrap();
    }
    assert_eq!(
        store.login_failures(key.clone()).await.unwrap(),
        Some((3, 120))
    );
    store
        .login_failed("brest/marie/127.0.0.1".into(), 130, 0)
        .await
        .unwrap();
    store.login_succeeded(key.clone()).await.unwrap();
    assert_eq!(store.login_failures(key.clone()).await.unwrap(), None);
    assert_eq!(
        store
            .login_failures("brest/marie/127.0.0.1".into())
            .await
            .unwrap(),
        Some((1, 130))
    );
    // Concurrent failures all count.
    let tries = (0..8).map(|i| {
        let store = Arc::clone(&store);
        let key = key.clone();
        tokio::spawn(async move { store.login_failed(key, 200 + i, 0).await.unwrap() })
    });
    for t in tries {
        t.await.unwrap();
    }
    assert_eq!(
        store
            .login_failures(key.clone())
            .await
            .unwrap()
            .map(|f| f.0),
        Some(8)
    );
    // Failures older than the longest wait go.
    store
        .login_failed("other".into(), 5000, 1000)
        .await
        .unwrap();
    assert_eq!(store.login_failures(key).await.unwrap(), None);
    assert_eq!(
        store
            .login_failures("brest/marie/127.0.0.1".into())
            .await
            .unwrap(),
        None
    );
}

/// The statistics' rows: a tenant's own requests, test ones left out, those
/// still open whatever their age and the others only when received or
/// closed since the day asked; of the departments asked, none for none.
pub async fn statistics_read_a_towns_real_requests_open_or_touched_since_a_day(
    store: Arc<dyn Store>,
) {
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let old = submit(&store, &brest, road(&brest, "Ancien", t(0))).await;
    act(
        &store,
        &brest,
        old,
        &clerk(),
        press_with("not-ours", "Voie départementale"),
        day(5),
    )
    .await;
    let closed = submit(&store, &brest, road(&brest, "Clos", t(1))).await;
    act(
        &store,
        &brest,
        closed,
        &clerk(),
        press_with("not-ours", "Route départementale"),
        day(38),
    )
    .await;
    submit(&store, &brest, road(&brest, "Ouvert", t(2))).await;
    let mut essai = road(&brest, "Essai", day(39));
    essai.test = true;
    submit(&store, &brest, essai).await;
    submit(&store, &brest, birth(&brest, "Naissance", day(39))).await;
    submit(&store, &quimper, road(&quimper, "Ailleurs", day(39))).await;

    let rows = store.stat_rows(brest.id, None, day(10)).await.unwrap();
    let name = |rows: &StatRows, n| rows.names.get(n).to_owned();
    let mut seen: Vec<(String, bool)> = rows
        .rows
        .iter()
        .map(|r| (name(&rows, r.service_code), r.finished))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("birth-certificate".to_owned(), false),
            ("road-incident".to_owned(), false),
            ("road-incident".to_owned(), true),
        ],
        "the one closed before the day asked, the test one and Quimper's are not read"
    );
    let done = rows.rows.iter().find(|r| r.finished).unwrap();
    assert_eq!(done.entered_at, day(38).as_second(), "when it closed");
    assert_eq!(done.submitted_at, t(1).as_second());
    assert_eq!(name(&rows, done.channel), "web");
    assert_eq!(name(&rows, done.step), "not-ours");
    let roads = store
        .stat_rows(brest.id, Some(vec![name(&rows, done.department)]), day(10))
        .await
        .unwrap();
    assert!(
        roads
            .rows
            .iter()
            .all(|r| name(&roads, r.service_code) == "road-incident")
    );
    assert_eq!(roads.rows.len(), 2);
    assert!(
        store
            .stat_rows(brest.id, Some(Vec::new()), day(10))
            .await
            .unwrap()
            .rows
            .is_empty()
    );
}

/// Saved queries: a town's own, replaced by owner and name with their
/// subscribers kept; a report queued once per subscriber and month however
/// many try at once, its e-mail due in the outbox; removing a query ends
/// its subscriptions.
pub async fn saved_queries_are_a_towns_own_and_each_report_is_queued_once_per_subscriber_and_month(
    store: Arc<dyn Store>,
) {
    use guichet::core::saved_query::{PeriodChoice, StatQuery};
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let query = |owner: &str, name: &str, period: PeriodChoice| NewSavedQuery {
        owner: owner.into(),
        name: name.into(),
        shared_with: Some("voirie".into()),
        query: StatQuery {
            period,
            service: Some("road-incident".into()),
            ..StatQuery::default()
        },
    };
    let roads = store
        .save_query(brest.id, query("elu", "Voirie", PeriodChoice::Month), t(0))
        .await
        .unwrap();
    let other = store
        .save_query(
            brest.id,
            query("adjoint", "Voirie", PeriodChoice::Year),
            t(0),
        )
        .await
        .unwrap();
    let away = store
        .save_query(
            quimper.id,
            query("elu", "Ailleurs", PeriodChoice::Month),
            t(0),
        )
        .await
        .unwrap();
    assert_ne!(roads, other);
    for agent in ["elu", "adjoint", "elu"] {
        assert!(
            store
                .subscribe(brest.id, roads, agent.into(), Some("2026-10".into()))
                .await
                .unwrap()
        );
    }
    // Another town's query, or none: nothing to subscribe to.
    assert!(
        !store
            .subscribe(brest.id, away, "elu".into(), Some("2026-10".into()))
            .await
            .unwrap()
    );
    assert!(
        !store
            .subscribe(brest.id, 999_999, "elu".into(), Some("2026-10".into()))
            .await
            .unwrap()
    );
    // Saved again under the same owner and name: replaced, subscribers kept.
    let again = store
        .save_query(brest.id, query("elu", "Voirie", PeriodChoice::Year), t(1))
        .await
        .unwrap();
    assert_eq!(again, roads);
    let saved = store.saved_queries(brest.id).await.unwrap();
    let listed: Vec<(&str, &str, PeriodChoice, Vec<String>)> = saved
        .iter()
        .map(|q| {
            (
                q.name.as_str(),
                q.owner.as_str(),
                q.query.period,
                q.subscribers.clone(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("Voirie", "adjoint", PeriodChoice::Year, vec![]),
            (
                "Voirie",
                "elu",
                PeriodChoice::Year,
                vec!["adjoint".to_owned(), "elu".to_owned()]
            ),
        ]
    );
    assert_eq!(saved[1].query.service.as_deref(), Some("road-incident"));
    assert_eq!(saved[1].shared_with.as_deref(), Some("voirie"));
    assert_eq!(store.saved_queries(quimper.id).await.unwrap().len(), 1);

    // October was covered: nothing due for it; November is.
    assert!(
        store
            .unreported(brest.id, "2026-10".into())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.unreported(brest.id, "2026-11".into()).await.unwrap(),
        [(roads, "adjoint".to_owned()), (roads, "elu".to_owned())]
    );
    let report = |agent: &str| QueuedReport {
        query_id: roads,
        agent: agent.into(),
        month: "2026-11".into(),
        mail: NewDelivery {
            channel: "email",
            address: format!("{agent}@brest.example"),
            subject: Some("Statistiques : Voirie (novembre 2026)".into()),
            body: "Demandes reçues | 2".into(),
            html: Some("<table></table>".into()),
            has_secret: false,
            parts: None,
        },
    };
    // Four nodes at once: one report.
    let tries = (0..4).map(|_| {
        let store = Arc::clone(&store);
        let r = report("elu");
        tokio::spawn(async move { store.queue_report(brest.id, r, t(2)).await.unwrap() })
    });
    let mut queued = 0;
    for t in tries {
        queued += usize::from(t.await.unwrap());
    }
    assert_eq!(queued, 1);
    assert!(
        !store
            .queue_report(brest.id, report("elu"), t(3))
            .await
            .unwrap()
    );
    // Not through another town.
    assert!(
        !store
            .queue_report(quimper.id, report("adjoint"), t(3))
            .await
            .unwrap()
    );
    assert_eq!(
        store.unreported(brest.id, "2026-11".into()).await.unwrap(),
        [(roads, "adjoint".to_owned())]
    );
    assert_eq!(
        store.pending_deliveries(Some(brest.id)).await.unwrap(),
        [("email".to_owned(), 1)]
    );
    let due = store
        .due_deliveries(i64::MAX / 2, 10, vec![])
        .await
        .unwrap();
    let mail = due
        .iter()
        .find(|d| d.address == "elu@brest.example")
        .unwrap();
    assert_eq!(mail.tenant_id, brest.id);
    assert_eq!(mail.body, "Demandes reçues | 2");
    assert_eq!(mail.html.as_deref(), Some("<table></table>"));
    // Nor a message for the outbox worker to expand.
    assert!(store.pending_messages(10).await.unwrap().is_empty());

    // Unsubscribed, then the query removed: nothing due any more.
    assert!(
        store
            .subscribe(brest.id, roads, "adjoint".into(), None)
            .await
            .unwrap()
    );
    assert!(
        store
            .unreported(brest.id, "2026-12".into())
            .await
            .unwrap()
            .iter()
            .all(|(_, a)| a == "elu")
    );
    assert!(!store.delete_query(quimper.id, roads).await.unwrap());
    assert!(store.delete_query(brest.id, roads).await.unwrap());
    assert!(
        store
            .unreported(brest.id, "2026-12".into())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !store
            .queue_report(brest.id, report("elu"), t(4))
            .await
            .unwrap()
    );
    assert_eq!(store.saved_queries(brest.id).await.unwrap().len(), 1);
}

/// The satisfaction questionnaire: answered once, for a finished real
/// request of the town only; read back by department and time.
pub async fn a_closed_requests_questionnaire_is_answered_once_and_read_by_department_and_time(
    store: Arc<dyn Store>,
) {
    use guichet::core::satisfaction::Answer;
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let closed = submit(&store, &brest, road(&brest, "Close", t(0))).await;
    act(
        &store,
        &brest,
        closed,
        &clerk(),
        press_with("not-ours", "Voie départementale"),
        t(5),
    )
    .await;
    let open = submit(&store, &brest, road(&brest, "Ouverte", t(1))).await;
    let mut essai = road(&brest, "Essai", t(2));
    essai.test = true;
    let essai = submit(&store, &brest, essai).await;
    act(
        &store,
        &brest,
        essai,
        &clerk(),
        press_with("not-ours", "Essai"),
        t(6),
    )
    .await;
    let answer = |o: u8, comment: Option<&str>| Answer {
        overall: o,
        delay: 3,
        clarity: 2,
        comment: comment.map(str::to_owned),
    };

    let survey = store.survey(brest.id, closed).await.unwrap().unwrap();
    assert!(survey.finished && !survey.answered);
    assert_eq!(survey.service_code, "road-incident");
    assert_eq!(survey.entered_at, t(5).as_second());
    assert!(
        !store
            .survey(brest.id, open)
            .await
            .unwrap()
            .unwrap()
            .finished
    );
    assert_eq!(
        store.survey(brest.id, essai).await.unwrap(),
        None,
        "a test request has none"
    );
    assert_eq!(store.survey(quimper.id, closed).await.unwrap(), None);

    // Not finished, a test request, another town: nothing kept.
    assert!(
        !store
            .answer_survey(brest.id, open, answer(5, None), t(10))
            .await
            .unwrap()
    );
    assert!(
        !store
            .answer_survey(brest.id, essai, answer(5, None), t(10))
            .await
            .unwrap()
    );
    assert!(
        !store
            .answer_survey(quimper.id, closed, answer(5, None), t(10))
            .await
            .unwrap()
    );
    // Once, however many at once.
    let tries = (0..4).map(|i| {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            store
                .answer_survey(brest.id, closed, answer(4 + (i % 2), Some("Merci")), t(20))
                .await
                .unwrap()
        })
    });
    let mut kept = 0;
    for t in tries {
        kept += usize::from(t.await.unwrap());
    }
    assert_eq!(kept, 1);
    assert!(
        store
            .survey(brest.id, closed)
            .await
            .unwrap()
            .unwrap()
            .answered
    );

    let rows = store
        .survey_rows(brest.id, None, t(20).as_second(), t(21).as_second())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].marks.department, "voirie");
    assert_eq!(rows[0].marks.service, "road-incident");
    assert_eq!((rows[0].marks.delay, rows[0].marks.clarity), (3, 2));
    assert_eq!(rows[0].comment.as_deref(), Some("Merci"));
    assert_eq!(rows[0].answered_at, t(20).as_second());
    // Before or after the period, other departments, none: nothing.
    for (departments, from, to) in [
        (None, t(0), t(20)),
        (None, t(21), t(30)),
        (Some(vec!["etat-civil".to_owned()]), t(0), t(30)),
        (Some(vec![]), t(0), t(30)),
    ] {
        assert!(
            store
                .survey_rows(brest.id, departments, from.as_second(), to.as_second())
                .await
                .unwrap()
                .is_empty()
        );
    }
    assert_eq!(
        store
            .survey_rows(brest.id, Some(vec!["voirie".into()]), 0, i64::MAX)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .survey_rows(quimper.id, None, 0, i64::MAX)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn a_background_export_is_queued_claimed_once_finished_once_and_expires(
    store: Arc<dyn Store>,
) {
    let seeded = seeded(&store).await;
    let brest = &seeded.town;
    let quimper = town(&store, "quimper").await;
    // Which requests, read once in the query's order; then their rows by
    // slices, in the order asked, another town's left out.
    let mut q = query();
    q.descending = true;
    let ids = store.export_ids(brest.id, q.clone()).await.unwrap();
    assert_eq!(ids.len(), seeded.refs.len());
    let rows = store
        .export_rows_of(brest.id, ids.clone(), true)
        .await
        .unwrap();
    let mut newest_first = seeded.refs.clone();
    newest_first.reverse();
    assert_eq!(
        rows.iter().map(|r| r.row.reference).collect::<Vec<_>>(),
        newest_first
    );
    let whole = store.export_rows(brest.id, q, true).await.unwrap();
    for (one, other) in rows.iter().zip(&whole) {
        assert_eq!(one.values, other.values);
        assert_eq!(one.email, other.email);
    }
    assert!(rows.iter().any(|r| !r.values.is_empty()));
    assert!(
        store
            .export_rows_of(quimper.id, ids.clone(), false)
            .await
            .unwrap()
            .is_empty()
    );
    let limited = ConsoleQuery {
        limit: 2,
        ..query()
    };
    assert_eq!(store.export_ids(brest.id, limited).await.unwrap().len(), 2);

    // Queued, at most two waiting per agent, each in the journal.
    let asked = |agent: &str| NewExportJob {
        agent: agent.into(),
        filters: "q=Dupont&state=all&".into(),
        columns: "reference,requester".into(),
        xlsx: false,
        lang: "fr".into(),
        expected: 5,
    };
    let before = audit_entries(&store, "brest").await;
    let first = store
        .queue_export(brest.id, asked("marie"), t(0))
        .await
        .unwrap()
        .expect("queued");
    let second = store
        .queue_export(brest.id, asked("marie"), t(1))
        .await
        .unwrap()
        .expect("queued");
    assert_eq!(
        store
            .queue_export(brest.id, asked("marie"), t(2))
            .await
            .unwrap(),
        None,
        "a third one waits for the others"
    );
    let paul = store
        .queue_export(brest.id, asked("paul"), t(2))
        .await
        .unwrap()
        .expect("another agent's");
    assert_eq!(audit_entries(&store, "brest").await, before + 3);
    let journal = store
        .journal(brest.id, Some("export.queued".into()), 10)
        .await
        .unwrap();
    assert_eq!(journal.len(), 3);
    assert_eq!(journal[0].actor, "agent:paul");
    assert!(
        !journal[0].detail.contains("Dupont"),
        "the free text stays out of the journal: {}",
        journal[0].detail
    );
    let listed = store
        .export_jobs(brest.id, "marie".into(), 10)
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|j| j.id).collect::<Vec<_>>(),
        vec![second, first]
    );
    assert!(listed.iter().all(|j| j.state == ExportState::Queued));
    assert_eq!(listed[0].asked, asked("marie"));
    assert!(
        store
            .export_jobs(quimper.id, "marie".into(), 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Claimed oldest first, each once, even when asked together.
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.claim_export(t(3), t(-60)).await })
        })
        .collect();
    let mut claimed = Vec::new();
    for task in tasks {
        if let Some(job) = task.await.unwrap().unwrap() {
            claimed.push(job.id);
        }
    }
    claimed.sort();
    assert_eq!(claimed, vec![first, second, paul]);
    assert!(store.claim_export(t(4), t(-60)).await.unwrap().is_none());
    // Still running an hour on: its node died; another takes it up.
    let again = store
        .claim_export(t(70), t(10))
        .await
        .unwrap()
        .expect("a stale claim");
    assert_eq!(again.id, first);
    assert_eq!(again.state, ExportState::Running);

    // Finished once; its file kept while offered.
    let file = ExportFile {
        sha256: "ab".repeat(32),
        size: 1234,
        name: "demandes-brest-2026-11-22.csv".into(),
        rows: 5,
    };
    let ready = ExportOutcome::Ready {
        file: file.clone(),
        expires_at: day(1),
    };
    assert!(
        store
            .finish_export(first, ready.clone(), t(71))
            .await
            .unwrap()
    );
    assert!(!store.finish_export(first, ready, t(72)).await.unwrap());
    assert!(
        store
            .finish_export(
                second,
                ExportOutcome::Failed("droits retirés".into()),
                t(72)
            )
            .await
            .unwrap()
    );
    let listed = store
        .export_jobs(brest.id, "marie".into(), 10)
        .await
        .unwrap();
    assert_eq!(listed[1].state, ExportState::Ready);
    assert_eq!(listed[1].file.as_ref(), Some(&file));
    assert_eq!(listed[1].expires_at, Some(day(1)));
    assert_eq!(listed[0].state, ExportState::Failed);
    assert_eq!(listed[0].error.as_deref(), Some("droits retirés"));
    assert!(store.kept_blobs().await.unwrap().contains(&file.sha256));
    let ends = store.journal(brest.id, None, 3).await.unwrap();
    assert_eq!(ends[0].action, "export.failed");
    assert_eq!(ends[1].action, "export.ready");
    // Now marie may queue again (one of hers is done, one failed).
    assert!(
        store
            .queue_export(brest.id, asked("marie"), t(73))
            .await
            .unwrap()
            .is_some()
    );

    // Past its time: expired, its file no longer kept.
    assert_eq!(store.expire_exports(t(80)).await.unwrap(), 0);
    assert_eq!(store.expire_exports(day(1)).await.unwrap(), 1);
    let listed = store
        .export_jobs(brest.id, "marie".into(), 10)
        .await
        .unwrap();
    assert_eq!(listed[2].state, ExportState::Expired);
    assert!(!store.kept_blobs().await.unwrap().contains(&file.sha256));
}

pub async fn a_request_keeps_its_district_and_point_and_is_placed_again_by_slices(
    store: Arc<dyn Store>,
) {
    use guichet::core::places::{Placed, Point};
    let brest = town(&store, "brest").await;
    let quimper = town(&store, "quimper").await;
    let placed = |district: Option<&str>, point: Option<(f64, f64)>| Placed {
        district: district.map(str::to_owned),
        point: point.map(|(lon, lat)| Point { lon, lat }),
    };
    let mut a = road(&brest, "Centre", t(0));
    a.place = placed(Some("centre"), Some((-4.486, 48.39)));
    let mut b = road(&brest, "Gare", t(1));
    b.place = placed(Some("gare"), None);
    let c = road(&brest, "Nulle-part", t(2));
    let (a, b, c) = (
        submit(&store, &brest, a).await,
        submit(&store, &brest, b).await,
        submit(&store, &brest, c).await,
    );
    let mut elsewhere = road(&quimper, "Ailleurs", t(3));
    elsewhere.place = placed(Some("centre"), Some((-4.1, 48.0)));
    let elsewhere = submit(&store, &quimper, elsewhere).await;

    // Kept on the request, its console row and its statistics row.
    let record = store
        .request_by_reference(brest.id, a)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.record.district, "centre");
    let in_districts = |districts: Option<Vec<&str>>, located: bool| ConsoleQuery {
        districts: districts.map(|d| d.into_iter().map(str::to_owned).collect()),
        located,
        ..query()
    };
    let (_, rows) = store.console(brest.id, query()).await.unwrap();
    let row = |r: Reference| rows.iter().find(|x| x.reference == r).unwrap().clone();
    assert_eq!(row(a).district, "centre");
    assert_eq!(
        row(a).point,
        Some(Point {
            lon: -4.486,
            lat: 48.39
        })
    );
    assert_eq!((row(b).district.as_str(), row(b).point), ("gare", None));
    assert_eq!((row(c).district.as_str(), row(c).point), ("", None));
    assert_eq!(
        listed(&store, &brest, in_districts(Some(vec!["centre"]), false)).await,
        (1, vec![a])
    );
    assert_eq!(
        listed(
            &store,
            &brest,
            in_districts(Some(vec!["centre", "gare"]), false)
        )
        .await,
        (2, vec![a, b])
    );
    assert_eq!(
        listed(&store, &brest, in_districts(Some(vec![]), false)).await,
        (0, vec![])
    );
    assert_eq!(
        listed(&store, &brest, in_districts(None, true)).await,
        (1, vec![a])
    );
    let stats = store.stat_rows(brest.id, None, t(0)).await.unwrap();
    let mut districts: Vec<&str> = stats
        .rows
        .iter()
        .map(|r| stats.names.get(r.district))
        .collect();
    districts.sort();
    assert_eq!(districts, ["", "centre", "gare"]);

    // Placed again: the address parts read by slices, in id order, the
    // town's only; the new places written, another town's request left be.
    let first = store.stored_addresses(brest.id, 0, 2).await.unwrap();
    assert_eq!(first.len(), 2);
    assert!(first[0].id < first[1].id);
    assert!(
        first[0]
            .parts
            .contains(&("location/street".into(), "12 rue de la République".into())),
        "{:?}",
        first[0].parts
    );
    assert!(first[0].parts.iter().all(|(p, _)| {
        ["/street", "/postalCode", "/latitude", "/longitude"]
            .iter()
            .any(|end| p.ends_with(end))
    }));
    let rest = store
        .stored_addresses(brest.id, first[1].id, 10)
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert!(
        store
            .stored_addresses(brest.id, rest[0].id, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let others = store.stored_addresses(quimper.id, 0, 10).await.unwrap();
    assert_eq!(others.len(), 1);
    let moved = vec![
        NewPlace {
            id: first[1].id,
            district: "moulin".into(),
            point: Some(Point {
                lon: -4.5,
                lat: 48.4,
            }),
        },
        NewPlace {
            id: first[0].id,
            district: "centre".into(),
            point: Some(Point {
                lon: -4.486,
                lat: 48.39,
            }),
        },
        NewPlace {
            id: others[0].id,
            district: "".into(),
            point: None,
        },
    ];
    assert_eq!(store.set_places(brest.id, moved.clone()).await.unwrap(), 1);
    assert_eq!(store.set_places(brest.id, moved).await.unwrap(), 0);
    let (_, rows) = store.console(brest.id, query()).await.unwrap();
    let b_row = rows.iter().find(|x| x.reference == b).unwrap();
    assert_eq!(b_row.district, "moulin");
    assert_eq!(
        b_row.point,
        Some(Point {
            lon: -4.5,
            lat: 48.4
        })
    );
    let (_, theirs) = store.console(quimper.id, query()).await.unwrap();
    assert_eq!(theirs[0].reference, elsewhere);
    assert_eq!(theirs[0].district, "centre");
}

fn subscription(list: &str, channel: &'static str, address: &str, token: &str) -> NewSubscription {
    NewSubscription {
        list: list.into(),
        channel,
        address: address.into(),
        source: if channel == "sms" { "sms" } else { "web" },
        pending: channel == "email",
        token: token.into(),
        actor: None,
        notice: Some(Notice {
            template: if channel == "email" {
                "alerts-confirm"
            } else {
                "alerts-subscribed"
            },
            link_prefix: (channel == "email")
                .then(|| "https://guichet.example/t/alerts/confirm/".into()),
        }),
    }
}

fn campaign_to(
    list: &str,
    channel: &'static str,
    subject: &str,
    text: &str,
    parts: u32,
) -> NewCampaign {
    NewCampaign {
        list: list.into(),
        channel,
        subject: subject.into(),
        text: text.into(),
        parts,
        actor: "agent:paul".into(),
    }
}

pub async fn a_list_is_joined_once_confirmed_sent_to_its_active_subscribers_and_receipts_counted(
    store: Arc<dyn Store>,
) {
    let tid = town(&store, "listes").await.id;
    let other = town(&store, "ailleurs").await.id;
    // Two phones by SMS keyword (active at once), an e-mail pending until
    // confirmed; the same phone again changes nothing and sends nothing.
    let token = |n: u8| format!("{:032x}", n);
    assert_eq!(
        store
            .subscribe_to_list(
                tid,
                subscription("travaux", "sms", "0611111111", &token(1)),
                now()
            )
            .await
            .unwrap(),
        Subscribed::Active
    );
    assert_eq!(
        store
            .subscribe_to_list(
                tid,
                subscription("travaux", "sms", "0622222222", &token(2)),
                now()
            )
            .await
            .unwrap(),
        Subscribed::Active
    );
    assert_eq!(
        store
            .subscribe_to_list(
                tid,
                subscription("travaux", "sms", "0611111111", &token(3)),
                t(1)
            )
            .await
            .unwrap(),
        Subscribed::Already
    );
    assert_eq!(
        store
            .subscribe_to_list(
                tid,
                subscription("travaux", "email", "ana@example.fr", &token(4)),
                now()
            )
            .await
            .unwrap(),
        Subscribed::Pending
    );
    // Another town's list of the same name is its own.
    store
        .subscribe_to_list(
            other,
            subscription("travaux", "sms", "0633333333", &token(5)),
            now(),
        )
        .await
        .unwrap();
    let alerts: Vec<PendingMessage> = pending(&store)
        .await
        .into_iter()
        .filter(|m| m.recipient_kind == "alerts" && m.tenant_id == tid)
        .collect();
    assert_eq!(
        alerts.len(),
        3,
        "two welcomes and one confirmation: {alerts:?}"
    );
    let confirm = alerts
        .iter()
        .find(|m| m.template.as_deref() == Some("alerts-confirm"))
        .expect("the confirmation");
    assert_eq!(
        confirm.secret.as_deref(),
        Some(format!("https://guichet.example/t/alerts/confirm/{}", token(4)).as_str())
    );
    assert_eq!(confirm.text.as_deref(), Some("email:travaux"));
    let counts = store.list_counts(tid).await.unwrap();
    let of = |channel: &str| {
        counts
            .iter()
            .find(|c| c.list == "travaux" && c.channel == channel)
            .cloned()
    };
    assert_eq!(of("sms").map(|c| (c.active, c.pending)), Some((2, 0)));
    assert_eq!(of("email").map(|c| (c.active, c.pending)), Some((0, 1)));
    // Confirmed by its token only, in its town only.
    assert!(
        store
            .confirm_subscriber(other, token(4), t(2))
            .await
            .unwrap()
            .is_none()
    );
    let confirmed = store
        .confirm_subscriber(tid, token(4), t(2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (confirmed.state.as_str(), confirmed.address.as_str()),
        ("active", "ana@example.fr")
    );

    // A campaign goes to the list's active subscribers of its channel.
    let (id, recipients) = store
        .create_campaign(
            tid,
            campaign_to("travaux", "sms", "", "Rue des Lilas fermée lundi.", 1),
            t(3),
        )
        .await
        .unwrap();
    assert_eq!(recipients, 2);
    let now_s = t(3).as_second();
    let claimed = store.claim_sends(now_s, now_s + 300, 100).await.unwrap();
    assert_eq!(claimed.len(), 2);
    assert!(
        claimed
            .iter()
            .all(|d| d.campaign_id == id && d.channel == "sms" && d.list == "travaux")
    );
    assert_eq!(claimed[0].address, "0611111111");
    assert_eq!(claimed[0].token, token(1));
    // Claimed: nobody else takes them until the claim runs out.
    assert!(
        store
            .claim_sends(now_s + 10, now_s + 310, 100)
            .await
            .unwrap()
            .is_empty()
    );
    let (first, second) = (claimed[0].id, claimed[1].id);
    store
        .record_sends(
            vec![
                (first, SendOutcome::Sent(Some("prov-1".into()))),
                (second, SendOutcome::Retry("HTTP 503".into(), now_s + 60)),
            ],
            t(4),
        )
        .await
        .unwrap();
    let c = store.campaign(tid, id).await.unwrap().unwrap();
    assert_eq!(
        (c.state.as_str(), c.figures.sent, c.figures.queued),
        ("sending", 1, 1)
    );
    // Due again at its time, then sent.
    let again = store
        .claim_sends(now_s + 61, now_s + 400, 100)
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(|d| (d.id, d.attempts)).collect::<Vec<_>>(),
        vec![(second, 1)]
    );
    store
        .record_sends(vec![(second, SendOutcome::Sent(None))], t(5))
        .await
        .unwrap();
    let c = store.campaign(tid, id).await.unwrap().unwrap();
    assert_eq!(c.state, "sent", "no send queued: the campaign is sent");
    // Receipts: by the provider's id, by ours; another town's key is unknown.
    assert!(
        !store
            .record_receipt(other, ReceiptKey::Provider("prov-1".into()), true, t(6))
            .await
            .unwrap()
    );
    assert!(
        store
            .record_receipt(tid, ReceiptKey::Provider("prov-1".into()), true, t(6))
            .await
            .unwrap()
    );
    assert!(
        store
            .record_receipt(tid, ReceiptKey::Ours(second), false, t(6))
            .await
            .unwrap()
    );
    // A later receipt does not undo a final state.
    assert!(
        store
            .record_receipt(tid, ReceiptKey::Ours(second), true, t(7))
            .await
            .unwrap()
    );
    let c = store.campaign(tid, id).await.unwrap().unwrap();
    assert_eq!(
        (
            c.figures.recipients,
            c.figures.delivered,
            c.figures.failed,
            c.figures.sent
        ),
        (2, 1, 1, 0)
    );
    assert_eq!(c.figures.delivered_percent(), Some(50));
    let recipients = store.campaign_recipients(tid, id, 10).await.unwrap();
    assert_eq!(
        recipients
            .iter()
            .map(|r| (r.address.as_str(), r.state.as_str()))
            .collect::<Vec<_>>(),
        vec![("0611111111", "delivered"), ("0622222222", "failed")]
    );
    assert!(recipients[0].receipt_at.is_some() && recipients[0].sent_at.is_some());

    // STOP: the phone leaves every list, its queued sends are cancelled,
    // it is told once; a second STOP does nothing.
    let (next, n) = store
        .create_campaign(
            tid,
            campaign_to("travaux", "sms", "", "Rue des Lilas rouverte.", 1),
            t(8),
        )
        .await
        .unwrap();
    assert_eq!(n, 2);
    let stop = Notice {
        template: "alerts-stopped",
        link_prefix: None,
    };
    assert_eq!(
        store
            .stop_phone(tid, "0611111111".into(), None, Some(stop.clone()), t(9))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .stop_phone(tid, "0611111111".into(), None, Some(stop), t(9))
            .await
            .unwrap(),
        0
    );
    let c = store.campaign(tid, next).await.unwrap().unwrap();
    assert_eq!((c.cancelled, c.figures.queued), (1, 1));
    let stopped = pending(&store)
        .await
        .into_iter()
        .filter(|m| m.template.as_deref() == Some("alerts-stopped"))
        .count();
    assert_eq!(stopped, 1);
    // Leaving by an e-mail's link; an e-mail campaign then has nobody.
    let left = store.leave(tid, token(4), t(10)).await.unwrap().unwrap();
    assert_eq!(left.state, "stopped");
    let (_, nobody) = store
        .create_campaign(
            tid,
            campaign_to("travaux", "email", "Travaux", "Rue fermée.", 0),
            t(11),
        )
        .await
        .unwrap();
    assert_eq!(nobody, 0);
    // Back on the list after leaving: subscribed again with its token.
    assert_eq!(
        store
            .subscribe_to_list(
                tid,
                subscription("travaux", "sms", "0611111111", &token(9)),
                t(12)
            )
            .await
            .unwrap(),
        Subscribed::Active
    );
    let listed = store.subscribers(tid, "travaux".into(), 10).await.unwrap();
    assert_eq!(listed.len(), 3);
    assert!(
        listed
            .iter()
            .any(|s| s.address == "0611111111" && s.state == "active" && s.token == token(1))
    );
    let campaigns = store.campaigns(tid, None, 10).await.unwrap();
    assert_eq!(campaigns.len(), 3);
    assert_eq!(campaigns[0].channel, "email", "newest first");
    assert!(
        store
            .campaigns(tid, Some(vec!["culture".into()]), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.campaigns(other, None, 10).await.unwrap().is_empty());
    // Each campaign is in the town's journal.
    audit_entries(&store, "listes").await;
}
