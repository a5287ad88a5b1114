//! `guichet demo-data`: a year (or the days asked) of a town's life played
//! through the real paths, so that its back office and statistics have
//! something true to show. Requests are submitted through
//! `usecases::submit` with each service's example values (free texts drawn
//! from a bank of incident phrases), on working days more than at weekends,
//! more in spring than in August, by every channel; agents of the right
//! department take each one step after another through its workflow
//! (`core::workflow::apply`, the store's revision check), most on time,
//! some late, some never; the timers and the deadline watch run every day;
//! some requesters answer the satisfaction questionnaire. The clock is the
//! generator's, moved from event to event in order, so every date stored is
//! the one the event had.

use crate::core::catalogue::{FieldType, Service, StepKind};
use crate::core::forms::RawValue;
use crate::core::intake::{Channel, Submission};
use crate::core::satisfaction::Answer;
use crate::core::tracking::Reference;
use crate::core::workflow::{self, Agent, Command};
use crate::tenant::Site;
use crate::usecases::App;
use jiff::{SignedDuration, Timestamp};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Requests submitted in all (about: the days' spread rounds them).
    pub requests: u32,
    /// Over how many days, ending now.
    pub days: u32,
    pub seed: u64,
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct Done {
    pub submitted: u64,
    /// Submissions the town refused (a slot already taken…).
    pub refused: u64,
    pub actions: u64,
    pub closed: u64,
    pub answered: u64,
}

/// The generator's clock, which the app reads: set before each event.
#[derive(Clone)]
pub struct DemoClock(Arc<AtomicI64>);

impl DemoClock {
    pub fn new(at: Timestamp) -> DemoClock {
        DemoClock(Arc::new(AtomicI64::new(at.as_second())))
    }

    /// The clock an [`App`] is built with.
    pub fn clock(&self) -> crate::usecases::Clock {
        let at = Arc::clone(&self.0);
        Arc::new(move || {
            Timestamp::from_second(at.load(Ordering::SeqCst)).unwrap_or(Timestamp::UNIX_EPOCH)
        })
    }

    fn set(&self, at: Timestamp) {
        self.0.fetch_max(at.as_second(), Ordering::SeqCst);
    }
}

/// Words of incident reports and other free texts, so that the
/// statistics' frequent words say something.
const PHRASES: &[&str] = &[
    "Nid-de-poule profond sur la chaussée devant l'école",
    "Lampadaire éteint depuis plusieurs jours dans la rue",
    "Trottoir abîmé, dalles descellées devant la boulangerie",
    "Dépôt sauvage d'encombrants au pied des conteneurs",
    "Graffitis sur le mur du gymnase municipal",
    "Feu tricolore en panne au carrefour de la mairie",
    "Branches tombées sur le trottoir après la tempête",
    "Plaque d'égout descellée qui bouge au passage des voitures",
    "Nid-de-poule dangereux pour les vélos dans le virage",
    "Éclairage public défaillant dans l'allée du parc",
    "Conteneurs à verre pleins, bouteilles déposées au sol",
    "Marquage du passage piéton effacé devant l'école",
];

/// Comments citizens leave in the questionnaire.
const COMMENTS: &[&str] = &[
    "Merci, traité rapidement.",
    "Réponse claire, rien à redire.",
    "Un peu long, mais le problème est réglé.",
    "J'aurais aimé être prévenu de la date d'intervention.",
    "Très bon accueil au téléphone.",
];

/// What happens next, in time order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    /// The daily timers and deadline watch.
    Day,
    Submit {
        service: usize,
    },
    Act {
        request: usize,
    },
    Answer {
        request: usize,
    },
}

struct Planned {
    reference: Reference,
    service: Arc<Service>,
    /// When it was received (Unix seconds) and the days it should take.
    received: i64,
    target_days: f64,
    /// Actions left before it is dropped (a request nobody finishes).
    patience: u32,
    /// When it closed (Unix seconds).
    closed: Option<i64>,
}

/// Fills `site` as [`Plan`] says, the app's clock being `clock`'s.
pub async fn fill(
    app: &App,
    site: &Site,
    clock: &DemoClock,
    plan: Plan,
) -> Result<Done, crate::error::Error> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        crate::error::Error::Config(format!("demo data: {what}: {e}"))
    };
    let services: Vec<Arc<Service>> = site
        .tenant
        .services
        .iter()
        .filter(|s| s.simulation.is_none())
        .cloned()
        .collect();
    if services.is_empty() {
        return Err(fail("the town", &"has no service online"));
    }
    let agents = app
        .store
        .agents(site.tenant.id)
        .await
        .map_err(|e| fail("agents", &e))?;
    let agents: Vec<Agent> = agents
        .into_iter()
        .filter(|a| a.active)
        .map(|a| a.agent)
        .collect();
    let mut rng = fastrand::Rng::with_seed(plan.seed);
    let end = Timestamp::now();
    let start = end - SignedDuration::from_hours(24 * i64::from(plan.days.max(1)));
    let mut queue: BinaryHeap<Reverse<(i64, Event)>> = BinaryHeap::new();
    // Incident reports come more often than the rest.
    let weights: Vec<u32> = services
        .iter()
        .map(|s| {
            if s.fields.iter().any(|f| f.kind == FieldType::LongText) {
                4
            } else {
                1
            }
        })
        .collect();
    let zone = site.tenant.time_zone.clone();
    let places = site.look.get().places.clone();
    // Each day's share: weekdays over weekends, spring over August.
    let days: Vec<(jiff::Zoned, f64)> = (0..plan.days.max(1))
        .filter_map(|d| {
            let day = (start + SignedDuration::from_hours(24 * i64::from(d)))
                .to_zoned(zone.clone())
                .date()
                .to_zoned(zone.clone())
                .ok()?;
            let weekday = match day.weekday() {
                jiff::civil::Weekday::Saturday => 0.35,
                jiff::civil::Weekday::Sunday => 0.15,
                _ => 1.0,
            };
            let month = f64::from(day.month());
            let season = 1.0 + 0.25 * ((month - 2.0) / 12.0 * std::f64::consts::TAU).sin()
                - if day.month() == 8 { 0.4 } else { 0.0 };
            Some((day, weekday * season))
        })
        .collect();
    let share: f64 = days.iter().map(|(_, w)| w).sum();
    for (day, w) in &days {
        let expected = f64::from(plan.requests) * w / share;
        let mut n = expected.floor() as u32;
        if rng.f64() < expected.fract() {
            n += 1;
        }
        for _ in 0..n {
            let second = 8 * 3600 + rng.i64(0..11 * 3600);
            let at = day.timestamp().as_second() + second;
            if at >= end.as_second() {
                continue;
            }
            let service = weighted_pick(&mut rng, &weights).unwrap_or(0);
            queue.push(Reverse((at, Event::Submit { service })));
        }
        let night = day.timestamp().as_second() + 23 * 3600;
        if night < end.as_second() {
            queue.push(Reverse((night, Event::Day)));
        }
    }

    let mut done = Done::default();
    let mut planned: Vec<Planned> = Vec::new();
    let departments = site.department_codes();
    while let Some(Reverse((at, event))) = queue.pop() {
        let now = Timestamp::from_second(at).map_err(|e| fail("time", &e))?;
        clock.set(now);
        match event {
            Event::Day => {
                crate::usecases::act::run_timers(app)
                    .await
                    .map_err(|e| fail("timers", &e))?;
                crate::notify::watch_deadlines(app)
                    .await
                    .map_err(|e| fail("deadlines", &e))?;
            }
            Event::Submit { service } => {
                let service = Arc::clone(&services[service]);
                let today = now.to_zoned(zone.clone()).date();
                let mut entries = crate::core::example::example(&service, today, None);
                vary(&mut entries, &service, &mut rng);
                place(&mut entries, &places, &mut rng);
                let channel = match rng.u32(0..100) {
                    0..60 => Channel::Web,
                    60..70 => Channel::Soap,
                    70..80 => Channel::Counter,
                    80..90 => Channel::Phone,
                    90..95 => Channel::Letter,
                    _ => Channel::Email,
                };
                let submission = Submission {
                    channel,
                    lang: "fr".into(),
                    entries,
                    citizen_id: None,
                    recorded_by: None,
                    inbound: None,
                };
                match crate::usecases::submit::submit(app, site, &service, &submission).await {
                    Ok(receipt) => {
                        done.submitted += 1;
                        // Most take about half their delay; one in six runs
                        // late; one in thirty is never finished.
                        let deadline = f64::from(service.deadline_days.max(1));
                        let target_days = deadline * 0.5 * (rng.f64() * 1.6 - 0.8).exp()
                            + if rng.u32(0..6) == 0 {
                                deadline * 0.6
                            } else {
                                0.0
                            };
                        let patience = if rng.u32(0..30) == 0 { 0 } else { 12 };
                        planned.push(Planned {
                            reference: receipt.reference,
                            service,
                            received: at,
                            target_days,
                            patience,
                            closed: None,
                        });
                        let request = planned.len() - 1;
                        let next = next_action(&planned[request], at, &mut rng);
                        queue.push(Reverse((next, Event::Act { request })));
                    }
                    Err(crate::usecases::submit::SubmitError::Invalid(_)) => done.refused += 1,
                    Err(crate::usecases::submit::SubmitError::Unavailable(e)) => {
                        return Err(fail("submit", &e));
                    }
                }
            }
            Event::Act { request } => {
                let p = &mut planned[request];
                if p.patience == 0 {
                    continue;
                }
                p.patience -= 1;
                let Some(item) = app
                    .store
                    .work_item(site.tenant.id, p.reference)
                    .await
                    .map_err(|e| fail("read", &e))?
                else {
                    continue;
                };
                let Some(service) = site
                    .tenant
                    .service_version(&item.record.service_code, item.record.service_version)
                    .cloned()
                else {
                    continue;
                };
                let Some((agent, action)) = choose(&service, &item.state, &agents, &mut rng) else {
                    // Waiting for the citizen, or no one may act: left.
                    continue;
                };
                let command = Command::Act {
                    action: action.clone(),
                    comment: Some("Traité par le service.".into()),
                };
                let Ok(outcome) =
                    workflow::apply(&service, &item.state, &agent, command, &departments, now)
                else {
                    continue;
                };
                let closed = service
                    .step(&outcome.state.step)
                    .is_some_and(|s| s.kind.is_final());
                app.store
                    .apply(site.tenant.id, p.reference, item.revision, outcome, now)
                    .await
                    .map_err(|e| fail("apply", &e))?;
                done.actions += 1;
                if closed {
                    done.closed += 1;
                    p.closed = Some(at);
                    if crate::usecases::satisfaction::asks(site, &service.code)
                        && rng.u32(0..10) < 3
                    {
                        let later = at + rng.i64(3600..5 * 86_400);
                        queue.push(Reverse((later, Event::Answer { request })));
                    }
                } else {
                    let next = next_action(p, at, &mut rng);
                    queue.push(Reverse((next, Event::Act { request })));
                }
            }
            Event::Answer { request } => {
                let p = &planned[request];
                // Those who waited longer than the delay say so.
                let took = p.closed.unwrap_or(at) - p.received;
                let late = took as f64 / 86_400.0 > f64::from(p.service.deadline_days);
                let mark = |rng: &mut fastrand::Rng| {
                    let base = if late { 2 } else { 4 };
                    (base + rng.i32(-1..=1)).clamp(1, 5) as u8
                };
                let answer = Answer {
                    overall: mark(&mut rng),
                    delay: mark(&mut rng),
                    clarity: mark(&mut rng),
                    comment: (rng.u32(0..3) == 0)
                        .then(|| COMMENTS[rng.usize(0..COMMENTS.len())].to_owned()),
                };
                let path = crate::usecases::satisfaction::path(app, site, p.reference);
                let seal = path.rsplit('/').next().unwrap_or_default();
                if let crate::usecases::satisfaction::Questionnaire::Recorded(_) =
                    crate::usecases::satisfaction::answer(app, site, p.reference, seal, answer)
                        .await
                        .map_err(|e| fail("answer", &e))?
                {
                    done.answered += 1;
                }
            }
        }
    }
    clock.set(end);
    Ok(done)
}

/// When the request's next step is taken: its planned days spread over
/// about three steps, in working hours, never beyond the generator's end.
fn next_action(p: &Planned, now: i64, rng: &mut fastrand::Rng) -> i64 {
    let step = p.target_days / 3.0 * (0.5 + rng.f64());
    let at = now + (step * 86_400.0) as i64;
    // Into the working day.
    let hour = (at.rem_euclid(86_400)) / 3600;
    if (8..18).contains(&hour) {
        at
    } else {
        at + (86_400 - at.rem_euclid(86_400)) + 8 * 3600 + rng.i64(0..9 * 3600)
    }
}

/// Who does what next: an action of the step leading on (a final step
/// accepting more often than refusing; a step waiting for the citizen
/// avoided), and an agent allowed to take it — not an administrator when
/// someone of the department may.
fn choose(
    service: &Service,
    state: &crate::core::workflow::RequestState,
    agents: &[Agent],
    rng: &mut fastrand::Rng,
) -> Option<(Agent, String)> {
    let everyone = Agent {
        login: String::new(),
        name: String::new(),
        admin: true,
        roles: Vec::new(),
        software: false,
    };
    let actions = workflow::available_actions(service, state, &everyone);
    let weights: Vec<u32> = actions
        .iter()
        .map(|a| match service.step(&a.to).map(|to| to.kind) {
            Some(StepKind::Accepted | StepKind::Closed) => 8,
            Some(StepKind::Refused) => 1,
            Some(StepKind::Citizen) | None => 0,
            _ if a.to == state.step => 0,
            _ => 6,
        })
        .collect();
    let action = actions[weighted_pick(rng, &weights)?];
    let able: Vec<&Agent> = agents
        .iter()
        .filter(|g| !g.admin && action.roles.iter().any(|r| g.can(&state.department, *r)))
        .collect();
    let agent = if able.is_empty() {
        agents.iter().find(|g| g.admin)?
    } else {
        able[rng.usize(0..able.len())]
    };
    Some((agent.clone(), action.id.clone()))
}

/// An index drawn with the chance its weight gives it; `None` when every
/// weight is nought.
fn weighted_pick(rng: &mut fastrand::Rng, weights: &[u32]) -> Option<usize> {
    let total: u32 = weights.iter().sum();
    if total == 0 {
        return None;
    }
    let mut pick = rng.u32(0..total);
    weights.iter().position(|w| {
        if pick < *w {
            true
        } else {
            pick -= w;
            false
        }
    })
}

/// Puts the request's addresses in the town's districts: a street of one
/// (the requester's too), a house number, and for the service's own
/// address (an incident's place) most of the time a point inside that
/// district's outline, as a phone's location would give.
fn place(
    entries: &mut [(String, RawValue)],
    places: &crate::core::places::Places,
    rng: &mut fastrand::Rng,
) {
    let districts = places.districts();
    if districts.is_empty() {
        return;
    }
    for (name, value) in entries.iter_mut() {
        let RawValue::Group(parts) = value else {
            continue;
        };
        let Some(street) = parts.iter().position(|(n, _)| n == "street") else {
            continue;
        };
        let district = &districts[rng.usize(0..districts.len())];
        let Some(line) = district
            .streets
            .get(rng.usize(0..district.streets.len().max(1)))
        else {
            continue;
        };
        parts[street].1 = RawValue::Text(format!("{} {line}", rng.u32(1..80)));
        let own = name != crate::core::forms::REQUESTER;
        if own
            && rng.u32(0..10) < 8
            && let Some(p) = point_in(district, rng)
        {
            parts.push(("latitude".into(), RawValue::Text(format!("{:.6}", p.lat))));
            parts.push(("longitude".into(), RawValue::Text(format!("{:.6}", p.lon))));
        }
    }
}

/// A random point inside a district's outline (drawn in its frame until
/// one falls in).
fn point_in(
    district: &crate::core::places::District,
    rng: &mut fastrand::Rng,
) -> Option<crate::core::places::Point> {
    let first = district.outline.first()?;
    let (mut w, mut e, mut s, mut n) = (first.lon, first.lon, first.lat, first.lat);
    for p in &district.outline {
        (w, e, s, n) = (w.min(p.lon), e.max(p.lon), s.min(p.lat), n.max(p.lat));
    }
    (0..50).find_map(|_| {
        let p = crate::core::places::Point {
            lon: w + rng.f64() * (e - w),
            lat: s + rng.f64() * (n - s),
        };
        district.holds(p).then_some(p)
    })
}

/// Varies the example's free texts and requester's name, so that the
/// requests do not all read the same.
fn vary(entries: &mut [(String, RawValue)], service: &Service, rng: &mut fastrand::Rng) {
    const NAMES: &[&str] = &[
        "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
        "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David",
    ];
    for (name, value) in entries.iter_mut() {
        if name == crate::core::forms::REQUESTER {
            if let RawValue::Group(fields) = value {
                for (n, v) in fields.iter_mut() {
                    if n == "lastName" {
                        *v = RawValue::Text(NAMES[rng.usize(0..NAMES.len())].to_owned());
                    }
                }
                // Two in five of the requests of a service that serves
                // associations come from one.
                let associations = service
                    .requesters
                    .contains(&crate::core::catalogue::RequesterKind::Association);
                if associations && rng.u32(0..5) < 2 {
                    const CLUBS: &[&str] = &[
                        "Comité des fêtes de Démoville",
                        "Club de football de Démoville",
                        "Les Amis de la médiathèque",
                        "Association des parents d'élèves",
                    ];
                    fields.push(("kind".into(), RawValue::Text("association".into())));
                    fields.push((
                        "organisation".into(),
                        RawValue::Text(CLUBS[rng.usize(0..CLUBS.len())].into()),
                    ));
                }
            }
            continue;
        }
        let long = service
            .fields
            .iter()
            .any(|f| &f.name == name && f.kind == FieldType::LongText);
        if long && let RawValue::Text(_) = value {
            *value = RawValue::Text(PHRASES[rng.usize(0..PHRASES.len())].to_owned());
        }
    }
}
